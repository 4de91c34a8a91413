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
#include <set>
#include <string>

#include "png_decode.hpp"
#include "report_fixture.hpp"

#ifndef CTNN_CHROMIUM
#define CTNN_CHROMIUM ""
#endif

namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

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
