// SPDX-License-Identifier: MIT
// ctnn-export: checkpoint → C++ header of constexpr weights bound to the model type.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/io/export.hpp"

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
      ->required();
  app.add_option("--namespace", opt.name_space, "namespace of the generated objects")->required();
  app.add_option("--dataset", opt.dataset, "data set name (default: from the checkpoint)");
  CLI11_PARSE(app, argc, argv);

  try {
    const ctnn::train::checkpoint_data c = ctnn::train::read_checkpoint(checkpoint);
    opt.source_name = std::filesystem::path(checkpoint).filename().string();
    if (!c.metadata.empty()) {
      // Metadata is informative: a checkpoint without it still exports.
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
    std::fprintf(stderr, "ctnn-export: wrote %s (%zu parameters, %s)\n", out.c_str(),
                 c.parameters.size() / c.scalar_bytes, c.signature.c_str());
  } catch (const ctnn::train::data_error& e) {
    std::fprintf(stderr, "ctnn-export: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctnn-export: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
