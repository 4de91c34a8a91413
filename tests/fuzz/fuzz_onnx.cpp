// SPDX-License-Identifier: MIT
// libFuzzer target: ctnn-import on an untrusted .onnx file (host_tools/import): read_onnx,
// lower, and what the tool then makes of the model (both headers and the checkpoint). The
// input is the file as is. The only allowed failure is data_error; an accepted model must
// give non-empty headers and a checkpoint with its signature, float parameters and
// optimiser state of the same size.
#include <cstddef>
#include <cstdint>
#include <string>

#include "emit.hpp"
#include "fuzz_support.hpp"
#include "lower.hpp"
#include "onnx_graph.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ctnn_fuzz::memory_file file("fuzz-onnx");
  const std::string& path = file.hold(data, size);
  ctnn_fuzz::expect_only_data_error([&] {
    const ctnn::import::graph g = ctnn::import::read_onnx(path);
    const ctnn::import::model m = ctnn::import::lower(g);
    ctnn::import::emit_options opt;
    opt.type_name = "fuzz::model";
    opt.source_name = "fuzz.onnx";
    opt.producer = g.producer;
    const std::string weights = ctnn::import::weights_header(m, opt, "model.hpp", "fuzz::weights");
    const std::string header = ctnn::import::model_header(m, opt);
    ctnn_fuzz::require(!weights.empty() && !header.empty(), "import: an empty header");
    const ctnn::train::checkpoint_data c =
        ctnn::import::checkpoint_of(m, opt, "model.hpp", "fuzz::weights");
    ctnn_fuzz::require(c.signature == ctnn::import::signature(m, opt.mode) &&
                           c.scalar_bytes == sizeof(float) &&
                           c.parameters.size() % sizeof(float) == 0 &&
                           c.optimizer_state.size() == c.optimizer_slots * c.parameters.size(),
                       "import: the checkpoint does not describe the model");
  });
  return 0;
}
