// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Independent, deliberately plain implementations of depthwise_conv2d and
/// global_avg_pool (float and int8) for differential tests: run-time sizes, std::vector,
/// signed coordinates with an explicit "inside the input?" test, no SIMD and none of ctnn's
/// kernels, layer types or quantisation helpers.
///
/// Float contract (depthwise_conv2d.hpp, global_avg_pool.hpp): HWC tensors; depthwise
/// weights W[kh][kw][c·M + m] then b[c·M + m]; sizes and padding as TensorFlow's
/// (valid: floor((In − K)/S) + 1; same: ceil(In/S), floor(total/2) before); acc = b[o],
/// then taps in kh, kw order, padded taps skipped, each one std::fma (fused) or a rounded
/// multiply then a rounded add (unfused). global_avg_pool: per channel, the (h, w) values
/// summed from the first one, divided by H·W.
///
/// int8 contract, written from TFLite's formulas with 64-bit integers:
/// - DEPTHWISE_CONV_2D: acc = bias[o] + Σ_taps (x_or_pad − z_in)·w[o][kh][kw] where a
///   padded tap reads z_in; here the bias is the unfolded one and the folding
///   (b' = b − z_in·Σw) is undone by the caller's construction.
/// - requantisation (TFLITE_SINGLE_ROUNDING): out = (acc·M + 2^(30 − shift)) >> (31 − shift),
///   floor shift, saturating to int32; then + z_out, activation clamp, int8 clamp.
/// - AVERAGE_POOL/MEAN with equal input/output quantisation: round half away from zero of
///   Σ q / n.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace naive_layers {

template <class T>
T mac(bool fused, T w, T x, T acc) {
  if (fused) return std::fma(w, x, acc);
  const T product = w * x;  // two roundings (the tests build with -ffp-contract=off)
  return acc + product;
}

inline void axis(long in, long k, long s, bool same, long& out, long& pad_before) {
  if (same) {
    out = (in + s - 1) / s;
    const long total = std::max((out - 1) * s + k - in, 0L);
    pad_before = total / 2;
  } else {
    out = (in - k) / s + 1;
    pad_before = 0;
  }
}

struct dw_shape {
  long h, w, c, kh, kw, s, m;
  bool same;
  long out_h() const {
    long o, p;
    axis(h, kh, s, same, o, p);
    return o;
  }
  long out_w() const {
    long o, p;
    axis(w, kw, s, same, o, p);
    return o;
  }
  long pad_top() const {
    long o, p;
    axis(h, kh, s, same, o, p);
    return p;
  }
  long pad_left() const {
    long o, p;
    axis(w, kw, s, same, o, p);
    return p;
  }
};

/// y[oh][ow][c·M + m], float or double.
template <class T>
std::vector<T> depthwise(const dw_shape& g, const std::vector<T>& x, const T* params, bool fused) {
  const long oc = g.c * g.m, oh_n = g.out_h(), ow_n = g.out_w();
  const long pt = g.pad_top(), pl = g.pad_left();
  const T* bias = params + g.kh * g.kw * oc;
  std::vector<T> y(static_cast<std::size_t>(oh_n * ow_n * oc));
  for (long oh = 0; oh < oh_n; ++oh)
    for (long ow = 0; ow < ow_n; ++ow)
      for (long c = 0; c < g.c; ++c)
        for (long m = 0; m < g.m; ++m) {
          const long o = c * g.m + m;
          T acc = bias[o];
          for (long kh = 0; kh < g.kh; ++kh)
            for (long kw = 0; kw < g.kw; ++kw) {
              const long ih = oh * g.s + kh - pt, iw = ow * g.s + kw - pl;
              if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
              acc = mac(fused, params[(kh * g.kw + kw) * oc + o],
                        x[static_cast<std::size_t>((ih * g.w + iw) * g.c + c)], acc);
            }
          y[static_cast<std::size_t>((oh * ow_n + ow) * oc + o)] = acc;
        }
  return y;
}

template <class T>
std::vector<T> global_avg_pool(long h, long w, long c, const std::vector<T>& x) {
  std::vector<T> y(static_cast<std::size_t>(c));
  for (long k = 0; k < c; ++k) {
    T s = x[static_cast<std::size_t>(k)];
    for (long i = 0; i < h; ++i)
      for (long j = 0; j < w; ++j) {
        if (i == 0 && j == 0) continue;
        s = s + x[static_cast<std::size_t>((i * w + j) * c + k)];
      }
    y[static_cast<std::size_t>(k)] = s / static_cast<T>(h * w);
  }
  return y;
}

// ---- int8 ------------------------------------------------------------------------------

/// TFLite single-rounding requantisation, 64-bit, saturating to int32.
inline std::int64_t requantize(std::int64_t acc, std::int64_t multiplier, std::int64_t shift) {
  const std::int64_t total_right = 31 - shift;
  const std::int64_t round = std::int64_t{1} << (total_right - 1);
  std::int64_t r = (acc * multiplier + round) >> total_right;
  return std::clamp<std::int64_t>(r, INT32_MIN, INT32_MAX);
}

/// int8 depthwise with identity (relu = true: ReLU) activation. Weights w[o][kh][kw];
/// `bias` is the *unfolded* int32 bias; padded taps read z_in.
inline std::vector<std::int8_t> depthwise_int8(const dw_shape& g, const std::vector<std::int8_t>& x,
                                               const std::vector<std::int8_t>& w,
                                               const std::vector<std::int64_t>& bias,
                                               const std::vector<std::int32_t>& mult,
                                               const std::vector<std::int32_t>& shift,
                                               std::int64_t z_in, std::int64_t z_out, bool relu) {
  const long oc = g.c * g.m, oh_n = g.out_h(), ow_n = g.out_w();
  const long pt = g.pad_top(), pl = g.pad_left();
  std::vector<std::int8_t> y(static_cast<std::size_t>(oh_n * ow_n * oc));
  for (long oh = 0; oh < oh_n; ++oh)
    for (long ow = 0; ow < ow_n; ++ow)
      for (long o = 0; o < oc; ++o) {
        const long c = o / g.m;
        std::int64_t acc = bias[static_cast<std::size_t>(o)];
        for (long kh = 0; kh < g.kh; ++kh)
          for (long kw = 0; kw < g.kw; ++kw) {
            const long ih = oh * g.s + kh - pt, iw = ow * g.s + kw - pl;
            const bool inside = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
            const std::int64_t q =
                inside ? x[static_cast<std::size_t>((ih * g.w + iw) * g.c + c)] : z_in;
            acc += (q - z_in) * w[static_cast<std::size_t>((o * g.kh + kh) * g.kw + kw)];
          }
        std::int64_t v =
            requantize(acc, mult[static_cast<std::size_t>(o)], shift[static_cast<std::size_t>(o)]) +
            z_out;
        v = std::clamp<std::int64_t>(v, relu ? std::max<std::int64_t>(z_out, -128) : -128, 127);
        y[static_cast<std::size_t>((oh * ow_n + ow) * oc + o)] = static_cast<std::int8_t>(v);
      }
  return y;
}

inline std::vector<std::int8_t> global_avg_pool_int8(long h, long w, long c,
                                                     const std::vector<std::int8_t>& x) {
  std::vector<std::int8_t> y(static_cast<std::size_t>(c));
  const std::int64_t n = h * w;
  for (long k = 0; k < c; ++k) {
    std::int64_t s = 0;
    for (long i = 0; i < h * w; ++i) s += x[static_cast<std::size_t>(i * c + k)];
    // Round half away from zero: |s|/n rounded, sign restored.
    const std::int64_t mag = s < 0 ? -s : s;
    const std::int64_t q = (2 * mag + n) / (2 * n);
    y[static_cast<std::size_t>(k)] = static_cast<std::int8_t>(s < 0 ? -q : q);
  }
  return y;
}

// ---- helpers ---------------------------------------------------------------------------

template <class T>
std::vector<T> random_values(std::size_t n, std::uint32_t seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(gen));
  return v;
}

template <class I>
std::vector<I> random_ints(std::size_t n, std::uint32_t seed, std::int64_t lo, std::int64_t hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<std::int64_t> dist(lo, hi);
  std::vector<I> v(n);
  for (I& x : v) x = static_cast<I>(dist(gen));
  return v;
}

template <class T>
bool same_bits(const T* a, const T* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

}  // namespace naive_layers
