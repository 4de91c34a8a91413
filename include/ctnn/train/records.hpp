// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// What a training run reports: progress after a step, one record per epoch, an evaluation,
/// and the result of fit(). Plain data, host only.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace ctnn::train {

/// Progress after one optimiser step (for a progress bar).
struct batch_progress {
  std::size_t epoch = 0;    ///< 0-based epoch being trained
  std::size_t batch = 0;    ///< 1-based index of the step just taken
  std::size_t batches = 0;  ///< steps in this epoch
  std::size_t samples = 0;  ///< samples seen so far in this epoch
  double loss = 0;          ///< running mean training loss over this epoch
  double accuracy = 0;      ///< running training accuracy over this epoch (fraction)
};
using batch_callback = std::function<void(const batch_progress&)>;

/// One finished epoch: what train_epoch() measures, what fit() adds (validation) and what
/// a driver adds (test); the history (CSV, checkpoint, report) keeps these records as they
/// are (history_row in report/metrics.hpp is this type). NaN means "not measured": the
/// validation figures without a validation set, the test figures unless a driver evaluated
/// the test set, the MAEs on a classification run. The first twelve members are in the
/// history CSV's column order, so a row can be written as an aggregate.
struct epoch_record {
  std::size_t epoch = 0;             ///< 1-based number of this epoch
  double train_loss = NAN;           ///< mean loss over the epoch's samples (before each step)
  double train_accuracy = NAN;       ///< fraction correct over the epoch (0 for regression)
  double validation_loss = NAN;      ///< regression: the MSE
  double validation_accuracy = NAN;  ///< fraction correct on the validation set
  double learning_rate = NAN;        ///< learning rate used
  double seconds = NAN;              ///< wall time of the epoch's training (no evaluation)
  double test_loss = NAN, test_accuracy = NAN;  ///< set by a driver (the CLI), never here
  double train_mae = NAN;                       ///< regression: mean |a − t| over the epoch
  double validation_mae = NAN;                  ///< regression (validation_loss is then the MSE)
  double test_mae = NAN;                        ///< regression, set by a driver
  double samples_per_second = 0;                ///< training samples / seconds
  bool diverged = false;        ///< non-finite loss or parameters: see trainer::train_epoch
  bool has_validation = false;  ///< fit() with a validation set
};
using epoch_callback = std::function<bool(const epoch_record&)>;

/// The result of trainer::evaluate(). For a regression set (float targets) `loss` is the
/// mean squared error over every output, `mae` the mean absolute error, `errors` each
/// sample's own MSE (an autoencoder's reconstruction error: the anomaly score), and
/// `accuracy` is 0.
struct eval_record {
  double loss = 0;      ///< mean loss (0 if the set is unlabelled)
  double accuracy = 0;  ///< fraction correct (0 if unlabelled or a regression set)
  double mae = 0;       ///< regression: mean absolute error
  std::size_t samples = 0;
  std::vector<std::uint32_t> predicted;  ///< predicted class per sample
  std::vector<double> errors;            ///< regression: each sample's MSE
};

/// The result of fit().
struct fit_result {
  std::vector<epoch_record> history;
  bool diverged = false;
  bool stopped_early = false;  ///< early stopping triggered (params = best epoch's)
  std::size_t best_epoch = 0;  ///< 1-based epoch of the lowest validation loss (0: none)
};

}  // namespace ctnn::train
