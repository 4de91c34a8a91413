// SPDX-License-Identifier: MIT
// Unit tests of the report's pieces (include/ctnn/train/report/svg.hpp, report.hpp): escaping,
// axes, polyline coordinates, PNG and base64 encoding, the per-class table, the atomic
// write. Expected values are computed by hand from the documented layout.
#include "ctnn/train/report/report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "png_decode.hpp"

namespace tr = ctnn::train;
namespace svg = ctnn::train::svg;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// 2 classes: true 0 → [3 right, 1 wrong], true 1 → [2 wrong, 4 right].
tr::confusion_matrix two_class_matrix() {
  tr::confusion_matrix m(2);
  for (int i = 0; i < 3; ++i) m.add(0, 0);
  m.add(0, 1);
  for (int i = 0; i < 2; ++i) m.add(1, 0);
  for (int i = 0; i < 4; ++i) m.add(1, 1);
  return m;
}

struct temp_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("ctnn-report-" + std::to_string(::getpid()) + "-" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  temp_dir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(svg, escape_replaces_markup_characters) {
  EXPECT_EQ(svg::escape(R"(<T&shirt> "top" 'x')"),
            "&lt;T&amp;shirt&gt; &quot;top&quot; &#39;x&#39;");
  EXPECT_EQ(svg::escape("plain"), "plain");
}

TEST(svg, nice_axis_uses_round_steps) {
  // 0.68 / 5 = 0.136 → step 0.2; the range widens to whole steps.
  svg::axis a = svg::nice_axis(0.23, 0.91, 5);
  EXPECT_DOUBLE_EQ(a.step, 0.2);
  EXPECT_NEAR(a.lo, 0.2, 1e-12);
  EXPECT_NEAR(a.hi, 1.0, 1e-12);
  ASSERT_EQ(a.ticks().size(), 5u);
  EXPECT_NEAR(a.ticks()[2], 0.6, 1e-12);
  // 0.1 / 5 = 0.02 → step 0.02 (0.8 .. 0.9 exactly representable as tick multiples).
  a = svg::nice_axis(0.8, 0.9, 5);
  EXPECT_NEAR(a.step, 0.02, 1e-15);
  // Epochs 1..3: 2 / 8 = 0.25, and an integer axis never steps below 1.
  a = svg::nice_axis(1, 3, 8, true);
  EXPECT_EQ(a.step, 1.0);
  EXPECT_EQ(a.lo, 1.0);
  EXPECT_EQ(a.hi, 3.0);
  // A single value is widened instead of dividing by zero.
  a = svg::nice_axis(0.5, 0.5, 5);
  EXPECT_LT(a.lo, 0.5);
  EXPECT_GT(a.hi, 0.5);
}

TEST(svg, polyline_maps_data_to_pixels_and_skips_nan) {
  svg::frame f;
  f.x0 = 1, f.x1 = 3, f.y0 = 0, f.y1 = 2;
  f.left = 50, f.top = 10, f.width = 200, f.height = 100;
  svg::series s{"s", {1, 2, 3}, {2, 1, 0}};
  // x: 50 + (x-1)/2·200; y: 10 + 100 − y/2·100.
  EXPECT_EQ(svg::polyline_points(s, f), "50.0,10.0 150.0,60.0 250.0,110.0");
  s.y[1] = NAN;
  EXPECT_EQ(svg::polyline_points(s, f), "50.0,10.0 250.0,110.0");
}

TEST(svg, line_chart_plots_the_history) {
  svg::chart_options o;
  o.title = "Loss";
  o.width = 500, o.height = 300;
  svg::series s{"train", {1, 2, 3}, {1.0, 0.6, 0.2}, "#123456"};
  const std::string chart = svg::line_chart({s}, o);
  // Axes: x 1..3 (step 1), y 0.2..1.0 (step 0.2). Plot box: left 72, top 56,
  // width 500−72−20 = 408, height 300−56−52 = 192. Points: x 72, 276, 480;
  // y 56 + 192 − (v − 0.2)/0.8·192 → 56, 152, 248.
  EXPECT_NE(chart.find(R"(points="72.0,56.0 276.0,152.0 480.0,248.0")"), std::string::npos)
      << chart;
  EXPECT_NE(chart.find(R"(stroke="#123456")"), std::string::npos);
  EXPECT_NE(chart.find(">train</text>"), std::string::npos);  // the legend
  for (const char* tick : {">0.2<", ">0.4<", ">0.6<", ">0.8<", ">1.0<", ">1<", ">2<", ">3<"})
    EXPECT_NE(chart.find(tick), std::string::npos) << tick;
}

TEST(svg, percent_ticks_keep_needed_decimals) {
  svg::chart_options o;
  o.percent = true;
  // 0.80 .. 0.92: step 0.025 → 80.0%, 82.5%, … (0 decimals would print 82% and 88%).
  const std::string chart = svg::line_chart({{"a", {1, 2}, {0.81, 0.915}}}, o);
  EXPECT_NE(chart.find(">82.5%<"), std::string::npos) << chart;
  EXPECT_EQ(chart.find(">82%<"), std::string::npos);
}

TEST(svg, heat_map_shows_counts_and_escaped_names) {
  const std::string map = svg::confusion_heat_map(two_class_matrix(), {"<a&b>", "c\"d"});
  EXPECT_NE(map.find("&lt;a&amp;b&gt;"), std::string::npos);
  EXPECT_NE(map.find("c&quot;d"), std::string::npos);
  EXPECT_EQ(map.find("<a&b>"), std::string::npos);
  for (const char* n : {">3</text>", ">1</text>", ">2</text>", ">4</text>"})
    EXPECT_NE(map.find(n), std::string::npos) << n;
  EXPECT_EQ(count(map, "<rect "), 4u);
  // Diagonal shade = share of the row: 3/4 of the way from #f1f5f9 to #1d4ed8.
  EXPECT_NE(map.find(svg::mix(0xf1f5f9, 0x1d4ed8, 0.75)), std::string::npos);
  EXPECT_EQ(svg::mix(0x000000, 0xffffff, 0.5), "#808080");
  EXPECT_EQ(svg::mix(0x102030, 0x102030, 0.3), "#102030");
}

TEST(report, base64_matches_rfc4648_vectors) {
  EXPECT_EQ(tr::detail::base64(""), "");
  EXPECT_EQ(tr::detail::base64("f"), "Zg==");
  EXPECT_EQ(tr::detail::base64("fo"), "Zm8=");
  EXPECT_EQ(tr::detail::base64("foo"), "Zm9v");
  EXPECT_EQ(tr::detail::base64("foob"), "Zm9vYg==");
  EXPECT_EQ(tr::detail::base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(tr::detail::base64("foobar"), "Zm9vYmFy");
}

TEST(report, png_holds_the_image_as_ink) {
  tr::report_image im;
  im.height = 2;
  im.width = 3;
  im.pixels = {0.0f, 0.5f, 1.0f, 2.0f, -1.0f, 0.2f};  // out-of-range values are clamped
  const std::string png = tr::detail::grey_png(im);
  const ctnn_test::rgba_image d =
      ctnn_test::decode_png(std::vector<std::uint8_t>(png.begin(), png.end()));
  ASSERT_EQ(d.width, 3u);
  ASSERT_EQ(d.height, 2u);
  // 255 − round(v·255): 255, 127 (round(127.5) = 128), 0, 0, 255, 204.
  const int expected[6] = {255, 127, 0, 0, 255, 204};
  for (std::uint32_t i = 0; i < 6; ++i) {
    const std::uint8_t* p = d.at(i % 3, i / 3);
    EXPECT_EQ(p[0], expected[i]) << i;
    EXPECT_EQ(p[0], p[2]);
    EXPECT_EQ(p[3], 255);
  }
}

TEST(report, collect_misclassified_picks_errors_and_rescales) {
  tr::dataset d;
  d.features = 4;
  d.classes = 3;
  d.x = {0, 0.5f, 1, 0, /**/ 0, 255, 51, 102, /**/ 1, 1, 1, 1, /**/ 0, 0, 0, 0.25f};
  d.y = {0, 1, 2, 1};
  const std::vector<std::uint32_t> predicted = {0, 2, 2, 0};
  const auto images = tr::collect_misclassified(d, predicted, 2, 2);
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].index, 1u);
  EXPECT_EQ(images[0].truth, 1u);
  EXPECT_EQ(images[0].predicted, 2u);
  // 0..255 rescaled by the sample's own range: 0, 1, 0.2, 0.4.
  EXPECT_FLOAT_EQ(images[0].pixels[1], 1.0f);
  EXPECT_FLOAT_EQ(images[0].pixels[2], 0.2f);
  EXPECT_FLOAT_EQ(images[0].pixels[3], 0.4f);
  EXPECT_EQ(images[1].index, 3u);
  EXPECT_FLOAT_EQ(images[1].pixels[3], 0.25f);  // already in [0, 1]: kept
  EXPECT_EQ(tr::collect_misclassified(d, predicted, 2, 2, 1).size(), 1u);
  EXPECT_THROW(tr::collect_misclassified(d, predicted, 3, 2), std::invalid_argument);
}

TEST(report, page_has_scores_curves_images_and_no_active_content) {
  tr::report_data r;
  r.title = "Run <1> & co";
  r.dataset = "toy";
  r.class_names = {"<cat>", "dog & co"};
  r.confusion = two_class_matrix();
  for (std::size_t e = 1; e <= 3; ++e) {
    tr::history_row h;
    h.epoch = e;
    h.train_loss = 1.0 / static_cast<double>(e);
    h.train_accuracy = 0.5 + 0.1 * static_cast<double>(e);
    r.history.push_back(h);
  }
  tr::report_image im;
  im.height = im.width = 2;
  im.pixels = {0, 1, 1, 0};
  im.truth = 1;
  im.predicted = 0;
  r.misclassified = {im};
  const std::string html = tr::render_report(r);

  // Class 0: precision 3/(3+2) = 0.600, recall 3/4 = 0.750, F1 = 2·0.6·0.75/1.35 = 0.667.
  // Class 1: precision 4/5 = 0.800, recall 4/6 = 0.667, F1 = 2·0.8·0.6667/1.4667 = 0.727.
  for (const char* v : {">0.600<", ">0.750<", ">0.667<", ">0.800<", ">0.727<"})
    EXPECT_NE(html.find(v), std::string::npos) << v;
  EXPECT_NE(html.find("70.00%"), std::string::npos);  // accuracy 7/10
  EXPECT_NE(html.find("&lt;cat&gt;"), std::string::npos);
  EXPECT_NE(html.find("dog &amp; co"), std::string::npos);
  EXPECT_NE(html.find("Run &lt;1&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(html.find("<cat>"), std::string::npos);
  EXPECT_EQ(count(html, "<polyline"), 2u);  // train loss, train accuracy (no validation)
  EXPECT_EQ(count(html, "data:image/png;base64,"), 1u);
  // Self-contained and passive: no scripts, no fetched resources.
  for (const char* bad : {"<script", "src=\"http", "href=\"http", "@import", "url("})
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;

  r.class_names = {"just one"};
  EXPECT_THROW(tr::render_report(r), std::invalid_argument);
}

TEST(report, write_is_atomic_and_reports_errors_with_the_path) {
  temp_dir dir;
  tr::report_data r;
  r.confusion = two_class_matrix();
  const auto path = dir.path / "report.html";
  {
    std::ofstream old(path);
    old << "old";
  }
  tr::write_report(path, r);
  std::ifstream in(path, std::ios::binary);
  const std::string written{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(written, tr::render_report(r));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++files;
  EXPECT_EQ(files, 1u);  // no temporary file left behind

  const auto missing = dir.path / "no-such-dir" / "r.html";
  try {
    tr::write_report(missing, r);
    FAIL() << "expected data_error";
  } catch (const tr::data_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(missing.string() + ": ", 0), 0u) << e.what();
  }
}

namespace {

// A 2-class decision map: class 0 left of x = 0, class 1 right, sure at the edges.
tr::report_data decision_report() {
  tr::report_data r;
  r.confusion = two_class_matrix();
  r.class_names = {"upper", "lower"};
  tr::decision_map m;
  m.x0 = -1, m.x1 = 1, m.y0 = -1, m.y1 = 1;
  m.nx = 4, m.ny = 2;
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 4; ++j) {
      m.cell_class.push_back(j < 2 ? 0 : 1);
      m.cell_confidence.push_back(j == 0 || j == 3 ? 1.0f : 0.6f);
    }
  m.px = {-0.5f, 0.5f, 5.0f};  // the last is outside the box: not drawn
  m.py = {0.0f, 0.0f, 0.0f};
  m.point_class = {0, 1, 1};
  r.decision = m;
  return r;
}

}  // namespace

TEST(report, rgb_png_holds_the_colours) {
  const std::string png = tr::detail::rgb_png(2, 1, {0x2563eb, 0xea580c});
  const ctnn_test::rgba_image d =
      ctnn_test::decode_png(std::vector<std::uint8_t>(png.begin(), png.end()));
  ASSERT_EQ(d.width, 2u);
  ASSERT_EQ(d.height, 1u);
  EXPECT_EQ(d.at(0, 0)[0], 0x25);
  EXPECT_EQ(d.at(0, 0)[2], 0xeb);
  EXPECT_EQ(d.at(1, 0)[0], 0xea);
  EXPECT_EQ(d.at(1, 0)[1], 0x58);
}

TEST(report, decision_tint_grows_with_confidence_in_the_class_colour) {
  // A tie is a light tint, certainty 18% + 50% of the way to the class colour.
  EXPECT_EQ(svg::decision_tint(0, 0.5, 2), 0xd8e3fbu);  // 255 + (0x25 − 255)·0.18 = 216 …
  EXPECT_EQ(svg::decision_tint(1, 1.0, 2), 0xf18d5au);  // 255 + (0xea − 255)·0.68 = 241 …
  EXPECT_EQ(svg::class_color(0), 0x2563ebu);
  EXPECT_EQ(svg::class_color(10), 0x2563ebu);
}

TEST(report, decision_map_is_an_image_with_points_and_a_legend) {
  const std::string page = tr::render_report(decision_report());
  EXPECT_EQ(count(page, R"(id="decision-boundary")"), 1u);
  EXPECT_EQ(count(page, "data:image/png;base64,"), 1u);
  // Two points inside the box plus the two legend dots.
  EXPECT_EQ(count(page, R"(<circle cx=)"), 4u);
  EXPECT_NE(page.find(R"(fill="#2563eb" stroke="#fff")"), std::string::npos);
  EXPECT_NE(page.find(R"(fill="#ea580c" stroke="#fff")"), std::string::npos);
  EXPECT_NE(page.find(">upper</text>"), std::string::npos);

  tr::report_data bad = decision_report();
  bad.decision->cell_class.pop_back();
  EXPECT_THROW(tr::render_report(bad), std::invalid_argument);
}

TEST(report, every_label_names_the_evaluated_set) {
  tr::report_data r = decision_report();
  r.decision.reset();
  r.evaluated_set = "validation";
  tr::history_row h;
  h.epoch = 1, h.train_loss = 0.5, h.train_accuracy = 0.7;
  h.validation_loss = 0.6, h.validation_accuracy = 0.65;
  r.history = {h};
  const std::string page = tr::render_report(r);
  EXPECT_NE(page.find("validation accuracy"), std::string::npos);
  EXPECT_NE(page.find("Validation results by class"), std::string::npos);
  EXPECT_EQ(page.find("test accuracy"), std::string::npos);
  EXPECT_EQ(page.find("Test results"), std::string::npos);
  // With per-epoch test figures, a third curve labelled test.
  r.evaluated_set = "test";
  r.history[0].test_loss = 0.55;
  r.history[0].test_accuracy = 0.66;
  EXPECT_EQ(count(tr::render_report(r), R"(class="legend">test</text>)"), 2u);
}

TEST(report, sample_view_shows_the_image_and_every_probability) {
  tr::report_data r = decision_report();
  r.decision.reset();
  tr::sample_view v;
  v.set = "test";
  v.image.height = v.image.width = 2;
  v.image.pixels = {0, 1, 1, 0};
  v.image.truth = 1;
  v.image.predicted = 1;
  v.image.index = 0;
  v.probabilities = {0.25f, 0.75f};
  r.sample = v;
  const std::string page = tr::render_report(r);
  EXPECT_NE(page.find("One test sample"), std::string::npos);
  EXPECT_NE(page.find(">0.750</td>"), std::string::npos);
  EXPECT_NE(page.find(">0.250</td>"), std::string::npos);
  EXPECT_EQ(count(page, R"(<tr class="top">)"), 1u);
}
