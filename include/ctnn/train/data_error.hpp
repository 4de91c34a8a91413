// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The one exception the host readers and writers throw for bad input. Host only.
#include <stdexcept>
#include <string>
#include <string_view>

namespace ctnn::train {

/// A file (or option) the user gave cannot be used. `what()` is one line, "<file>:
/// <problem>", fit to print as is; host tools print it and exit with status 2.
struct data_error : std::runtime_error {
  using std::runtime_error::runtime_error;
  data_error(std::string_view file, std::string_view problem)
      : std::runtime_error(std::string(file) + ": " + std::string(problem)) {}
};

}  // namespace ctnn::train
