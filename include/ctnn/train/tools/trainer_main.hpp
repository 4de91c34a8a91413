// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The training command line, for any network type: `ctnn_add_trainer()` (cmake/
/// ctnn_trainer.cmake) generates a main() that calls `trainer_main<Net>`. Host only.
///
/// Streams: progress, the confusion matrix and the classification report go to stderr;
/// stdout gets exactly one JSON line at the end. Exit status: 0 success, 1 bad command
/// line, 2 unusable input or output file (one line "error: <file>: <problem>"),
/// 3 training diverged (the last good checkpoint is kept). docs/hardening.md lists what
/// each kind of bad path, file and option gets.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "ctnn/train/data/csv.hpp"
#include "ctnn/train/data/idx.hpp"
#include "ctnn/train/data/input_transform.hpp"
#include "ctnn/train/data/preprocess.hpp"
#include "ctnn/train/data/synthetic.hpp"
#include "ctnn/train/data/targets.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/io/file_checks.hpp"
#include "ctnn/train/io/resume.hpp"
#include "ctnn/train/report/metrics.hpp"
#include "ctnn/train/report/progress.hpp"
#include "ctnn/train/report/report.hpp"
#include "ctnn/train/tools/int8_export.hpp"
#include "ctnn/train/tools/regression_options.hpp"
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
  std::string augment = "none";   ///< default of --augment
  std::string model_header;       ///< the model header's include path (checkpoint, exports)
  std::string model_type;         ///< the model's C++ type (checkpoint, exports)
  std::string weights_namespace;  ///< default namespace of exported weights ("": <type>_weights)
};

namespace detail {

/// Everything the command line sets, beyond ctnn::train::options.
struct cli_settings {
  std::string data_dir, csv, csv_test, submission = "submission.csv", synthetic;
  std::size_t samples = 1000;
  double noise = 0.1;
  bool standardize = false;
  std::string label_column = "auto", csv_header = "auto", delimiter = ",", class_names;
  double scale = 0;  ///< --scale: 0 = the default (÷255 for IDX and Kaggle-shaped CSV, else 1)
  std::size_t validation = 0, limit_train = 0, limit_test = 0;
  std::string optimizer = "adam", init = "he", bias_init = "zero", schedule = "none";
  std::string augment = "none";  ///< --augment: none or e.g. flip,shift2
  std::string loss;              ///< --loss ce|bce|mse; "" = the model's natural loss
  bool init_range_given = false, bias_init_given = false;
  bool index_given = false, out_predictions_given = false;
  std::size_t log_every = 0;  ///< --log-every N: a progress line every N steps (0: per epoch)
  std::string out, resume, history, report;
  std::string predict, out_predictions;  ///< --predict CKPT, --out-predictions FILE
  std::optional<std::size_t> index;      ///< --index N: predict one sample
  int8_export_settings int8;             ///< --export-int8 and its options
  target_settings targets;  ///< --target, --target-columns, --normal-class (float targets)
};

/// The first `n` samples of `d` (all if n is 0 or larger).
inline void truncate(train::dataset& d, std::size_t n) {
  if (n == 0 || n >= d.size()) return;
  d.x.resize(n * d.features);
  if (d.labelled()) d.y.resize(n);
  d.t.resize(n * d.targets);
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
    if (!std::isnan(r.test_loss)) {
      e["test_loss"] = r.test_loss;
      e["test_accuracy"] = r.test_accuracy;
    }
    // Regression runs: the mean absolute errors (the losses are the MSEs).
    if (!std::isnan(r.train_mae)) e["train_mae"] = r.train_mae;
    if (!std::isnan(r.validation_mae)) e["validation_mae"] = r.validation_mae;
    if (!std::isnan(r.test_mae)) e["test_mae"] = r.test_mae;
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
    // Typed reads that cannot throw (validate_checkpoint has checked the types already).
    auto number = [&](const char* key) {
      return e.contains(key) && e[key].is_number() ? e[key].get<double>() : NAN;
    };
    train::history_row r;
    r.epoch =
        e.contains("epoch") && e["epoch"].is_number_unsigned() ? e["epoch"].get<std::size_t>() : 0;
    r.train_loss = number("train_loss");
    r.train_accuracy = number("train_accuracy");
    r.validation_loss = number("validation_loss");
    r.validation_accuracy = number("validation_accuracy");
    r.learning_rate = number("learning_rate");
    r.seconds = number("seconds");
    r.test_loss = number("test_loss");
    r.test_accuracy = number("test_accuracy");
    r.train_mae = number("train_mae");
    r.validation_mae = number("validation_mae");
    r.test_mae = number("test_mae");
    rows.push_back(r);
  }
  return rows;
}

/// JSON text that never throws on strings that are not UTF-8 (e.g. a path given in
/// Latin-1): invalid bytes become U+FFFD.
inline std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Refuses, before any work, outputs that are not regular files (or cannot be created)
/// and outputs that are an input or each other; `--resume X --out X` is allowed.
inline void check_files(const cli_settings& s, const std::string& out) {
  std::vector<train::named_file> inputs, outputs;
  if (!s.data_dir.empty()) {
    for (const char* part : {"train", "t10k"})
      for (const char* kind : {"-images-idx3-ubyte", "-labels-idx1-ubyte"})
        inputs.push_back({"--data", train::find_maybe_gz(s.data_dir, part + std::string(kind))});
  }
  if (!s.csv.empty()) inputs.push_back({"--csv", s.csv});
  if (!s.csv_test.empty()) inputs.push_back({"--csv-test", s.csv_test});
  if (!s.resume.empty()) inputs.push_back({"--resume", s.resume});
  outputs.push_back({"--out", out});
  if (!s.report.empty()) outputs.push_back({"--report", s.report});
  if (!s.history.empty()) outputs.push_back({"--history", s.history});
  if (!s.csv_test.empty()) outputs.push_back({"--submission", s.submission});
  if (!s.int8.out.empty()) outputs.push_back({"--export-int8", s.int8.out});
  for (const auto& o : outputs) train::check_output(o.path);
  train::check_distinct(inputs, outputs, {{"--out", "--resume"}});
}

/// Image models (input height and width > 1) need images of exactly that shape: a 14x56
/// image has 784 pixels too, but is not a 28x28 one.
template <class Net>
void check_image_shape(const train::dataset& d) {
  using shape = typename Net::input_shape;
  if constexpr (shape::height > 1 && shape::width > 1) {
    if (d.rows != 0 && (d.rows != shape::height || d.cols != shape::width))
      throw train::data_error(d.name, "images are " + std::to_string(d.rows) + "x" +
                                          std::to_string(d.cols) + " but the model expects " +
                                          std::to_string(shape::height) + "x" +
                                          std::to_string(shape::width));
  }
}

template <class Net>
constexpr std::size_t class_count = Net::output_size == 1 ? 2 : Net::output_size;

/// The weights namespace recorded in checkpoints: the build's, else `<type>_weights` when
/// the type is a plain qualified name (no template arguments), else none.
inline std::string weights_namespace(const trainer_defaults& d) {
  if (!d.weights_namespace.empty()) return d.weights_namespace;
  const bool plain =
      !d.model_type.empty() && std::all_of(d.model_type.begin(), d.model_type.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
      });
  return plain ? d.model_type + "_weights" : std::string();
}

/// Reads a CSV file with the command line's layout options (--label-column, --csv-header,
/// --delimiter; --scale lifts the Kaggle layout's 0..255 check). `to_predict`: the label
/// column may be absent (a file of `features` columns).
inline train::dataset read_csv_file(const std::string& path, const cli_settings& s,
                                    std::size_t classes, bool to_predict, std::size_t features,
                                    train::csv_layout* layout = nullptr) {
  train::csv_options o;
  o.label_column = s.label_column;
  o.header = *train::parse_csv_header(s.csv_header);
  o.delimiter = *train::parse_delimiter(s.delimiter);
  o.classes = classes;
  o.label_optional = to_predict;
  o.features = features;
  o.pixels = s.scale > 0 ? train::csv_pixel_check::never : train::csv_pixel_check::kaggle_layout;
  if (!to_predict) o.target_columns = s.targets.columns;
  // An autoencoder's CSV needs no label column: "auto" then finds `label` or none.
  if (s.targets.target == "input" && s.label_column == "auto") o.label_optional = true;
  return train::read_csv(path, o, layout);
}

/// The --class-names list (comma-separated), which must name every class.
inline std::vector<std::string> class_names_option(const std::string& text, std::size_t classes) {
  std::vector<std::string> names;
  if (text.empty()) return names;
  std::vector<std::string_view> cells;
  train::detail::split_csv_line(text, cells);
  for (std::string_view c : cells) names.emplace_back(train::detail::trim(c));
  if (names.size() != classes)
    throw std::invalid_argument("--class-names: " + std::to_string(names.size()) +
                                " names for a model with " + std::to_string(classes) + " classes");
  return names;
}

/// The data set's name for checkpoints and exported headers: the readers' name without its
/// "/train" part ("moons", "fashion-mnist"), for a CSV its file name — never a local folder.
inline std::string dataset_label(const cli_settings& s, const train::dataset& train_set) {
  if (!s.csv.empty()) return std::filesystem::path(s.csv).filename().string();
  return train_set.name.substr(0, train_set.name.rfind('/'));
}

/// --export-int8's settings, with the defaults filled in from the model and the data.
inline int8_export_settings int8_settings(const trainer_defaults& defaults, const cli_settings& s,
                                          const train::dataset& train_set,
                                          const std::string& checkpoint) {
  int8_export_settings r = s.int8;
  if (r.model_header.empty()) r.model_header = defaults.model_header;
  if (r.model_type.empty()) r.model_type = defaults.model_type;
  if (r.name_space.empty()) r.name_space = r.model_type + "_int8_weights";
  if (r.model_header.empty() || r.model_type.empty())
    throw std::invalid_argument("--export-int8 needs --model-header and --model-type");
  r.source_name = std::filesystem::path(checkpoint).filename().string();
  r.program = defaults.name;
  r.dataset = dataset_label(s, train_set);
  return r;
}

/// The --loss name of a loss type.
template <class Loss>
constexpr const char* loss_flag() {
  if constexpr (std::is_same_v<Loss, train::cross_entropy>)
    return "ce";
  else if constexpr (std::is_same_v<Loss, train::binary_cross_entropy>)
    return "bce";
  else
    return "mse";
}

/// The --loss values `Net` can be trained with, e.g. "ce or mse".
template <class Net>
std::string allowed_losses() {
  using act = train::detail::output_activation<Net>;
  if constexpr (std::is_same_v<act, softmax>)
    return "ce or mse";
  else if constexpr (std::is_same_v<act, sigmoid> && Net::output_size == 1)
    return "bce or mse";
  else
    return "mse";
}

/// The last layer's part of the signature, e.g. "dense(1,sigmoid)".
template <class Net>
std::string output_layer_text() {
  const std::string_view sig = Net::signature;
  return std::string(sig.substr(sig.rfind('|') + 1));
}

/// A data set's name for titles: the synthetic set's name, the CSV file's name or the IDX
/// directory's last component, never a local absolute path.
inline std::string display_name(const cli_settings& s, const std::string& synthetic) {
  namespace fs = std::filesystem;
  if (!s.data_dir.empty()) {
    fs::path p = fs::path(s.data_dir).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    return p.filename().string();
  }
  if (!s.csv.empty()) return fs::path(s.csv).filename().string();
  return synthetic;
}

/// The decision map of a 2-input model over the box around `points` (10% margin).
template <class Net>
train::decision_map decision_map_of(const typename Net::parameters& p,
                                    const train::dataset& points) {
  train::decision_map m;
  m.classes = class_count<Net>;
  float lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (std::size_t i = 0; i < points.size(); ++i)
    for (std::size_t k = 0; k < 2; ++k) {
      const float v = points.sample(i)[k];
      if (!std::isfinite(v)) continue;
      lo[k] = std::min(lo[k], v);
      hi[k] = std::max(hi[k], v);
    }
  for (std::size_t k = 0; k < 2; ++k) {
    if (!(lo[k] <= hi[k])) lo[k] = -1, hi[k] = 1;
    const double pad = std::max(0.1 * (double(hi[k]) - lo[k]), 0.05);
    (k == 0 ? m.x0 : m.y0) = lo[k] - pad;
    (k == 0 ? m.x1 : m.y1) = hi[k] + pad;
  }
  m.nx = m.ny = 120;
  m.cell_class.resize(m.nx * m.ny);
  m.cell_confidence.resize(m.nx * m.ny);
  auto ws = std::make_unique<typename Net::workspace>();
  for (std::size_t i = 0; i < m.ny; ++i)
    for (std::size_t j = 0; j < m.nx; ++j) {
      typename Net::input x{};
      x[0] = static_cast<typename Net::scalar>(m.x0 +
                                               (double(j) + 0.5) / double(m.nx) * (m.x1 - m.x0));
      x[1] = static_cast<typename Net::scalar>(m.y1 -
                                               (double(i) + 0.5) / double(m.ny) * (m.y1 - m.y0));
      const typename Net::output a = Net::forward(p, x, *ws);
      std::uint32_t best = 0;
      double confidence = 0;
      if constexpr (Net::output_size == 1) {
        best = a[0] >= 0.5 ? 1u : 0u;
        confidence = best ? double(a[0]) : 1.0 - double(a[0]);
      } else {
        for (std::uint32_t c = 1; c < Net::output_size; ++c)
          if (a[c] > a[best]) best = c;
        confidence = double(a[best]);
      }
      m.cell_class[i * m.nx + j] = best;
      m.cell_confidence[i * m.nx + j] = static_cast<float>(confidence);
    }
  for (std::size_t i = 0; i < points.size(); ++i) {
    m.px.push_back(points.sample(i)[0]);
    m.py.push_back(points.sample(i)[1]);
    m.point_class.push_back(points.y[i]);
  }
  return m;
}

/// The network's class probabilities for one sample (a 1-output model: 1 − p, p).
template <class Net>
std::vector<float> probabilities(const typename Net::parameters& p, const float* sample) {
  typename Net::input x;
  for (std::size_t i = 0; i < Net::input_size; ++i)
    x[i] = static_cast<typename Net::scalar>(sample[i]);
  auto ws = std::make_unique<typename Net::workspace>();
  const typename Net::output a = Net::forward(p, x, *ws);
  if constexpr (Net::output_size == 1) return {1.0f - float(a[0]), float(a[0])};
  std::vector<float> out(Net::output_size);
  for (std::size_t c = 0; c < Net::output_size; ++c) out[c] = float(a[c]);
  return out;
}

/// The training data of a run, ready for the engine: read, scaled, split and standardised.
struct run_data {
  train::dataset train_set, test_set, validation;
  bool have_test = false;
  std::string source;     ///< what the data came from, for metadata and the result
  std::string synthetic;  ///< the synthetic set's name (--synthetic or the default), or ""
  train::input_transform transform;               ///< recorded in checkpoints and headers
  std::unique_ptr<train::standardizer> standard;  ///< --standardize, else null
  std::vector<std::string> class_names;           ///< the test set's, else the training set's
};

/// The synthetic set a run uses: --synthetic, else the program's default when no other
/// source is given.
inline std::string synthetic_name(const trainer_defaults& defaults, const cli_settings& s) {
  const int sources = !s.data_dir.empty() + !s.csv.empty() + !s.synthetic.empty();
  return sources == 0 ? defaults.synthetic : s.synthetic;
}

/// Refuses a second data source and unusable or clashing files, before any work; returns
/// the checkpoint path (--out, else <program>.ckpt).
inline std::string check_run_files(const trainer_defaults& defaults, const cli_settings& s) {
  const int sources = !s.data_dir.empty() + !s.csv.empty() + !s.synthetic.empty();
  if (sources > 1) throw std::invalid_argument("give only one of --data, --csv and --synthetic");
  const std::string out = s.out.empty() ? defaults.name + ".ckpt" : s.out;
  check_files(s, out);
  return out;
}

/// Reads the training (and test) data, checks it fits Net, applies the input transform,
/// holds out --validation and standardises; data_error or invalid_argument otherwise.
template <class Net>
run_data load_data(const trainer_defaults& defaults, const cli_settings& s,
                   const train::options& o) {
  constexpr std::size_t classes = class_count<Net>;
  run_data d;
  bool kaggle_csv = false;
  d.synthetic = synthetic_name(defaults, s);
  if (!s.data_dir.empty()) {
    d.train_set = train::load_mnist_dir(s.data_dir, "train", classes);
    d.test_set = train::load_mnist_dir(s.data_dir, "t10k", classes);
    d.have_test = true;
    d.source = s.data_dir;
    if (classes == 10 && s.data_dir.find("fashion") != std::string::npos)
      d.test_set.class_names = train::fashion_mnist_class_names();
  } else if (!s.csv.empty()) {
    if (s.label_column == "none" && !s.targets.regression())
      throw std::invalid_argument(
          "--label-column none: training needs labels (none is for the --csv-test file)");
    train::csv_layout layout;
    d.train_set = read_csv_file(s.csv, s, classes, false, 0, &layout);
    kaggle_csv = layout.kaggle;
    d.source = s.csv;
  } else if (!d.synthetic.empty()) {
    auto made = train::make_synthetic(d.synthetic, s.samples, s.noise, o.seed);
    if (!made)
      throw std::invalid_argument("unknown --synthetic '" + d.synthetic +
                                  "' (moons, circles, xor, spirals)");
    d.train_set = std::move(*made);
    d.test_set = *train::make_synthetic(d.synthetic, s.samples, s.noise, o.seed + 1);
    d.test_set.name = d.synthetic + "/test";
    d.have_test = true;
    d.source = "synthetic:" + d.synthetic;
  } else {
    throw std::invalid_argument(
        "no training data: give --data DIR, --csv FILE or --synthetic NAME");
  }
  truncate(d.train_set, s.limit_train);
  truncate(d.test_set, s.limit_test);
  if (const auto names = class_names_option(s.class_names, classes); !names.empty())
    d.train_set.class_names = d.test_set.class_names = names;
  train::check_fits_model(d.train_set, Net::input_size, classes);
  if (d.have_test) train::check_fits_model(d.test_set, Net::input_size, classes);
  check_image_shape<Net>(d.train_set);
  if (d.have_test) check_image_shape<Net>(d.test_set);
  // The input transform, recorded in the checkpoint and the exported headers: an explicit
  // --scale, else ÷255 for 8-bit images (IDX, the Kaggle-shaped CSV), else none.
  if (s.scale > 0)
    d.transform.scale = static_cast<float>(s.scale);
  else if (!s.data_dir.empty() || kaggle_csv)
    d.transform = train::input_transform::pixels();
  d.transform.apply_scale(d.train_set);
  if (d.have_test) d.transform.apply_scale(d.test_set);
  d.validation = train::split_validation(d.train_set, s.validation, o.seed);
  // Anomaly detection: train on the normal class only; the validation set, held out
  // before, keeps every class (its normal and abnormal parts are scored like the test set's).
  if (s.targets.normal_class)
    d.train_set = train::samples_of_class(d.train_set, *s.targets.normal_class);
  if (s.standardize) {
    d.standard = std::make_unique<train::standardizer>(train::standardizer::fit(d.train_set));
    d.standard->apply(d.validation);
    if (d.have_test) d.standard->apply(d.test_set);
    d.standard->apply(d.train_set);
    d.transform.mean = d.standard->mean;
    d.transform.stddev = d.standard->stddev;
  }
  d.class_names = d.test_set.class_names.empty() ? d.train_set.class_names : d.test_set.class_names;
  if (s.targets.target == "input")  // the autoencoder's target: the network's own input
    for (train::dataset* set : {&d.train_set, &d.validation, &d.test_set})
      if (set->size() != 0 || set == &d.train_set) train::use_inputs_as_targets(*set);
  if (s.targets.regression()) {
    train::check_targets_fit_model(d.train_set, Net::output_size);
    if (d.validation.size() != 0) train::check_targets_fit_model(d.validation, Net::output_size);
  }
  return d;
}

/// --resume CKPT: puts the engine and `params` in the checkpoint's state (same --loss) and
/// returns the history it records, cut at its epoch; data_error if it does not fit.
template <class Net, class Loss>
std::vector<train::history_row> resume_run(train::trainer<Net, Loss>& engine,
                                           typename Net::parameters& params,
                                           const cli_settings& s) {
  const train::checkpoint_data c = train::read_checkpoint_for<Net>(s.resume);
  const nlohmann::json m = nlohmann::json::parse(c.metadata, nullptr, false);
  if (m.is_object() && m.contains("loss") && m["loss"].is_string() &&
      m["loss"].get<std::string>() != loss_flag<Loss>())
    throw train::data_error(s.resume, "was trained with --loss " +
                                          train::printable(m["loss"].get<std::string>(), 16) +
                                          "; resume with the same --loss");
  train::restore_checkpoint(engine, params, c, s.resume);
  std::vector<train::history_row> history = history_from_metadata(c.metadata);
  history.resize(std::min<std::size_t>(history.size(), c.epoch));
  return history;
}

/// --export-int8 after a run (or instead of one, with --resume): the int8 header from
/// `params`, calibrated on the training set and compared on the test set; its JSON fields.
template <class Net>
nlohmann::json export_int8_header(const trainer_defaults& defaults, const cli_settings& s,
                                  const run_data& d, const typename Net::parameters& params,
                                  const std::string& checkpoint) {
  int8_export_settings settings = int8_settings(defaults, s, d.train_set, checkpoint);
  settings.transform = d.transform;
  settings.class_names = d.class_names;
  settings.normal_class = s.targets.normal_class;
  const train::dataset* compared = d.have_test ? &d.test_set : nullptr;
  if (s.targets.regression() && !d.have_test && d.validation.size() != 0) compared = &d.validation;
  return export_int8<Net>(params, d.train_set, compared, settings);
}

/// Writes the run's checkpoint to `out`: the engine's state plus the metadata (settings,
/// history, the model's contract and input transform, the test accuracy once measured).
template <class Net, class Loss>
class checkpoint_writer {
 public:
  checkpoint_writer(const trainer_defaults& defaults, const cli_settings& s,
                    const train::options& o, const run_data& d,
                    const train::trainer<Net, Loss>& engine, const typename Net::parameters& params,
                    const std::vector<train::history_row>& history, std::string out)
      : defaults_(defaults),
        s_(s),
        o_(o),
        d_(d),
        engine_(engine),
        params_(params),
        history_(history),
        out_(std::move(out)),
        dataset_name_(dataset_label(s, d.train_set)) {}

  /// Writes the checkpoint now (atomically); data_error on failure.
  void save() {
    engine_.save(params_, checkpoint_);
    checkpoint_.metadata = metadata();
    train::write_checkpoint(out_, checkpoint_);
  }
  /// Records the test accuracy in later checkpoints.
  void set_test_accuracy(double a) { test_accuracy_ = a; }
  /// The last checkpoint written.
  const train::checkpoint_data& last() const noexcept { return checkpoint_; }
  const std::string& path() const noexcept { return out_; }

 private:
  std::string metadata() const {
    const train::options& o = o_;
    nlohmann::json m = {{"program", defaults_.name},
                        {"signature", std::string(Net::signature)},
                        {"data", d_.source},
                        {"dataset", dataset_name_},
                        {"train_samples", d_.train_set.size()},
                        {"validation_samples", d_.validation.size()},
                        {"optimizer", std::string(train::to_string(o.optimizer))},
                        {"loss", loss_flag<Loss>()},
                        {"init", std::string(train::to_string(o.init))},
                        {"bias_init", std::string(train::to_string(o.bias))},
                        {"lr", o.lr},
                        {"batch", o.batch},
                        {"epochs", o.epochs},
                        {"seed", o.seed},
                        {"standardize", s_.standardize},
                        {"history", history_json(history_)}};
    if (o.init == train::init_scheme::uniform || o.bias == train::bias_init::uniform)
      m["init_range"] = o.init_range;
    if (d_.standard)
      m["standardization"] = {{"mean", d_.standard->mean}, {"std", d_.standard->stddev}};
    // The model's contract, for `ctnn-export my.ckpt -o my_weights.hpp` (host_tools/export).
    if (!defaults_.model_header.empty()) m["model_header"] = defaults_.model_header;
    if (!defaults_.model_type.empty()) m["model_type"] = defaults_.model_type;
    if (const std::string ns = weights_namespace(defaults_); !ns.empty())
      m["weights_namespace"] = ns;
    m["input_scale"] = d_.transform.scale;
    if (d_.transform.divisor > 0) m["input_divisor"] = d_.transform.divisor;
    if (!d_.class_names.empty()) m["class_names"] = d_.class_names;
    if (test_accuracy_) m["test_accuracy"] = *test_accuracy_;
    if (s_.targets.target == "input") m["target"] = "input";
    if (!s_.targets.columns.empty()) m["target_columns"] = s_.targets.columns;
    if (s_.targets.normal_class) m["normal_class"] = *s_.targets.normal_class;
    return dump(m);
  }

  const trainer_defaults& defaults_;
  const cli_settings& s_;
  const train::options& o_;
  const run_data& d_;
  const train::trainer<Net, Loss>& engine_;
  const typename Net::parameters& params_;
  const std::vector<train::history_row>& history_;
  std::string out_;
  std::string dataset_name_;  ///< the exporter copies it into generated headers
  std::optional<double> test_accuracy_;
  train::checkpoint_data checkpoint_;
};

/// What the training loop measured.
struct training_summary {
  double train_seconds = 0;    ///< Σ of the epochs' training time
  std::size_t epochs_run = 0;  ///< epochs finished in this process
};

/// Trains epochs engine.epoch()..o.epochs−1 with progress on stderr, one history row and
/// one checkpoint per epoch (and after early stopping, or once if nothing is left to
/// train); nullopt after printing the divergence message (exit status 3).
template <class Net, class Loss>
std::optional<training_summary> train_with_checkpoints(const cli_settings& s,
                                                       const train::options& o, const run_data& d,
                                                       train::trainer<Net, Loss>& engine,
                                                       typename Net::parameters& params,
                                                       std::vector<train::history_row>& history,
                                                       checkpoint_writer<Net, Loss>& writer) {
  training_summary sum;
  const std::size_t first_epoch = engine.epoch();
  train::progress bar(o.epochs, d.train_set.size(), first_epoch);
  const std::size_t kill_after = kill_after_batches();
  std::size_t batches = 0;  // optimiser steps taken in this process
  bar.begin_epoch(first_epoch);
  auto on_batch = [&](const train::batch_progress& b) {
    bar.update(b.samples, b.loss, b.accuracy);
    ++batches;
    // --log-every N: a line every N steps; the epoch's last step gets the epoch line.
    if (s.log_every != 0 && b.batch < b.batches && batches % s.log_every == 0)
      bar.step_line(b.batch, b.batches, b.loss, b.accuracy);
    if (kill_after != 0 && batches >= kill_after) std::raise(SIGKILL);
  };
  // Per-epoch test figures (the report's and history's test curves): only when one of them
  // is written, and only at logged epochs, so full-batch runs of many iterations stay fast.
  const bool test_curves = d.have_test && (!s.report.empty() || !s.history.empty());
  const bool regression = s.targets.regression();
  auto on_epoch = [&](const train::epoch_record& r) {
    train::history_row row = r;  // the test figures are added below
    char extra[96] = "";
    if (regression)  // MSE is the loss; the MAE beside it, no accuracy
      std::snprintf(extra, sizeof extra, "mae %.4f", r.train_mae);
    if (r.has_validation) {
      if (regression) {
        std::snprintf(extra, sizeof extra, "mae %.4f  val_mse %.4f  val_mae %.4f", r.train_mae,
                      r.validation_loss, r.validation_mae);
      } else {
        std::snprintf(extra, sizeof extra, "val_loss %.4f  val_acc %.4f", r.validation_loss,
                      r.validation_accuracy);
      }
    }
    const bool logged = s.log_every == 0 || batches % s.log_every == 0 || r.epoch == o.epochs;
    if (test_curves && logged) {
      const train::eval_record t = engine.evaluate(params, d.test_set);
      row.test_loss = t.loss;
      row.test_accuracy = t.accuracy;
      if (regression) row.test_mae = t.mae;
    }
    history.push_back(row);
    sum.train_seconds += r.seconds;
    ++sum.epochs_run;
    if (logged) bar.end_epoch(r.train_loss, r.train_accuracy, extra, r.seconds);
    writer.save();  // a data_error propagates out of fit(): the run stops with exit status 2
    bar.begin_epoch(r.epoch);
    return true;
  };
  const train::fit_result fit = engine.fit(
      params, d.train_set, d.validation.size() ? &d.validation : nullptr, on_batch, on_epoch);
  if (fit.diverged) {
    const auto& r = fit.history.back();
    std::string kept = "no epoch finished, so no checkpoint was written";
    if (sum.epochs_run > 0)
      kept = writer.path() + " keeps the last good state (epoch " + std::to_string(engine.epoch()) +
             ")";
    else if (!s.resume.empty())
      kept = s.resume + " keeps the last good state (epoch " + std::to_string(engine.epoch()) + ")";
    std::fprintf(stderr,
                 "error: training diverged in epoch %zu (loss or parameters became NaN/Inf); %s; "
                 "try a smaller learning rate (e.g. --lr %g)\n",
                 r.epoch, kept.c_str(), o.lr / 10);
    return std::nullopt;
  }
  if (fit.stopped_early) {
    std::fprintf(stderr, "early stopping: best validation loss in epoch %zu (parameters kept)\n",
                 fit.best_epoch);
    writer.save();
  }
  if (engine.epoch() == first_epoch) writer.save();  // nothing left to train: still write --out
  return sum;
}

/// The set the final evaluation scored and what it measured.
struct scored_set {
  const train::dataset* set = nullptr;
  std::string kind;  ///< "test" (a separate test set) or "validation" (held out of training)
  train::eval_record ev;
  train::confusion_matrix cm;
};

/// The final evaluation of a regression run (float targets): MSE and MAE of the training
/// set's last epoch, and of the validation and test sets, each named after its set
/// (train_mse, validation_mae, test_mse, …); with --normal-class also each evaluated set's
/// reconstruction AUC (class K normal, the others abnormal) and the MSE of both parts. A
/// summary goes to stderr.
template <class Net, class Loss>
void evaluate_regression(const run_data& d, const train::trainer<Net, Loss>& engine,
                         const typename Net::parameters& params,
                         const std::vector<train::history_row>& history,
                         const target_settings& targets, nlohmann::json& result) {
  result.erase("train_accuracy");
  if (!history.empty()) {
    result["train_mse"] = history.back().train_loss;
    result["train_mae"] = history.back().train_mae;
  }
  auto evaluate = [&](const train::dataset& set) { return engine.evaluate(params, set); };
  for (const auto& [set, kind] : {std::pair{&d.validation, "validation"},
                                  std::pair{d.have_test ? &d.test_set : nullptr, "test"}}) {
    if (set == nullptr || set->size() == 0) continue;
    const regression_figures f = regression_scores_of(evaluate, *set, targets.normal_class);
    result[std::string(kind) + "_set"] = set->name;
    add_regression_json(result, kind, f);
    std::fprintf(stderr, "\n%s: MSE %.6f, MAE %.6f on %zu samples", set->name.c_str(), f.mse, f.mae,
                 f.samples);
    if (f.anomaly)
      std::fprintf(stderr,
                   "; reconstruction AUC %.4f (class %u normal: %zu samples, MSE %.6f; the "
                   "others: %zu, MSE %.6f)",
                   f.auc, unsigned(*targets.normal_class), f.normal, f.normal_mse, f.abnormal,
                   f.abnormal_mse);
    std::fprintf(stderr, "\n");
  }
  if (!d.have_test) result["test_mse"] = nullptr;  // a CSV alone has no test set
}

/// The result JSON's run and training fields, then the final evaluation: validation
/// accuracy, and on the test set (else the validation set) loss and accuracy into `result`,
/// the test accuracy into the checkpoint, and the confusion matrix and classification
/// report on stderr. Returns the scored set (nullopt if there is none, and for a regression
/// run: evaluate_regression).
template <class Net, class Loss>
std::optional<scored_set> evaluate_run(const trainer_defaults& defaults, const train::options& o,
                                       const run_data& d, train::trainer<Net, Loss>& engine,
                                       const typename Net::parameters& params,
                                       const std::vector<train::history_row>& history,
                                       const training_summary& sum,
                                       checkpoint_writer<Net, Loss>& writer, nlohmann::json& result,
                                       const target_settings& targets) {
  result = {{"program", defaults.name},
            {"signature", std::string(Net::signature)},
            {"data", d.source},
            {"epochs", engine.epoch()},
            {"epochs_run", sum.epochs_run},
            {"train_samples", d.train_set.size()},
            {"optimizer", std::string(train::to_string(o.optimizer))},
            {"loss", loss_flag<Loss>()},
            {"init", std::string(train::to_string(o.init))},
            {"lr", o.lr},
            {"batch", o.batch},
            {"threads", o.threads},
            {"seed", o.seed},
            {"checkpoint", writer.path()},
            {"parameters_crc32", crc32_of_bytes(writer.last().parameters)}};
  if (o.augment.active()) result["augment"] = train::to_string(o.augment);
  result["seconds_per_epoch"] = sum.epochs_run ? sum.train_seconds / double(sum.epochs_run) : 0.0;
  result["samples_per_second"] =
      sum.train_seconds > 0 ? double(sum.epochs_run * d.train_set.size()) / sum.train_seconds : 0.0;
  if (!history.empty()) {
    result["train_loss"] = history.back().train_loss;
    result["train_accuracy"] = history.back().train_accuracy;
  }
  if (targets.regression()) {
    evaluate_regression(d, engine, params, history, targets, result);
    return std::nullopt;
  }
  if (d.validation.size())
    result["validation_accuracy"] = engine.evaluate(params, d.validation).accuracy;
  const train::dataset* scored =
      d.have_test ? &d.test_set : (d.validation.size() ? &d.validation : nullptr);
  if (!scored) {
    result["test_accuracy"] = nullptr;  // Kaggle's train.csv alone has no labelled test set
    return std::nullopt;
  }
  const train::eval_record ev = engine.evaluate(params, *scored);
  // Named after the set: test_* for a separate test set, validation_* for the part held
  // out of the training data (then test_accuracy is null: there is no test set).
  const std::string kind = scored == &d.test_set ? "test" : "validation";
  result[kind + "_set"] = scored->name;
  result[kind + "_samples"] = ev.samples;
  result[kind + "_loss"] = ev.loss;
  result[kind + "_accuracy"] = ev.accuracy;
  if (scored != &d.test_set) result["test_accuracy"] = nullptr;
  if (scored == &d.test_set) {
    // Record it in the checkpoint too (same state, rewritten atomically).
    writer.set_test_accuracy(ev.accuracy);
    writer.save();
  }
  const train::confusion_matrix cm(class_count<Net>, ev.predicted, scored->y);
  std::fprintf(stderr, "\n%s: accuracy %.4f on %zu samples\n%s\n%s", scored->name.c_str(),
               ev.accuracy, ev.samples, cm.to_string().c_str(),
               train::classification_report(cm).to_string(scored->class_names).c_str());
  return scored_set{scored, kind, ev, cm};
}

/// --report FILE: the HTML report of the run (settings, curves, confusion matrix, samples,
/// a 2-input model's decision map) for the scored set.
template <class Net, class Loss>
void write_run_report(const trainer_defaults& defaults, const cli_settings& s,
                      const train::options& o, const run_data& d,
                      const train::trainer<Net, Loss>& engine,
                      const typename Net::parameters& params,
                      const std::vector<train::history_row>& history, const std::string& out,
                      const scored_set& sc) {
  const train::dataset* scored = sc.set;
  const train::eval_record& ev = sc.ev;
  const std::string& kind = sc.kind;
  train::report_data rd;
  rd.title = defaults.name + " on " + display_name(s, d.synthetic);
  // The set's name without local folders: "train.csv/validation", "fashion/t10k".
  rd.dataset =
      display_name(s, d.synthetic) + "/" + scored->name.substr(scored->name.rfind('/') + 1);
  rd.evaluated_set = kind;
  rd.model = std::string(Net::signature);
  auto number = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return std::string(text);
  };
  rd.settings = {
      {"data", s.data_dir.empty() && s.csv.empty() ? d.source : display_name(s, d.synthetic)},
      {"training samples", std::to_string(d.train_set.size())},
      {"validation samples", std::to_string(d.validation.size())},
      {"epochs", std::to_string(engine.epoch())},
      {"optimizer", std::string(train::to_string(o.optimizer))},
      {"loss", loss_flag<Loss>()},
      {"init",
       std::string(train::to_string(o.init)) + " / bias " + std::string(train::to_string(o.bias))},
      {"learning rate", number(o.lr)},
      {"batch", std::to_string(o.batch)},
      {"seed", std::to_string(o.seed)},
      {kind + " loss", number(ev.loss)},
      {"checkpoint", std::filesystem::path(out).filename().string()}};
  if (o.augment.active()) rd.settings.push_back({"augmentation", train::to_string(o.augment)});
  rd.class_names = scored->class_names;
  rd.history = history;
  rd.confusion = sc.cm;
  rd.test_accuracy = ev.accuracy;
  const auto side = static_cast<std::size_t>(std::lround(std::sqrt(double(Net::input_size))));
  if (side * side == Net::input_size && side >= 4) {  // square inputs are shown as images
    rd.misclassified = train::collect_misclassified(*scored, ev.predicted, side, side);
    if (scored->size() != 0) {
      train::sample_view v;
      v.set = kind;
      v.probabilities = probabilities<Net>(params, scored->sample(0));
      v.image.height = v.image.width = side;
      v.image.pixels.assign(scored->sample(0), scored->sample(0) + Net::input_size);
      const auto [lo_it, hi_it] = std::minmax_element(v.image.pixels.begin(), v.image.pixels.end());
      const float lo = *lo_it, hi = *hi_it;
      if (lo < 0.0f || hi > 1.0f)  // standardised: rescale for display
        for (float& x : v.image.pixels) x = hi > lo ? (x - lo) / (hi - lo) : 0.0f;
      v.image.truth = scored->y[0];
      v.image.predicted = ev.predicted[0];
      rd.sample = std::move(v);
    }
  }
  if constexpr (Net::input_size == 2) {
    rd.decision = decision_map_of<Net>(params, d.train_set);
    rd.decision->points_name = "training";
  }
  train::write_report(s.report, rd);
}

/// The run's other outputs after the evaluation: --csv-test predictions into --submission,
/// --history CSV, --export-int8 header; their names and figures go into `result`.
template <class Net, class Loss>
void write_exports(const trainer_defaults& defaults, const cli_settings& s, const run_data& d,
                   const train::trainer<Net, Loss>& engine, const typename Net::parameters& params,
                   const std::vector<train::history_row>& history, const std::string& out,
                   nlohmann::json& result) {
  if (!s.csv_test.empty()) {
    train::dataset unlabelled =
        read_csv_file(s.csv_test, s, class_count<Net>, true, Net::input_size);
    if (unlabelled.labelled()) unlabelled.y.clear();
    unlabelled.classes = 0;
    train::check_fits_model(unlabelled, Net::input_size, 0);
    d.transform.apply_scale(unlabelled);
    if (d.standard) d.standard->apply(unlabelled);
    train::write_submission(s.submission, engine.evaluate(params, unlabelled).predicted);
    result["submission"] = s.submission;
  }
  if (!s.history.empty())
    train::write_history_csv(s.history, history,
                             s.targets.regression() ? train::history_kind::regression
                                                    : train::history_kind::classification);
  if (!s.int8.out.empty()) result.update(export_int8_header<Net>(defaults, s, d, params, out));
}

/// A training run, step by step; throws data_error for unusable files, invalid_argument
/// for a bad command line; returns the exit status (3: diverged).
template <class Net, class Loss>
int run(const trainer_defaults& defaults, const cli_settings& s, train::options o) {
  const std::string out = check_run_files(defaults, s);
  const run_data d = load_data<Net>(defaults, s, o);

  train::trainer<Net, Loss> engine(o);
  auto params = std::make_unique<typename Net::parameters>();
  std::vector<train::history_row> history;
  engine.initialise(*params);
  if (!s.resume.empty()) {
    history = resume_run(engine, *params, s);
    if (!s.int8.out.empty()) {  // --resume CKPT --export-int8 FILE: export only, no training
      std::printf("%s\n",
                  export_int8_header<Net>(defaults, s, d, *params, s.resume).dump().c_str());
      return 0;
    }
  }

  checkpoint_writer<Net, Loss> writer(defaults, s, o, d, engine, *params, history, out);
  const std::optional<training_summary> sum =
      train_with_checkpoints(s, o, d, engine, *params, history, writer);
  if (!sum) return 3;

  nlohmann::json result;
  const std::optional<scored_set> scored =
      evaluate_run(defaults, o, d, engine, *params, history, *sum, writer, result, s.targets);
  if (scored && !s.report.empty()) {
    write_run_report(defaults, s, o, d, engine, *params, history, out, *scored);
    result["report"] = s.report;
  }
  write_exports(defaults, s, d, engine, *params, history, out, result);
  std::printf("%s\n", dump(result).c_str());
  return 0;
}

/// The input transform recorded in a checkpoint's metadata (input_scale, input_divisor,
/// standardization); data_error if it is missing or does not fit the model.
template <class Net>
train::input_transform transform_from_metadata(const std::string& metadata,
                                               const std::string& name) {
  const nlohmann::json m = nlohmann::json::parse(metadata, nullptr, false);
  train::input_transform t;
  if (!m.is_object() || !m.contains("input_scale") || !m["input_scale"].is_number())
    throw train::data_error(name,
                            "records no input transform (input_scale): it was not written by a "
                            "trainer of this version, so its inputs cannot be prepared");
  t.scale = m["input_scale"].get<float>();
  if (m.contains("input_divisor") && m["input_divisor"].is_number())
    t.divisor = m["input_divisor"].get<float>();
  if (!std::isfinite(t.scale) || !(t.divisor >= 0) || !std::isfinite(t.divisor))
    throw train::data_error(name, "metadata field 'input_scale' or 'input_divisor' is invalid");
  if (m.contains("standardization")) {
    t.mean = m["standardization"]["mean"].get<std::vector<float>>();
    t.stddev = m["standardization"]["std"].get<std::vector<float>>();
    if (t.mean.size() != Net::input_size || t.stddev.size() != Net::input_size)
      throw train::data_error(name, "metadata 'standardization' does not have " +
                                        std::to_string(Net::input_size) + " values per field");
    for (float v : t.stddev)
      if (!(v > 0)) throw train::data_error(name, "metadata 'standardization.std' holds 0");
  }
  return t;
}

/// A class name as a CSV header cell's text: characters that would break the CSV (the
/// delimiter, quotes, line breaks) become '_'.
inline std::string csv_name(std::string name) {
  for (char& c : name)
    if (c == ',' || c == '"' || c == '\n' || c == '\r' || c == ';' || c == '\t') c = '_';
  return name;
}

/// `--predict CKPT`: the predicted class and the class probabilities of every sample of
/// --csv FILE (labels optional) or of --data DIR's t10k test images (or one of them with
/// --index N), as CSV on stdout or into --out-predictions FILE (then one JSON line on
/// stdout), with the input transform the checkpoint records.
template <class Net>
int predict(const trainer_defaults& defaults, const cli_settings& s) {
  constexpr std::size_t classes = class_count<Net>;
  if (s.csv.empty() == s.data_dir.empty())
    throw std::invalid_argument("--predict needs exactly one of --csv FILE and --data DIR");
  if (!s.synthetic.empty() || !s.csv_test.empty() || !s.resume.empty())
    throw std::invalid_argument(
        "--predict reads --csv or --data only (not --synthetic, "
        "--csv-test or --resume)");
  std::vector<train::named_file> inputs, outputs;
  inputs.push_back({"--predict", s.predict});
  if (!s.data_dir.empty())
    for (const char* kind : {"-images-idx3-ubyte", "-labels-idx1-ubyte"})
      inputs.push_back({"--data", train::find_maybe_gz(s.data_dir, "t10k" + std::string(kind))});
  if (!s.csv.empty()) inputs.push_back({"--csv", s.csv});
  if (!s.out_predictions.empty()) {
    outputs.push_back({"--out-predictions", s.out_predictions});
    train::check_output(s.out_predictions);
  }
  train::check_distinct(inputs, outputs, {});

  const train::checkpoint_data c = train::read_checkpoint_for<Net>(s.predict);
  auto params = std::make_unique<typename Net::parameters>();
  std::memcpy(params->values.data(), c.parameters.data(), sizeof(params->values));
  train::input_transform transform = transform_from_metadata<Net>(c.metadata, s.predict);
  std::vector<std::string> names;
  if (const nlohmann::json m = nlohmann::json::parse(c.metadata, nullptr, false);
      m.is_object() && m.contains("class_names") && m["class_names"].is_array() &&
      m["class_names"].size() == classes)
    for (const auto& n : m["class_names"])
      names.push_back(n.is_string() ? n.get<std::string>() : "");
  if (const auto given = class_names_option(s.class_names, classes); !given.empty()) names = given;

  train::dataset d;
  if (!s.data_dir.empty()) {
    d = train::load_mnist_dir(s.data_dir, "t10k", classes);
  } else {
    d = read_csv_file(s.csv, s, classes, true, Net::input_size);
  }
  train::check_fits_model(d, Net::input_size, d.labelled() ? classes : 0);
  check_image_shape<Net>(d);
  if (s.index) {
    if (*s.index >= d.size())
      throw std::invalid_argument("--index " + std::to_string(*s.index) + ": " + d.name + " has " +
                                  std::to_string(d.size()) + " samples (0 to " +
                                  std::to_string(d.size() - 1) + ")");
    train::dataset one = d;
    one.x.assign(d.sample(*s.index), d.sample(*s.index) + d.features);
    if (d.labelled()) one.y = {d.y[*s.index]};
    d = std::move(one);
  }
  transform.apply_scale(d);
  if (transform.standardized()) {
    train::standardizer st;
    st.mean = transform.mean;
    st.stddev = transform.stddev;
    st.apply(d);
  }

  const std::size_t first = s.index ? *s.index : 0;
  std::string text = "index,predicted";
  if (d.labelled()) text += ",label";
  for (std::size_t k = 0; k < classes; ++k)
    text +=
        ",p_" + (k < names.size() && !names[k].empty() ? csv_name(names[k]) : std::to_string(k));
  text += '\n';
  std::size_t correct = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const std::vector<float> p = probabilities<Net>(*params, d.sample(i));
    std::uint32_t best = 0;
    if constexpr (Net::output_size == 1)
      best = p[1] >= 0.5f ? 1u : 0u;
    else
      for (std::uint32_t k = 1; k < p.size(); ++k)
        if (p[k] > p[best]) best = k;
    text += std::to_string(first + i) + ',' + std::to_string(best);
    if (d.labelled()) {
      text += ',' + std::to_string(d.y[i]);
      correct += d.y[i] == best;
    }
    for (float v : p) {
      char cell[32];
      std::snprintf(cell, sizeof cell, ",%.6g", double(v));
      text += cell;
    }
    text += '\n';
  }
  nlohmann::json result = {{"program", defaults.name},
                           {"checkpoint", s.predict},
                           {"data", s.csv.empty() ? s.data_dir : s.csv},
                           {"samples", d.size()}};
  if (d.labelled() && d.size() != 0) result["accuracy"] = double(correct) / double(d.size());
  if (s.out_predictions.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (d.labelled() && d.size() != 0)
      std::fprintf(stderr, "accuracy %.4f on %zu labelled samples\n",
                   double(correct) / double(d.size()), d.size());
  } else {
    train::write_file_atomically(s.out_predictions, text);
    result["predictions"] = s.out_predictions;
    std::printf("%s\n", dump(result).c_str());
  }
  return 0;
}

/// Trains with the loss --loss names (the model's natural loss by default); an impossible
/// pairing is a command-line error with a sentence.
template <class Net>
int run_with_loss(const trainer_defaults& defaults, const cli_settings& s,
                  const train::options& o) {
  using act = train::detail::output_activation<Net>;
  check_target_options(s.targets, !s.csv.empty(), Net::input_size, Net::output_size, s.loss);
  if (s.targets.regression()) {  // float targets train with the MSE, whatever the output
    if (!s.report.empty())
      throw std::invalid_argument(
          "--report draws a classifier's figures (confusion matrix, misclassified samples); "
          "a regression run has none: use --history and the JSON result");
    if (!s.csv_test.empty())
      throw std::invalid_argument("--csv-test predicts classes; a regression run has none");
    return run<Net, train::mean_squared_error>(defaults, s, o);
  }
  if (s.loss.empty()) return run<Net, train::default_loss<Net>>(defaults, s, o);
  if (s.loss == "mse") return run<Net, train::mean_squared_error>(defaults, s, o);
  const std::string refusal =
      "--loss " + s.loss + " needs " +
      (s.loss == "ce" ? "a softmax output layer" : "exactly one sigmoid output") +
      ", but this model ends in " + output_layer_text<Net>() + ": use --loss " +
      allowed_losses<Net>();
  if (s.loss == "ce") {
    if constexpr (std::is_same_v<act, softmax>)
      return run<Net, train::cross_entropy>(defaults, s, o);
  } else if (s.loss == "bce") {
    if constexpr (std::is_same_v<act, sigmoid> && Net::output_size == 1)
      return run<Net, train::binary_cross_entropy>(defaults, s, o);
  }
  throw std::invalid_argument(refusal);
}

/// A CLI11 check: the option's text is a finite number in the interval `lo`..`hi` (open at
/// an end if `lo_open`/`hi_open`). NaN, Inf and text are refused with the interval.
inline CLI::Validator real_in(double lo, double hi, bool lo_open = false, bool hi_open = false) {
  char text[96];
  std::snprintf(text, sizeof text, "%s%g, %g%s", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
  const std::string range = text;
  return CLI::Validator(
      [=](std::string& v) -> std::string {
        char* end = nullptr;
        const double x = std::strtod(v.c_str(), &end);
        const bool ok = end != v.c_str() && *end == '\0' && std::isfinite(x) && x >= lo &&
                        x <= hi && !(lo_open && x == lo) && !(hi_open && x == hi);
        return ok ? "" : "'" + train::printable(v, 40) + "' is not a finite number in " + range;
      },
      "in " + range);
}

/// A CLI11 check: the option's text is an integer in [lo, hi] (no sign, no fraction).
inline CLI::Validator count_in(std::uint64_t lo, std::uint64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [=](std::string& v) -> std::string {
        std::uint64_t x = 0;
        const auto [end, err] = std::from_chars(v.data(), v.data() + v.size(), x);
        const bool ok =
            !v.empty() && err == std::errc{} && end == v.data() + v.size() && x >= lo && x <= hi;
        return ok ? "" : "'" + train::printable(v, 40) + "' is not an integer in " + range;
      },
      "in " + range);
}

/// Most worker threads --threads accepts: more than a few per hardware thread only costs.
inline std::size_t max_threads() {
  return std::max<std::size_t>(8, 4 * std::size_t{std::thread::hardware_concurrency()});
}

/// Parses the command line into `o` and `s`, over the program's defaults; an exit status
/// when the program ends here: --help (0) or a bad command line (1, one line on stderr).
template <class Net>
std::optional<int> parse_command_line(int argc, char** argv, const trainer_defaults& defaults,
                                      train::options& o, cli_settings& s) {
  o.epochs = defaults.epochs;
  o.lr = defaults.lr;
  o.batch = defaults.batch;
  o.weight_decay = defaults.weight_decay;
  o.threads = std::max(1u, std::thread::hardware_concurrency());
  s.schedule = defaults.schedule;
  s.augment = defaults.augment;

  CLI::App app{"Trains " + std::string(Net::signature) +
               ".\nProgress on stderr; one JSON line with the results on stdout."};
  app.name(defaults.name);
  app.get_formatter()->column_width(34);
  auto* data = app.add_option_group("data");
  data->add_option("--data", s.data_dir,
                   "directory with the MNIST-named files train-images-idx3-ubyte, "
                   "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte "
                   "(each optionally .gz): MNIST or Fashion-MNIST");
  data->add_option("--csv", s.csv,
                   "CSV of numbers with an integer class label column (e.g. Kaggle's "
                   "digit-recognizer train.csv: label,pixel0..pixel783)");
  data->add_option(
      "--synthetic", s.synthetic,
      "synthetic 2-D set: moons, circles, xor, spirals" +
          (defaults.synthetic.empty() ? std::string() : " (default " + defaults.synthetic + ")"));
  app.add_option("--csv-test", s.csv_test,
                 "CSV to predict (same layout; the label column may be absent, e.g. Kaggle's "
                 "test.csv): write --submission");
  auto* csv = app.add_option_group("CSV layout");
  csv->add_option("--label-column", s.label_column,
                  "the label: a header name, a column number (from 1), auto (the column named "
                  "label) or none (no labels: the --csv-test file only)")
      ->capture_default_str();
  csv->add_option("--csv-header", s.csv_header,
                  "is the first line a header: yes, no or auto (yes if a cell is not a number)")
      ->capture_default_str()
      ->check(CLI::IsMember({"yes", "no", "auto"}));
  csv->add_option("--target-columns", s.targets.columns,
                  "regression: the float targets, comma-separated header names or column "
                  "numbers (from 1) in the order of the model's outputs; trained with the MSE");
  csv->add_option("--delimiter", s.delimiter, "cell separator: , ; or tab")
      ->capture_default_str()
      ->check(CLI::IsMember({",", ";", "tab"}));
  app.add_option("--scale", s.scale,
                 "multiply every raw input by X before training (default: ÷255 for IDX "
                 "images and a CSV whose first column is 'label', else 1); recorded in the "
                 "checkpoint and the exported headers")
      ->check(real_in(0, 1e30, true));
  auto* targets = app.add_option_group("float targets");
  targets
      ->add_option("--target", s.targets.target,
                   "what the outputs learn: label (the class) or input (an autoencoder: each "
                   "sample's own input, after --scale and --standardize; trained with the MSE)")
      ->capture_default_str()
      ->check(CLI::IsMember({"label", "input"}));
  targets
      ->add_option("--normal-class", s.targets.normal_class,
                   "anomaly detection (with float targets): train on class K only; every "
                   "evaluated set reports the ROC AUC of the reconstruction error, class K "
                   "normal against the others")
      ->check(detail::count_in(0, 1000000));
  app.add_option("--class-names", s.class_names,
                 "comma-separated names of the classes, in label order (for the report and "
                 "the exported headers)");
  app.add_option("--submission", s.submission, "ImageId,Label file for --csv-test")
      ->capture_default_str();
  app.add_option("--samples", s.samples, "synthetic: samples in the training and the test set")
      ->capture_default_str()
      ->check(count_in(1, 10000000));
  app.add_option("--noise", s.noise, "synthetic: standard deviation of the noise")
      ->capture_default_str()
      ->check(real_in(0, 10));
  app.add_flag("--standardize", s.standardize,
               "standardise each input with the training set's mean and std");
  app.add_option("--validation", s.validation,
                 "hold out N random training samples (seeded) for validation")
      ->capture_default_str()
      ->check(count_in(0, 1000000000));
  app.add_option("--limit-train", s.limit_train, "use only the first N training samples (0: all)")
      ->check(count_in(0, 1000000000));
  app.add_option("--limit-test", s.limit_test, "use only the first N test samples (0: all)")
      ->check(count_in(0, 1000000000));
  app.add_option("--epochs", o.epochs, "passes over the training set (gd: iterations)")
      ->capture_default_str()
      ->check(count_in(1, train::checkpoint_max_epochs));
  app.add_option("--batch", o.batch, "samples per step; 0 = full batch")
      ->capture_default_str()
      ->check(count_in(0, 100000000));
  app.add_option("--optimizer", s.optimizer, "gd, sgd, momentum or adam")
      ->capture_default_str()
      ->check(CLI::IsMember({"gd", "sgd", "momentum", "adam"}));
  app.add_option("--lr", o.lr, "learning rate")
      ->capture_default_str()
      ->check(real_in(0, 1e38, true));
  app.add_option("--momentum", o.momentum, "momentum coefficient")
      ->capture_default_str()
      ->check(real_in(0, 1, false, true));
  app.add_option("--weight-decay", o.weight_decay, "L2 weight decay (weights, not biases)")
      ->capture_default_str()
      ->check(real_in(0, 1));
  app.add_option("--schedule", s.schedule, "learning-rate schedule: none, step or cosine")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "step", "cosine"}));
  app.add_option("--augment", s.augment,
                 "random changes of every training image in every step: none, or a "
                 "comma-separated list of flip (mirror left-right, p = 1/2) and shiftN "
                 "(translate by up to N = 1..8 pixels each way, zero fill), e.g. flip,shift2")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) {
            return train::parse_augmentation(v)
                       ? std::string()
                       : "'" + train::printable(v, 60) +
                             "' is not none or a list of flip and shift1..shift8";
          },
          "LIST"));
  app.add_option("--step-size", o.step_size, "step schedule: epochs between decays")
      ->capture_default_str()
      ->check(count_in(1, train::checkpoint_max_epochs));
  app.add_option("--gamma", o.gamma, "step schedule: decay factor")
      ->capture_default_str()
      ->check(real_in(0, 1, true));
  app.add_option("--patience", o.patience,
                 "early stopping after N epochs without a better validation loss (0: off)")
      ->capture_default_str()
      ->check(count_in(0, train::checkpoint_max_epochs));
  app.add_option("--init", s.init,
                 "weights: small, xavier, xavier_normal, lecun, he or uniform (U(-A, A), A = "
                 "--init-range; biases too unless --bias-init is given)")
      ->capture_default_str()
      ->check(CLI::IsMember({"small", "xavier", "xavier_normal", "lecun", "he", "uniform"}));
  auto* bias_init =
      app.add_option("--bias-init", s.bias_init, "biases: zero, normal or uniform (U(-A, A))")
          ->capture_default_str()
          ->check(CLI::IsMember({"zero", "normal", "uniform"}));
  auto* init_range = app.add_option("--init-range", o.init_range,
                                    "A of --init uniform and --bias-init uniform: U(-A, A)")
                         ->capture_default_str()
                         ->check(real_in(0, 1e6, true));
  app.add_option("--loss", s.loss,
                 "ce, bce or mse; this model: " + allowed_losses<Net>() + " (default " +
                     loss_flag<train::default_loss<Net>>() + ")")
      ->check(CLI::IsMember({"ce", "bce", "mse"}));
  app.add_option("--log-every", s.log_every,
                 "a progress line every N optimiser steps (full batch: iterations) instead of "
                 "every epoch")
      ->check(count_in(1, 1000000000));
  app.add_option("--seed", o.seed, "seed of initialisation, shuffling and splits")
      ->capture_default_str()
      ->check(count_in(0, std::numeric_limits<std::uint64_t>::max()));
  app.add_option("--threads", o.threads, "worker threads (never changes the result)")
      ->capture_default_str()
      ->check(count_in(1, max_threads()));
  app.add_option("--out", s.out,
                 "checkpoint written after every epoch (default " + defaults.name + ".ckpt)");
  app.add_option("--resume", s.resume, "continue the run saved in this checkpoint");
  app.add_option("--history", s.history, "write the per-epoch history as CSV");
  auto* int8 = app.add_option_group("int8 export");
  int8->add_option("--export-int8", s.int8.out,
                   "after training (or with --resume CKPT instead of training) write the int8 "
                   "weights header: calibrated on the training data, compared on the test data");
  int8->add_option("--calibration-samples", s.int8.quantize.calibration_samples,
                   "--export-int8: training samples used to measure activation ranges")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  int8->add_option("--calibration-percentile", s.int8.quantize.percentile,
                   "--export-int8: clip activation ranges at this percentile (100: min/max)")
      ->capture_default_str()
      ->check(CLI::Range(50.0001, 100.0));
  int8->add_option(
      "--int8-namespace", s.int8.name_space,
      "--export-int8: namespace of the generated objects (default <type>_int8_weights)");
  int8->add_option("--model-header", s.int8.model_header,
                   "--export-int8: include path of the model header (default: from the build)");
  int8->add_option("--model-type", s.int8.model_type,
                   "--export-int8: the model's C++ type (default: from the build)");
  app.add_option("--report", s.report,
                 "write a self-contained HTML report (curves, confusion heat map, per-class "
                 "scores, misclassified samples, decision boundary of 2-input models)");
  auto* predict = app.add_option_group("prediction");
  predict->add_option("--predict", s.predict,
                      "no training: predict every sample of --csv FILE or of --data DIR's "
                      "t10k images with this checkpoint (its recorded input transform)");
  auto* index = predict->add_option("--index", s.index, "--predict: only sample N (from 0)")
                    ->check(count_in(0, 1000000000));
  auto* out_predictions =
      predict->add_option("--out-predictions", s.out_predictions,
                          "--predict: write the CSV (index,predicted[,label],p_<class>...) "
                          "here instead of stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::fprintf(stderr, "error: %s (see --help)\n", train::printable(e.what(), 300).c_str());
    return 1;
  }
  o.optimizer = *train::parse_optimizer(s.optimizer);
  o.schedule = *train::parse_schedule(s.schedule);
  o.augment = *train::parse_augmentation(s.augment);
  o.init = *train::parse_init(s.init);
  o.bias = *train::parse_bias_init(s.bias_init);
  if (o.init == train::init_scheme::uniform && bias_init->count() == 0)
    o.bias = train::bias_init::uniform;  // the notebooks' uniform(−A, A) for both
  s.init_range_given = init_range->count() != 0;
  s.bias_init_given = bias_init->count() != 0;
  s.index_given = index->count() != 0;
  s.out_predictions_given = out_predictions->count() != 0;
  return std::nullopt;
}

/// Runs what the command asks (--predict, else training) and maps every exception to one
/// line on stderr and the documented exit status (docs/hardening.md).
template <class Net>
int run_command(const trainer_defaults& defaults, const cli_settings& s, const train::options& o) {
  // Every exception maps to one line and a documented status (docs/hardening.md).
  auto fail = [](int status, const std::string& text) {
    std::fprintf(stderr, "error: %s\n", train::printable(text, 2048).c_str());
    return status;
  };
  try {
    if (s.init_range_given && o.init != train::init_scheme::uniform &&
        o.bias != train::bias_init::uniform)
      throw std::invalid_argument(
          "--init-range is the A of --init uniform and --bias-init "
          "uniform; it does nothing with --init " +
          s.init);
    if (s.predict.empty() && (s.index_given || s.out_predictions_given))
      throw std::invalid_argument("--index and --out-predictions go with --predict CKPT");
    if (!s.predict.empty()) return predict<Net>(defaults, s);
    return run_with_loss<Net>(defaults, s, o);
  } catch (const train::data_error& e) {
    return fail(2, e.what());
  } catch (const std::invalid_argument& e) {
    return fail(1, e.what());
  } catch (const std::bad_alloc&) {
    return fail(2, "out of memory (the data or an option asks for more than this machine has)");
  } catch (const std::length_error& e) {
    return fail(2, std::string("out of memory (size too large: ") + e.what() + ")");
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(2, e.path1().string() + ": " + e.code().message());
  } catch (const std::system_error& e) {
    return fail(2, std::string("system error: ") + e.what());
  } catch (const nlohmann::json::exception& e) {
    return fail(2, std::string("JSON: ") + e.what());
  } catch (const std::exception& e) {
    return fail(2, e.what());
  }
}

}  // namespace detail

/// Parses the command line and trains `Net`; returns the process exit status.
template <class Net>
int trainer_main(int argc, char** argv, const trainer_defaults& defaults) {
  train::options o;
  detail::cli_settings s;
  // Beyond RLIMIT_FSIZE a write must fail with EFBIG (reported, old files kept), not kill.
  std::signal(SIGXFSZ, SIG_IGN);
  if (const std::optional<int> status = detail::parse_command_line<Net>(argc, argv, defaults, o, s))
    return *status;
  return detail::run_command<Net>(defaults, s, o);
}

}  // namespace ctnn::tools
