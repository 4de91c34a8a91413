// SPDX-License-Identifier: MIT
// ctnn-to-onnx: a float ctnn checkpoint (from a trainer, or ctnn-import --checkpoint) →
// an ONNX model computing the same function (onnx_writer.hpp; docs/import.md, "The other
// way"). Exit status as the other host tools: 0 success, 1 bad command line, 2 unusable
// input or output file or a network without an ONNX form here; one line
// "ctnn-to-onnx: error: ..." on failure.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/io/file_checks.hpp"
#include "onnx_writer.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ctnn-to-onnx: writes a float ctnn checkpoint as an ONNX model (docs/import.md)"};
  std::string checkpoint, out;
  app.add_option("checkpoint", checkpoint, "the ctnn checkpoint (.ckpt)")->required();
  app.add_option("-o,--out", out, "the .onnx file to write")->required();
  std::signal(SIGXFSZ, SIG_IGN);
  const auto fail = [](int status, const std::string& text) {
    std::fprintf(stderr, "ctnn-to-onnx: error: %s\n", ctnn::train::printable(text, 2048).c_str());
    return status;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return fail(1, std::string(e.what()) + " (see --help)");
  }
  try {
    ctnn::train::check_output(out);
    ctnn::train::check_distinct({{"checkpoint", checkpoint}}, {{"-o", out}});
    const ctnn::train::checkpoint_data c = ctnn::train::read_checkpoint(checkpoint);
    const std::string bytes = ctnn::import::onnx_of_checkpoint(c, checkpoint);
    ctnn::train::write_file_atomically(out, bytes);
    std::fprintf(stderr, "ctnn-to-onnx: wrote %s (%zu parameters, %s)\n",
                 ctnn::train::printable(out).c_str(), c.parameters.size() / 4,
                 ctnn::train::printable(c.signature).c_str());
  } catch (const std::bad_alloc&) {
    return fail(2, "out of memory");
  } catch (const std::exception& e) {
    return fail(2, e.what());
  }
  return 0;
}
