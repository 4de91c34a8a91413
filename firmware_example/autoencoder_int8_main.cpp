// SPDX-License-Identifier: MIT
// The firmware for ctnn::quantized<models::autoencoder> (int8): anomaly detection by
// reconstruction error, trained on Fashion-MNIST class 1 (Trouser) as "normal" (docs/
// training.md, "Regression and autoencoders"). Per embedded test image it prints the
// verdict (1: abnormal, when the error exceeds the threshold), the truth (1: not a trouser),
// the reconstruction error and the CRC-32 of the 784 output bytes; the lines have the shape
// of src/run_model.hpp's, so tests/firmware's host-vs-QEMU diff and instruction count apply.
//
// The error is integer only, so host and Cortex-M agree bit for bit: the sum over the
// outputs of (y − t)², y the int8 output and t the prepared input quantised with the
// output's scale and zero point (computed at compile time, in flash).
#include "src/run_model.hpp"
#include "weights/autoencoder_int8_weights.hpp"

namespace {

namespace w = models::autoencoder_int8_weights;
using model = fw::model_t<w::weights>;
using net = fw::network_t<w::weights>;

constexpr std::uint8_t normal_class = 1;
/// Errors above this are abnormal: the 95th percentile of these int8 errors over the 6,000
/// Fashion-MNIST training images of class 1 with the committed weights (median 86,487; the
/// other classes' 5th percentile is 213,071, their median 790,843). Re-measure it when the
/// weights are re-exported (docs/training.md).
constexpr std::uint32_t threshold = 278046;

/// Each test image's reconstruction target in the output's int8 quantisation.
constexpr std::array<std::array<std::int8_t, net::output_size>, fw::test_images::count> targets =
    [] {
      std::array<std::array<std::int8_t, net::output_size>, fw::test_images::count> all{};
      const float s = w::weights.scales[net::layer_count];
      const std::int32_t z = w::weights.zero_points[net::layer_count];
      for (std::size_t i = 0; i < fw::test_images::count; ++i) {
        std::array<float, net::input_size> raw{};
        for (std::size_t k = 0; k < net::input_size; ++k)
          raw[k] = float(fw::test_images::pixels[i][k]);
        const auto x = w::prepare(raw);
        for (std::size_t k = 0; k < net::output_size; ++k) {
          const float v = x[k] / s;
          const auto r = static_cast<std::int32_t>(v >= 0 ? v + 0.5f : v - 0.5f) + z;
          all[i][k] = static_cast<std::int8_t>(r < -128 ? -128 : r > 127 ? 127 : r);
        }
      }
      return all;
    }();

}  // namespace

int fw::run() noexcept {
  const auto& x = fw::inputs<w::weights, w::prepare>;
  constexpr std::uint32_t macs = fw::detail::macs<net>();
  bool ok = true;
  line text;
  write("ctnn firmware example: model autoencoder_int8\n");
  // The signature is longer than one line's capacity: written in pieces.
  write("signature: ");
  std::size_t used = 0;
  text.clear();
  for (const char c : model::signature) {
    text << c;
    if (++used == line::capacity - 1) {
      write(text.c_str());
      text.clear();
      used = 0;
    }
  }
  write((text << '\n').c_str());
  const std::uint32_t crc = ctnn::crc32(w::weights);
  text.clear() << "parameters: ";
  text.dec(net::parameter_count) << " (int8: ";
  text.dec(sizeof(w::weights)) << " bytes), crc32 ";
  text.hex8(crc) << (crc == w::crc32 ? " ok\n" : " MISMATCH\n");
  write(text.c_str());
  ok = ok && crc == w::crc32;
  text.clear() << "activation_bytes: ";
  write((text.dec(model::activation_bytes) << '\n').c_str());
  text.clear() << "normal class: ";
  text.dec(normal_class) << ", threshold ";
  write((text.dec(threshold) << '\n').c_str());

  static typename model::output y;  // in .bss (784 bytes), not on the stack
  std::uint32_t correct = 0, instructions = 0;
  for (std::size_t i = 0; i < fw::test_images::count; ++i) {
    counter_start();
    fw_bench_begin();
    fw::infer<w::weights>(x[i], y);
    fw_bench_end();
    instructions += counter_elapsed();

    std::uint32_t error = 0;
    for (std::size_t k = 0; k < net::output_size; ++k) {
      const std::int32_t d = std::int32_t{y[k]} - std::int32_t{targets[i][k]};
      error += static_cast<std::uint32_t>(d * d);
    }
    const std::uint32_t abnormal = error > threshold ? 1u : 0u;
    const std::uint32_t truth = fw::test_images::labels[i] != normal_class ? 1u : 0u;
    correct += abnormal == truth ? 1u : 0u;
    text.clear() << "image ";
    text.dec(static_cast<std::uint32_t>(i)) << ": predicted ";
    text.dec(abnormal) << " true ";
    text.dec(truth) << " output ";
    text.hex8(error) << ' ';
    write((text.hex8(ctnn::crc32(y)) << '\n').c_str());
  }
  text.clear() << "accuracy: ";
  text.dec(correct) << '/';
  write((text.dec(fw::test_images::count) << '\n').c_str());
  text.clear() << "instructions per inference: ";
  if (counter_available()) {
    constexpr auto images = static_cast<std::uint32_t>(fw::test_images::count);
    const std::uint32_t per_inference = (instructions + images / 2) / images;
    text.dec(per_inference) << " (";
    text.centi((per_inference * 100u + macs / 2) / macs) << " per multiply-accumulate, ";
    text.dec(macs) << " MACs)\n";
  } else {
    text << "n/a\n";
  }
  write(text.c_str());
  write(ok ? "checks: ok\n" : "checks: FAILED\n");
  return ok ? 0 : 1;
}
