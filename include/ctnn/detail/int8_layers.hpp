// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 form of each float layer (quantized.hpp binds them), and the activation
/// epilogues that turn an int32 accumulator into an int8 output. Formulas and parameter
/// layouts are documented in quantized.hpp and docs/quantization.md; the arithmetic
/// primitives are in quantization.hpp.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctnn/activation.hpp"
#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/detail/int8_kernel.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/pool2d.hpp"
#include "ctnn/quantization.hpp"

#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
#include <arm_acle.h>
#endif

namespace ctnn::detail {

/// One int8 layer's slice of the quantized parameters, and its tensors' zero points.
struct int8_slice {
  const std::int8_t* weights;
  const std::int32_t* biases;
  const std::int32_t* multipliers;
  const std::int8_t* shifts;
  std::int32_t input_zero_point;
  std::int32_t output_zero_point;
  std::int8_t* scratch;  ///< the layer's `scratch_bytes` in the workspace (if it has any)
};

// ---- Activation epilogues --------------------------------------------------------------
// `multipliers`: requantisation multipliers per channel. Element-wise epilogues map one
// accumulator; softmax maps the whole vector.

/// |v| as an unsigned number, for v = x·log2(e) in Q16 (the requantised accumulator of a
/// sigmoid/tanh layer): the argument of exp2_negative_q16.
constexpr std::uint32_t magnitude_q16(std::int32_t v) noexcept {
  return v < 0 ? std::uint32_t(0) - static_cast<std::uint32_t>(v) : static_cast<std::uint32_t>(v);
}

/// round(num / den) for num, den ≥ 0, den > 0, ties up.
constexpr std::int64_t divide_rounded(std::int64_t num, std::int64_t den) noexcept {
  const std::int64_t top = 2 * num + den;
  // The same quotient in 32 bits when it fits (always for sigmoid/tanh, and for softmax
  // over fewer than 2^14 outputs): no 64-bit division on 32-bit targets.
  if (top <= 0xFFFFFFFF && den <= 0x7FFFFFFF)
    return static_cast<std::uint32_t>(top) / (2 * static_cast<std::uint32_t>(den));
  return top / (2 * den);
}

/// s / n rounded half away from zero (TFLite's average pooling), n > 0; C++'s division
/// truncates toward zero, so ±⌊n/2⌋ first.
constexpr std::int32_t divide_half_away(std::int32_t s, std::int32_t n) noexcept {
  return (s >= 0 ? s + n / 2 : s - n / 2) / n;
}

/// v clamped to the signed Bits-bit range (SSAT where the target has it).
template <int Bits>
[[gnu::always_inline]] constexpr std::int32_t saturate_bits(std::int32_t v) noexcept {
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
  if (!std::is_constant_evaluated())  // the builtin behind __ssat (whose macro converts)
    return static_cast<std::int32_t>(__builtin_arm_ssat(v, Bits));
#endif
  constexpr std::int32_t hi = (std::int32_t{1} << (Bits - 1)) - 1;
  return v < -hi - 1 ? -hi - 1 : v > hi ? hi : v;
}
/// v clamped to [0, 2^Bits − 1] (USAT where the target has it).
template <int Bits>
[[gnu::always_inline]] constexpr std::int32_t saturate_unsigned_bits(std::int32_t v) noexcept {
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
  if (!std::is_constant_evaluated()) return static_cast<std::int32_t>(__usat(v, Bits));
#endif
  constexpr std::int32_t hi = (std::int32_t{1} << Bits) - 1;
  return v < 0 ? 0 : v > hi ? hi : v;
}

template <class A>
struct int8_epilogue {
  static constexpr bool supported = false;
  static constexpr std::size_t multipliers = 1;
};

/// The identity/relu output: clamp(zy + requantize(acc, m, s), Relu ? zy : −128, 127).
/// Limiting the requantised value v first keeps the sum in 32 bits and changes no result
/// (|zy| ≤ 128, the output is clamped to [−128, 127] anyway): identity to [−256, 255]
/// (SSAT #9); relu to [0, 255] (USAT #8), since zy + v < zy exactly when v < 0, so relu's
/// floor at zy is the floor of v at 0 and one SSAT #8 finishes both.
template <bool Relu>
[[gnu::always_inline]] constexpr std::int8_t requantize_linear(std::int32_t acc, std::int32_t m,
                                                               std::int32_t s,
                                                               std::int32_t zy) noexcept {
  const std::int32_t v = requantize(acc, m, s);
  return static_cast<std::int8_t>(
      saturate_bits<8>(zy + (Relu ? saturate_unsigned_bits<8>(v) : saturate_bits<9>(v))));
}

/// One group of Count outputs o … o + Count of an identity/relu dense or conv2d layer,
/// fused: acc = bias + the dot products (dot_rows; the weights of output o start at o·n,
/// dense: n = inputs, conv2d: n = taps, the column's length), then requantize_linear into
/// y[o …] with multiplier m[o·MStep] (MStep 0: dense's one per layer; 1: conv2d's one per
/// filter) and shift s[o]. Out of line, one copy per (Relu, MStep, Count) that every layer of
/// that kind shares (code size), with the requantisation inlined in its loop (speed).
template <bool Relu, std::size_t MStep, std::size_t Count>
[[gnu::noinline]] constexpr void linear_rows(const int8_slice& p, const std::int8_t* x,
                                             std::size_t n, std::size_t o,
                                             std::int8_t* y) noexcept {
  std::int32_t acc[Count];
  dot_rows<Count>(x, p.weights + o * n, n, n, acc, p.biases + o);
  // Locals: the int8 stores may alias the slice.
  const std::int32_t* const m = p.multipliers + o * MStep;
  const std::int8_t* const s = p.shifts + o;
  const std::int32_t zy = p.output_zero_point;
#if defined(CTNN_DETAIL_INT8_AVX2)
  if constexpr (Count == 4 && MStep <= 1)
    if (!std::is_constant_evaluated()) {
      const __m128i m4 =
          MStep == 0 ? _mm_set1_epi32(m[0]) : _mm_loadu_si128(reinterpret_cast<const __m128i*>(m));
      if (requantize_linear4_avx2<Relu>(acc, m4, s, zy, y + o)) return;
    }
#endif
  for (std::size_t r = 0; r < Count; ++r)
    y[o + r] = requantize_linear<Relu>(acc[r], m[r * MStep], s[r], zy);
}

#if defined(CTNN_DETAIL_ARM_DSP)
/// All filters of one output pixel of an identity/relu conv2d whose window is short
/// (Taps < 16, e.g. a first layer on one channel, 3×3×1), on cores with SXTB16/SMLAD: the
/// column is widened once per pixel and kept in registers, then each filter costs LDR +
/// 2 SXTB16 + 2 SMLAD per 4 taps (the last Taps % 4 by SMLABB) and its epilogue, with no
/// call and no accumulator array per filter group. The same sums as dot_rows.
template <bool Relu, std::size_t Taps>
[[gnu::noinline]] inline void short_window_pixel_dsp(const int8_slice& p, const std::int8_t* column,
                                                     std::size_t filters,
                                                     std::int8_t* out) noexcept {
  constexpr std::size_t words = Taps / 4, rest = Taps % 4;
  std::int32_t x02[words], x13[words], xr[rest > 0 ? rest : 1];
#pragma GCC unroll 4
  for (std::size_t i = 0; i < words; ++i) {
    const std::uint32_t xw = load_word(column + 4 * i);
    x02[i] = sxtb16(xw);
    x13[i] = sxtb16_ror8(xw);
  }
#pragma GCC unroll 4
  for (std::size_t i = 0; i < rest; ++i) xr[i] = column[4 * words + i];
  // Locals: the int8 stores may alias the slice.
  const std::int8_t* w = p.weights;
  const std::int32_t* const bias = p.biases;
  const std::int32_t* const m = p.multipliers;
  const std::int8_t* const s = p.shifts;
  const std::int32_t zy = p.output_zero_point;
  for (std::size_t f = 0; f < filters; ++f, w += Taps) {
    std::int32_t acc = bias[f];
#pragma GCC unroll 4
    for (std::size_t i = 0; i < words; ++i) {
      const std::uint32_t ww = load_word(w + 4 * i);
      acc = __smlad(sxtb16(ww), x02[i], acc);
      acc = __smlad(sxtb16_ror8(ww), x13[i], acc);
    }
#pragma GCC unroll 4
    for (std::size_t i = 0; i < rest; ++i) acc += xr[i] * std::int32_t{w[4 * words + i]};
    out[f] = requantize_linear<Relu>(acc, m[f], s[f], zy);
  }
}
#endif

/// y = clamp(z_out + requantize(acc)), into [Lo, 127] (Lo: −128, or z_out for relu).
template <bool Relu>
struct int8_linear_epilogue {
  static constexpr bool supported = true;
  static constexpr bool elementwise = true;
  static constexpr std::size_t multipliers = 1;
  static constexpr std::int8_t apply(std::int32_t acc, const std::int32_t* m, const std::int8_t* s,
                                     std::int32_t zy) noexcept {
    return requantize_linear<Relu>(acc, m[0], s[0], zy);
  }
  static constexpr bool linear = true, relu = Relu;
};
template <>
struct int8_epilogue<ctnn::identity> : int8_linear_epilogue<false> {};
template <>
struct int8_epilogue<ctnn::relu> : int8_linear_epilogue<true> {};

/// Leaky ReLU fused into requantisation: the accumulator's sign is the real value's sign,
/// so acc ≥ 0 uses multiplier 0 (s_in·s_w/s_out), acc < 0 multiplier 1 (slope·s_in·s_w/s_out).
template <std::intmax_t Num, std::intmax_t Den>
struct int8_epilogue<leaky_relu<Num, Den>> {
  static constexpr bool supported = true;
  static constexpr bool elementwise = true;
  static constexpr std::size_t multipliers = 2;
  static constexpr std::int8_t apply(std::int32_t acc, const std::int32_t* m, const std::int8_t* s,
                                     std::int32_t zy) noexcept {
    const std::size_t k = acc >= 0 ? 0 : 1;
    const std::int32_t v = requantize_exact(acc, m[k], s[k]);
    return clamp_int8(zy + (v < -256 ? -256 : v > 255 ? 255 : v));
  }
};

/// Sigmoid: output scale 1/256, zero point −128 (fixed, as TFLite). The multiplier maps
/// acc to x·log2(e) in Q16; e = 2^16·e^(−|x|); σ(|x|) = 2^16/(2^16 + e).
template <>
struct int8_epilogue<ctnn::sigmoid> {
  static constexpr bool supported = true;
  static constexpr bool elementwise = true;
  static constexpr std::size_t multipliers = 1;
  static constexpr std::int32_t output_zero_point = -128;
  static constexpr std::int8_t apply(std::int32_t acc, const std::int32_t* m, const std::int8_t* s,
                                     std::int32_t) noexcept {
    const std::int32_t v = requantize_exact(acc, m[0], s[0]);
    const std::int64_t e = exp2_negative_q16(magnitude_q16(v));
    const std::int64_t den = 65536 + e;
    const std::int64_t p = v >= 0 ? divide_rounded(256 * 65536, den) : divide_rounded(256 * e, den);
    return clamp_int8(static_cast<std::int32_t>(p - 128));
  }
};

/// Tanh: output scale 1/128, zero point 0 (fixed). e = 2^16·e^(−2|x|);
/// tanh(|x|) = (2^16 − e)/(2^16 + e), odd.
template <>
struct int8_epilogue<ctnn::tanh> {
  static constexpr bool supported = true;
  static constexpr bool elementwise = true;
  static constexpr std::size_t multipliers = 1;
  static constexpr std::int32_t output_zero_point = 0;
  static constexpr std::int8_t apply(std::int32_t acc, const std::int32_t* m, const std::int8_t* s,
                                     std::int32_t) noexcept {
    const std::int32_t v = requantize_exact(acc, m[0], s[0]);
    const std::uint32_t u = magnitude_q16(v);
    const std::int64_t e = exp2_negative_q16(u > 0x7FFFFFFFu ? 0xFFFFFFFFu : 2 * u);
    const auto t = static_cast<std::int32_t>(divide_rounded(128 * (65536 - e), 65536 + e));
    return clamp_int8(v >= 0 ? t : -t);
  }
};

/// Softmax over a layer's outputs: output scale 1/256, zero point −128 (fixed). v_i =
/// x_i·log2(e) in Q16; e_i = exp2_negative_q16(max v − v_i); y_i = round(256·e_i/Σe) − 128.
template <>
struct int8_epilogue<ctnn::softmax> {
  static constexpr bool supported = true;
  static constexpr bool elementwise = false;
  static constexpr std::size_t multipliers = 1;
  static constexpr std::int32_t output_zero_point = -128;
  /// `acc` is overwritten (scratch); one multiplier, a shift per output.
  static constexpr void apply_vector(std::int32_t* acc, std::size_t n, const std::int32_t* m,
                                     const std::int8_t* s, std::int8_t* y) noexcept {
    std::int32_t top = requantize_exact(acc[0], m[0], s[0]);
    acc[0] = top;
    for (std::size_t i = 1; i < n; ++i) {
      acc[i] = requantize_exact(acc[i], m[0], s[i]);
      if (acc[i] > top) top = acc[i];
    }
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t d = std::int64_t{top} - acc[i];
      acc[i] = exp2_negative_q16(d > 0xFFFFFFFF ? 0xFFFFFFFFu : static_cast<std::uint32_t>(d));
      sum += acc[i];
    }
    for (std::size_t i = 0; i < n; ++i)
      y[i] = clamp_int8(
          static_cast<std::int32_t>(divide_rounded(256 * std::int64_t{acc[i]}, sum) - 128));
  }
};

/// The output zero point an activation fixes (TFLite's fixed output scales), if any.
template <class A>
constexpr bool has_fixed_output = requires {
  int8_epilogue<A>::output_zero_point;
};

// ---- Layers ------------------------------------------------------------------------------

/// Layers without an int8 form (quantized.hpp refuses them with a sentence); the counts
/// only keep that sentence the one error.
template <class L>
struct int8_layer {
  static constexpr bool supported = false;
  static constexpr std::size_t weight_count = 0, bias_count = 0;
  static constexpr std::size_t multiplier_count = 0, shift_count = 0;
  static constexpr void forward(const int8_slice&, const std::int8_t*, std::int8_t*) noexcept {}
};

/// Accumulators of more than this many int8 products could leave int32 (with a bias of up
/// to 2^29): 32768·128·128 = 2^29.
inline constexpr std::size_t int8_max_fan_in = 32768;

template <std::size_t Index, std::size_t FanIn>
struct check_int8_fan_in {
  static_assert(FanIn <= int8_max_fan_in,
                "ctnn::quantized: this layer sums more than 32768 int8 products per output, "
                "which can overflow the int32 accumulator");
  static constexpr bool value = true;
};
template <std::size_t Index, bool Dense>
struct check_int8_softmax_on_dense {
  static_assert(Dense, "ctnn::quantized: int8 softmax is supported on dense layers only");
  static constexpr bool value = true;
};
template <std::size_t Index, class Activation, bool Supported>
struct check_int8_activation {
  static_assert(Supported, "ctnn::quantized: this layer's activation has no int8 form");
  static constexpr bool value = true;
};

/// Rows of weights that share one input run in the kernels.
inline constexpr std::size_t int8_rows = 4;

/// Dense: acc[o] = b'[o] + Σ_i x[i]·W[o][i] with W output-major (W[o][i] at o·In + i) and
/// b'[o] = b[o] − z_in·Σ_i W[o][i] (the input zero point folded into the bias at export).
/// Weight scales per output channel, restricted to the layer's scale S times 2^−k_o: one
/// requantisation multiplier per layer, a shift per output (shift_o = shift − k_o), so
/// per-channel precision costs 1 byte per output instead of 5 (docs/quantization.md).
template <class T, class Mode, class In, std::size_t Out, class A, std::size_t Index>
struct int8_layer<dense_layer<T, Mode, In, Out, A, Index>> {
  using epilogue = int8_epilogue<A>;
  static_assert(check_int8_activation<Index, A, epilogue::supported>::value);
  static_assert(check_int8_fan_in<Index, In::size>::value);
  static constexpr bool supported = true;
  static constexpr std::size_t inputs = In::size;
  static constexpr std::size_t weight_count = inputs * Out;
  static constexpr std::size_t bias_count = Out;
  static constexpr std::size_t multiplier_count = epilogue::multipliers;
  static constexpr std::size_t shift_count = Out * epilogue::multipliers;
  static constexpr std::size_t fan_in = inputs;
  /// Where the last group of int8_rows outputs starts. When Out is not a multiple of
  /// int8_rows, it overlaps the group before it and recomputes a few outputs (the same
  /// values): every output then runs in the one 4-row kernel, with no single-row copy of
  /// it (code size), for about the MACs of the single rows it replaces.
  static constexpr std::size_t last_group = Out >= int8_rows ? Out - int8_rows : 0;

  [[gnu::always_inline]] static constexpr void forward(const int8_slice& p, const std::int8_t* x,
                                                       std::int8_t* y) noexcept {
    if constexpr (!epilogue::elementwise) {
      std::int32_t acc[Out];
      if constexpr (Out < int8_rows) {
        for (std::size_t o = 0; o < Out; ++o)
          dot_rows<1>(x, p.weights + o * inputs, inputs, inputs, acc + o, p.biases + o);
      } else {
        for (std::size_t o = 0; o < Out; o += int8_rows) {
          const std::size_t g = group(o);
          dot_rows<int8_rows>(x, p.weights + g * inputs, inputs, inputs, acc + g, p.biases + g);
        }
      }
      epilogue::apply_vector(acc, Out, p.multipliers, p.shifts, y);
    } else if constexpr (Out < int8_rows) {
      for (std::size_t o = 0; o < Out; ++o) rows<1>(p, x, y, o);
    } else {
      for (std::size_t o = 0; o < Out; o += int8_rows) rows<int8_rows>(p, x, y, group(o));
    }
  }

 private:
  /// The first output of the row group at o: o, or last_group for the last one.
  static constexpr std::size_t group(std::size_t o) noexcept {
    return Out % int8_rows == 0 || o < last_group ? o : last_group;
  }

  template <std::size_t R>
  static constexpr void rows(const int8_slice& p, const std::int8_t* x, std::int8_t* y,
                             std::size_t o) noexcept {
    std::int32_t acc[R];
    dot_rows<R>(x, p.weights + o * inputs, inputs, inputs, acc, p.biases + o);
    // Locals: the int8 stores may alias the slice.
    const std::int32_t* const m = p.multipliers;
    const std::int8_t* const s = p.shifts + o * epilogue::multipliers;
    const std::int32_t zy = p.output_zero_point;
#if defined(CTNN_DETAIL_INT8_AVX2)
    if constexpr (R == 4 && requires { epilogue::linear; })
      if (!std::is_constant_evaluated() &&
          requantize_linear4_avx2<epilogue::relu>(acc, _mm_set1_epi32(m[0]), s, zy, y + o))
        return;
#endif
    for (std::size_t r = 0; r < R; ++r)
      y[o + r] = epilogue::apply(acc[r], m, s + r * epilogue::multipliers, zy);
  }
};

/// Conv2d: W[f][kh][kw][c] (filter-major, OHWI), b'[f] = b[f] − z_in·Σ W[f][…] (folded);
/// acc = b'[f] + Σ_taps column·W with padded taps holding the input zero point (the real
/// value 0, as TFLite), i.e. Σ_inside (x − z_in)·W + b[f]. Per-filter requantisation multipliers
/// (per-channel weight scales): multipliers[f·k + j], j < the activation's count.
template <class T, class Mode, class In, std::size_t Filters, std::size_t KH, std::size_t KW,
          class A, std::size_t Stride, class Padding, std::size_t Index>
struct int8_layer<conv2d_layer<T, Mode, In, Filters, KH, KW, A, Stride, Padding, Index>> {
  using float_layer = conv2d_layer<T, Mode, In, Filters, KH, KW, A, Stride, Padding, Index>;
  using geometry = typename float_layer::geometry;
  using epilogue = int8_epilogue<A>;
  static_assert(check_int8_activation<Index, A, epilogue::supported>::value);
  static_assert(check_int8_softmax_on_dense<Index, epilogue::elementwise>::value);
  static constexpr std::size_t C = In::channels, H = In::height, W = In::width;
  static constexpr std::size_t taps = KH * KW * C;  ///< weights per filter
  static_assert(check_int8_fan_in<Index, taps>::value);
  static constexpr bool supported = true;
  static constexpr std::size_t weight_count = taps * Filters;
  static constexpr std::size_t bias_count = Filters;
  static constexpr std::size_t multiplier_count = Filters * epilogue::multipliers;
  static constexpr std::size_t shift_count = multiplier_count;
  static constexpr std::size_t fan_in = taps;
  static constexpr std::size_t out_h = geometry::out_h, out_w = geometry::out_w;

  /// One output pixel's receptive field, gathered (the workspace's column buffer).
  static constexpr std::size_t scratch_bytes = taps;

  static constexpr void forward(const int8_slice& p, const std::int8_t* x,
                                std::int8_t* y) noexcept {
    std::int8_t* const column = p.scratch;
    const auto pad = static_cast<std::int8_t>(p.input_zero_point);
    constexpr std::size_t whole = Filters - Filters % int8_rows;
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        conv_window win{};
        clip_axis<H, KH, Stride, geometry::pad_top>(oh, win.kh0, win.kh1);
        clip_axis<W, KW, Stride, geometry::pad_left>(ow, win.kw0, win.kw1);
        gather(x, column, oh, ow, win, pad);
        std::int8_t* out = y + (oh * out_w + ow) * Filters;
#if defined(CTNN_DETAIL_ARM_DSP)
        if constexpr (taps < 16 && requires { epilogue::linear; })
          if (!std::is_constant_evaluated()) {
            short_window_pixel_dsp<epilogue::relu, taps>(p, column, Filters, out);
            continue;
          }
#endif
        for (std::size_t f = 0; f < whole; f += int8_rows) filters<int8_rows>(p, column, out, f);
        if constexpr (whole < Filters)
          for (std::size_t f = whole; f < Filters; ++f) filters<1>(p, column, out, f);
      }
  }

 private:
  /// column[kh][kw][c] = the input under tap (kh, kw), or the input zero point (real 0)
  /// where the tap is in the padding. Weights are W[f][kh][kw][c]: each filter's taps and
  /// the column line up, so one dot product per filter covers the whole window.
  static constexpr void gather(const std::int8_t* x, std::int8_t* column, std::size_t oh,
                               std::size_t ow, const conv_window& win, std::int8_t pad) noexcept {
    const std::size_t row0 = oh * Stride + win.kh0 - geometry::pad_top;
    const std::size_t col0 = ow * Stride + win.kw0 - geometry::pad_left;
    if (win.kh0 == 0 && win.kh1 == KH && win.kw0 == 0 && win.kw1 == KW) {  // no padding
      for (std::size_t kh = 0; kh < KH; ++kh)
        copy_run(x + ((row0 + kh) * W + col0) * C, column + kh * KW * C);
      return;
    }
    for (std::size_t kh = 0; kh < KH; ++kh) {
      std::int8_t* line = column + kh * KW * C;
      if (kh < win.kh0 || kh >= win.kh1) {
        for (std::size_t i = 0; i < KW * C; ++i) line[i] = pad;
        continue;
      }
      for (std::size_t i = 0; i < win.kw0 * C; ++i) line[i] = pad;
      const std::int8_t* src = x + ((row0 + kh - win.kh0) * W + col0) * C;
      for (std::size_t i = win.kw0 * C; i < win.kw1 * C; ++i) line[i] = *src++;
      for (std::size_t i = win.kw1 * C; i < KW * C; ++i) line[i] = pad;
    }
  }

  /// Copies one kernel row (KW·C bytes), by words where the target allows unaligned ones.
  static constexpr void copy_run(const std::int8_t* src, std::int8_t* dst) noexcept {
    constexpr std::size_t n = KW * C;
    std::size_t i = 0;
#if defined(__ARM_FEATURE_UNALIGNED) || defined(__x86_64__)
    if (!std::is_constant_evaluated())
      for (; i + 4 <= n; i += 4) {
        std::uint32_t word;
        std::memcpy(&word, src + i, 4);
        std::memcpy(dst + i, &word, 4);
      }
#endif
#pragma GCC unroll 4
    for (; i < n; ++i) dst[i] = src[i];  // at most 3 bytes after the words: unrolled
  }

  template <std::size_t R>
  static constexpr void filters(const int8_slice& p, const std::int8_t* column, std::int8_t* out,
                                std::size_t f) noexcept {
    constexpr std::size_t k = epilogue::multipliers;
    if constexpr (requires { epilogue::linear; }) {
      linear_rows<epilogue::relu, k, R>(p, column, taps, f, out);
    } else {
      std::int32_t acc[R];
      for (std::size_t r = 0; r < R; ++r) acc[r] = p.biases[f + r];
      dot_rows<R>(column, p.weights + f * taps, taps, taps, acc);
      for (std::size_t r = 0; r < R; ++r)
        out[f + r] = epilogue::apply(acc[r], p.multipliers + (f + r) * k, p.shifts + (f + r) * k,
                                     p.output_zero_point);
    }
  }
};

/// Pooling keeps the input's scale and zero point (the exporter writes them equal). Max
/// takes the largest value; average sums the raw values in int32 and divides rounding half
/// away from zero (TFLite's reference).
template <class T, class Mode, class In, class Op, std::size_t PH, std::size_t PW,
          std::size_t Stride, std::size_t Index>
struct int8_layer<pool2d_layer<T, Mode, In, Op, PH, PW, Stride, Index>> {
  using float_layer = pool2d_layer<T, Mode, In, Op, PH, PW, Stride, Index>;
  static constexpr bool supported = true;
  static constexpr std::size_t weight_count = 0, bias_count = 0;
  static constexpr std::size_t multiplier_count = 0, shift_count = 0, fan_in = 0;
  static constexpr bool is_max = std::is_same_v<Op, max_pool_op>;

  static constexpr void forward(const int8_slice&, const std::int8_t* x, std::int8_t* y) noexcept {
    constexpr std::size_t C = In::channels, W = In::width, n = PH * PW;
    constexpr std::size_t out_h = float_layer::out_h, out_w = float_layer::out_w;
    for (std::size_t oh = 0; oh < out_h; ++oh)
      for (std::size_t ow = 0; ow < out_w; ++ow) {
        const std::int8_t* corner = x + (oh * Stride * W + ow * Stride) * C;
        std::int8_t* out = y + (oh * out_w + ow) * C;
#if defined(CTNN_DETAIL_ARM_DSP)
        // Four channels per word: SSUB8 sets a GE flag per byte where v ≥ m, SEL takes
        // those bytes from v: a byte-wise signed max in two instructions.
        if constexpr (is_max && C % 4 == 0)
          if (!std::is_constant_evaluated()) {
            for (std::size_t c = 0; c < C; c += 4) {
              std::uint32_t m = load_word(corner + c);
              for (std::size_t k = 1; k < n; ++k) {
                const std::uint32_t v = load_word(corner + ((k / PW) * W + k % PW) * C + c);
                std::uint32_t t;
                __asm__("ssub8 %[t], %[v], %[m]\n\tsel %[m], %[v], %[m]"
                        : [t] "=&r"(t), [m] "+r"(m)
                        : [v] "r"(v)
                        : "cc");
              }
              std::memcpy(out + c, &m, 4);
            }
            continue;
          }
#endif
        for (std::size_t c = 0; c < C; ++c) {
          std::int32_t a = is_max ? corner[c] : 0;
          for (std::size_t kh = 0; kh < PH; ++kh)
            for (std::size_t kw = 0; kw < PW; ++kw) {
              const std::int32_t v = corner[(kh * W + kw) * C + c];
              if constexpr (is_max)
                a = v > a ? v : a;
              else
                a += v;
            }
          if constexpr (!is_max) {
            a = divide_half_away(a, static_cast<std::int32_t>(n));
          }
          out[c] = static_cast<std::int8_t>(a);
        }
      }
  }
};

/// Flatten: HWC order is already the vector order; a copy.
template <class T, class Mode, class In, std::size_t Index>
struct int8_layer<flatten_layer<T, Mode, In, Index>> {
  static constexpr bool supported = true;
  static constexpr std::size_t weight_count = 0, bias_count = 0;
  static constexpr std::size_t multiplier_count = 0, shift_count = 0, fan_in = 0;
  static constexpr void forward(const int8_slice&, const std::int8_t* x, std::int8_t* y) noexcept {
    for (std::size_t i = 0; i < In::size; ++i) y[i] = x[i];
  }
};

}  // namespace ctnn::detail

// The int8 forms of the layers added by issue 13, each in its own header.
#include "ctnn/detail/int8_depthwise.hpp"
#include "ctnn/detail/int8_parameterless.hpp"
#include "ctnn/detail/int8_residual.hpp"
