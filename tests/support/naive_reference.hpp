// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// An independent, deliberately plain implementation of a dense network, for
/// differential tests: run-time architecture (std::vector), nested loops, no SIMD, no
/// Hana, none of ctnn's layer binding. Only the elementary functions are shared with
/// ctnn (ctnn::detail::exp/tanh/sigmoid), so that the comparison can be bit for bit.
///
/// The numeric contract it implements (numerics.hpp, dense.hpp, activation.hpp):
/// y[o] = b[o], then for i = 0..In-1 in order: y[o] = y[o] + W[i][o]·x[i], as one
/// std::fma (fused) or a rounded multiply then a rounded add (unfused); W is In × Out,
/// input-major, followed by b. Softmax subtracts the maximum, sums exponentials in index
/// order and divides each by the sum.
///
/// Also: constexpr pseudo-random parameters and inputs (an LCG), so the same values can
/// be produced in constant evaluation (static tests) and at run time.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "ctnn/activation.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/detail/math.hpp"

namespace naive {

enum class act { identity, relu, leaky_relu, sigmoid, tanh, softmax };

/// One dense layer of a run-time architecture; the slope of leaky_relu is num/den.
struct layer {
  std::size_t out = 0;
  act activation = act::identity;
  long long num = 0;
  long long den = 1;
};

/// A run-time description of a dense network.
struct architecture {
  std::size_t inputs = 0;
  std::vector<layer> layers;
  bool fused = true;

  std::size_t parameter_count() const {
    std::size_t n = 0, in = inputs;
    for (const layer& l : layers) {
      n += in * l.out + l.out;
      in = l.out;
    }
    return n;
  }
};

/// The run-time description of a ctnn layer spec, read off its template arguments only.
template <class Spec>
struct describe_spec;
template <std::size_t Out>
struct describe_spec<ctnn::dense<Out, ctnn::identity>> {
  static layer get() { return {Out, act::identity}; }
};
template <std::size_t Out>
struct describe_spec<ctnn::dense<Out, ctnn::relu>> {
  static layer get() { return {Out, act::relu}; }
};
template <std::size_t Out, std::intmax_t Num, std::intmax_t Den>
struct describe_spec<ctnn::dense<Out, ctnn::leaky_relu<Num, Den>>> {
  static layer get() { return {Out, act::leaky_relu, Num, Den}; }
};
template <std::size_t Out>
struct describe_spec<ctnn::dense<Out, ctnn::sigmoid>> {
  static layer get() { return {Out, act::sigmoid}; }
};
template <std::size_t Out>
struct describe_spec<ctnn::dense<Out, ctnn::tanh>> {
  static layer get() { return {Out, act::tanh}; }
};
template <std::size_t Out>
struct describe_spec<ctnn::dense<Out, ctnn::softmax>> {
  static layer get() { return {Out, act::softmax}; }
};

template <class T>
void activate(const layer& l, std::vector<T>& v) {
  switch (l.activation) {
    case act::identity:
      break;
    case act::relu:
      for (T& e : v) e = e > T(0) ? e : T(0);
      break;
    case act::leaky_relu: {
      const T slope = T(l.num) / T(l.den);
      for (T& e : v) e = e > T(0) ? e : e * slope;
      break;
    }
    case act::sigmoid:
      for (T& e : v) e = ctnn::detail::sigmoid(e);
      break;
    case act::tanh:
      for (T& e : v) e = ctnn::detail::tanh(e);
      break;
    case act::softmax: {
      T m = v[0];
      for (T e : v) m = e > m ? e : m;
      T sum = 0;
      for (T& e : v) {
        e = ctnn::detail::exp(e - m);
        sum += e;
      }
      for (T& e : v) e = e / sum;
      break;
    }
  }
}

/// Forward pass of `a` with the flat parameters `p` on input `x`.
template <class T>
std::vector<T> forward(const architecture& a, const T* p, const std::vector<T>& x) {
  std::vector<T> in = x;
  for (const layer& l : a.layers) {
    const std::size_t n_in = in.size(), n_out = l.out;
    const T* w = p;
    const T* b = p + n_in * n_out;
    std::vector<T> out(n_out);
    for (std::size_t o = 0; o < n_out; ++o) {
      T acc = b[o];
      for (std::size_t i = 0; i < n_in; ++i) {
        if (a.fused) {
          acc = std::fma(w[i * n_out + o], in[i], acc);
        } else {
          const T product = w[i * n_out + o] * in[i];
          acc = acc + product;
        }
      }
      out[o] = acc;
    }
    activate(l, out);
    p += n_in * n_out + n_out;
    in = std::move(out);
  }
  return in;
}

/// A 64-bit LCG (Knuth's MMIX constants) usable in constant evaluation.
struct lcg {
  std::uint64_t state;
  constexpr std::uint64_t next() noexcept {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state;
  }
  /// Uniform in [-scale, scale) on a grid of 2^-20 · scale: exact in float and double.
  template <class T>
  constexpr T uniform(T scale) noexcept {
    const auto k = static_cast<std::int64_t>(next() >> 43) - (std::int64_t{1} << 20);
    return T(k) / T(1 << 20) * scale;
  }
};

/// Fills layer I's slice (and the following layers') of `p` from `g`. A recursive template
/// rather than a fold over lambdas, which crashes clang 14.
template <class Net, std::size_t I = 1>
constexpr void lcg_fill(typename Net::parameters& p, lcg& g) noexcept {
  using L = typename Net::template layer<I>;
  using T = typename Net::scalar;
  T scale = T(1);
  for (std::size_t f = 1; f * 4 <= L::fan_in; f *= 4) scale = scale / T(2);
  std::size_t k = Net::template parameter_offset<I>;
  for (std::size_t j = 0; j < L::weight_count; ++j) p.values[k++] = g.uniform(scale);
  for (std::size_t j = 0; j < L::bias_count; ++j) p.values[k++] = g.uniform(T(0.5));
  if constexpr (I < Net::layer_count) lcg_fill<Net, I + 1>(p, g);
}

/// Pseudo-random parameters for Net: weights in ±2^-m with 4^m <= fan-in (about
/// 1/sqrt(fan-in), a power of two so the scaling is exact), biases in ±0.5.
template <class Net>
constexpr typename Net::parameters lcg_parameters(std::uint64_t seed) noexcept {
  typename Net::parameters p{};
  lcg g{seed};
  lcg_fill<Net>(p, g);
  return p;
}

/// Pseudo-random input for Net in [-2, 2).
template <class Net>
constexpr typename Net::input lcg_input(std::uint64_t seed) noexcept {
  typename Net::input x{};
  lcg g{seed ^ 0x9e3779b97f4a7c15ull};
  for (auto& v : x) v = g.uniform(typename Net::scalar(2));
  return x;
}

}  // namespace naive
