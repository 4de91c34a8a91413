// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Small inline-SVG building blocks for the HTML report (report.hpp): text escaping, "nice"
/// axis ticks, line charts with axes and a legend, and a confusion-matrix heat map. Each
/// returns markup as a string; nothing needs JavaScript or an external asset. Host only.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ctnn/train/report/metrics.hpp"

namespace ctnn::train::svg {

/// `text` with &, <, >, " and ' replaced by entities: safe in HTML/SVG text and attributes.
inline std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// printf-style formatting into a std::string (numbers only: no user text goes through it).
template <class... A>
std::string format(const char* pattern, A... args) {
  char buffer[128];
  const int n = std::snprintf(buffer, sizeof buffer, pattern, args...);
  return n < 0 ? std::string()
               : std::string(buffer, std::min(static_cast<std::size_t>(n), sizeof buffer - 1));
}

/// An axis range widened to whole multiples of a 1, 2, 2.5 or 5 × 10^k step, giving at most
/// `max_ticks` intervals. `lo` == `hi` is widened around the value.
struct axis {
  double lo = 0, hi = 1, step = 0.2;

  /// The tick values lo, lo + step, …, hi (computed by index, so no drift accumulates).
  std::vector<double> ticks() const {
    std::vector<double> t;
    const auto n = static_cast<std::size_t>(std::llround((hi - lo) / step));
    for (std::size_t i = 0; i <= n; ++i) t.push_back(lo + step * static_cast<double>(i));
    return t;
  }
};

/// A nice axis for values in [lo, hi]; with `integer` the step is at least 1 (epochs).
inline axis nice_axis(double lo, double hi, std::size_t max_ticks = 5, bool integer = false) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo < 1e-12) {
    const double pad = std::max(std::abs(lo) * 0.05, integer ? 1.0 : 1e-3);
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / static_cast<double>(std::max<std::size_t>(max_ticks, 1));
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw * (1 - 1e-9)) {
      step = m * magnitude;
      break;
    }
  if (integer) step = std::max(1.0, std::ceil(step));
  axis a;
  a.step = step;
  a.lo = std::floor(lo / step + 1e-9) * step;
  a.hi = std::ceil(hi / step - 1e-9) * step;
  return a;
}

/// Maps data coordinates [x0, x1] × [y0, y1] onto the pixel box (left, top, width, height),
/// y growing upwards.
struct frame {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double left = 0, top = 0, width = 1, height = 1;

  double px(double x) const { return left + (x - x0) / (x1 - x0) * width; }
  double py(double y) const { return top + height - (y - y0) / (y1 - y0) * height; }
};

/// One line of a chart: (x[i], y[i]) pairs; points with a non-finite y are left out.
struct series {
  std::string label;
  std::vector<double> x, y;
  std::string color = "#2563eb";
  bool dashed = false;
};

/// The `points` attribute of an SVG polyline: "px,py px,py …" with one decimal.
inline std::string polyline_points(const series& s, const frame& f) {
  std::string out;
  for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
    if (!std::isfinite(s.y[i]) || !std::isfinite(s.x[i])) continue;
    if (!out.empty()) out += ' ';
    out += format("%.1f,%.1f", f.px(s.x[i]), f.py(s.y[i]));
  }
  return out;
}

/// Options of line_chart.
struct chart_options {
  std::string title;
  std::string x_label = "epoch";
  std::string y_label;
  double width = 530, height = 320;
  bool percent = false;  ///< y values are fractions, labelled as percentages
  double y_max = NAN;    ///< upper clamp of the y axis (e.g. 1 for accuracy); NaN: none
  /// A horizontal reference line (e.g. test accuracy); NaN: none.
  double reference = NAN;
  std::string reference_label;
  /// Space around the plot area for the title, legend, ticks and axis labels.
  double margin_left = 72, margin_top = 56, margin_right = 20, margin_bottom = 52;
};

/// A line chart with axes, grid, tick labels, markers and a legend, as an <svg> element.
inline std::string line_chart(const std::vector<series>& lines, const chart_options& o) {
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const series& s : lines)
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.y[i]) || !std::isfinite(s.x[i])) continue;
      x_lo = std::min(x_lo, s.x[i]);
      x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, s.y[i]);
      y_hi = std::max(y_hi, s.y[i]);
    }
  if (std::isfinite(o.reference)) {
    y_lo = std::min(y_lo, o.reference);
    y_hi = std::max(y_hi, o.reference);
  }
  const bool empty = !std::isfinite(x_lo);
  if (empty) x_lo = 1, x_hi = 2, y_lo = 0, y_hi = 1;
  const axis xa = nice_axis(x_lo, std::max(x_hi, x_lo + 1), 8, true);
  axis ya = nice_axis(y_lo, y_hi, 5);
  if (std::isfinite(o.y_max) && ya.hi > o.y_max && y_hi <= o.y_max) ya.hi = o.y_max;
  if (o.percent && ya.lo < 0 && y_lo >= 0) ya.lo = 0;

  frame f;
  f.x0 = xa.lo, f.x1 = xa.hi, f.y0 = ya.lo, f.y1 = ya.hi;
  f.left = o.margin_left, f.top = o.margin_top;
  f.width = o.width - o.margin_left - o.margin_right;
  f.height = o.height - o.margin_top - o.margin_bottom;

  std::string out =
      format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f")", o.width,
             o.height) +
      format(R"( viewBox="0 0 %.0f %.0f" role="img" class="chart">)", o.width, o.height);
  out += "<title>" + escape(o.title) + "</title>";
  out +=
      format(R"(<text x="%.1f" y="24" class="chart-title">)", f.left) + escape(o.title) + "</text>";
  // Grid and tick labels.
  // Enough decimals to tell the ticks apart: a step of 2.5 needs one, 0.05 two.
  auto decimals = [](double step) {
    int d = 0;
    while (d < 6 &&
           std::abs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) > 1e-6)
      ++d;
    return d;
  };
  const int y_decimals = decimals(o.percent ? ya.step * 100 : ya.step);
  for (double t : ya.ticks()) {
    const double y = f.py(t);
    out += format(R"(<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>)", f.left, y,
                  f.left + f.width, y);
    const std::string label =
        o.percent ? format("%.*f%%", y_decimals, t * 100) : format("%.*f", y_decimals, t);
    out += format(R"(<text x="%.1f" y="%.1f" class="tick" text-anchor="end">)", f.left - 8, y + 4) +
           label + "</text>";
  }
  for (double t : xa.ticks()) {
    const double x = f.px(t);
    out += format(R"(<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>)", x, f.top, x,
                  f.top + f.height);
    out += format(R"(<text x="%.1f" y="%.1f" class="tick" text-anchor="middle">%.0f</text>)", x,
                  f.top + f.height + 18, t);
  }
  out += format(R"(<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="plot-frame"/>)",
                f.left, f.top, f.width, f.height);
  out += format(R"(<text x="%.1f" y="%.1f" class="axis-label" text-anchor="middle">)",
                f.left + f.width / 2, o.height - 10) +
         escape(o.x_label) + "</text>";
  out += format(R"~(<text transform="translate(16 %.1f) rotate(-90)" class="axis-label" )~",
                f.top + f.height / 2) +
         R"(text-anchor="middle">)" + escape(o.y_label) + "</text>";
  if (empty)
    out += format(R"(<text x="%.1f" y="%.1f" class="tick" text-anchor="middle">no data</text>)",
                  f.left + f.width / 2, f.top + f.height / 2);

  // Reference line, then the series (lines over markers).
  if (std::isfinite(o.reference)) {
    const double y = f.py(o.reference);
    out += format(R"(<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="reference"/>)", f.left, y,
                  f.left + f.width, y);
  }
  for (const series& s : lines) {
    const std::string points = polyline_points(s, f);
    if (points.empty()) continue;
    out += R"(<polyline fill="none" stroke=")" + escape(s.color) + R"(" stroke-width="2.5")" +
           (s.dashed ? R"( stroke-dasharray="7 5")" : "") + R"( points=")" + points + R"("/>)";
    if (s.x.size() <= 40)
      for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
        if (std::isfinite(s.y[i]) && std::isfinite(s.x[i]))
          out += format(R"(<circle cx="%.1f" cy="%.1f" r="3.2")", f.px(s.x[i]), f.py(s.y[i])) +
                 R"( fill=")" + escape(s.color) + R"("/>)";
  }

  // Legend: one row above the plot, right-aligned entries measured at ~7 px per character.
  struct entry {
    std::string label, color;
    bool dashed, reference;
  };
  std::vector<entry> entries;
  for (const series& s : lines)
    if (!polyline_points(s, f).empty()) entries.push_back({s.label, s.color, s.dashed, false});
  if (std::isfinite(o.reference)) entries.push_back({o.reference_label, "#6b7280", false, true});
  double x = f.left;
  const double y = 44;
  for (const entry& e : entries) {
    if (e.reference)
      out += format(R"(<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="reference"/>)", x,
                    y - 4, x + 26, y - 4);
    else
      out += format(R"(<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke-width="2.5")", x, y - 4,
                    x + 26, y - 4) +
             R"( stroke=")" + escape(e.color) + '"' +
             (e.dashed ? R"( stroke-dasharray="7 5")" : "") + "/>";
    out += format(R"(<text x="%.1f" y="%.1f" class="legend">)", x + 32, y) + escape(e.label) +
           "</text>";
    x += 32 + 7.2 * static_cast<double>(e.label.size()) + 22;
  }
  out += "</svg>";
  return out;
}

/// sRGB colour between `from` and `to` (0xRRGGBB) at t ∈ [0, 1], as "#rrggbb".
inline std::string mix(std::uint32_t from, std::uint32_t to, double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  auto channel = [&](int shift) {
    const double a = (from >> shift) & 0xff, b = (to >> shift) & 0xff;
    return static_cast<unsigned>(std::lround(a + (b - a) * t));
  };
  return format("#%02x%02x%02x", channel(16), channel(8), channel(0));
}

/// The confusion matrix as a heat map: rows are true classes, columns predictions, each
/// cell shows its count and is shaded by its share of the row (the true class): the
/// diagonal in blue (recall), errors in orange (full strength at `error_full`, e.g. 20 %,
/// so that a few percent still show).
inline std::string confusion_heat_map(const confusion_matrix& m,
                                      const std::vector<std::string>& names,
                                      double error_full = 0.2) {
  const std::size_t k = m.classes();
  auto name = [&](std::size_t c) { return c < names.size() ? names[c] : std::to_string(c); };
  std::size_t longest = 1;
  for (std::size_t c = 0; c < k; ++c) longest = std::max(longest, name(c).size());
  const double cell = k == 0 ? 40 : std::clamp(420.0 / static_cast<double>(k), 16.0, 48.0);
  const double label_w = 14 + 7.0 * static_cast<double>(longest);  // row labels, ~7 px/char
  const double left = 30 + label_w, top = 24 + 0.72 * 7.0 * static_cast<double>(longest) + 16;
  const double width =
      left + cell * static_cast<double>(k) + 0.72 * 7.0 * static_cast<double>(longest) + 8;
  const double height = top + cell * static_cast<double>(k) + 16;
  const double font = std::min(13.0, cell * 0.36);

  std::string out =
      format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f")", width,
             height) +
      format(R"( viewBox="0 0 %.0f %.0f" role="img" class="heatmap">)", width, height) +
      "<title>confusion matrix</title>";
  out += format(R"(<text x="%.1f" y="14" class="axis-label" text-anchor="middle">)",
                left + cell * static_cast<double>(k) / 2) +
         "predicted class</text>";
  out += format(R"~(<text transform="translate(14 %.1f) rotate(-90)" class="axis-label" )~",
                top + cell * static_cast<double>(k) / 2) +
         R"(text-anchor="middle">true class</text>)";
  for (std::size_t c = 0; c < k; ++c) {
    const double center = static_cast<double>(c) * cell + cell / 2;
    out += format(R"~(<text transform="translate(%.1f %.1f) rotate(-45)" class="class-label">)~",
                  left + center + 4, top - 6) +
           escape(name(c)) + "</text>";
    out += format(R"(<text x="%.1f" y="%.1f" class="class-label" text-anchor="end">)", left - 8,
                  top + center + 4) +
           escape(name(c)) + "</text>";
  }
  for (std::size_t t = 0; t < k; ++t) {
    const std::uint64_t support = m.support(t);
    for (std::size_t p = 0; p < k; ++p) {
      const std::uint64_t n = m.at(t, p);
      const double share =
          support == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(support);
      const double strength = t == p ? share : std::min(1.0, share / error_full);
      const std::string fill =
          t == p ? mix(0xf1f5f9, 0x1d4ed8, strength) : mix(0xf8fafc, 0xea580c, strength);
      const double x = left + static_cast<double>(p) * cell,
                   y = top + static_cast<double>(t) * cell;
      out +=
          format(R"(<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill=")", x, y, cell, cell) +
          fill + R"(" class="cell"><title>)" + escape(name(t)) + " predicted as " +
          escape(name(p)) + ": " + std::to_string(n) + format(" (%.1f%%)", share * 100) +
          "</title></rect>";
      if (n != 0)
        out += format(R"(<text x="%.1f" y="%.1f" text-anchor="middle" font-size="%.1f")",
                      x + cell / 2, y + cell / 2 + font * 0.35, font) +
               (strength > 0.55 ? R"( class="count light">)" : R"( class="count">)") +
               std::to_string(n) + "</text>";
    }
  }
  out += "</svg>";
  return out;
}

/// The colour of class `c` in scatter plots and decision maps (0xRRGGBB): blue, orange,
/// green, purple, … (repeating after ten).
inline std::uint32_t class_color(std::size_t c) {
  static constexpr std::uint32_t palette[10] = {0x2563eb, 0xea580c, 0x16a34a, 0x9333ea, 0xdb2777,
                                                0x0891b2, 0xca8a04, 0x4b5563, 0x7c3aed, 0x65a30d};
  return palette[c % 10];
}

/// The colour of a decision map's cell: the predicted class's colour over white, stronger
/// as the model is surer (confidence from 1/classes, a tie, to 1).
inline std::uint32_t decision_tint(std::size_t c, double confidence, std::size_t classes) {
  const double floor = classes > 1 ? 1.0 / static_cast<double>(classes) : 0.5;
  const double t = std::clamp((confidence - floor) / (1.0 - floor), 0.0, 1.0);
  const double strength = 0.18 + 0.5 * t;
  const std::uint32_t to = class_color(c);
  std::uint32_t out = 0;
  for (int shift : {16, 8, 0}) {
    const double a = 255, b = (to >> shift) & 0xff;
    out |= static_cast<std::uint32_t>(std::lround(a + (b - a) * strength)) << shift;
  }
  return out;
}

}  // namespace ctnn::train::svg
