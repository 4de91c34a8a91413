// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// `ctnn-import --int8`: the quantized weights header of an imported model, made by ctnn's
/// own --export-int8 code. ctnn's calibration runs the float network as a compiled type,
/// which the importer knows only at run time; so it writes the model and float weights
/// headers into a private temporary directory, compiles a three-line program (the
/// headers + calibrate_main.hpp) with the compiler and ctnn headers it was built with, runs
/// it on the calibration data and returns the header it wrote (docs/import.md, "int8").
#include <cstddef>
#include <string>

namespace ctnn::import {

struct int8_options {
  std::string calibration_data;            ///< IDX directory or CSV file
  std::size_t calibration_samples = 1000;  ///< as the trainers' --calibration-samples
  double percentile = 100.0;               ///< as the trainers' --calibration-percentile
  std::string name_space;                  ///< namespace of the int8 objects
  std::string cxx;       ///< compiler; default: the one ctnn-import was built with
  bool folded = false;   ///< the model has batch_norm layers: its float weights are trained_weights
  std::string shown_as;  ///< the header's final path, for the summary line
};

/// What the calibration program produced.
struct int8_result {
  std::string header;   ///< the int8 weights header's text
  std::string summary;  ///< its one-line report (accuracies, agreement), for stderr
};

/// Compiles and runs the calibration program for the model `type_name` (qualified) whose
/// model header `model_file` and float weights header `weights_file` are given as text.
/// Throws ctnn::train::data_error with one line for every failure (compiler missing or
/// failing, bad calibration data).
int8_result quantize_imported(const std::string& type_name, const std::string& model_file,
                              const std::string& model_text, const std::string& weights_file,
                              const std::string& weights_text, const std::string& weights_namespace,
                              const std::string& source_name, const int8_options& o);

}  // namespace ctnn::import
