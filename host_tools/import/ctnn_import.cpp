// SPDX-License-Identifier: MIT
// ctnn-import: an ONNX model (e.g. from torch.onnx.export) → a ctnn model header (the
// architecture as a ctnn::network type) and a weights header in ctnn-export's format.
// Exit status as the other host tools: 0 success, 1 bad command line, 2 unusable input or
// output file, or a model ctnn cannot express; one line "ctnn-import: error: ..." on
// failure (docs/hardening.md, docs/import.md).
#include <google/protobuf/stubs/logging.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <regex>
#include <string>

#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/io/file_checks.hpp"
#include "emit.hpp"
#include "int8.hpp"
#include "lower.hpp"
#include "onnx_graph.hpp"

namespace {

int fail(int status, const std::string& text) {
  std::fprintf(stderr, "ctnn-import: error: %s\n", ctnn::train::printable(text, 2048).c_str());
  return status;
}

/// A qualified C++ name (`a::b::c`), so nothing else can be injected into the headers.
CLI::Validator qualified_name() {
  const std::regex name(R"([A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*)");
  return CLI::Validator(
      [name](std::string& v) -> std::string {
        return v.size() <= 200 && std::regex_match(v, name)
                   ? ""
                   : "'" + ctnn::train::printable(v, 40) + "' is not a C++ name like my::net";
      },
      "C++ name");
}

/// models::<file stem as an identifier>.
std::string default_name(const std::filesystem::path& model) {
  std::string stem = model.stem().string().substr(0, 64);
  for (char& ch : stem)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') ch = '_';
  if (stem.empty() || std::isdigit(static_cast<unsigned char>(stem[0]))) stem = "net_" + stem;
  return "models::" + stem;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ctnn-import: writes a ctnn model header and weights header from an ONNX model "
      "(docs/import.md)"};
  std::string model_path, out_dir, name, mode = "fused";
  app.add_option("model", model_path, "the .onnx file (e.g. from torch.onnx.export)")->required();
  app.add_option("-o,--out", out_dir, "directory for <name>.hpp and <name>_weights.hpp")
      ->required();
  app.add_option("--name", name,
                 "the model type, qualified (default: models::<file name without .onnx>); "
                 "the weights go to namespace <name>_weights")
      ->check(qualified_name());
  app.add_option("--mode", mode, "ctnn's numeric mode (include/ctnn/numerics.hpp)")
      ->check(CLI::IsMember({"fused", "unfused"}));
  std::string checkpoint;
  app.add_option("--checkpoint", checkpoint,
                 "also write the weights as a ctnn checkpoint (a trainer for the model can "
                 "--resume it: fine-tune, or --export-int8)");
  bool int8 = false;
  ctnn::import::int8_options q;
  auto* int8_group = app.add_option_group("int8 (docs/import.md)");
  int8_group->add_flag("--int8", int8,
                       "also write <name>_int8_weights.hpp, calibrated by ctnn's --export-int8 "
                       "code (needs --calibration-data and a C++20 compiler)");
  int8_group->add_option("--calibration-data", q.calibration_data,
                         "--int8: an IDX directory (train-* calibrates, t10k-* is scored; "
                         "pixels / 255) or a CSV file, in the model's input space");
  int8_group
      ->add_option("--calibration-samples", q.calibration_samples,
                   "--int8: samples used to measure activation ranges")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  int8_group
      ->add_option("--calibration-percentile", q.percentile,
                   "--int8: clip activation ranges at this percentile (100: min/max)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            double p = 0;
            return CLI::detail::lexical_cast(v, p) && p > 50.0 && p <= 100.0
                       ? ""
                       : "must be in (50, 100], not '" + ctnn::train::printable(v, 40) + "'";
          },
          "in (50, 100]"))
      ->capture_default_str();
  int8_group
      ->add_option("--int8-namespace", q.name_space,
                   "--int8: namespace of the int8 objects (default <name>_int8_weights)")
      ->check(qualified_name());
  int8_group->add_option(
      "--cxx", q.cxx, "--int8: the C++20 compiler (default: the one ctnn-import was built with)");
  std::signal(SIGXFSZ, SIG_IGN);             // beyond RLIMIT_FSIZE: an EFBIG error, not death
  google::protobuf::SetLogHandler(nullptr);  // errors are our one line, never protobuf's log
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return fail(1, std::string(e.what()) + " (see --help)");
  }
  if (name.empty()) name = default_name(model_path);
  if (int8 != !q.calibration_data.empty())
    return fail(1, int8 ? "--int8 needs --calibration-data (see --help)"
                        : "--calibration-data is an --int8 option (see --help)");
  if (q.name_space.empty()) q.name_space = name + "_int8_weights";
  const auto split = name.rfind("::");
  const std::string type = split == std::string::npos ? name : name.substr(split + 2);

  try {
    namespace fs = std::filesystem;
    const fs::path dir(out_dir);
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
      throw ctnn::train::data_error(out_dir, "is not a directory");
    const fs::path model_out = dir / (type + ".hpp");
    const fs::path weights_out = dir / (type + "_weights.hpp");
    const fs::path int8_out = dir / (type + "_int8_weights.hpp");

    const ctnn::import::graph g = ctnn::import::read_onnx(model_path);
    const ctnn::import::model m = ctnn::import::lower(g);

    fs::create_directories(dir);
    ctnn::train::check_output(model_out);
    ctnn::train::check_output(weights_out);
    if (!checkpoint.empty()) ctnn::train::check_output(checkpoint);
    if (int8) {
      ctnn::train::check_output(int8_out);
      if (!fs::exists(q.calibration_data, ec))
        throw ctnn::train::data_error(q.calibration_data, "no such file or directory");
    }
    std::vector<ctnn::train::named_file> inputs{{"model", model_path}};
    if (int8) inputs.push_back({"--calibration-data", q.calibration_data});
    std::vector<ctnn::train::named_file> outputs{{"-o (model header)", model_out},
                                                 {"-o (weights)", weights_out}};
    if (int8) outputs.push_back({"-o (int8 weights)", int8_out});
    if (!checkpoint.empty()) outputs.push_back({"--checkpoint", checkpoint});
    ctnn::train::check_distinct(inputs, outputs);
    ctnn::import::emit_options opt;
    opt.type_name = name;
    opt.source_name = fs::path(model_path).filename().string();
    opt.producer = g.producer + ", opset " + std::to_string(g.opset);
    opt.mode = mode;
    const std::string weights_text =
        ctnn::import::weights_header(m, opt, type + ".hpp", name + "_weights");
    const std::string model_text = ctnn::import::model_header(m, opt);
    ctnn::import::int8_result quantized;
    q.shown_as = int8_out.string();
    q.folded = ctnn::import::has_batch_norm(m);  // ctnn-export then writes trained_weights
    if (int8)  // before anything is written: a failed calibration leaves no file behind
      quantized =
          ctnn::import::quantize_imported(name, type + ".hpp", model_text, type + "_weights.hpp",
                                          weights_text, name + "_weights", opt.source_name, q);
    // Weights first: a model header never exists without its current weights beside it.
    ctnn::train::write_file_atomically(weights_out, weights_text);
    if (int8) ctnn::train::write_file_atomically(int8_out, quantized.header);
    if (!checkpoint.empty())
      ctnn::train::write_checkpoint(
          checkpoint, ctnn::import::checkpoint_of(m, opt, type + ".hpp", name + "_weights"));
    ctnn::train::write_file_atomically(model_out, model_text);
    std::fprintf(stderr, "ctnn-import: wrote %s and %s (%zu parameters, %s)\n",
                 ctnn::train::printable(model_out.string()).c_str(),
                 ctnn::train::printable(weights_out.string()).c_str(), m.parameter_count(),
                 ctnn::import::signature(m, mode).c_str());
    if (int8)
      std::fprintf(stderr, "ctnn-import: %s\n", ctnn::train::printable(quantized.summary).c_str());
  } catch (const ctnn::train::data_error& e) {
    return fail(2, e.what());
  } catch (const std::bad_alloc&) {
    return fail(2, "out of memory");
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(2, e.path1().string() + ": " + e.code().message());
  } catch (const std::exception& e) {
    return fail(2, e.what());
  }
  return 0;
}
