// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The Kaggle digit-recognizer CSV files: train.csv (header `label,pixel0,…,pixel783`, one
/// labelled image per line) and test.csv (header `pixel0,…`, no labels), and the
/// `ImageId,Label` submission file the tool writes for test.csv. Host only.
///
/// Parsing is strict: every row has exactly the header's number of cells, every cell is a
/// number, labels are integers in [0, classes). Anything else throws data_error naming
/// the file, the line and the column.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "ctnn/train/data_error.hpp"
#include "ctnn/train/data/dataset.hpp"

namespace ctnn::train {
namespace detail {

/// Splits `line` at commas (no quoting: the Kaggle files have none).
inline void split_csv_line(std::string_view line, std::vector<std::string_view>& cells) {
  cells.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    cells.push_back(line.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace detail

/// Reads a Kaggle digit-recognizer CSV. A first header cell `label` makes it labelled
/// (train.csv); otherwise it is unlabelled (test.csv) and `y` stays empty. Pixel values
/// are kept as read (0..255; scale with preprocess.hpp).
inline dataset read_kaggle_csv(const std::filesystem::path& path, std::size_t classes = 10) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw data_error(name, "no such file");
  if (std::filesystem::is_directory(path, ec)) throw data_error(name, "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw data_error(name, std::string("cannot open: ") + std::strerror(errno));

  std::string line;
  if (!std::getline(in, line)) throw data_error(name, "empty file (expected a header line)");
  std::vector<std::string_view> cells;
  detail::split_csv_line(detail::trim(line), cells);
  const std::vector<std::string> header(cells.begin(), cells.end());
  const bool labelled = detail::trim(header[0]) == "label";
  const std::size_t features = header.size() - (labelled ? 1 : 0);
  if (features == 0) throw data_error(name + ":1", "header names no pixel columns");
  for (std::size_t c = labelled ? 1 : 0; c < header.size(); ++c)
    if (detail::trim(header[c]).empty())
      throw data_error(name + ":1", "header cell " + std::to_string(c + 1) + " is empty");

  dataset d;
  d.name = name;
  d.features = features;
  d.classes = labelled ? classes : 0;
  std::size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string_view row = detail::trim(line);
    if (row.empty()) continue;  // a trailing blank line is harmless
    const std::string where = name + ":" + std::to_string(line_number);
    detail::split_csv_line(row, cells);
    if (cells.size() != header.size())
      throw data_error(where, "expected " + std::to_string(header.size()) + " cells, found " +
                                  std::to_string(cells.size()));
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string_view cell = detail::trim(cells[c]);
      const std::string column = "column " + std::to_string(c + 1) + " (" + header[c] + ")";
      if (cell.empty()) throw data_error(where, column + " is empty");
      if (labelled && c == 0) {
        std::uint64_t label = 0;
        const auto [end, err] = std::from_chars(cell.data(), cell.data() + cell.size(), label);
        if (err != std::errc{} || end != cell.data() + cell.size())
          throw data_error(where, column + ": '" + std::string(cell) + "' is not a class number");
        if (label >= classes)
          throw data_error(where, "label " + std::string(cell) + " is out of range (expected 0.." +
                                      std::to_string(classes - 1) + ")");
        d.y.push_back(static_cast<std::uint32_t>(label));
        continue;
      }
      float value = 0;
      const auto [end, err] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
      if (err != std::errc{} || end != cell.data() + cell.size() || !std::isfinite(value))
        throw data_error(where, column + ": '" + std::string(cell) + "' is not a finite number");
      d.x.push_back(value);
    }
  }
  if (in.bad()) throw data_error(name, "read error");
  if (d.x.empty()) throw data_error(name, "no data rows after the header");
  return d;
}

/// Writes Kaggle's submission format: `ImageId,Label`, then `i,predictions[i-1]` for
/// i = 1..n. Throws data_error if the file cannot be written.
inline void write_submission(const std::filesystem::path& path,
                             const std::vector<std::uint32_t>& predictions) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw data_error(path.string(), std::string("cannot create: ") + std::strerror(errno));
  out << "ImageId,Label\n";
  for (std::size_t i = 0; i < predictions.size(); ++i)
    out << i + 1 << ',' << predictions[i] << '\n';
  out.flush();
  if (!out) throw data_error(path.string(), "write failed");
}

}  // namespace ctnn::train
