// SPDX-License-Identifier: MIT
// Renders a report with headless Chromium, then checks the screenshot: the requested size,
// not blank, and the report's colours actually drawn (the heat map's blue diagonal and
// orange errors, the misclassified images' dark ink). Skipped when CMake found no
// Chromium (configure with -DCTNN_REQUIRE_CHROMIUM=ON to make that an error instead).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "png_decode.hpp"
#include "report_fixture.hpp"

#ifndef CTNN_CHROMIUM
#define CTNN_CHROMIUM ""
#endif
#ifndef CTNN_TRAIN_MOONS
#define CTNN_TRAIN_MOONS ""
#endif

namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Screenshots `html` with headless Chromium into `png` at width × height.
void screenshot(const std::filesystem::path& dir, const std::filesystem::path& html,
                const std::filesystem::path& png, int width, int height) {
  // A fresh profile, no network services; --no-sandbox because CI runs as root.
  const std::string command =
      "timeout 120 " + quoted(CTNN_CHROMIUM) +
      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --hide-scrollbars --user-data-dir=" +
      quoted((dir / "profile").string()) + " --screenshot=" + quoted(png.string()) +
      " --window-size=" + std::to_string(width) + "," + std::to_string(height) + " " +
      quoted("file://" + html.string()) + " >" + quoted((dir / "chromium.log").string()) + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ASSERT_TRUE(std::filesystem::exists(png)) << command;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// A real run's report on the synthetic set `set`: the decision-boundary plot is there, and
// drawn — cut out of the page and rendered alone, it is non-blank and shows both classes'
// colours, as the regions' tints and as the points.
void check_decision_boundary(const std::string& set) {
  const std::string moons = CTNN_TRAIN_MOONS;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ctnn-decision-shot-" + set + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "profile");
  const std::string run = quoted(moons) + " --synthetic " + set +
                          " --epochs 20 --threads 1 --out " + quoted((dir / "m.ckpt").string()) +
                          " --report " + quoted((dir / "report.html").string()) + " >" +
                          quoted((dir / "run.log").string()) + " 2>&1";
  ASSERT_EQ(std::system(run.c_str()), 0) << read_text(dir / "run.log");
  const std::string page = read_text(dir / "report.html");
  const std::size_t at = page.find(R"(id="decision-boundary")");
  ASSERT_NE(at, std::string::npos) << "the " << set << " report has no decision-boundary plot";
  const std::size_t begin = page.rfind("<svg", at), end = page.find("</svg>", at);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  {
    std::ofstream out(dir / "decision.html", std::ios::binary);
    out << "<!DOCTYPE html><html><body style=\"margin:0;background:#fff\">"
        << page.substr(begin, end + 6 - begin) << "</body></html>";
  }
  screenshot(dir, dir / "decision.html", dir / "decision.png", 640, 520);
  const ctnn_test::rgba_image shot = ctnn_test::read_png(dir / "decision.png");
  ASSERT_EQ(shot.width, 640u);

  // Class 0 is blue (#2563eb), class 1 orange (#ea580c): their tints fill the regions, the
  // full colours the points.
  std::size_t blue_region = 0, orange_region = 0, blue_point = 0, orange_point = 0, other = 0;
  for (std::uint32_t y = 0; y < shot.height; ++y)
    for (std::uint32_t x = 0; x < shot.width; ++x) {
      const std::uint8_t* p = shot.at(x, y);
      const int r = p[0], g = p[1], b = p[2];
      auto near = [&](int R, int G, int B) {
        return std::abs(r - R) + std::abs(g - G) + std::abs(b - B) < 60;
      };
      if (near(0x25, 0x63, 0xeb))
        ++blue_point;
      else if (near(0xea, 0x58, 0x0c))
        ++orange_point;
      else if (b > r + 40 && b > g + 10)
        ++blue_region;
      else if (r > b + 60 && r > g + 20)
        ++orange_region;
      else if (r + g + b < 3 * 250)
        ++other;
    }
  const double area = double(shot.width) * shot.height;
  std::printf("%s: blue region %.3f, orange region %.3f, blue points %zu, orange points %zu\n",
              set.c_str(), blue_region / area, orange_region / area, blue_point, orange_point);
  // The plot is 53% of the shot; circles' inner class covers the least (measured 8.5%).
  EXPECT_GT(blue_region / area, 0.03) << "class 0's region is missing";
  EXPECT_GT(orange_region / area, 0.03) << "class 1's region is missing";
  EXPECT_GT(blue_point, 500u) << "class 0's points are missing";
  EXPECT_GT(orange_point, 500u) << "class 1's points are missing";
  std::error_code ec;
  std::filesystem::copy_file(dir / "decision.png", "decision_screenshot_" + set + ".png",
                             std::filesystem::copy_options::overwrite_existing, ec);
  std::filesystem::remove_all(dir);
}

TEST(report_screenshot, decision_boundary_of_moons_shows_both_classes) {
  if (std::string(CTNN_CHROMIUM).empty()) GTEST_SKIP() << "no chromium found at configure time";
  if (std::string(CTNN_TRAIN_MOONS).empty()) GTEST_SKIP() << "ctnn-train-moons is not built";
  check_decision_boundary("moons");
}

TEST(report_screenshot, decision_boundary_of_circles_shows_both_classes) {
  if (std::string(CTNN_CHROMIUM).empty()) GTEST_SKIP() << "no chromium found at configure time";
  if (std::string(CTNN_TRAIN_MOONS).empty()) GTEST_SKIP() << "ctnn-train-moons is not built";
  check_decision_boundary("circles");
}

TEST(report_screenshot, renders_a_full_non_blank_page) {
  const std::string chromium = CTNN_CHROMIUM;
  if (chromium.empty()) GTEST_SKIP() << "no chromium found at configure time";
  const auto dir =
      std::filesystem::temp_directory_path() / ("ctnn-report-shot-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "profile");
  const auto html = dir / "report.html";
  const auto png = dir / "report.png";
  ctnn::train::write_report(html, ctnn_test::synthetic_report());

  // A fresh profile, no network services; --no-sandbox because CI runs as root.
  const std::string command =
      "timeout 120 " + quoted(chromium) +
      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --hide-scrollbars --user-data-dir=" +
      quoted((dir / "profile").string()) + " --screenshot=" + quoted(png.string()) +
      " --window-size=1200,2000 " + quoted("file://" + html.string()) + " >" +
      quoted((dir / "chromium.log").string()) + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ASSERT_TRUE(std::filesystem::exists(png)) << command;

  const ctnn_test::rgba_image shot = ctnn_test::read_png(png);
  EXPECT_EQ(shot.width, 1200u);
  EXPECT_EQ(shot.height, 2000u);

  // Content: neither the page's grey background nor the cards' white.
  std::size_t content = 0, blue = 0, orange = 0, ink = 0;
  std::set<std::uint32_t> colours;
  for (std::uint32_t y = 0; y < shot.height; ++y)
    for (std::uint32_t x = 0; x < shot.width; ++x) {
      const std::uint8_t* p = shot.at(x, y);
      const int r = p[0], g = p[1], b = p[2];
      colours.insert(std::uint32_t(r) << 16 | std::uint32_t(g) << 8 | std::uint32_t(b));
      const bool page = std::abs(r - 0xf3) + std::abs(g - 0xf4) + std::abs(b - 0xf6) <= 6;
      const bool white = r + g + b >= 3 * 250;
      if (!page && !white) ++content;
      if (b > 180 && r < 80 && g < 110) ++blue;              // heat-map diagonal, headline
      if (r > 200 && g > 70 && g < 160 && b < 90) ++orange;  // heat-map errors, curves
      if (r < 50 && g < 50 && b < 50) ++ink;                 // text and images
    }
  const double area = double(shot.width) * shot.height;
  std::printf("content %.3f, colours %zu, blue %zu, orange %zu, ink %zu\n", content / area,
              colours.size(), blue, orange, ink);
  EXPECT_GT(content / area, 0.08) << "hardly anything drawn: blank page?";
  EXPECT_GT(colours.size(), 200u) << "too few colours for a rendered report";
  // Eight full-blue diagonal cells alone are ≥ 8·40·40 px.
  EXPECT_GT(blue, 8u * 1200u) << "the heat map's diagonal is missing";
  EXPECT_GT(orange, 1000u) << "the orange of the validation curve and error cells is missing";
  EXPECT_GT(ink, 5000u);

  // Keep the screenshot for people to look at (ctest runs in the build directory).
  std::error_code ec;
  std::filesystem::copy_file(png, "report_screenshot.png",
                             std::filesystem::copy_options::overwrite_existing, ec);
  std::filesystem::copy_file(html, "report_screenshot.html",
                             std::filesystem::copy_options::overwrite_existing, ec);
  std::filesystem::remove_all(dir);
}
