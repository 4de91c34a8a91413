// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The training command line, for any network type: `ctnn_add_trainer()` (cmake/
/// ctnn_trainer.cmake) generates a main() that calls `trainer_main<Net>`. Host only.
///
/// Streams: progress, the confusion matrix and the classification report go to stderr;
/// stdout gets exactly one JSON line at the end. Exit status: 0 success, 1 bad command
/// line, 2 unusable input or output file (one line "error: <file>: <problem>"),
/// 3 training diverged (the last good checkpoint is kept).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/data/csv.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/data/idx.hpp"
#include "ctnn/train/report/metrics.hpp"
#include "ctnn/train/data/preprocess.hpp"
#include "ctnn/train/report/progress.hpp"
#include "ctnn/train/report/report.hpp"
#include "ctnn/train/data/synthetic.hpp"
#include "ctnn/train/trainer.hpp"

namespace ctnn::tools {

/// Per-program defaults, set by ctnn_add_trainer().
struct trainer_defaults {
  std::string name = "ctnn-train";
  std::string synthetic;  ///< default data set when no --data/--csv is given ("" = none)
  std::size_t epochs = 10;
  double lr = 1e-3;
  std::size_t batch = 128;
  std::string schedule = "none";  ///< default of --schedule
  double weight_decay = 0.0;      ///< default of --weight-decay
};

namespace detail {

/// Everything the command line sets, beyond ctnn::train::options.
struct cli_settings {
  std::string data_dir, csv, csv_test, submission = "submission.csv", synthetic;
  std::size_t samples = 1000;
  double noise = 0.1;
  bool standardize = false;
  std::size_t validation = 0, limit_train = 0, limit_test = 0;
  std::string optimizer = "adam", init = "he", bias_init = "zero", schedule = "none";
  std::string out, resume, history, report;
};

/// The first `n` samples of `d` (all if n is 0 or larger).
inline void truncate(train::dataset& d, std::size_t n) {
  if (n == 0 || n >= d.size()) return;
  d.x.resize(n * d.features);
  if (d.labelled()) d.y.resize(n);
}

inline std::uint32_t crc32_of_bytes(const std::vector<unsigned char>& b) {
  return train::detail::crc32_of(b.data(), b.size());
}

/// The batch counter behind CTNN_TEST_KILL_AFTER_BATCHES (crash tests only): after that
/// many optimiser steps in this process, the trainer kills itself with SIGKILL — no
/// cleanup, no flushing, exactly like a power cut or the OOM killer.
inline std::size_t kill_after_batches() {
  const char* v = std::getenv("CTNN_TEST_KILL_AFTER_BATCHES");
  return v == nullptr ? 0 : static_cast<std::size_t>(std::strtoull(v, nullptr, 10));
}

inline nlohmann::json history_json(const std::vector<train::history_row>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json e = {{"epoch", r.epoch},
                        {"train_loss", r.train_loss},
                        {"train_accuracy", r.train_accuracy},
                        {"learning_rate", r.learning_rate},
                        {"seconds", r.seconds}};
    if (!std::isnan(r.validation_loss)) {
      e["validation_loss"] = r.validation_loss;
      e["validation_accuracy"] = r.validation_accuracy;
    }
    a.push_back(e);
  }
  return a;
}

/// The history stored in a checkpoint's metadata (empty if absent or unreadable: the
/// metadata is informative, never needed to resume).
inline std::vector<train::history_row> history_from_metadata(const std::string& metadata) {
  std::vector<train::history_row> rows;
  const nlohmann::json j = nlohmann::json::parse(metadata, nullptr, false);
  if (j.is_discarded() || !j.contains("history") || !j["history"].is_array()) return rows;
  for (const auto& e : j["history"]) {
    if (!e.is_object()) continue;
    train::history_row r;
    r.epoch = e.value("epoch", std::size_t{0});
    r.train_loss = e.value("train_loss", NAN);
    r.train_accuracy = e.value("train_accuracy", NAN);
    r.validation_loss = e.value("validation_loss", NAN);
    r.validation_accuracy = e.value("validation_accuracy", NAN);
    r.learning_rate = e.value("learning_rate", NAN);
    r.seconds = e.value("seconds", NAN);
    rows.push_back(r);
  }
  return rows;
}

template <class Net>
constexpr std::size_t class_count = Net::output_size == 1 ? 2 : Net::output_size;

/// The run itself; throws data_error for unusable files.
template <class Net>
int run(const trainer_defaults& defaults, const cli_settings& s, train::options o) {
  constexpr std::size_t classes = class_count<Net>;

  // Data.
  train::dataset train_set, test_set;
  bool have_test = false;
  std::string source;
  const int sources = !s.data_dir.empty() + !s.csv.empty() + !s.synthetic.empty();
  if (sources > 1) throw std::invalid_argument("give only one of --data, --csv and --synthetic");
  const std::string synthetic = sources == 0 ? defaults.synthetic : s.synthetic;
  if (!s.data_dir.empty()) {
    train_set = train::load_mnist_dir(s.data_dir, "train", classes);
    test_set = train::load_mnist_dir(s.data_dir, "t10k", classes);
    have_test = true;
    source = s.data_dir;
    if (classes == 10 && s.data_dir.find("fashion") != std::string::npos)
      test_set.class_names = train::fashion_mnist_class_names();
  } else if (!s.csv.empty()) {
    train_set = train::read_kaggle_csv(s.csv, classes);
    if (!train_set.labelled())
      throw train::data_error(s.csv,
                              "has no 'label' column (for Kaggle's test.csv use --csv-test)");
    source = s.csv;
  } else if (!synthetic.empty()) {
    auto made = train::make_synthetic(synthetic, s.samples, s.noise, o.seed);
    if (!made)
      throw std::invalid_argument("unknown --synthetic '" + synthetic +
                                  "' (moons, circles, xor, spirals)");
    train_set = std::move(*made);
    test_set = *train::make_synthetic(synthetic, s.samples, s.noise, o.seed + 1);
    test_set.name = synthetic + "/test";
    have_test = true;
    source = "synthetic:" + synthetic;
  } else {
    throw std::invalid_argument(
        "no training data: give --data DIR, --csv FILE or --synthetic NAME");
  }
  truncate(train_set, s.limit_train);
  truncate(test_set, s.limit_test);
  const bool pixels = !s.data_dir.empty() || !s.csv.empty();  // 8-bit images: scale by 1/255
  train::check_fits_model(train_set, Net::input_size, classes);
  if (have_test) train::check_fits_model(test_set, Net::input_size, classes);
  if (pixels) {
    train::scale_pixels(train_set);
    if (have_test) train::scale_pixels(test_set);
  }
  train::dataset validation = train::split_validation(train_set, s.validation, o.seed);
  std::unique_ptr<train::standardizer> standard;
  if (s.standardize) {
    standard = std::make_unique<train::standardizer>(train::standardizer::fit(train_set));
    standard->apply(validation);
    if (have_test) standard->apply(test_set);
    standard->apply(train_set);
  }

  // Engine and state.
  train::trainer<Net> engine(o);
  auto params = std::make_unique<typename Net::parameters>();
  std::vector<train::history_row> history;
  const std::string out = s.out.empty() ? defaults.name + ".ckpt" : s.out;
  engine.initialise(*params);
  if (!s.resume.empty()) {
    const train::checkpoint_data c = train::read_checkpoint_for<Net>(s.resume);
    try {
      engine.restore(*params, c);
    } catch (const std::invalid_argument& e) {
      throw train::data_error(s.resume, e.what());
    }
    history = history_from_metadata(c.metadata);
    history.resize(std::min<std::size_t>(history.size(), c.epoch));
  }

  // What the exporter copies into a generated header: the data set's name (the reader's
  // name without its "/train" part) and, once measured, the test accuracy.
  const std::string dataset_name = train_set.name.substr(0, train_set.name.rfind('/'));
  std::optional<double> measured_test_accuracy;
  auto metadata = [&] {
    nlohmann::json m = {{"program", defaults.name},
                        {"signature", std::string(Net::signature)},
                        {"data", source},
                        {"dataset", dataset_name},
                        {"train_samples", train_set.size()},
                        {"validation_samples", validation.size()},
                        {"optimizer", std::string(train::to_string(o.optimizer))},
                        {"lr", o.lr},
                        {"batch", o.batch},
                        {"epochs", o.epochs},
                        {"seed", o.seed},
                        {"standardize", s.standardize},
                        {"history", history_json(history)}};
    if (standard) m["standardization"] = {{"mean", standard->mean}, {"std", standard->stddev}};
    if (measured_test_accuracy) m["test_accuracy"] = *measured_test_accuracy;
    return m.dump();
  };
  train::checkpoint_data checkpoint;
  auto save = [&] {
    engine.save(*params, checkpoint);
    checkpoint.metadata = metadata();
    train::write_checkpoint(out, checkpoint);
  };

  // Training.
  const std::size_t first_epoch = engine.epoch();
  train::progress bar(o.epochs, train_set.size(), first_epoch);
  const std::size_t kill_after = kill_after_batches();
  std::size_t batches = 0;
  bar.begin_epoch(first_epoch);
  auto on_batch = [&](const train::batch_progress& b) {
    bar.update(b.samples, b.loss, b.accuracy);
    if (kill_after != 0 && ++batches >= kill_after) std::raise(SIGKILL);
  };
  double train_seconds = 0;
  std::size_t epochs_run = 0;
  auto on_epoch = [&](const train::epoch_record& r) {
    train::history_row row;
    row.epoch = r.epoch;
    row.train_loss = r.train_loss;
    row.train_accuracy = r.train_accuracy;
    row.learning_rate = r.lr;
    row.seconds = r.seconds;
    char extra[96] = "";
    if (r.has_validation) {
      row.validation_loss = r.validation_loss;
      row.validation_accuracy = r.validation_accuracy;
      std::snprintf(extra, sizeof extra, "val_loss %.4f  val_acc %.4f", r.validation_loss,
                    r.validation_accuracy);
    }
    history.push_back(row);
    train_seconds += r.seconds;
    ++epochs_run;
    bar.end_epoch(r.train_loss, r.train_accuracy, extra);
    save();  // a data_error propagates out of fit(): the run stops with exit status 2
    bar.begin_epoch(r.epoch);
    return true;
  };
  const train::fit_result fit =
      engine.fit(*params, train_set, validation.size() ? &validation : nullptr, on_batch, on_epoch);
  if (fit.diverged) {
    const auto& r = fit.history.back();
    std::string kept = "no epoch finished, so no checkpoint was written";
    if (epochs_run > 0)
      kept = out + " keeps the last good state (epoch " + std::to_string(engine.epoch()) + ")";
    else if (!s.resume.empty())
      kept = s.resume + " keeps the last good state (epoch " + std::to_string(engine.epoch()) + ")";
    std::fprintf(stderr,
                 "error: training diverged in epoch %zu (loss or parameters became NaN/Inf); %s; "
                 "try a smaller learning rate (e.g. --lr %g)\n",
                 r.epoch, kept.c_str(), o.lr / 10);
    return 3;
  }
  if (fit.stopped_early) {
    std::fprintf(stderr, "early stopping: best validation loss in epoch %zu (parameters kept)\n",
                 fit.best_epoch);
    save();
  }
  if (engine.epoch() == first_epoch) save();  // nothing left to train: still write --out

  // Evaluation.
  nlohmann::json result = {{"program", defaults.name},
                           {"signature", std::string(Net::signature)},
                           {"data", source},
                           {"epochs", engine.epoch()},
                           {"epochs_run", epochs_run},
                           {"train_samples", train_set.size()},
                           {"optimizer", std::string(train::to_string(o.optimizer))},
                           {"lr", o.lr},
                           {"batch", o.batch},
                           {"threads", o.threads},
                           {"seed", o.seed},
                           {"checkpoint", out},
                           {"parameters_crc32", crc32_of_bytes(checkpoint.parameters)}};
  result["seconds_per_epoch"] = epochs_run ? train_seconds / double(epochs_run) : 0.0;
  result["samples_per_second"] =
      train_seconds > 0 ? double(epochs_run * train_set.size()) / train_seconds : 0.0;
  if (!history.empty()) {
    result["train_loss"] = history.back().train_loss;
    result["train_accuracy"] = history.back().train_accuracy;
  }
  if (validation.size())
    result["validation_accuracy"] = engine.evaluate(*params, validation).accuracy;
  const train::dataset* scored =
      have_test ? &test_set : (validation.size() ? &validation : nullptr);
  if (scored) {
    const train::eval_record ev = engine.evaluate(*params, *scored);
    result["test_set"] = scored->name;
    result["test_samples"] = ev.samples;
    result["test_loss"] = ev.loss;
    result["test_accuracy"] = ev.accuracy;
    if (scored == &test_set) {
      // Record it in the checkpoint too (same state, rewritten atomically).
      measured_test_accuracy = ev.accuracy;
      save();
    }
    const train::confusion_matrix cm(classes, ev.predicted, scored->y);
    std::fprintf(stderr, "\n%s: accuracy %.4f on %zu samples\n%s\n%s", scored->name.c_str(),
                 ev.accuracy, ev.samples, cm.to_string().c_str(),
                 train::classification_report(cm).to_string(scored->class_names).c_str());
    if (!s.report.empty()) {
      train::report_data rd;
      rd.title = defaults.name + " on " + source;
      rd.dataset = scored->name;
      rd.model = std::string(Net::signature);
      auto number = [](double v) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", v);
        return std::string(text);
      };
      rd.settings = {{"data", source},
                     {"training samples", std::to_string(train_set.size())},
                     {"validation samples", std::to_string(validation.size())},
                     {"epochs", std::to_string(engine.epoch())},
                     {"optimizer", std::string(train::to_string(o.optimizer))},
                     {"learning rate", number(o.lr)},
                     {"batch", std::to_string(o.batch)},
                     {"seed", std::to_string(o.seed)},
                     {"test loss", number(ev.loss)},
                     {"checkpoint", out}};
      rd.class_names = scored->class_names;
      rd.history = history;
      rd.confusion = cm;
      rd.test_accuracy = ev.accuracy;
      const auto side = static_cast<std::size_t>(std::lround(std::sqrt(double(Net::input_size))));
      if (side * side == Net::input_size && side >= 4)  // square inputs are shown as images
        rd.misclassified = train::collect_misclassified(*scored, ev.predicted, side, side);
      train::write_report(s.report, rd);
      result["report"] = s.report;
    }
  } else {
    result["test_accuracy"] = nullptr;  // Kaggle's train.csv alone has no labelled test set
  }
  if (!s.csv_test.empty()) {
    train::dataset unlabelled = train::read_kaggle_csv(s.csv_test, classes);
    if (unlabelled.labelled()) unlabelled.y.clear();
    unlabelled.classes = 0;
    train::check_fits_model(unlabelled, Net::input_size, 0);
    train::scale_pixels(unlabelled);
    if (standard) standard->apply(unlabelled);
    train::write_submission(s.submission, engine.evaluate(*params, unlabelled).predicted);
    result["submission"] = s.submission;
  }
  if (!s.history.empty()) train::write_history_csv(s.history, history);
  std::printf("%s\n", result.dump().c_str());
  return 0;
}

}  // namespace detail

/// Parses the command line and trains `Net`; returns the process exit status.
template <class Net>
int trainer_main(int argc, char** argv, const trainer_defaults& defaults) {
  train::options o;
  o.epochs = defaults.epochs;
  o.lr = defaults.lr;
  o.batch = defaults.batch;
  o.weight_decay = defaults.weight_decay;
  o.threads = std::max(1u, std::thread::hardware_concurrency());
  detail::cli_settings s;
  s.schedule = defaults.schedule;

  CLI::App app{"Trains " + std::string(Net::signature) +
               ".\nProgress on stderr; one JSON line with the results on stdout."};
  app.name(defaults.name);
  app.get_formatter()->column_width(34);
  auto* data = app.add_option_group("data");
  data->add_option("--data", s.data_dir,
                   "directory with the MNIST-named files train-images-idx3-ubyte, "
                   "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte "
                   "(each optionally .gz): MNIST or Fashion-MNIST");
  data->add_option("--csv", s.csv, "Kaggle digit-recognizer train.csv (label,pixel0..pixel783)");
  data->add_option(
      "--synthetic", s.synthetic,
      "synthetic 2-D set: moons, circles, xor, spirals" +
          (defaults.synthetic.empty() ? std::string() : " (default " + defaults.synthetic + ")"));
  app.add_option("--csv-test", s.csv_test,
                 "Kaggle's unlabelled test.csv: predict it and write --submission");
  app.add_option("--submission", s.submission, "ImageId,Label file for --csv-test")
      ->capture_default_str();
  app.add_option("--samples", s.samples, "synthetic: samples in the training and the test set")
      ->capture_default_str();
  app.add_option("--noise", s.noise, "synthetic: standard deviation of the noise")
      ->capture_default_str();
  app.add_flag("--standardize", s.standardize,
               "standardise each input with the training set's mean and std");
  app.add_option("--validation", s.validation,
                 "hold out N random training samples (seeded) for validation")
      ->capture_default_str();
  app.add_option("--limit-train", s.limit_train, "use only the first N training samples (0: all)");
  app.add_option("--limit-test", s.limit_test, "use only the first N test samples (0: all)");
  app.add_option("--epochs", o.epochs, "passes over the training set (gd: iterations)")
      ->capture_default_str();
  app.add_option("--batch", o.batch, "samples per step; 0 = full batch")->capture_default_str();
  app.add_option("--optimizer", s.optimizer, "gd, sgd, momentum or adam")
      ->capture_default_str()
      ->check(CLI::IsMember({"gd", "sgd", "momentum", "adam"}));
  app.add_option("--lr", o.lr, "learning rate")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--momentum", o.momentum, "momentum coefficient")->capture_default_str();
  app.add_option("--weight-decay", o.weight_decay, "L2 weight decay (weights, not biases)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--schedule", s.schedule, "learning-rate schedule: none, step or cosine")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "step", "cosine"}));
  app.add_option("--step-size", o.step_size, "step schedule: epochs between decays")
      ->capture_default_str();
  app.add_option("--gamma", o.gamma, "step schedule: decay factor")->capture_default_str();
  app.add_option("--patience", o.patience,
                 "early stopping after N epochs without a better validation loss (0: off)")
      ->capture_default_str();
  app.add_option("--init", s.init, "weights: small, xavier, xavier_normal, lecun or he")
      ->capture_default_str()
      ->check(CLI::IsMember({"small", "xavier", "xavier_normal", "lecun", "he"}));
  app.add_option("--bias-init", s.bias_init, "biases: zero or normal")
      ->capture_default_str()
      ->check(CLI::IsMember({"zero", "normal"}));
  app.add_option("--seed", o.seed, "seed of initialisation, shuffling and splits")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "worker threads (never changes the result)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--out", s.out,
                 "checkpoint written after every epoch (default " + defaults.name + ".ckpt)");
  app.add_option("--resume", s.resume, "continue the run saved in this checkpoint");
  app.add_option("--history", s.history, "write the per-epoch history as CSV");
  app.add_option("--report", s.report,
                 "write a self-contained HTML report (curves, confusion heat map, per-class "
                 "scores, misclassified samples)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }
  o.optimizer = *train::parse_optimizer(s.optimizer);
  o.schedule = *train::parse_schedule(s.schedule);
  o.init = *train::parse_init(s.init);
  o.bias = *train::parse_bias_init(s.bias_init);
  if (o.epochs == 0 || o.epochs > 1000000) {
    std::fprintf(stderr, "error: --epochs must be in 1..1000000\n");
    return 1;
  }
  try {
    return detail::run<Net>(defaults, s, o);
  } catch (const train::data_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory\n");
    return 2;
  }
}

}  // namespace ctnn::tools
