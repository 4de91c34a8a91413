// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// CSV data sets: any delimited text file of numbers with one integer class label column
/// (or none, for prediction) and optionally float target columns (regression), a header
/// line or not; Kaggle's digit-recognizer files
/// (train.csv: `label,pixel0,…,pixel783`; test.csv: `pixel0,…`) are the special case the
/// defaults recognise; and the `ImageId,Label` submission file written for test.csv. Host
/// only.
///
/// Parsing is strict: every row has exactly the first line's number of cells, every cell
/// is a finite number, labels are integers in [0, classes), and in the Kaggle layout
/// (unless told otherwise) values are 8-bit pixels (0..255). Anything else throws
/// data_error naming the file, the line and the column (a bad cell is quoted, escaped and
/// cut to 40 bytes). No quoting (cells are numbers). A UTF-8 byte-order mark is skipped.
/// Only regular files are read (see io/file_checks.hpp).
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/file_checks.hpp"

namespace ctnn::train {

/// Whether the first line of a CSV file names the columns.
enum class csv_header { yes, no, automatic };

/// When cell values must be 8-bit pixels (0..255).
enum class csv_pixel_check { never, kaggle_layout, always };

/// How to read a CSV file.
struct csv_options {
  /// "auto": the column whose header is `label`, if any; "none": no label column; a
  /// header name; or a 1-based column number.
  std::string label_column = "auto";
  csv_header header = csv_header::automatic;  ///< automatic: a header if a cell is not a number
  char delimiter = ',';
  std::size_t classes = 10;  ///< labels must be in [0, classes)
  /// If the label column is absent (a name not in the header, or — for a column number —
  /// the rows have `features` cells), read the file unlabelled instead of failing: the
  /// unlabelled file to predict next to a labelled training file.
  bool label_optional = false;
  std::size_t features = 0;  ///< expected features when known (0: any), see label_optional
  csv_pixel_check pixels = csv_pixel_check::kaggle_layout;
  /// Regression targets: comma-separated header names or 1-based column numbers, in the
  /// order of the network's outputs ("" = none). These columns are not features; with
  /// targets, label_column "auto" means "the column named `label` if there is one".
  std::string target_columns;
};

/// What read_csv found.
struct csv_layout {
  bool has_header = false;
  std::size_t label_index = SIZE_MAX;       ///< 0-based label column, SIZE_MAX if none
  bool kaggle = false;                      ///< a header whose first cell is `label`, the label
  std::vector<std::string> names;           ///< header cells (printable), empty without a header
  std::vector<std::size_t> target_indices;  ///< 0-based target columns, in target order
};

/// The delimiter named by `--delimiter`: ",", ";" or "tab" (or a literal tab); nullopt else.
inline std::optional<char> parse_delimiter(std::string_view s) {
  if (s == "," || s == ";") return s[0];
  if (s == "tab" || s == "\t" || s == "\\t") return '\t';
  return std::nullopt;
}

/// `--csv-header yes|no|auto`; nullopt for anything else.
inline std::optional<csv_header> parse_csv_header(std::string_view s) {
  if (s == "yes") return csv_header::yes;
  if (s == "no") return csv_header::no;
  if (s == "auto") return csv_header::automatic;
  return std::nullopt;
}

namespace detail {

/// Splits `line` at `delimiter` (no quoting: cells are numbers).
inline void split_csv_line(std::string_view line, std::vector<std::string_view>& cells,
                           char delimiter = ',') {
  cells.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = line.find(delimiter, start);
    cells.push_back(line.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
}

inline std::string_view trim(std::string_view s, bool tabs = true) noexcept {
  auto blank = [tabs](char c) { return c == ' ' || c == '\r' || (tabs && c == '\t'); };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
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

/// `cell` as a finite float, or nullopt.
inline std::optional<float> finite_number(std::string_view cell) {
  float value = 0;
  const auto [end, err] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (cell.empty() || err != std::errc{} || end != cell.data() + cell.size() ||
      !std::isfinite(value))
    return std::nullopt;
  return value;
}

/// The 0-based label column chosen by `o` for a file with `columns` cells per row and
/// `names` (empty without a header); SIZE_MAX for none. Throws data_error naming `name`.
inline std::size_t find_label_column(const std::string& name, const csv_options& o,
                                     const std::vector<std::string>& names, std::size_t columns) {
  const std::string& spec = o.label_column;
  if (spec == "none") return SIZE_MAX;
  const bool number = !spec.empty() && std::all_of(spec.begin(), spec.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  if (number) {
    if (o.label_optional && o.features != 0 && columns == o.features) return SIZE_MAX;
    std::size_t index = 0;
    const auto [end, err] = std::from_chars(spec.data(), spec.data() + spec.size(), index);
    if (err != std::errc{} || index == 0 || index > columns)
      throw data_error(name, "--label-column " + printable(spec, 40) + ": the file has " +
                                 std::to_string(columns) + " columns (numbered from 1)");
    return index - 1;
  }
  const std::string wanted = spec == "auto" ? "label" : spec;
  const auto it = std::find(names.begin(), names.end(), wanted);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  if (o.label_optional) return SIZE_MAX;
  if (names.empty())
    throw data_error(name, "has no header line, so no column named '" + printable(wanted, 40) +
                               "': give the label's column number with --label-column N "
                               "(or --csv-header yes)");
  throw data_error(name, "has no column named '" + printable(wanted, 40) +
                             "': choose the label with --label-column NAME|N (or none)");
}

/// The 0-based columns named by `o.target_columns` (in that order) for a file with
/// `columns` cells per row and `names` (empty without a header); none must be the label
/// column `label` or repeat. Throws data_error naming `name`.
inline std::vector<std::size_t> find_target_columns(const std::string& name, const csv_options& o,
                                                    const std::vector<std::string>& names,
                                                    std::size_t columns, std::size_t label) {
  std::vector<std::size_t> found;
  if (o.target_columns.empty()) return found;
  std::vector<std::string_view> specs;
  split_csv_line(o.target_columns, specs);
  for (std::string_view raw : specs) {
    const std::string_view spec = trim(raw);
    const std::string shown = printable(spec, 40);
    if (spec.empty())
      throw data_error(
          name, "--target-columns '" + printable(o.target_columns, 80) + "' has an empty entry");
    const bool number =
        std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::size_t index = 0;
    if (number) {
      const auto [end, err] = std::from_chars(spec.data(), spec.data() + spec.size(), index);
      if (err != std::errc{} || index == 0 || index > columns)
        throw data_error(name, "--target-columns " + shown + ": the file has " +
                                   std::to_string(columns) + " columns (numbered from 1)");
      --index;
    } else {
      if (names.empty())
        throw data_error(name, "has no header line, so no column named '" + shown +
                                   "': give the target columns by number (from 1)");
      const auto it = std::find(names.begin(), names.end(), spec);
      if (it == names.end())
        throw data_error(name, "has no column named '" + shown + "' (--target-columns)");
      index = static_cast<std::size_t>(it - names.begin());
    }
    if (index == label)
      throw data_error(name, "--target-columns " + shown +
                                 " is the label column: a column is a class label or a target");
    if (std::find(found.begin(), found.end(), index) != found.end())
      throw data_error(name,
                       "--target-columns names column " + std::to_string(index + 1) + " twice");
    found.push_back(index);
  }
  return found;
}

}  // namespace detail

/// Largest CSV file read (Kaggle's train.csv is 76 MB).
inline constexpr std::uint64_t max_csv_bytes = std::uint64_t{4} << 30;

/// Reads a CSV file as `o` says; `layout`, if given, receives what was found. Values are
/// kept as read (scale the features with data/input_transform.hpp; targets are never
/// scaled).
inline dataset read_csv(const std::filesystem::path& path, const csv_options& o,
                        csv_layout* layout = nullptr) {
  const std::string name = path.string();
  const std::vector<unsigned char> bytes = input_file(path).read_all(max_csv_bytes);
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark
  const bool tabs = o.delimiter != '\t';  // a tab-separated line keeps its empty cells

  std::size_t pos = 0;
  std::string_view line;
  if (!detail::next_line(text, pos, line) || detail::trim(line, tabs).empty())
    throw data_error(name, "empty file (expected a header line or a first row)");
  std::vector<std::string_view> cells;
  detail::split_csv_line(detail::trim(line, tabs), cells, o.delimiter);
  const std::size_t columns = cells.size();
  csv_layout found;
  found.has_header = o.header == csv_header::yes;
  if (o.header == csv_header::automatic)
    for (std::string_view c : cells)
      if (!detail::finite_number(detail::trim(c))) found.has_header = true;
  if (found.has_header)
    for (std::string_view c : cells) found.names.push_back(printable(detail::trim(c), 40));
  {
    csv_options label_options = o;  // with targets, "auto" finds a `label` column or none
    if (!o.target_columns.empty() && o.label_column == "auto") label_options.label_optional = true;
    found.label_index = detail::find_label_column(name, label_options, found.names, columns);
  }
  const bool labelled = found.label_index != SIZE_MAX;
  found.target_indices =
      detail::find_target_columns(name, o, found.names, columns, found.label_index);
  const std::size_t targets = found.target_indices.size();
  // Which target a column holds (SIZE_MAX: none).
  std::vector<std::size_t> target_of(columns, SIZE_MAX);
  for (std::size_t k = 0; k < targets; ++k) target_of[found.target_indices[k]] = k;
  found.kaggle =
      labelled && found.has_header && found.label_index == 0 && found.names[0] == "label";
  const std::size_t features = columns - (labelled ? 1 : 0) - targets;
  if (features == 0) throw data_error(name + ":1", "no feature columns");
  if (found.has_header)
    for (std::size_t c = 0; c < columns; ++c)
      if (c != found.label_index && found.names[c].empty())
        throw data_error(name + ":1", "header cell " + std::to_string(c + 1) + " is empty");
  const bool pixels = o.pixels == csv_pixel_check::always ||
                      (o.pixels == csv_pixel_check::kaggle_layout && found.kaggle);

  dataset d;
  d.name = name;
  d.features = features;
  d.classes = labelled ? o.classes : 0;
  d.targets = targets;
  std::vector<float> row_targets(targets);
  std::size_t line_number = found.has_header ? 1 : 0;
  if (!found.has_header) pos = 0;  // the first line is data: read it again
  while (detail::next_line(text, pos, line)) {
    ++line_number;
    const std::string_view row = detail::trim(line, tabs);
    if (row.empty()) continue;  // a trailing blank line is harmless
    const std::string where = name + ":" + std::to_string(line_number);
    detail::split_csv_line(row, cells, o.delimiter);
    if (cells.size() != columns)
      throw data_error(where, "expected " + std::to_string(columns) + " cells, found " +
                                  std::to_string(cells.size()));
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string_view cell = detail::trim(cells[c]);
      const std::string column = "column " + std::to_string(c + 1) +
                                 (found.has_header ? " (" + found.names[c] + ")" : std::string());
      if (cell.empty()) throw data_error(where, column + " is empty");
      if (c == found.label_index) {
        std::uint64_t label = 0;
        const auto [end, err] = std::from_chars(cell.data(), cell.data() + cell.size(), label);
        if (err != std::errc{} || end != cell.data() + cell.size())
          throw data_error(where,
                           column + ": " + detail::quote_cell(cell) + " is not a class number");
        if (label >= o.classes)
          throw data_error(where, "label " + std::string(cell) + " is out of range (expected 0.." +
                                      std::to_string(o.classes - 1) + ")");
        d.y.push_back(static_cast<std::uint32_t>(label));
        continue;
      }
      const std::optional<float> value = detail::finite_number(cell);
      if (!value)
        throw data_error(where,
                         column + ": " + detail::quote_cell(cell) + " is not a finite number");
      if (target_of[c] != SIZE_MAX) {
        row_targets[target_of[c]] = *value;
        continue;
      }
      if (pixels && (*value < 0 || *value > 255))
        throw data_error(where, column + ": " + detail::quote_cell(cell) +
                                    " is outside 0..255 (8-bit pixel values are expected; "
                                    "give --scale for other data)");
      d.x.push_back(*value);
    }
    d.t.insert(d.t.end(), row_targets.begin(), row_targets.end());
  }
  if (d.x.empty())
    throw data_error(name,
                     "no data rows" + std::string(found.has_header ? " after the header" : ""));
  if (layout != nullptr) *layout = std::move(found);
  return d;
}

/// Reads a Kaggle digit-recognizer CSV. A header cell `label` makes it labelled
/// (train.csv); otherwise it is unlabelled (test.csv) and `y` stays empty. Pixel values
/// must be 0..255 and are kept as read.
inline dataset read_kaggle_csv(const std::filesystem::path& path, std::size_t classes = 10) {
  csv_options o;
  o.header = csv_header::yes;
  o.classes = classes;
  o.label_optional = true;
  o.pixels = csv_pixel_check::always;
  return read_csv(path, o);
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
