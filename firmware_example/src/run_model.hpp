// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The firmware example's program, for any exported weights header: each model's firmware
/// is a main of a few lines (firmware_example/<model>_main.cpp) that includes its weights
/// header and calls
///
///     fw::run_model<w::weights, w::crc32, w::prepare>("<model>")
///
/// with `w` the header's namespace. Identical on the host and on every Cortex-M: classify
/// the embedded test images, print each prediction and the output's bits (float: the
/// words; int8: the bytes), the accuracy and the instructions per inference, and return 0
/// only if the firmware's own checks pass.
///
/// The model is taken from the type of `weights`: a float `ctnn::network` for
/// `ctnn::parameters<Net>`, its int8 form `ctnn::quantized<Net>` for
/// `ctnn::quantized_parameters<…>`. `prepare(raw)` is the header's input transform (the
/// one the network was trained with): raw pixel values → the float network's input (for
/// an int8 model, the float input that `quantize_input` turns into int8).
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "ctnn/crc32.hpp"
#include "ctnn/quantized.hpp"
#include "data/test_images.hpp"
#include "src/platform.hpp"
#include "src/text.hpp"

namespace fw {

/// What a weights header's `weights` object says about its model.
template <class Parameters>
struct model_of;
template <class Net>
struct model_of<ctnn::parameters<Net>> {
  using type = Net;     ///< what the firmware runs
  using network = Net;  ///< the float network: layers, shapes, multiply-accumulates
  static constexpr bool int8 = false;
};
template <class Quantized>
struct model_of<ctnn::quantized_parameters<Quantized>> {
  using type = Quantized;
  using network = typename Quantized::network;
  static constexpr bool int8 = true;
};

/// The model of the weights object `Weights` (a weights header's `weights`).
template <const auto& Weights>
using model_t = typename model_of<std::remove_cvref_t<decltype(Weights)>>::type;
template <const auto& Weights>
using network_t = typename model_of<std::remove_cvref_t<decltype(Weights)>>::network;
template <const auto& Weights>
inline constexpr bool is_int8 = model_of<std::remove_cvref_t<decltype(Weights)>>::int8;

/// The forward pass's scratch memory (activation_bytes): static, so it is in .bss and
/// counted by the RAM check, never on the heap or the stack.
template <const auto& Weights>
constinit inline typename model_t<Weights>::workspace workspace{};

/// Runs the model on one input, into y, using the static workspace. Not inlined, so its
/// code size can be measured on its own: the only code that touches the workspace.
template <const auto& Weights>
[[gnu::noinline]] void infer(const typename model_t<Weights>::input& x,
                             typename model_t<Weights>::output& y) noexcept {
  y = model_t<Weights>::forward(Weights, x, workspace<Weights>);
}

namespace detail {

// What differs between float and int8 models, by overload.

/// A float network's input is the prepared image; an int8 model's is its quantisation.
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

/// The bytes the values take (not sizeof the object: on x86 ctnn::parameters is padded to
/// a cache line, and the host's line must match the Cortex-M's).
template <class Net>
constexpr std::size_t bytes_of(const ctnn::parameters<Net>& p) noexcept {
  return sizeof(p.values);
}
template <class Q>
constexpr std::size_t bytes_of(const ctnn::quantized_parameters<Q>& p) noexcept {
  return sizeof(p);
}

/// One output value: a float's bits, an int8's byte.
inline void put(line& text, float v) noexcept {
  text.hex8(std::bit_cast<std::uint32_t>(v));
}
inline void put(line& text, std::int8_t v) noexcept {
  text.hex2(static_cast<std::uint8_t>(v));
}

inline bool finite(float v) noexcept {
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

/// Multiply-accumulates of one layer: each weight is used once per output position
/// (dense: once; conv2d: once per output pixel; depthwise: once per output pixel of its
/// channel). `same` padding's skipped edge taps are counted too, so a CNN's figure
/// slightly overstates its MACs.
template <class Net>
constexpr std::uint32_t macs() noexcept;
/// A residual block's: its body's layers' and its projection's.
template <class Layer>
constexpr std::size_t layer_macs() noexcept {
  if constexpr (requires { typename Layer::body; }) {
    std::size_t n = macs<typename Layer::body>();
    if constexpr (Layer::has_projection) n += layer_macs<typename Layer::projection>();
    return n;
  } else if constexpr (Layer::bias_count == 0) {
    return 0;
  } else {
    return Layer::weight_count * (Layer::output_shape::size / Layer::bias_count);
  }
}
template <class Net>
constexpr std::uint32_t macs() noexcept {
  std::size_t n = 0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((n += layer_macs<typename Net::template layer<I + 1>>()), ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
  return static_cast<std::uint32_t>(n);
}

}  // namespace detail

/// The test images as model inputs, computed at compile time so they live in flash: the
/// forward pass reads its input in place and needs no RAM for it (an int8 input buffer
/// would add 784 bytes to the CNN's 6,760-byte workspace). Float: prepare(pixel). int8:
/// the model's own input quantisation of prepare(pixel) (quantize_input with the header's
/// scales[0] and zero_points[0]), so no float runs on the target; for the exported models
/// (prepare = pixel / 255, scale 1/255, zero point −128) that is q = pixel − 128, checked
/// by run_model.
template <const auto& Weights, auto Prepare>
inline constexpr std::array<typename model_t<Weights>::input, test_images::count> inputs = [] {
  using net = network_t<Weights>;
  static_assert(net::input_size == 784, "the embedded images are 28x28 pixels");
  std::array<typename model_t<Weights>::input, test_images::count> all{};
  for (std::size_t i = 0; i < test_images::count; ++i) {
    std::array<float, net::input_size> raw{};
    for (std::size_t k = 0; k < net::input_size; ++k) raw[k] = float(test_images::pixels[i][k]);
    all[i] = detail::as_input(Weights, Prepare(raw));
  }
  return all;
}();

/// The program: `name` is printed in the first line. Returns the exit code (0: every
/// check passed). The instruction markers fw_bench_begin/fw_bench_end (src/platform.hpp)
/// are called around each inference.
template <const auto& Weights, std::uint32_t Crc32, auto Prepare>
int run_model(const char* name) noexcept {
  using model = model_t<Weights>;
  using net = network_t<Weights>;
  constexpr bool int8 = is_int8<Weights>;
  static_assert(std::is_same_v<typename net::scalar, float>,
                "the firmware example runs float networks and their int8 forms");
  const auto& x = inputs<Weights, Prepare>;
  // True when the int8 input quantisation is q = pixel − 128 (what a device does to its
  // camera's bytes: one subtraction, no float), as for every exported image model.
  constexpr bool input_is_pixel_minus_128 = [] {
    if constexpr (int8) {
      for (std::size_t i = 0; i < test_images::count; ++i)
        for (std::size_t k = 0; k < net::input_size; ++k)
          if (inputs<Weights, Prepare>[i][k] != int(test_images::pixels[i][k]) - 128) return false;
      return true;
    } else {
      return false;
    }
  }();
  constexpr std::uint32_t macs = detail::macs<net>();
  using last_activation = typename net::template layer<net::layer_count>::activation;

  bool ok = true;
  line text;  // one buffer for every line: keeps the frame small
  write((text << "ctnn firmware example: model " << name << '\n').c_str());
  // The signature in pieces: a long one would not fit one line buffer.
  write("signature: ");
  for (std::size_t k = 0; k < model::signature.size(); k += 64) {
    text.clear();
    for (std::size_t j = k; j < k + 64 && j < model::signature.size(); ++j)
      text << model::signature[j];
    write(text.c_str());
  }
  write("\n");

  // The parameters in flash must be the ones the weights header describes.
  const std::uint32_t crc = detail::crc_of(Weights);
  text.clear() << "parameters: ";
  text.dec(net::parameter_count) << (int8 ? " (int8: " : " (");
  text.dec(detail::bytes_of(Weights)) << " bytes), crc32 ";
  text.hex8(crc) << (crc == Crc32 ? " ok\n" : " MISMATCH\n");
  write(text.c_str());
  ok = ok && crc == Crc32;

  text.clear() << "activation_bytes: ";
  write((text.dec(model::activation_bytes) << '\n').c_str());
  if (int8)
    write(input_is_pixel_minus_128 ? "input: int8 = pixel - 128\n"
                                   : "input: int8 = the model's quantisation of prepare(pixel)\n");

  typename model::output y;
  std::uint32_t correct = 0;
  std::uint32_t instructions = 0;
  for (std::size_t i = 0; i < test_images::count; ++i) {
    counter_start();
    fw_bench_begin();
    infer<Weights>(x[i], y);
    fw_bench_end();
    instructions += counter_elapsed();

    std::size_t best = 0;
    for (std::size_t k = 1; k < net::output_size; ++k)
      if (y[k] > y[best]) best = k;
    ok = ok && detail::plausible(y, std::is_same_v<last_activation, ctnn::softmax>);
    correct += best == test_images::labels[i] ? 1u : 0u;

    text.clear() << "image ";
    text.dec(static_cast<std::uint32_t>(i)) << ": predicted ";
    text.dec(static_cast<std::uint32_t>(best)) << " true ";
    text.dec(test_images::labels[i]) << " output";
    for (const auto v : y) detail::put(text << ' ', v);
    write((text << '\n').c_str());
  }

  text.clear() << "accuracy: ";
  text.dec(correct) << '/';
  write((text.dec(test_images::count) << '\n').c_str());

  // Only the Cortex-M builds under QEMU -icount count instructions; the host prints n/a,
  // and the host-vs-QEMU diff ignores this one line.
  text.clear() << "instructions per inference: ";
  if (counter_available()) {
    constexpr auto images = static_cast<std::uint32_t>(test_images::count);
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

}  // namespace fw
