// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The Kaggle digit-recognizer CSV files: train.csv (header `label,pixel0,…,pixel783`, one
/// labelled image per line) and test.csv (header `pixel0,…`, no labels), and the
/// `ImageId,Label` submission file the tool writes for test.csv. Host only.
///
/// Parsing is strict: every row has exactly the header's number of cells, every cell is a
/// number, pixel values are 8-bit (0..255, what scale_pixels() expects), labels are
/// integers in [0, classes). Anything else throws data_error naming the file, the line and
/// the column (a bad cell is quoted, escaped and cut to 40 bytes). A UTF-8 byte-order mark
/// before the header is skipped. Only regular files are read (see io/file_checks.hpp).
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/file_checks.hpp"

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

/// `cell` quoted for a message: escaped, at most 40 bytes.
inline std::string quote_cell(std::string_view cell) {
  return "'" + printable(cell, 40) + "'";
}

/// The next line of `text` from `pos` (without its '\n'); false at the end.
inline bool next_line(std::string_view text, std::size_t& pos, std::string_view& line) {
  if (pos >= text.size()) return false;
  const std::size_t end = text.find('\n', pos);
  line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  pos = end == std::string_view::npos ? text.size() : end + 1;
  return true;
}

}  // namespace detail

/// Largest CSV file read (Kaggle's train.csv is 76 MB).
inline constexpr std::uint64_t max_csv_bytes = std::uint64_t{4} << 30;

/// Reads a Kaggle digit-recognizer CSV. A first header cell `label` makes it labelled
/// (train.csv); otherwise it is unlabelled (test.csv) and `y` stays empty. Pixel values
/// are kept as read (0..255; scale with preprocess.hpp).
inline dataset read_kaggle_csv(const std::filesystem::path& path, std::size_t classes = 10) {
  const std::string name = path.string();
  const std::vector<unsigned char> bytes = input_file(path).read_all(max_csv_bytes);
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark

  std::size_t pos = 0;
  std::string_view line;
  if (!detail::next_line(text, pos, line) || detail::trim(line).empty())
    throw data_error(name, "empty file (expected a header line)");
  std::vector<std::string_view> cells;
  detail::split_csv_line(detail::trim(line), cells);
  std::vector<std::string> header;
  for (std::string_view c : cells) header.push_back(printable(detail::trim(c), 40));
  const bool labelled = header[0] == "label";
  const std::size_t features = header.size() - (labelled ? 1 : 0);
  if (features == 0) throw data_error(name + ":1", "header names no pixel columns");
  for (std::size_t c = labelled ? 1 : 0; c < header.size(); ++c)
    if (header[c].empty())
      throw data_error(name + ":1", "header cell " + std::to_string(c + 1) + " is empty");

  dataset d;
  d.name = name;
  d.features = features;
  d.classes = labelled ? classes : 0;
  std::size_t line_number = 1;
  while (detail::next_line(text, pos, line)) {
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
          throw data_error(where,
                           column + ": " + detail::quote_cell(cell) + " is not a class number");
        if (label >= classes)
          throw data_error(where, "label " + std::string(cell) + " is out of range (expected 0.." +
                                      std::to_string(classes - 1) + ")");
        d.y.push_back(static_cast<std::uint32_t>(label));
        continue;
      }
      float value = 0;
      const auto [end, err] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
      if (err != std::errc{} || end != cell.data() + cell.size() || !std::isfinite(value))
        throw data_error(where,
                         column + ": " + detail::quote_cell(cell) + " is not a finite number");
      if (value < 0 || value > 255)
        throw data_error(where, column + ": " + detail::quote_cell(cell) +
                                    " is outside 0..255 (8-bit pixel values are expected)");
      d.x.push_back(value);
    }
  }
  if (d.x.empty()) throw data_error(name, "no data rows after the header");
  return d;
}

/// Writes Kaggle's submission format: `ImageId,Label`, then `i,predictions[i-1]` for
/// i = 1..n, atomically (write_file_atomically). Throws data_error if it cannot be written.
inline void write_submission(const std::filesystem::path& path,
                             const std::vector<std::uint32_t>& predictions) {
  std::string text = "ImageId,Label\n";
  for (std::size_t i = 0; i < predictions.size(); ++i)
    text += std::to_string(i + 1) + ',' + std::to_string(predictions[i]) + '\n';
  write_file_atomically(path, text);
}

}  // namespace ctnn::train
