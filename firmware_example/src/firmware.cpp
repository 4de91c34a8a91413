// SPDX-License-Identifier: MIT
// The firmware example's program, identical on the host and on every Cortex-M: classify the
// embedded test images, print each prediction and the output's bits (float: the words;
// int8: the bytes), the accuracy and the instructions per inference, and exit 0 only if
// the firmware's own checks pass.
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

// What differs between float and int8 models, by overload.

/// A float network's input is the float image; an int8 model's is its quantisation.
template <class Net, std::size_t N>
constexpr const std::array<float, N>& as_input(const ctnn::parameters<Net>&,
                                               const std::array<float, N>& x) noexcept {
  return x;
}
template <class Q, std::size_t N>
constexpr typename Q::input as_input(const ctnn::quantized_parameters<Q>& p,
                                     const std::array<float, N>& x) noexcept {
  return Q::quantize_input(p, x);
}

template <class Net>
constexpr std::uint32_t crc_of(const ctnn::parameters<Net>& p) noexcept {
  return ctnn::crc32(p.values);
}
template <class Q>
constexpr std::uint32_t crc_of(const ctnn::quantized_parameters<Q>& p) noexcept {
  return ctnn::crc32(p);
}

/// One output value: a float's bits, an int8's byte.
[[maybe_unused]] void put(line& text, float v) noexcept {
  text.hex8(std::bit_cast<std::uint32_t>(v));
}
[[maybe_unused]] void put(line& text, std::int8_t v) noexcept {
  text.hex2(static_cast<std::uint8_t>(v));
}

bool finite(float v) noexcept {
  return (std::bit_cast<std::uint32_t>(v) & 0x7F800000u) != 0x7F800000u;
}

/// Float: finite, and a softmax output sums to 1. int8: softmax's outputs are
/// round(256·p_k) − 128, so they sum to 256 up to one rounding (and the 127 cap) each.
template <std::size_t N>
bool plausible(const std::array<float, N>& y, bool softmax) noexcept {
  bool ok = true;
  float sum = 0.0f;
  for (const float v : y) {
    sum += v;
    ok = ok && finite(v);
  }
  return ok && (!softmax || (sum > 1.0f - 1e-5f && sum < 1.0f + 1e-5f));
}
template <std::size_t N>
bool plausible(const std::array<std::int8_t, N>& y, bool softmax) noexcept {
  std::int32_t sum = 0;
  for (const std::int8_t v : y) sum += std::int32_t{v} + 128;
  constexpr auto slack = static_cast<std::int32_t>(N / 2 + 1);
  return !softmax || (sum >= 256 - slack && sum <= 256 + slack);
}

/// The test images as model inputs, computed at compile time so they live in flash: the
/// forward pass reads its input in place and needs no RAM for it (an int8 input buffer
/// would add 784 bytes to the CNN's 6,760-byte workspace). Float: pixel / 255.0f. int8: the
/// model's own input quantisation of pixel / 255.0f (quantize_input with the header's
/// scales[0] and zero_points[0]), so no float runs on the target; for the exported models
/// (scale 1/255, zero point −128) that is q = pixel − 128, checked below.
constexpr std::array<model::input, test_images::count> inputs = [] {
  std::array<model::input, test_images::count> all{};
  for (std::size_t i = 0; i < test_images::count; ++i) {
    std::array<float, net::input_size> x{};
    for (std::size_t k = 0; k < net::input_size; ++k)
      x[k] = float(test_images::pixels[i][k]) / 255.0f;
    all[i] = as_input(selected::weights, x);
  }
  return all;
}();
static_assert(net::input_size == 784, "the embedded images are 28x28 pixels");

/// True when the int8 input quantisation is q = pixel − 128 (what a device does to its
/// camera's bytes: one subtraction, no float), as for every exported model.
constexpr bool input_is_pixel_minus_128 = [] {
  if constexpr (is_int8) {
    for (std::size_t i = 0; i < test_images::count; ++i)
      for (std::size_t k = 0; k < net::input_size; ++k)
        if (inputs[i][k] != int(test_images::pixels[i][k]) - 128) return false;
    return true;
  } else {
    return false;
  }
}();

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

}  // namespace

int run() noexcept {
  bool ok = true;
  write("ctnn firmware example: model " CTNN_FW_MODEL_NAME "\n");
  line text;  // one buffer for every line: keeps run()'s frame small
  text << "signature: ";
  for (const char c : model::signature) text << c;
  write((text << '\n').c_str());

  // The parameters in flash must be the ones the weights header describes.
  const std::uint32_t crc = crc_of(selected::weights);
  text.clear() << "parameters: ";
  text.dec(net::parameter_count) << (is_int8 ? " (int8: " : " (");
  text.dec(sizeof(selected::weights)) << " bytes), crc32 ";
  text.hex8(crc) << (crc == selected::crc32 ? " ok\n" : " MISMATCH\n");
  write(text.c_str());
  ok = ok && crc == selected::crc32;

  text.clear() << "activation_bytes: ";
  write((text.dec(model::activation_bytes) << '\n').c_str());
  if (is_int8)
    write(input_is_pixel_minus_128 ? "input: int8 = pixel - 128\n"
                                   : "input: int8 = the model's quantisation of pixel / 255\n");

#ifdef CTNN_FW_HEAP_PROBE
  // Deliberate mistake for the link-fail test: a heap-allocated output buffer.
  auto heap_output = std::make_unique<model::output>();
  model::output& y = *heap_output;
#else
  model::output y;
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
    for (std::size_t k = 1; k < net::output_size; ++k)
      if (y[k] > y[best]) best = k;
    ok = ok && plausible(y, std::is_same_v<last_activation, ctnn::softmax>);
    correct += best == test_images::labels[i] ? 1 : 0;

    text.clear() << "image ";
    text.dec(static_cast<std::uint32_t>(i)) << ": predicted ";
    text.dec(static_cast<std::uint32_t>(best)) << " true ";
    text.dec(test_images::labels[i]) << " output";
    for (const auto v : y) put(text << ' ', v);
    write((text << '\n').c_str());
  }

  text.clear() << "accuracy: ";
  text.dec(correct) << '/';
  write((text.dec(test_images::count) << '\n').c_str());

  // Only the Cortex-M builds under QEMU -icount count instructions; the host prints n/a,
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
