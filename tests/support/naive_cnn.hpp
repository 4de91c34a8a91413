// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// An independent, deliberately plain convolution, pooling and dense implementation for
/// differential tests: run-time sizes, std::vector, signed coordinates with an explicit
/// "inside the input?" test, no SIMD and none of ctnn's kernels or layer types.
///
/// The contract it implements (conv2d.hpp, pool2d.hpp): HWC tensors; conv weights
/// W[kh][kw][c][f] then b[f]; out = floor((In − K)/S) + 1 (valid) or ceil(In/S) (same, with
/// floor(total/2) padding before and the rest after, total = max((out − 1)·S + K − In, 0));
/// acc = b[f], then taps in kh, kw, c order, padded taps skipped, each tap one std::fma
/// (fused) or a rounded multiply then a rounded add (unfused).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace naive_cnn {

/// An HWC tensor with run-time sizes.
template <class T>
struct tensor {
  long h = 0, w = 0, c = 0;
  std::vector<T> v;
  T at(long i, long j, long k) const { return v[static_cast<std::size_t>((i * w + j) * c + k)]; }
};

template <class T>
T mac(bool fused, T w, T x, T acc) {
  if (fused) return std::fma(w, x, acc);
  const T product = w * x;  // two roundings (the tests build with -ffp-contract=off)
  return acc + product;
}

/// Output size and padding before, per axis.
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

template <class T>
tensor<T> conv2d(const tensor<T>& x, const T* params, long filters, long kh_size, long kw_size,
                 long stride, bool same, bool fused) {
  tensor<T> y;
  long pt = 0, pl = 0;
  axis(x.h, kh_size, stride, same, y.h, pt);
  axis(x.w, kw_size, stride, same, y.w, pl);
  y.c = filters;
  y.v.resize(static_cast<std::size_t>(y.h * y.w * y.c));
  const T* bias = params + kh_size * kw_size * x.c * filters;
  for (long oh = 0; oh < y.h; ++oh)
    for (long ow = 0; ow < y.w; ++ow)
      for (long f = 0; f < filters; ++f) {
        T acc = bias[f];
        for (long kh = 0; kh < kh_size; ++kh)
          for (long kw = 0; kw < kw_size; ++kw)
            for (long c = 0; c < x.c; ++c) {
              const long ih = oh * stride + kh - pt, iw = ow * stride + kw - pl;
              if (ih < 0 || ih >= x.h || iw < 0 || iw >= x.w) continue;
              acc = mac(fused, params[((kh * kw_size + kw) * x.c + c) * filters + f],
                        x.at(ih, iw, c), acc);
            }
        y.v[static_cast<std::size_t>((oh * y.w + ow) * y.c + f)] = acc;
      }
  return y;
}

/// Max (first of equals, `v > m`) or average (sum in kh, kw order, then a division).
template <class T>
tensor<T> pool2d(const tensor<T>& x, long ph, long pw, long stride, bool average) {
  tensor<T> y;
  y.h = (x.h - ph) / stride + 1;
  y.w = (x.w - pw) / stride + 1;
  y.c = x.c;
  y.v.resize(static_cast<std::size_t>(y.h * y.w * y.c));
  for (long oh = 0; oh < y.h; ++oh)
    for (long ow = 0; ow < y.w; ++ow)
      for (long c = 0; c < x.c; ++c) {
        T r = x.at(oh * stride, ow * stride, c);
        for (long kh = 0; kh < ph; ++kh)
          for (long kw = 0; kw < pw; ++kw) {
            if (kh == 0 && kw == 0) continue;
            const T v = x.at(oh * stride + kh, ow * stride + kw, c);
            r = average ? r + v : (v > r ? v : r);
          }
        if (average) r = r / static_cast<T>(ph * pw);
        y.v[static_cast<std::size_t>((oh * y.w + ow) * y.c + c)] = r;
      }
  return y;
}

/// Dense y = b + xW with W input-major, on the flattened (HWC) tensor.
template <class T>
tensor<T> dense(const tensor<T>& x, const T* params, long outputs, bool fused) {
  const long in = x.h * x.w * x.c;
  tensor<T> y{1, 1, outputs, std::vector<T>(static_cast<std::size_t>(outputs))};
  for (long o = 0; o < outputs; ++o) {
    T acc = params[in * outputs + o];
    for (long i = 0; i < in; ++i)
      acc = mac(fused, params[i * outputs + o], x.v[static_cast<std::size_t>(i)], acc);
    y.v[static_cast<std::size_t>(o)] = acc;
  }
  return y;
}

template <class T>
void relu(tensor<T>& x) {
  for (T& v : x.v) v = v > T(0) ? v : T(0);
}

/// Uniform values in [lo, hi) from a seeded engine.
template <class T>
std::vector<T> random_values(std::size_t n, std::uint32_t seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(gen));
  return v;
}

/// Bit-for-bit equality of two arrays (distinguishes −0 from +0).
template <class T>
bool same_bits(const T* a, const T* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

}  // namespace naive_cnn
