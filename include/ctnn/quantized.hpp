// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 form of a float network, derived from its type: no second declaration.
///
/// @code
/// using qmlp = ctnn::quantized<models::mlp>;
/// constexpr qmlp::parameters q = {/* written by the trainer's --export-int8 */};
/// std::array<std::int8_t, 784> x = qmlp::quantize_input(q, pixels);
/// std::size_t label = qmlp::predict(q, x);
/// @endcode
///
/// Arithmetic: quantization.hpp (TFLite's int8 scheme, single rounding). Guarantees as for
/// the float network: forward/predict are constexpr and noexcept, never allocate, need no
/// RTTI, and give the same int8 outputs in constant evaluation, on x86-64 (scalar or AVX2)
/// and on every Cortex-M (portable C on M0/M3, SXTB16/SMLAD on M4/M7/M33). RAM: the same
/// ping-pong rule as the float network, in bytes, plus the largest convolution's column of
/// one output pixel (KH·KW·C bytes): `activation_bytes`, exact at compile time; a softmax
/// layer also keeps an int32 per output on the stack.
///
/// Parameter layout (frozen; the exporter writes it):
/// - `weights`: every layer's int8 weights back to back in network order. Dense: W[o][i]
///   output-major (PyTorch's Linear.weight order, the transpose of the float layout);
///   conv2d: W[f][kh][kw][c] (OHWI). Symmetric, in [−127, 127].
/// - `biases`: int32 per output channel, scale s_in·s_w, with the input zero point folded
///   in: b' = b − z_in·Σ W (over all taps of that output).
/// - `multipliers`, `shifts`: requantisation, times the activation's count k (leaky_relu:
///   2, positive then negative slope). conv2d: a multiplier and a shift per filter
///   ([f·k + j]); dense: one multiplier per layer ([j]) and a shift per output ([o·k + j]),
///   its per-channel weight scales being the layer's scale times powers of two.
///   Identity/relu/leaky: m = s_in·s_w/s_out; sigmoid/tanh/softmax: m = s_in·s_w·log2(e)·2^16.
/// - `zero_points`, `scales`: per tensor, the input first, then each layer's output.
///   Pooling and flatten keep their input's; sigmoid and softmax outputs are (1/256, −128),
///   tanh (1/128, 0), as the TFLite spec fixes them. Scales are used only by
///   quantize_input/dequantize_output: the forward pass is integer only.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "ctnn/crc32.hpp"
#include "ctnn/detail/argmax.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/detail/int8_layers.hpp"
#include "ctnn/detail/int8_scale_shift.hpp"
#include "ctnn/network.hpp"
#include "ctnn/quantization.hpp"

namespace ctnn {

template <class Quantized>
struct quantized_parameters;

namespace detail {
/// A layer's scratch bytes in the workspace (0 if it declares none).
template <class L>
inline constexpr std::size_t int8_scratch_bytes = [] {
  if constexpr (requires { L::scratch_bytes; })
    return std::size_t{L::scratch_bytes};
  else
    return std::size_t{0};
}();

template <std::size_t Index, class Layer, bool Supported>
struct check_int8_layer {
  static_assert(Supported, "ctnn::quantized: this layer kind has no int8 form");
  static constexpr bool value = true;
};
}  // namespace detail

/// The int8 model of `Net` (a float `ctnn::network<…>`).
template <class Net>
class quantized {
 public:
  using network = Net;
  static constexpr std::size_t layer_count = Net::layer_count;

  /// Layer I's int8 form (1-based).
  template <std::size_t I>
  requires(I >= 1 &&
           I <= layer_count) using layer = detail::int8_layer<typename Net::template layer<I>>;

 private:
  template <std::size_t... I>
  static constexpr bool all_supported(std::index_sequence<I...>) noexcept {
    return (detail::check_int8_layer<I + 1, typename Net::template layer<I + 1>,
                                     layer<I + 1>::supported>::value &&
            ...);
  }
  static_assert(all_supported(std::make_index_sequence<layer_count>{}));

  template <std::size_t N, class F>
  static constexpr std::size_t sum(F count) noexcept {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (std::size_t{0} + ... + count(std::integral_constant<std::size_t, I + 1>{}));
    }
    (std::make_index_sequence<N>{});
  }
  static constexpr auto weights_of = [](auto i) { return layer<decltype(i)::value>::weight_count; };
  static constexpr auto biases_of = [](auto i) { return layer<decltype(i)::value>::bias_count; };
  static constexpr auto multipliers_of = [](auto i) {
    return layer<decltype(i)::value>::multiplier_count;
  };
  static constexpr auto shifts_of = [](auto i) { return layer<decltype(i)::value>::shift_count; };

 public:
  /// Where layer I's slice starts in each parameter array.
  template <std::size_t I>
  static constexpr std::size_t weight_offset = sum<I - 1>(weights_of);
  template <std::size_t I>
  static constexpr std::size_t bias_offset = sum<I - 1>(biases_of);
  template <std::size_t I>
  static constexpr std::size_t multiplier_offset = sum<I - 1>(multipliers_of);
  template <std::size_t I>
  static constexpr std::size_t shift_offset = sum<I - 1>(shifts_of);

  static constexpr std::size_t weight_count = sum<layer_count>(weights_of);
  static constexpr std::size_t bias_count = sum<layer_count>(biases_of);
  static constexpr std::size_t multiplier_count = sum<layer_count>(multipliers_of);
  static constexpr std::size_t shift_count = sum<layer_count>(shifts_of);
  /// Tensors with a scale and zero point: the input, then each layer's output.
  static constexpr std::size_t tensor_count = layer_count + 1;

  static constexpr std::size_t input_size = Net::input_size;
  static constexpr std::size_t output_size = Net::output_size;
  static constexpr std::size_t odd_buffer_size = Net::odd_buffer_size;
  static constexpr std::size_t even_buffer_size = Net::even_buffer_size;
  /// The largest per-layer scratch (a convolution's column of one output pixel: KH·KW·C).
  static constexpr std::size_t scratch_bytes = [] {
    std::size_t m = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((m = detail::int8_scratch_bytes<layer<I + 1>> > m ? detail::int8_scratch_bytes<layer<I + 1>>
                                                         : m),
       ...);
    }
    (std::make_index_sequence<layer_count>{});
    return m;
  }();
  static constexpr std::size_t activation_bytes =
      odd_buffer_size + even_buffer_size + scratch_bytes;

  using parameters = quantized_parameters<quantized>;
  using input = std::array<std::int8_t, input_size>;
  using output = std::array<std::int8_t, output_size>;
  /// Caller-owned scratch memory for forward(); e.g. a static in firmware (.bss).
  using workspace = std::array<std::int8_t, activation_bytes>;

 private:
  static constexpr auto signature_storage = [] {
    constexpr std::string_view head = "int8|";
    std::array<char, head.size() + Net::signature.size()> s{};
    for (std::size_t i = 0; i < head.size(); ++i) s[i] = head[i];
    for (std::size_t i = 0; i < Net::signature.size(); ++i) s[head.size() + i] = Net::signature[i];
    return s;
  }();

  template <std::size_t I>
  static constexpr void run_layer(const parameters& p, const std::int8_t* x, std::int8_t* ws,
                                  std::int8_t* y) noexcept {
    std::int8_t* const odd = ws;
    std::int8_t* const even = ws + odd_buffer_size;
    const std::int8_t* in = I == 1 ? x : (I % 2 == 0 ? odd : even);
    std::int8_t* out = I == layer_count ? y : (I % 2 == 1 ? odd : even);
    const detail::int8_slice slice{p.weights.data() + weight_offset<I>,
                                   p.biases.data() + bias_offset<I>,
                                   p.multipliers.data() + multiplier_offset<I>,
                                   p.shifts.data() + shift_offset<I>,
                                   p.zero_points[I - 1],
                                   p.zero_points[I],
                                   ws + odd_buffer_size + even_buffer_size};
    layer<I>::forward(slice, in, out);
  }

 public:
  /// "int8|" followed by the float network's signature (frozen format).
  static constexpr std::string_view signature{signature_storage.data(), signature_storage.size()};
  /// FNV-1a 64 of `signature`.
  static constexpr std::uint64_t signature_hash = detail::fnv1a64(signature);

  /// The int8 output for one int8 input, using `ws` as scratch memory.
  static constexpr output forward(const parameters& p, const input& x, workspace& ws) noexcept {
    output y{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (run_layer<I + 1>(p, x.data(), ws.data(), y.data()), ...);
    }
    (std::make_index_sequence<layer_count>{});
    return y;
  }

  /// The int8 output for one int8 input (workspace on the stack).
  static constexpr output forward(const parameters& p, const input& x) noexcept {
    workspace ws{};
    return forward(p, x, ws);
  }

  /// Index of the largest int8 output (the first one on ties).
  static constexpr std::size_t predict(const parameters& p, const input& x,
                                       workspace& ws) noexcept {
    return argmax(forward(p, x, ws));
  }
  static constexpr std::size_t predict(const parameters& p, const input& x) noexcept {
    workspace ws{};
    return predict(p, x, ws);
  }

  /// Index of the largest value (the first one on ties).
  static constexpr std::size_t argmax(const output& y) noexcept { return detail::argmax(y); }

  /// q = clamp(round(x / s_in) + z_in), rounding half away from zero; NaN gives z_in.
  template <class T>
  static constexpr input quantize_input(const parameters& p,
                                        const std::array<T, input_size>& x) noexcept {
    input q{};
    const T s = static_cast<T>(p.scales[0]);
    for (std::size_t i = 0; i < input_size; ++i) {
      const T v = x[i] / s;
      const T r = v >= T(0) ? v + T(0.5) : v - T(0.5);
      const T limited = !(r == r) ? T(0) : r > T(1000) ? T(1000) : r < T(-1000) ? T(-1000) : r;
      q[i] = clamp_int8(static_cast<std::int32_t>(limited) + p.zero_points[0]);
    }
    return q;
  }

  /// x = s_out·(q − z_out), in float.
  static constexpr std::array<float, output_size> dequantize_output(const parameters& p,
                                                                    const output& y) noexcept {
    std::array<float, output_size> r{};
    for (std::size_t i = 0; i < output_size; ++i)
      r[i] = p.scales[layer_count] *
             static_cast<float>(std::int32_t{y[i]} - p.zero_points[layer_count]);
    return r;
  }
};

/// The parameters of a `ctnn::quantized<Net>`: one literal aggregate (layout in the file
/// comment). A `constexpr` object of it is constant-initialised: flash, not RAM.
template <class Quantized>
struct quantized_parameters {
  using model = Quantized;
  std::array<std::int8_t, Quantized::weight_count> weights;
  std::array<std::int32_t, Quantized::bias_count> biases;
  std::array<std::int32_t, Quantized::multiplier_count> multipliers;
  std::array<std::int8_t, Quantized::shift_count> shifts;
  std::array<std::int8_t, Quantized::tensor_count> zero_points;
  std::array<float, Quantized::tensor_count> scales;
};

/// CRC-32 of quantized parameters: their arrays' little-endian bytes in declaration order
/// (weights, biases, multipliers, shifts, zero points, scales), as the exporter writes it.
template <class Quantized>
constexpr std::uint32_t crc32(const quantized_parameters<Quantized>& p) noexcept {
  std::uint32_t c = crc32(p.weights);
  c = crc32(p.biases, c);
  c = crc32(p.multipliers, c);
  c = crc32(p.shifts, c);
  c = crc32(p.zero_points, c);
  return crc32(p.scales, c);
}

}  // namespace ctnn
