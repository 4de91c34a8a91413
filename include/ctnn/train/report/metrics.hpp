// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Classification metrics: accuracy, the confusion matrix, a per-class
/// precision/recall/F1 report (as text, in the familiar scikit-learn layout) and the
/// training history as CSV. Host only.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/records.hpp"

namespace ctnn::train {

/// Fraction of predictions equal to their labels (0 for no samples). Sizes must match.
inline double accuracy(const std::vector<std::uint32_t>& predicted,
                       const std::vector<std::uint32_t>& labels) {
  if (predicted.size() != labels.size())
    throw std::invalid_argument("accuracy: predictions and labels differ in number");
  if (labels.empty()) return 0.0;
  std::size_t hits = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) hits += predicted[i] == labels[i];
  return static_cast<double>(hits) / static_cast<double>(labels.size());
}

/// counts[t][p]: samples of true class t predicted as p.
class confusion_matrix {
 public:
  explicit confusion_matrix(std::size_t classes) : classes_(classes), counts_(classes * classes) {}
  confusion_matrix(std::size_t classes, const std::vector<std::uint32_t>& predicted,
                   const std::vector<std::uint32_t>& labels)
      : confusion_matrix(classes) {
    if (predicted.size() != labels.size())
      throw std::invalid_argument("confusion_matrix: predictions and labels differ in number");
    for (std::size_t i = 0; i < labels.size(); ++i) add(labels[i], predicted[i]);
  }

  void add(std::size_t truth, std::size_t predicted) {
    if (truth >= classes_ || predicted >= classes_)
      throw std::out_of_range("confusion_matrix: class out of range");
    ++counts_[truth * classes_ + predicted];
  }
  std::size_t classes() const noexcept { return classes_; }
  std::uint64_t at(std::size_t truth, std::size_t predicted) const {
    return counts_.at(truth * classes_ + predicted);
  }
  std::uint64_t total() const noexcept {
    std::uint64_t n = 0;
    for (auto c : counts_) n += c;
    return n;
  }
  /// Samples whose true class is c (the row sum).
  std::uint64_t support(std::size_t c) const {
    std::uint64_t n = 0;
    for (std::size_t p = 0; p < classes_; ++p) n += at(c, p);
    return n;
  }
  /// Samples predicted as c (the column sum).
  std::uint64_t predicted_as(std::size_t c) const {
    std::uint64_t n = 0;
    for (std::size_t t = 0; t < classes_; ++t) n += at(t, c);
    return n;
  }
  double accuracy() const {
    std::uint64_t diagonal = 0;
    for (std::size_t c = 0; c < classes_; ++c) diagonal += at(c, c);
    const std::uint64_t n = total();
    return n == 0 ? 0.0 : static_cast<double>(diagonal) / static_cast<double>(n);
  }

  /// A right-aligned table, rows = true class, columns = predicted class.
  std::string to_string() const {
    std::uint64_t largest = 1;
    for (auto c : counts_) largest = std::max(largest, c);
    const std::size_t width = std::max(std::to_string(largest).size(),
                                       std::to_string(classes_ == 0 ? 0 : classes_ - 1).size()) +
                              1;
    auto pad = [](std::string text, std::size_t w) {
      return std::string(w > text.size() ? w - text.size() : 0, ' ') + text;
    };
    std::string out = "confusion matrix (rows: true class, columns: predicted)\n";
    out += "      ";
    for (std::size_t p = 0; p < classes_; ++p) out += pad(std::to_string(p), width);
    out += '\n';
    for (std::size_t t = 0; t < classes_; ++t) {
      out += pad(std::to_string(t), 5) + " ";
      for (std::size_t p = 0; p < classes_; ++p) out += pad(std::to_string(at(t, p)), width);
      out += '\n';
    }
    return out;
  }

 private:
  std::size_t classes_;
  std::vector<std::uint64_t> counts_;
};

/// Precision, recall, F1 and support of one class. A ratio whose denominator is 0 is 0
/// (scikit-learn's zero_division=0).
struct class_scores {
  double precision = 0, recall = 0, f1 = 0;
  std::uint64_t support = 0;
};

/// Per-class scores plus macro and support-weighted averages.
struct classification_report {
  std::vector<class_scores> classes;
  class_scores macro, weighted;
  double accuracy = 0;
  std::uint64_t total = 0;

  explicit classification_report(const confusion_matrix& m) {
    const std::size_t k = m.classes();
    total = m.total();
    accuracy = m.accuracy();
    for (std::size_t c = 0; c < k; ++c) {
      class_scores s;
      const double tp = static_cast<double>(m.at(c, c));
      const double predicted = static_cast<double>(m.predicted_as(c));
      s.support = m.support(c);
      s.precision = predicted == 0 ? 0.0 : tp / predicted;
      s.recall = s.support == 0 ? 0.0 : tp / static_cast<double>(s.support);
      s.f1 =
          s.precision + s.recall == 0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
      classes.push_back(s);
      macro.precision += s.precision / static_cast<double>(k);
      macro.recall += s.recall / static_cast<double>(k);
      macro.f1 += s.f1 / static_cast<double>(k);
      if (total != 0) {
        const double w = static_cast<double>(s.support) / static_cast<double>(total);
        weighted.precision += w * s.precision;
        weighted.recall += w * s.recall;
        weighted.f1 += w * s.f1;
      }
    }
    macro.support = weighted.support = total;
  }

  /// The report as text; `names` (optional, one per class) label the rows.
  std::string to_string(const std::vector<std::string>& names = {}) const {
    std::size_t label_width = 12;
    for (const auto& n : names) label_width = std::max(label_width, n.size());
    std::string out;
    char line[256];
    const int w = static_cast<int>(label_width);
    std::snprintf(line, sizeof line, "%*s %9s %9s %9s %9s\n", w, "", "precision", "recall",
                  "f1-score", "support");
    out += line;
    auto row = [&](const std::string& label, const class_scores& s) {
      std::snprintf(line, sizeof line, "%*s %9.4f %9.4f %9.4f %9llu\n", w, label.c_str(),
                    s.precision, s.recall, s.f1, static_cast<unsigned long long>(s.support));
      out += line;
    };
    for (std::size_t c = 0; c < classes.size(); ++c)
      row(c < names.size() ? names[c] : std::to_string(c), classes[c]);
    out += '\n';
    std::snprintf(line, sizeof line, "%*s %9s %9s %9.4f %9llu\n", w, "accuracy", "", "", accuracy,
                  static_cast<unsigned long long>(total));
    out += line;
    row("macro avg", macro);
    row("weighted avg", weighted);
    return out;
  }
};

/// One epoch of the history (CSV, checkpoint, report): the engine's own record
/// (train/records.hpp), NaN where not measured. Validation figures come from the held-out
/// part of the training data (--validation), test figures from the separate test set, each
/// named after the set it comes from.
using history_row = epoch_record;

/// What a history's runs measured: class labels (losses and accuracies) or float targets
/// (MSE and MAE).
enum class history_kind { classification, regression };

/// Writes `epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,
/// learning_rate,seconds,test_loss,test_accuracy` with a header line; unmeasured values are empty
/// cells. A regression history has `epoch,train_mse,train_mae,validation_mse,validation_mae,
/// learning_rate,seconds,test_mse,test_mae` instead (the MSE is the loss). Written atomically
/// (write_file_atomically); data_error with the OS's reason on failure.
inline void write_history_csv(const std::filesystem::path& path,
                              const std::vector<history_row>& rows,
                              history_kind kind = history_kind::classification) {
  const bool regression = kind == history_kind::regression;
  std::string out = regression
                        ? "epoch,train_mse,train_mae,validation_mse,validation_mae,learning_rate,"
                          "seconds,test_mse,test_mae\n"
                        : "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,"
                          "learning_rate,seconds,test_loss,test_accuracy\n";
  auto cell = [&](double v, char after) {
    if (!std::isnan(v)) {
      char text[32];
      std::snprintf(text, sizeof text, "%.9g", v);
      out += text;
    }
    out += after;
  };
  for (const history_row& r : rows) {
    out += std::to_string(r.epoch) + ',';
    cell(r.train_loss, ',');
    cell(regression ? r.train_mae : r.train_accuracy, ',');
    cell(r.validation_loss, ',');
    cell(regression ? r.validation_mae : r.validation_accuracy, ',');
    cell(r.learning_rate, ',');
    cell(r.seconds, ',');
    cell(r.test_loss, ',');
    cell(regression ? r.test_mae : r.test_accuracy, '\n');
  }
  write_file_atomically(path, out);
}

}  // namespace ctnn::train
