// SPDX-License-Identifier: MIT
// The firmware example's program, identical on the host and on the Cortex-M4: classify the
// embedded test images, print each prediction and the output's bits, the accuracy and the
// instructions per inference, and exit 0 only if the firmware's own checks pass.
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ctnn/crc32.hpp"
#include "data/test_images.hpp"
#include "src/model.hpp"
#include "src/platform.hpp"
#include "src/text.hpp"

#ifdef CTNN_FW_HEAP_PROBE
#include <memory>
#endif

// Marker functions around each inference, for exact instruction counts with a QEMU
// plugin (see docs/firmware.md). Empty, but never inlined or merged.
extern "C" [[gnu::noinline]] void fw_bench_begin() noexcept {
  asm volatile("" ::: "memory");
}
extern "C" [[gnu::noinline]] void fw_bench_end() noexcept {
  asm volatile("" ::: "memory");
}

namespace fw {
namespace {

/// The test images as network inputs (pixel / 255.0f), computed at compile time so they
/// live in flash: the forward pass reads its input in place and needs no RAM for it.
constexpr std::array<net::input, test_images::count> inputs = [] {
  std::array<net::input, test_images::count> all{};
  for (std::size_t i = 0; i < test_images::count; ++i)
    for (std::size_t k = 0; k < net::input_size; ++k)
      all[i][k] = float(test_images::pixels[i][k]) / 255.0f;
  return all;
}();
static_assert(net::input_size == 784, "the embedded images are 28x28 pixels");

/// Multiply-accumulates per inference: each weight is used once per output position
/// (dense: once; conv2d: once per output pixel; `same` padding's skipped edge taps are
/// counted too, so a CNN's figure slightly overstates its MACs).
template <class Layer>
constexpr std::size_t layer_macs() noexcept {
  if constexpr (Layer::bias_count == 0)
    return 0;
  else
    return Layer::weight_count * (Layer::output_shape::size / Layer::bias_count);
}
constexpr std::uint32_t macs = [] {
  std::size_t n = 0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((n += layer_macs<net::layer<I + 1>>()), ...);
  }
  (std::make_index_sequence<net::layer_count>{});
  return static_cast<std::uint32_t>(n);
}();

using last_activation = typename net::layer<net::layer_count>::activation;

bool finite(float v) noexcept {
  return (std::bit_cast<std::uint32_t>(v) & 0x7F800000u) != 0x7F800000u;
}

}  // namespace

int run() noexcept {
  bool ok = true;
  write("ctnn firmware example: model " CTNN_FW_MODEL_NAME "\n");
  line text;  // one buffer for every line: keeps run()'s frame small
  text << "signature: ";
  for (const char c : net::signature) text << c;
  write((text << '\n').c_str());

  // The parameters in flash must be the ones the weights header describes.
  const std::uint32_t crc = ctnn::crc32(selected::weights.values);
  text.clear() << "parameters: ";
  text.dec(net::parameter_count) << " (";
  text.dec(net::parameter_bytes) << " bytes), crc32 ";
  text.hex8(crc) << (crc == selected::crc32 ? " ok\n" : " MISMATCH\n");
  write(text.c_str());
  ok = ok && crc == selected::crc32;

  text.clear() << "activation_bytes: ";
  write((text.dec(net::activation_bytes) << '\n').c_str());

#ifdef CTNN_FW_HEAP_PROBE
  // Deliberate mistake for the link-fail test: a heap-allocated output buffer.
  auto heap_output = std::make_unique<net::output>();
  net::output& y = *heap_output;
#else
  net::output y;
#endif
  std::uint32_t correct = 0;
  std::uint32_t instructions = 0;
  for (std::size_t i = 0; i < test_images::count; ++i) {
    counter_start();
    fw_bench_begin();
    infer(inputs[i], y);
    fw_bench_end();
    instructions += counter_elapsed();

    std::size_t best = 0;
    float sum = 0.0f;
    for (std::size_t k = 0; k < net::output_size; ++k) {
      if (y[k] > y[best]) best = k;
      sum += y[k];
      ok = ok && finite(y[k]);
    }
    if constexpr (std::is_same_v<last_activation, ctnn::softmax>)
      ok = ok && sum > 1.0f - 1e-5f && sum < 1.0f + 1e-5f;
    correct += best == test_images::labels[i] ? 1 : 0;

    text.clear() << "image ";
    text.dec(static_cast<std::uint32_t>(i)) << ": predicted ";
    text.dec(static_cast<std::uint32_t>(best)) << " true ";
    text.dec(test_images::labels[i]) << " output";
    for (const float v : y) (text << ' ').hex8(std::bit_cast<std::uint32_t>(v));
    write((text << '\n').c_str());
  }

  text.clear() << "accuracy: ";
  text.dec(correct) << '/';
  write((text.dec(test_images::count) << '\n').c_str());

  // Only the Cortex-M4 build under QEMU -icount counts instructions; the host prints n/a,
  // and the host-vs-QEMU diff ignores this one line.
  text.clear() << "instructions per inference: ";
  if (counter_available()) {
    const std::uint32_t per_inference =
        (instructions + test_images::count / 2) / std::uint32_t{test_images::count};
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

}  // namespace fw
