// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The training report: one self-contained HTML file (inline SVG charts, images as PNG
/// data URIs, no JavaScript, no external asset) with the loss and accuracy curves (train,
/// validation and test, each named after its set), the confusion matrix as a heat map,
/// per-class precision/recall/F1, a grid of misclassified images, and when given a
/// decision-boundary plot (2-input models) and a single-sample view (image models). Every
/// figure is labelled with the set it was measured on (`evaluated_set`: "test" or
/// "validation"). Host only (POSIX); link ZLIB::ZLIB (PNG compression).
///
/// @code
/// ctnn::train::report_data r;
/// r.title = "784-128-64-10 on Fashion-MNIST";
/// r.dataset = "fashion-mnist/t10k";
/// r.class_names = ctnn::train::fashion_mnist_class_names();
/// r.history = history;                                  // one history_row per epoch
/// r.confusion = ctnn::train::confusion_matrix(10, predicted, test.y);
/// r.test_accuracy = r.confusion.accuracy();
/// r.misclassified = ctnn::train::collect_misclassified(test, predicted, 28, 28);
/// ctnn::train::write_report("report.html", r);         // data_error if it cannot write
/// @endcode
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/report/metrics.hpp"
#include "ctnn/train/report/svg.hpp"

namespace ctnn::train {

/// One misclassified sample: a height × width grey image, row-major, values in [0, 1]
/// (drawn as ink: 0 white, 1 black; values outside are clamped), its true and predicted
/// class and its index in the evaluated set.
struct report_image {
  std::size_t height = 0, width = 0;
  std::vector<float> pixels;
  std::uint32_t truth = 0, predicted = 0;
  std::size_t index = 0;
};

/// A 2-input model's decision over a grid, with the training points on it. Cell (i, j)
/// (row i from the top, column j from the left) covers x in [x0 + j·dx, x0 + (j+1)·dx],
/// y from y1 downwards, dx = (x1 − x0) / nx.
struct decision_map {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  std::size_t nx = 0, ny = 0;
  std::size_t classes = 2;
  std::vector<std::uint32_t> cell_class;  ///< ny × nx predicted classes, row-major, top row first
  std::vector<float> cell_confidence;     ///< ny × nx probability of the predicted class
  std::vector<float> px, py;              ///< points (at most a few thousand are drawn)
  std::vector<std::uint32_t> point_class;
  std::string points_name = "training";  ///< the set the points come from
};

/// One sample and the model's class probabilities for it (the single-sample view).
struct sample_view {
  report_image image;                ///< truth, predicted and index as in the set
  std::vector<float> probabilities;  ///< one per class
  std::string set;                   ///< e.g. "test"
};

/// Everything the report shows. Only `confusion` is needed; an empty part (no history, no
/// images) is left out of the page.
struct report_data {
  std::string title = "ctnn training report";
  std::string dataset;  ///< name of the evaluated set, e.g. "fashion-mnist/t10k"
  std::string model;    ///< e.g. Net::signature
  std::vector<std::pair<std::string, std::string>>
      settings;                             ///< shown as given, e.g. {"lr", "0.001"}
  std::vector<std::string> class_names;     ///< empty, or one per class (else the class number)
  std::vector<history_row> history;         ///< per epoch; NaN = not measured (no validation)
  confusion_matrix confusion{0};            ///< on the evaluated set
  double test_accuracy = NAN;               ///< on the evaluated set; NaN: from `confusion`
  std::vector<report_image> misclassified;  ///< shown in order; keep it to a few dozen
  /// What the evaluated set is, for every label: "test" (a separate test set) or
  /// "validation" (held out from the training data).
  std::string evaluated_set = "test";
  std::optional<decision_map> decision;  ///< 2-input models
  std::optional<sample_view> sample;     ///< image models
};

/// Up to `limit` samples of `d` whose prediction differs from the label, in index order, as
/// height × width images. Values already in [0, 1] are kept; a sample with values outside
/// (raw 0..255 pixels, standardised data) is rescaled by its own minimum and maximum.
inline std::vector<report_image> collect_misclassified(const dataset& d,
                                                       const std::vector<std::uint32_t>& predicted,
                                                       std::size_t height, std::size_t width,
                                                       std::size_t limit = 36) {
  if (height * width != d.features)
    throw std::invalid_argument("collect_misclassified: height × width is not the feature count");
  if (predicted.size() != d.y.size())
    throw std::invalid_argument("collect_misclassified: predictions and labels differ in number");
  std::vector<report_image> out;
  for (std::size_t i = 0; i < d.y.size() && out.size() < limit; ++i) {
    if (predicted[i] == d.y[i]) continue;
    report_image im;
    im.height = height;
    im.width = width;
    im.truth = d.y[i];
    im.predicted = predicted[i];
    im.index = i;
    im.pixels.assign(d.sample(i), d.sample(i) + d.features);
    const auto [lo, hi] = std::minmax_element(im.pixels.begin(), im.pixels.end());
    if (*lo < 0.0f || *hi > 1.0f) {
      const float low = *lo, span = *hi - *lo;
      for (float& v : im.pixels) v = span > 0 ? (v - low) / span : 0.0f;
    }
    out.push_back(std::move(im));
  }
  return out;
}

namespace detail {

inline void png_chunk(std::string& out, const char* type, const std::string& data) {
  auto be32 = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
  };
  be32(static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.append(type, 4);
  out += data;
  const uLong crc = ::crc32(0L, reinterpret_cast<const Bytef*>(out.data() + start),
                            static_cast<uInt>(out.size() - start));
  be32(static_cast<std::uint32_t>(crc));
}

/// An 8-bit greyscale PNG of `im` (ink: 0 → white, 1 → black), every row with filter 0.
inline std::string grey_png(const report_image& im) {
  std::string raw;
  raw.reserve(im.height * (im.width + 1));
  for (std::size_t r = 0; r < im.height; ++r) {
    raw += '\0';  // filter type: none
    for (std::size_t c = 0; c < im.width; ++c) {
      float v = im.pixels[r * im.width + c];
      v = std::isfinite(v) ? std::clamp(v, 0.0f, 1.0f) : 0.0f;
      raw += static_cast<char>(255 - static_cast<int>(std::lround(v * 255)));
    }
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string z(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                9) != Z_OK)
    throw std::runtime_error("report: PNG compression failed");
  z.resize(size);
  std::string header;
  for (std::uint32_t v :
       {static_cast<std::uint32_t>(im.width), static_cast<std::uint32_t>(im.height)})
    for (int s = 24; s >= 0; s -= 8) header += static_cast<char>((v >> s) & 0xff);
  header +=
      std::string("\x08\x00\x00\x00\x00", 5);  // depth 8, greyscale, deflate, filter, no interlace
  std::string png = "\x89PNG\r\n\x1a\n";
  png_chunk(png, "IHDR", header);
  png_chunk(png, "IDAT", z);
  png_chunk(png, "IEND", "");
  return png;
}

/// An 8-bit RGB PNG of width × height pixels 0xRRGGBB, row-major from the top.
inline std::string rgb_png(std::size_t width, std::size_t height,
                           const std::vector<std::uint32_t>& rgb) {
  std::string raw;
  raw.reserve(height * (3 * width + 1));
  for (std::size_t r = 0; r < height; ++r) {
    raw += '\0';
    for (std::size_t c = 0; c < width; ++c)
      for (int s : {16, 8, 0}) raw += static_cast<char>((rgb[r * width + c] >> s) & 0xff);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string z(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                9) != Z_OK)
    throw std::runtime_error("report: PNG compression failed");
  z.resize(size);
  std::string header;
  for (std::uint32_t v : {static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height)})
    for (int s = 24; s >= 0; s -= 8) header += static_cast<char>((v >> s) & 0xff);
  header += std::string("\x08\x02\x00\x00\x00", 5);  // depth 8, RGB, deflate, filter, no interlace
  std::string png = "\x89PNG\r\n\x1a\n";
  png_chunk(png, "IHDR", header);
  png_chunk(png, "IDAT", z);
  png_chunk(png, "IEND", "");
  return png;
}

/// RFC 4648 base64 with padding.
inline std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16 |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest != 0) {
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

inline constexpr std::string_view report_css = R"(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2937;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 40px; }
header h1 { font-size: 28px; line-height: 1.2; margin: 0 0 4px; }
header .sub { color: #4b5563; margin: 0; }
header code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; color: #374151;
  background: #e5e7eb; padding: 2px 6px; border-radius: 4px; word-break: break-all; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 20px 0; }
.card { background: #fff; border-radius: 10px; padding: 12px 18px; min-width: 150px;
  box-shadow: 0 1px 2px rgba(0,0,0,.06), 0 1px 8px rgba(0,0,0,.04); }
.card .k { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #6b7280; }
.card .v { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card.hero .v { font-size: 34px; color: #1d4ed8; }
section { background: #fff; border-radius: 12px; padding: 18px 20px; margin: 16px 0;
  box-shadow: 0 1px 2px rgba(0,0,0,.06), 0 1px 8px rgba(0,0,0,.04); }
section h2 { font-size: 19px; margin: 0 0 4px; }
section p.note { color: #6b7280; font-size: 13px; margin: 0 0 10px; }
.row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.chart-title { font-size: 16px; font-weight: 650; fill: #111827; }
.tick { font-size: 12px; fill: #4b5563; font-variant-numeric: tabular-nums; }
.axis-label { font-size: 13px; fill: #374151; }
.legend { font-size: 13px; fill: #374151; }
.grid { stroke: #e5e7eb; stroke-width: 1; }
.plot-frame { fill: none; stroke: #9ca3af; stroke-width: 1; }
.reference { stroke: #6b7280; stroke-width: 1.5; stroke-dasharray: 2 4; }
.class-label { font-size: 12.5px; fill: #374151; }
.cell { stroke: #fff; stroke-width: 1.5; }
.count { fill: #1f2937; font-variant-numeric: tabular-nums; }
.count.light { fill: #fff; }
table.scores { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 14px; }
table.scores th { text-align: right; font-weight: 600; color: #4b5563; padding: 6px 10px;
  border-bottom: 2px solid #e5e7eb; }
table.scores th:first-child, table.scores td:first-child { text-align: left; }
table.scores td { padding: 5px 10px; border-bottom: 1px solid #f3f4f6; text-align: right; }
table.scores tr.avg td { border-top: 2px solid #e5e7eb; color: #4b5563; }
td.bar { min-width: 72px;
  background-image: linear-gradient(90deg, var(--c) 0 var(--w), transparent var(--w));
  background-repeat: no-repeat; background-size: 100% 6px; background-position: 0 88%; }
table.settings td { padding: 2px 12px 2px 0; font-size: 14px; }
table.settings td:first-child { color: #6b7280; }
.grid-images { display: grid; grid-template-columns: repeat(auto-fill, minmax(112px, 1fr)); gap: 12px; }
figure { margin: 0; background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 8px;
  padding: 8px; text-align: center; }
figure img { width: 84px; height: 84px; image-rendering: pixelated; display: block;
  margin: 0 auto 6px; border-radius: 3px; }
figcaption { font-size: 12.5px; line-height: 1.35; }
figcaption .t { color: #047857; }
figcaption .p { color: #c2410c; font-weight: 600; }
figcaption .i { color: #9ca3af; font-size: 11px; }
figure.single img { width: 168px; height: 168px; }
table.probs td.bar { min-width: 220px; }
table.probs tr.top td { font-weight: 650; }
footer { color: #9ca3af; font-size: 12px; text-align: center; margin-top: 24px; }
)";

inline std::string class_name(const report_data& r, std::size_t c) {
  return c < r.class_names.size() ? r.class_names[c] : std::to_string(c);
}

inline std::string card(std::string_view key, const std::string& value, bool hero = false) {
  return std::string(hero ? R"(<div class="card hero">)" : R"(<div class="card">)") +
         R"(<div class="k">)" + svg::escape(key) + R"(</div><div class="v">)" + value +
         "</div></div>";
}

inline std::string score_cell(double v, const char* color) {
  return svg::format(R"(<td class="bar" style="--c:%s;--w:%.1f%%">%.3f</td>)", color,
                     std::clamp(v, 0.0, 1.0) * 100, v);
}

/// The decision map as an <svg>: the grid as a smoothly scaled PNG, axes, the points in
/// their class colours with a white rim, and a legend.
inline std::string decision_svg(const report_data& r, const decision_map& m) {
  using svg::format;
  constexpr double left = 56, top = 44, side = 420, width = left + side + 150,
                   height = top + side + 48;
  std::vector<std::uint32_t> pixels(m.nx * m.ny);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = svg::decision_tint(m.cell_class[i], m.cell_confidence[i], m.classes);
  std::string out =
      format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f")", width,
             height) +
      format(R"( viewBox="0 0 %.0f %.0f" role="img" class="decision" id="decision-boundary">)",
             width, height) +
      "<title>decision boundary</title>";
  out += format(R"(<text x="%.1f" y="24" class="chart-title">)", left) + "Decision boundary</text>";
  out += format(R"(<image x="%.1f" y="%.1f" width="%.1f" height="%.1f" preserveAspectRatio="none")",
                left, top, side, side) +
         R"( href="data:image/png;base64,)" + base64(rgb_png(m.nx, m.ny, pixels)) + R"("/>)";
  svg::frame f;
  f.x0 = m.x0, f.x1 = m.x1, f.y0 = m.y0, f.y1 = m.y1;
  f.left = left, f.top = top, f.width = side, f.height = side;
  const std::size_t n = std::min({m.px.size(), m.py.size(), m.point_class.size()});
  const std::size_t stride = n > 2000 ? (n + 1999) / 2000 : 1;
  for (std::size_t i = 0; i < n; i += stride) {
    if (!std::isfinite(m.px[i]) || !std::isfinite(m.py[i])) continue;
    if (m.px[i] < m.x0 || m.px[i] > m.x1 || m.py[i] < m.y0 || m.py[i] > m.y1) continue;
    out += format(R"(<circle cx="%.1f" cy="%.1f" r="3.4" fill="#%06x" stroke="#fff")",
                  f.px(m.px[i]), f.py(m.py[i]), svg::class_color(m.point_class[i])) +
           R"( stroke-width="0.9"/>)";
  }
  // Explicit fill and stroke: the plot stays right when cut out of the page's CSS.
  out += format(R"(<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none")", left, top,
                side, side) +
         R"( stroke="#9ca3af" class="plot-frame"/>)";
  for (double t : svg::nice_axis(m.x0, m.x1, 6).ticks())
    if (t >= m.x0 && t <= m.x1)
      out += format(R"(<text x="%.1f" y="%.1f" class="tick" text-anchor="middle">%g</text>)",
                    f.px(t), top + side + 18, t);
  for (double t : svg::nice_axis(m.y0, m.y1, 6).ticks())
    if (t >= m.y0 && t <= m.y1)
      out += format(R"(<text x="%.1f" y="%.1f" class="tick" text-anchor="end">%g</text>)", left - 6,
                    f.py(t) + 4, t);
  out += format(R"(<text x="%.1f" y="%.1f" class="axis-label" text-anchor="middle">input 1</text>)",
                left + side / 2, height - 6);
  out += format(R"~(<text transform="translate(14 %.1f) rotate(-90)" class="axis-label" )~",
                top + side / 2) +
         R"(text-anchor="middle">input 2</text>)";
  for (std::size_t c = 0; c < m.classes; ++c) {
    const double y = top + 14 + 22 * static_cast<double>(c);
    out += format(R"(<circle cx="%.1f" cy="%.1f" r="5" fill="#%06x"/>)", left + side + 22, y - 4,
                  svg::class_color(c)) +
           format(R"(<text x="%.1f" y="%.1f" class="legend">)", left + side + 34, y) +
           svg::escape(class_name(r, c)) + "</text>";
  }
  out += "</svg>";
  return out;
}

/// The single-sample view: the image, large, and one bar per class probability.
inline std::string sample_html(const report_data& r, const sample_view& v) {
  using svg::escape;
  using svg::format;
  std::string h = "<div class=\"row\"><figure class=\"single\"><img alt=\"sample " +
                  std::to_string(v.image.index) + "\" src=\"data:image/png;base64," +
                  base64(grey_png(v.image)) + "\"><figcaption>" + escape(v.set) + " #" +
                  std::to_string(v.image.index) + "<br>true: <span class=\"t\">" +
                  escape(class_name(r, v.image.truth)) +
                  "</span><br>predicted: <span class=\"p\">" +
                  escape(class_name(r, v.image.predicted)) +
                  "</span></figcaption></figure><table class=\"scores probs\"><thead><tr>"
                  "<th>class</th><th>probability</th></tr></thead><tbody>";
  for (std::size_t c = 0; c < v.probabilities.size(); ++c) {
    const double p = v.probabilities[c];
    h += std::string(c == v.image.predicted ? "<tr class=\"top\">" : "<tr>") + "<td>" +
         escape(class_name(r, c)) + "</td>" +
         format(R"(<td class="bar" style="--c:%s;--w:%.1f%%">%.3f</td>)",
                c == v.image.predicted ? "#2563eb" : "#93c5fd",
                std::clamp(std::isfinite(p) ? p : 0.0, 0.0, 1.0) * 100, p) +
         "</tr>";
  }
  h += "</tbody></table></div>";
  return h;
}

}  // namespace detail

/// The report as HTML text. Throws std::invalid_argument if `class_names` is neither empty
/// nor one per class, or an image's pixel count is not height × width.
inline std::string render_report(const report_data& r) {
  using svg::escape;
  using svg::format;
  const std::size_t k = r.confusion.classes();
  if (!r.class_names.empty() && r.class_names.size() != k)
    throw std::invalid_argument("report: class_names must be empty or one per class");
  for (const report_image& im : r.misclassified)
    if (im.pixels.size() != im.height * im.width || im.height == 0 || im.width == 0)
      throw std::invalid_argument("report: an image's pixel count is not height × width");

  const std::string& set = r.evaluated_set;  // "test" or "validation": every label says which
  std::string set_title = set;
  if (!set_title.empty()) set_title[0] = static_cast<char>(std::toupper(set_title[0]));
  if (r.decision) {
    const decision_map& m = *r.decision;
    if (m.nx == 0 || m.ny == 0 || m.cell_class.size() != m.nx * m.ny ||
        m.cell_confidence.size() != m.nx * m.ny || !(m.x1 > m.x0) || !(m.y1 > m.y0))
      throw std::invalid_argument("report: the decision map's grid is not nx × ny cells");
  }
  if (r.sample &&
      (r.sample->image.pixels.size() != r.sample->image.height * r.sample->image.width ||
       r.sample->image.height == 0))
    throw std::invalid_argument("report: the sample's pixel count is not height × width");
  const classification_report scores(r.confusion);
  const double test_accuracy = std::isfinite(r.test_accuracy) ? r.test_accuracy : scores.accuracy;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  h += R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  h += "<title>" + escape(r.title) + "</title><style>" + std::string(detail::report_css) +
       "</style></head><body><main>\n";

  // Header and headline figures.
  h += "<header><h1>" + escape(r.title) + "</h1><p class=\"sub\">";
  if (!r.dataset.empty()) h += "Evaluated on <b>" + escape(r.dataset) + "</b>";
  if (!r.dataset.empty() && !r.model.empty()) h += " &middot; ";
  if (!r.model.empty()) h += "model <code>" + escape(r.model) + "</code>";
  h += "</p></header>\n<div class=\"cards\">";
  if (scores.total != 0 || std::isfinite(r.test_accuracy))
    h += detail::card(set + " accuracy", format("%.2f%%", test_accuracy * 100), true);
  if (scores.total != 0) h += detail::card(set + " samples", std::to_string(scores.total));
  if (scores.total != 0) h += detail::card("macro F1", format("%.3f", scores.macro.f1));
  if (!r.history.empty()) {
    const history_row& last = r.history.back();
    h += detail::card("epochs", std::to_string(last.epoch));
    if (std::isfinite(last.train_loss))
      h += detail::card("final train loss", format("%.4f", last.train_loss));
    double seconds = 0;
    bool timed = false;
    for (const history_row& row : r.history)
      if (std::isfinite(row.seconds)) seconds += row.seconds, timed = true;
    if (timed) h += detail::card("training time", format("%.1f s", seconds));
  }
  h += "</div>\n";

  // Curves.
  if (!r.history.empty()) {
    svg::series train_loss{"train", {}, {}, "#2563eb", false};
    svg::series val_loss{"validation", {}, {}, "#ea580c", true};
    svg::series test_loss{"test", {}, {}, "#16a34a", true};
    svg::series train_acc = train_loss, val_acc = val_loss, test_acc = test_loss;
    for (const history_row& row : r.history) {
      const double e = static_cast<double>(row.epoch);
      for (svg::series* s : {&train_loss, &val_loss, &test_loss, &train_acc, &val_acc, &test_acc})
        s->x.push_back(e);
      train_loss.y.push_back(row.train_loss);
      val_loss.y.push_back(row.validation_loss);
      test_loss.y.push_back(row.test_loss);
      train_acc.y.push_back(row.train_accuracy);
      val_acc.y.push_back(row.validation_accuracy);
      test_acc.y.push_back(row.test_accuracy);
    }
    svg::chart_options loss;
    loss.title = "Loss";
    loss.y_label = "loss";
    svg::chart_options acc;
    acc.title = "Accuracy";
    acc.y_label = "accuracy";
    acc.percent = true;
    acc.y_max = 1;
    if (scores.total != 0 || std::isfinite(r.test_accuracy)) {
      acc.reference = test_accuracy;
      acc.reference_label = set + format(" %.2f%%", test_accuracy * 100);
    }
    h += "<section><h2>Training curves</h2><p class=\"note\">Per epoch; the train figures are "
         "measured during the epoch, validation (held out from the training data) and test "
         "(the separate test set) after it.</p><div class=\"row\">";
    h += svg::line_chart({train_loss, val_loss, test_loss}, loss);
    h += svg::line_chart({train_acc, val_acc, test_acc}, acc);
    h += "</div></section>\n";
  }

  // Confusion matrix and per-class scores.
  if (k != 0) {
    h += "<section><h2>" + svg::escape(set_title) +
         " results by class</h2><p class=\"note\">Confusion matrix: rows are "
         "true classes, columns predictions; blue is the share of a class predicted correctly, "
         "orange the share mistaken for another class (full colour at 20%). An orange F1 bar "
         "marks a class more than 0.05 below the macro average.</p>";
    h += "<div class=\"row\">" + svg::confusion_heat_map(r.confusion, r.class_names);
    h += "<table class=\"scores\"><thead><tr><th>class</th><th>precision</th><th>recall</th>"
         "<th>F1</th><th>support</th></tr></thead><tbody>";
    for (std::size_t c = 0; c < k; ++c) {
      const class_scores& s = scores.classes[c];
      h += "<tr><td>" + escape(detail::class_name(r, c)) + "</td>" +
           detail::score_cell(s.precision, "#93c5fd") + detail::score_cell(s.recall, "#93c5fd") +
           detail::score_cell(s.f1, s.f1 < scores.macro.f1 - 0.05 ? "#fdba74" : "#86efac") +
           "<td>" + std::to_string(s.support) + "</td></tr>";
    }
    for (const auto& [label, s] :
         {std::pair{"macro avg", scores.macro}, std::pair{"weighted avg", scores.weighted}})
      h += std::string("<tr class=\"avg\"><td>") + label + "</td>" +
           format("<td>%.3f</td><td>%.3f</td><td>%.3f</td>", s.precision, s.recall, s.f1) + "<td>" +
           std::to_string(s.support) + "</td></tr>";
    h += "</tbody></table></div></section>\n";
  }

  // Misclassified images.
  if (!r.misclassified.empty()) {
    h += "<section><h2>Misclassified " + svg::escape(set) + " images</h2><p class=\"note\">" +
         std::to_string(r.misclassified.size()) + " of the " + svg::escape(set) +
         " images the model got wrong, in " + svg::escape(set) +
         "-set order: true class in green, prediction in orange.</p><div "
         "class=\"grid-images\">";
    for (const report_image& im : r.misclassified) {
      const std::string truth = escape(detail::class_name(r, im.truth));
      const std::string predicted = escape(detail::class_name(r, im.predicted));
      h += "<figure><img alt=\"" + truth + " predicted as " + predicted +
           "\" src=\"data:image/png;base64," + detail::base64(detail::grey_png(im)) + "\">" +
           "<figcaption><span class=\"t\">" + truth + "</span><br><span class=\"p\">&rarr; " +
           predicted + "</span><br><span class=\"i\">#" + std::to_string(im.index) +
           "</span></figcaption></figure>";
    }
    h += "</div></section>\n";
  }

  if (r.decision) {
    h += "<section><h2>Decision boundary</h2><p class=\"note\">The model's prediction over "
         "the input plane (as the network sees it, after any scaling), shaded by its "
         "confidence, with the " +
         svg::escape(r.decision->points_name) + " points in their true classes' colours.</p>";
    h += detail::decision_svg(r, *r.decision) + "</section>\n";
  }
  if (r.sample) {
    h += "<section><h2>One " + svg::escape(r.sample->set) +
         " sample</h2><p class=\"note\">The image as the network sees it and the class "
         "probabilities it gives.</p>" +
         detail::sample_html(r, *r.sample) + "</section>\n";
  }

  if (!r.settings.empty()) {
    h += "<section><h2>Settings</h2><table class=\"settings\">";
    for (const auto& [key, value] : r.settings)
      h += "<tr><td>" + escape(key) + "</td><td>" + escape(value) + "</td></tr>";
    h += "</table></section>\n";
  }
  h += "<footer>Generated by ctnn</footer></main></body></html>\n";
  return h;
}

/// Writes render_report(r) to `path` atomically (a temporary file in the same directory,
/// fsync, rename): a reader never sees a half-written report. Throws data_error naming the
/// file if it cannot be written (the temporary file is removed).
inline void write_report(const std::filesystem::path& path, const report_data& r) {
  write_file_atomically(path, render_report(r));
}

}  // namespace ctnn::train
