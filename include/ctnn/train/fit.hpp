// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The epoch loop: epochs t.epoch()..options.epochs−1 of a trainer with validation metrics
/// and early stopping, built on the trainer's public API only (train_epoch, evaluate).
/// Host only; trainer.hpp includes it, and `t.fit(...)` is the same call.
///
/// - Validation: with a non-empty validation set, every epoch that did not diverge is
///   evaluated on it (epoch_record::validation_loss/validation_accuracy, and
///   validation_mae for a regression set).
/// - Early stopping: options.patience > 0 and a validation set: stops after `patience`
///   epochs without a lower validation loss and leaves the best parameters in `p`.
/// - `on_epoch(record)` (may be empty) returning false stops the run (e.g. a checkpoint
///   write failed); a diverged epoch stops it too (fit_result::diverged).
#include <cstddef>
#include <memory>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/records.hpp"
#include "ctnn/train/trainer.hpp"

namespace ctnn::train {

template <class Net, class Loss>
fit_result fit(trainer<Net, Loss>& t, typename Net::parameters& p, const dataset& train,
               const dataset* validation, const batch_callback& on_batch,
               const epoch_callback& on_epoch) {
  using parameters = typename Net::parameters;
  fit_result res;
  const std::size_t patience = t.settings().patience;
  const bool validate = validation && validation->size() > 0;
  const bool early = validate && patience > 0;
  std::unique_ptr<parameters> best;
  double best_loss = 0;
  std::size_t bad_epochs = 0;
  while (t.epoch() < t.settings().epochs) {
    epoch_record r = t.train_epoch(p, train, on_batch);
    if (validate && !r.diverged) {
      const eval_record ev = t.evaluate(p, *validation);
      r.has_validation = true;
      r.validation_loss = ev.loss;
      r.validation_accuracy = ev.accuracy;
      if (validation->regression()) r.validation_mae = ev.mae;
      if (early) {
        if (!best || ev.loss < best_loss) {
          if (!best) best = std::make_unique<parameters>();
          *best = p;
          best_loss = ev.loss;
          res.best_epoch = r.epoch;
          bad_epochs = 0;
        } else if (++bad_epochs >= patience) {
          res.stopped_early = true;
        }
      }
    }
    res.history.push_back(r);
    if (r.diverged) {
      res.diverged = true;
      break;
    }
    if (on_epoch && !on_epoch(r)) break;
    if (res.stopped_early) break;
  }
  if (early && best) p = *best;
  return res;
}

}  // namespace ctnn::train
