// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// An independent reference for int8 inference, written from the TFLite int8 scheme's
/// formulas, for differential tests of ctnn::quantized. It includes nothing from ctnn and
/// shares no code with it: run-time architecture (std::vector), nested loops over the
/// spec's indices, 64/128-bit integers, no bias folding, explicit padding.
///
/// The contract it implements (quantization.hpp, quantized.hpp):
/// - real = s·(q − z); weights symmetric (z = 0), biases int32 with zero point 0.
/// - dense: acc[o] = b[o] + Σ_i (x[i] − z_in)·W[o][i], W output-major.
/// - conv2d: HWC input, OHWI weights; valid: out = ⌊(In − K)/S⌋ + 1; same: out = ⌈In/S⌉,
///   total padding max((out − 1)·S + K − In, 0), pad_before = ⌊total/2⌋; a padded tap holds
///   the real value 0 (q = z_in), so it contributes (z_in − z_in)·w = 0 and is skipped.
/// - requantisation per output channel (a conv filter or a dense output: per-channel weight
///   scales; ctnn restricts a dense layer's to one multiplier and a shift per output, a
///   special case of this) with single rounding: round(acc·M·2^(shift − 31)), ties toward +∞, exact
///   (a 128-bit product and a floor division), saturated to int32; then + z_out, clamped to
///   [−128, 127] (relu: [z_out, 127]; leaky relu: acc < 0 uses the second multiplier).
/// - max pool over valid windows; avg pool: Σ of the raw values / n, rounded half away
///   from zero (the output keeps the input's scale and zero point).
/// - ADD (residual blocks): see add() below; a per-channel affine (scale_shift): affine().
/// - sigmoid, tanh, softmax: v = requantise(acc) is x·log2(e) in Q16; the outputs are
///   round(256·σ(x)) − 128, round(128·tanh(x)), round(256·softmax_i) − 128, computed here in
///   double from exact powers of two. ctnn evaluates 2^(−t) with a Q30 polynomial whose
///   result is rounded to Q16, so these three may differ from ctnn by one unit (see
///   quantized_test.cpp).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace int8_ref {

/// 128-bit integers (GCC and clang), for exact products of two int32 and a 2^62 divisor.
__extension__ typedef __int128 i128;

enum class kind { dense, conv2d, max_pool, avg_pool, flatten };
enum class act { identity, relu, leaky_relu, sigmoid, tanh, softmax };

/// Height × width × channels (a vector is 1 × 1 × n).
struct shape {
  std::size_t h = 1, w = 1, c = 1;
  std::size_t size() const { return h * w * c; }
};

/// One layer of a run-time architecture.
struct layer {
  kind k = kind::dense;
  std::size_t units = 0;  ///< dense outputs or conv filters
  std::size_t kh = 1, kw = 1, stride = 1;
  bool same = false;
  act a = act::identity;
};

/// m = multiplier·2^(shift − 31).
struct multiplier {
  std::int32_t m = 0;
  int shift = 0;
};

/// One layer's raw spec parameters (nothing folded) and its tensors' zero points.
struct layer_params {
  std::vector<std::int8_t> weights;  ///< dense W[o][i]; conv W[f][kh][kw][c]
  std::vector<std::int32_t> biases;  ///< b[o], zero point 0
  std::vector<multiplier> positive;  ///< per output channel (dense output, conv filter)
  std::vector<multiplier> negative;  ///< leaky relu's acc < 0 multipliers, else empty
  std::int32_t z_in = 0, z_out = 0;
};

inline std::int32_t saturate32(i128 v) {
  if (v < INT32_MIN) return INT32_MIN;
  if (v > INT32_MAX) return INT32_MAX;
  return static_cast<std::int32_t>(v);
}

/// ⌊a / d⌋ for d > 0 (C++ division truncates toward zero).
inline i128 floor_div(i128 a, i128 d) {
  i128 q = a / d;
  if (a % d != 0 && a < 0) --q;
  return q;
}

/// round(acc·m·2^(shift − 31)), ties toward +∞, saturated to int32. shift in [−31, 30].
inline std::int32_t requantize(std::int64_t acc, multiplier mul) {
  const int right = 31 - mul.shift;  // 1 … 62
  const i128 product = static_cast<i128>(acc) * mul.m;
  const i128 d = static_cast<i128>(1) << right;
  // round half up: ⌊(2·p + d) / (2·d)⌋.
  return saturate32(floor_div(2 * product + d, 2 * d));
}

inline std::int8_t clamp8(std::int64_t v, std::int64_t lo = -128, std::int64_t hi = 127) {
  return static_cast<std::int8_t>(v < lo ? lo : v > hi ? hi : v);
}

/// round(x), ties away from zero, for |x| small.
inline std::int64_t round_away(double x) {
  return static_cast<std::int64_t>(x < 0 ? -std::floor(-x + 0.5) : std::floor(x + 0.5));
}

/// The element-wise epilogue (not softmax).
inline std::int8_t epilogue(std::int64_t acc, act a, multiplier pos, multiplier neg,
                            std::int32_t z_out) {
  switch (a) {
    case act::identity:
      return clamp8(std::int64_t{z_out} + requantize(acc, pos));
    case act::relu:
      return clamp8(std::int64_t{z_out} + requantize(acc, pos), z_out, 127);
    case act::leaky_relu:
      return clamp8(std::int64_t{z_out} + requantize(acc, acc < 0 ? neg : pos));
    case act::sigmoid: {
      const double x = requantize(acc, pos) / 65536.0;  // in units of log2: x·log2(e)
      const double s = 1.0 / (1.0 + std::exp2(-x));
      return clamp8(round_away(256.0 * s) - 128);
    }
    case act::tanh: {
      const double x = requantize(acc, pos) / 65536.0;
      const double t = (1.0 - std::exp2(-2.0 * x)) / (1.0 + std::exp2(-2.0 * x));
      return clamp8(round_away(128.0 * (std::isnan(t) ? -1.0 : t)));
    }
    case act::softmax:
      break;
  }
  return 0;
}

/// Softmax over a whole vector of accumulators (a multiplier per element).
inline std::vector<std::int8_t> softmax(const std::vector<std::int64_t>& acc,
                                        const std::vector<multiplier>& pos) {
  std::vector<double> v(acc.size());
  double top = -1e300;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    v[i] = requantize(acc[i], pos[i]) / 65536.0;
    if (v[i] > top) top = v[i];
  }
  double sum = 0;
  for (double& e : v) {
    e = std::exp2(e - top);
    sum += e;
  }
  std::vector<std::int8_t> y(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) y[i] = clamp8(round_away(256.0 * v[i] / sum) - 128);
  return y;
}

inline std::size_t conv_out(std::size_t in, std::size_t k, std::size_t s, bool same) {
  return same ? (in + s - 1) / s : (in - k) / s + 1;
}
inline std::size_t conv_pad_before(std::size_t in, std::size_t k, std::size_t s, bool same) {
  if (!same) return 0;
  const long long out = static_cast<long long>(conv_out(in, k, s, true));
  const long long total = (out - 1) * static_cast<long long>(s) + static_cast<long long>(k) -
                          static_cast<long long>(in);
  return total > 0 ? static_cast<std::size_t>(total / 2) : 0;
}

/// The output shape of layer l on input shape in.
inline shape output_shape(const layer& l, shape in) {
  switch (l.k) {
    case kind::dense:
      return {1, 1, l.units};
    case kind::conv2d:
      return {conv_out(in.h, l.kh, l.stride, l.same), conv_out(in.w, l.kw, l.stride, l.same),
              l.units};
    case kind::max_pool:
    case kind::avg_pool:
      return {(in.h - l.kh) / l.stride + 1, (in.w - l.kw) / l.stride + 1, in.c};
    case kind::flatten:
      return {1, 1, in.size()};
  }
  return {};
}

/// Number of requantisation channels of a layer (dense outputs, conv filters, else 0).
inline std::size_t channels(const layer& l) {
  return l.k == kind::dense || l.k == kind::conv2d ? l.units : 0;
}
/// Weights per output channel.
inline std::size_t fan_in(const layer& l, shape in) {
  return l.k == kind::dense ? in.size() : l.k == kind::conv2d ? l.kh * l.kw * in.c : 0;
}

/// The accumulators of a dense or conv layer: b + Σ (x − z_in)·w, in 64 bits, HWC order.
inline std::vector<std::int64_t> accumulate(const layer& l, shape in, const layer_params& p,
                                            const std::vector<std::int8_t>& x) {
  const shape out = output_shape(l, in);
  std::vector<std::int64_t> acc(out.size());
  if (l.k == kind::dense) {
    for (std::size_t o = 0; o < l.units; ++o) {
      std::int64_t a = p.biases[o];
      for (std::size_t i = 0; i < in.size(); ++i)
        a += (std::int64_t{x[i]} - p.z_in) * p.weights[o * in.size() + i];
      acc[o] = a;
    }
    return acc;
  }
  const long long top = static_cast<long long>(conv_pad_before(in.h, l.kh, l.stride, l.same));
  const long long left = static_cast<long long>(conv_pad_before(in.w, l.kw, l.stride, l.same));
  for (std::size_t oh = 0; oh < out.h; ++oh)
    for (std::size_t ow = 0; ow < out.w; ++ow)
      for (std::size_t f = 0; f < l.units; ++f) {
        std::int64_t a = p.biases[f];
        for (std::size_t i = 0; i < l.kh; ++i)
          for (std::size_t j = 0; j < l.kw; ++j) {
            const long long ih = static_cast<long long>(oh * l.stride + i) - top;
            const long long iw = static_cast<long long>(ow * l.stride + j) - left;
            if (ih < 0 || iw < 0 || ih >= static_cast<long long>(in.h) ||
                iw >= static_cast<long long>(in.w))
              continue;  // padding: (z_in − z_in)·w = 0
            for (std::size_t c = 0; c < in.c; ++c) {
              const std::int64_t xq =
                  x[(static_cast<std::size_t>(ih) * in.w + static_cast<std::size_t>(iw)) * in.c +
                    c];
              const std::int64_t wq = p.weights[((f * l.kh + i) * l.kw + j) * in.c + c];
              a += (xq - p.z_in) * wq;
            }
          }
        acc[(oh * out.w + ow) * l.units + f] = a;
      }
  return acc;
}

/// One layer's int8 output.
inline std::vector<std::int8_t> forward_layer(const layer& l, shape in, const layer_params& p,
                                              const std::vector<std::int8_t>& x) {
  const shape out = output_shape(l, in);
  std::vector<std::int8_t> y(out.size());
  switch (l.k) {
    case kind::flatten:
      return x;
    case kind::max_pool:
    case kind::avg_pool:
      for (std::size_t oh = 0; oh < out.h; ++oh)
        for (std::size_t ow = 0; ow < out.w; ++ow)
          for (std::size_t c = 0; c < in.c; ++c) {
            std::int64_t best = -1000, sum = 0;
            for (std::size_t i = 0; i < l.kh; ++i)
              for (std::size_t j = 0; j < l.kw; ++j) {
                const std::int64_t v =
                    x[((oh * l.stride + i) * in.w + ow * l.stride + j) * in.c + c];
                best = v > best ? v : best;
                sum += v;
              }
            std::int64_t r = best;
            if (l.k == kind::avg_pool) {
              const std::int64_t n = static_cast<std::int64_t>(l.kh * l.kw);
              const std::int64_t mag = (2 * (sum < 0 ? -sum : sum) + n) / (2 * n);
              r = sum < 0 ? -mag : mag;
            }
            y[(oh * out.w + ow) * in.c + c] = static_cast<std::int8_t>(r);
          }
      return y;
    case kind::dense:
    case kind::conv2d:
      break;
  }
  const std::vector<std::int64_t> acc = accumulate(l, in, p, x);
  if (l.a == act::softmax) return softmax(acc, p.positive);
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const std::size_t ch = i % l.units;
    const multiplier neg = p.negative.empty() ? multiplier{} : p.negative[ch];
    y[i] = epilogue(acc[i], l.a, p.positive[ch], neg, p.z_out);
  }
  return y;
}

/// A per-channel affine map y = act(a[c]·x + b[c]) (ctnn's scale_shift) as TFLite runs it:
/// DEPTHWISE_CONV_2D with a 1×1 kernel, stride 1 and depth multiplier 1, so for every value
/// x of channel c = (index mod C): acc = b[c] + (x − z_in)·W[c], then the element-wise
/// epilogue with channel c's multipliers. p.weights: W[c]; p.biases: b[c] (not folded).
inline std::vector<std::int8_t> affine(shape in, act a, const layer_params& p,
                                       const std::vector<std::int8_t>& x) {
  std::vector<std::int8_t> y(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::size_t c = i % in.c;
    const std::int64_t acc =
        std::int64_t{p.biases[c]} + (std::int64_t{x[i]} - p.z_in) * std::int64_t{p.weights[c]};
    y[i] =
        epilogue(acc, a, p.positive[c], p.negative.empty() ? multiplier{} : p.negative[c], p.z_out);
  }
  return y;
}

/// TFLite's int8 ADD (reference_integer_ops::Add: both inputs shifted left by 20 and
/// rescaled to a common scale by their own multipliers, summed, requantised to the output
/// scale), with single rounding, in 64-bit arithmetic without any intermediate clamp:
///   y = clamp(z_y + rq(rq((a − z_a)·2^20, m_a) + rq((b − z_b)·2^20, m_b), m_y))
/// into [z_y, 127] with a fused ReLU, else [−128, 127].
inline std::vector<std::int8_t> add(const std::vector<std::int8_t>& a, std::int32_t z_a,
                                    multiplier m_a, const std::vector<std::int8_t>& b,
                                    std::int32_t z_b, multiplier m_b, multiplier m_y,
                                    std::int32_t z_y, bool relu) {
  constexpr std::int64_t left = std::int64_t{1} << 20;
  std::vector<std::int8_t> y(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::int64_t sa = requantize((std::int64_t{a[i]} - z_a) * left, m_a);
    const std::int64_t sb = requantize((std::int64_t{b[i]} - z_b) * left, m_b);
    y[i] = clamp8(std::int64_t{z_y} + requantize(sa + sb, m_y), relu ? z_y : -128, 127);
  }
  return y;
}

/// A run-time network: the input shape and its layers.
struct network {
  shape input;
  std::vector<layer> layers;
};

/// Every layer's output, in order (the last is the network's output).
inline std::vector<std::vector<std::int8_t>> forward(const network& net,
                                                     const std::vector<layer_params>& p,
                                                     const std::vector<std::int8_t>& x) {
  std::vector<std::vector<std::int8_t>> outs;
  outs.reserve(net.layers.size());
  shape in = net.input;
  const std::vector<std::int8_t>* cur = &x;
  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    outs.push_back(forward_layer(net.layers[l], in, p[l], *cur));
    in = output_shape(net.layers[l], in);
    cur = &outs.back();
  }
  return outs;
}

}  // namespace int8_ref
