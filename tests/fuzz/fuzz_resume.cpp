// SPDX-License-Identifier: MIT
// libFuzzer target: the whole resume path of the trainers' --resume (include/ctnn/train/io/
// resume.hpp): decode_checkpoint, validate, restore a trainer, then train one more epoch.
// Input: one selector byte, then the file image; with bit 0 set the harness first writes
// the true size and a correct CRC-32, so mutations reach the content checks (the point:
// a valid CRC vouches for nothing). Properties: only data_error escapes; a restored engine
// saves back exactly the state it was given; the epoch after it finishes or reports
// divergence (never crashes, hangs or trips a sanitizer).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "ctnn/train/io/resume.hpp"
#include "ctnn/train/trainer.hpp"
#include "fuzz_support.hpp"

namespace {

// The network of the seed checkpoints (make_seeds.py): "...|in(1x1x2)|dense(1,sigmoid)".
using net = ctnn::network<float, ctnn::input<2>, ctnn::dense<1, ctnn::sigmoid>>;

ctnn::train::dataset four_samples() {
  ctnn::train::dataset d;
  d.name = "fuzz/train";
  d.features = 2;
  d.classes = 2;
  d.x = {0.f, 0.f, 1.f, 0.f, 0.f, 1.f, 1.f, 1.f};
  d.y = {0, 1, 1, 0};
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool fix_up = data[0] & 1;
  std::vector<unsigned char> bytes(data + 1, data + size);
  if (fix_up && bytes.size() >= ctnn::train::checkpoint_header_bytes + 4) {
    const std::uint64_t n = bytes.size();
    for (std::size_t i = 0; i < 8; ++i) bytes[16 + i] = static_cast<unsigned char>(n >> (8 * i));
    const std::uint32_t crc = ctnn::train::detail::crc32_of(bytes.data(), bytes.size() - 4);
    for (std::size_t i = 0; i < 4; ++i)
      bytes[bytes.size() - 4 + i] = static_cast<unsigned char>(crc >> (8 * i));
  }
  ctnn_fuzz::expect_only_data_error([&] {
    const ctnn::train::checkpoint_data c =
        ctnn::train::decode_checkpoint(bytes.data(), bytes.size(), "fuzz.ckpt");
    ctnn::train::options o;
    // The engine runs the checkpoint's optimiser, so every kind can be restored.
    o.optimizer = c.optimizer <= 3 ? static_cast<ctnn::train::optimizer_kind>(c.optimizer)
                                   : ctnn::train::optimizer_kind::adam;
    o.threads = 1;
    o.batch = 2;
    o.epochs = static_cast<std::size_t>(c.epoch) + 1;  // exactly one more epoch
    ctnn::train::trainer<net> engine(o);
    net::parameters p{};
    engine.initialise(p);
    ctnn::train::restore_checkpoint(engine, p, c, "fuzz.ckpt");

    ctnn::train::checkpoint_data again;
    engine.save(p, again);
    ctnn_fuzz::require(again.parameters == c.parameters &&
                           again.optimizer_state == c.optimizer_state && again.epoch == c.epoch &&
                           again.step == c.step && again.rng == c.rng,
                       "a restored engine does not save back the checkpoint's state");
    const ctnn::train::dataset d = four_samples();
    const ctnn::train::fit_result r = engine.fit(p, d, nullptr, {}, {});
    ctnn_fuzz::require(r.diverged || engine.epoch() == c.epoch + 1,
                       "the epoch after a resume neither finished nor diverged");
  });
  return 0;
}
