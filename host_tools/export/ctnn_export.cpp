// SPDX-License-Identifier: MIT
// ctnn-export: checkpoint → C++ header of constexpr weights bound to the model type.
// Exit status as the trainers: 0 success, 1 bad command line, 2 unusable input or output
// file; one line "ctnn-export: error: ..." on failure (docs/hardening.md).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <system_error>

#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/io/export.hpp"
#include "ctnn/train/io/file_checks.hpp"

namespace {

int fail(int status, const std::string& text) {
  std::fprintf(stderr, "ctnn-export: error: %s\n", ctnn::train::printable(text, 2048).c_str());
  return status;
}

/// A CLI11 check: the text is a C++ name, qualified with `::` and (for types) with
/// template arguments, so nothing else can be injected into the generated header.
CLI::Validator cxx_name(bool allow_template_arguments) {
  const std::regex name(allow_template_arguments
                            ? R"((::)?[A-Za-z_][A-Za-z0-9_:<>, ]*)"
                            : R"([A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*)");
  return CLI::Validator(
      [name](std::string& v) -> std::string {
        return v.size() <= 512 && std::regex_match(v, name)
                   ? ""
                   : "'" + ctnn::train::printable(v, 40) + "' is not a C++ name";
      },
      "C++ name");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ctnn-export: writes a C++ header of constexpr weights from a ctnn checkpoint"};
  std::string checkpoint, out;
  ctnn::train::export_options opt;
  app.add_option("checkpoint", checkpoint, "checkpoint written by a ctnn trainer")->required();
  app.add_option("-o,--out", out, "header to write")->required();
  app.add_option("--model-header", opt.model_header,
                 "include path of the header declaring the model type")
      ->required();
  app.add_option("--model-type", opt.model_type, "the model type, e.g. ctnn_models::mlp")
      ->required()
      ->check(cxx_name(true));
  app.add_option("--namespace", opt.name_space, "namespace of the generated objects")
      ->required()
      ->check(cxx_name(false));
  app.add_option("--dataset", opt.dataset, "data set name (default: from the checkpoint)");
  std::signal(SIGXFSZ, SIG_IGN);  // beyond RLIMIT_FSIZE: an EFBIG error, not death
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return fail(1, std::string(e.what()) + " (see --help)");
  }

  try {
    const ctnn::train::checkpoint_data c = ctnn::train::read_checkpoint(checkpoint);
    ctnn::train::check_output(out);
    ctnn::train::check_distinct({{"checkpoint", checkpoint}}, {{"-o", out}});
    opt.source_name = std::filesystem::path(checkpoint).filename().string();
    if (!c.metadata.empty()) {
      // Metadata is informative (and validated by read_checkpoint): a checkpoint without
      // it still exports.
      const auto meta = nlohmann::json::parse(c.metadata, nullptr, /*allow_exceptions=*/false);
      if (meta.is_object()) {
        if (opt.dataset.empty() && meta.contains("dataset") && meta["dataset"].is_string())
          opt.dataset = meta["dataset"].get<std::string>();
        if (meta.contains("test_accuracy") && meta["test_accuracy"].is_number())
          opt.test_accuracy = meta["test_accuracy"].get<double>();
      }
    }
    // Atomic: a failed export never leaves a half-written header for the firmware build.
    ctnn::train::write_file_atomically(out, ctnn::train::export_header(c, opt));
    std::fprintf(stderr, "ctnn-export: wrote %s (%zu parameters, %s)\n",
                 ctnn::train::printable(out).c_str(), c.parameters.size() / c.scalar_bytes,
                 ctnn::train::printable(c.signature).c_str());
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
