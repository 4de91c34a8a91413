// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The benchmarked architectures (issue 2's performance bar), each with a naive
/// nested-loop reference written independently of ctnn: plain loops over the frozen
/// parameter layout (W[i][o] at i·Out + o, then b), std:: transcendental functions.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <ctnn/ctnn.hpp>
#include <random>
#include <string>
#include <utility>

namespace ctnn_bench {

enum class act { relu, tanh, sigmoid, softmax };

/// Does nothing: GCC may then vectorise the naive loops across outputs.
struct no_barrier {
  void operator()(float&) const noexcept {}
};

/// y = act(b + xW), one output at a time, i in order: the textbook loop. Barrier runs on
/// each finished sum (an optimisation barrier there keeps the loop scalar).
template <std::size_t In, std::size_t Out, act A, class Barrier = no_barrier>
inline const float* naive_dense(const float* p, const float* x, float* y) {
  const float* w = p;
  const float* b = p + In * Out;
  for (std::size_t o = 0; o < Out; ++o) {
    float s = b[o];
    for (std::size_t i = 0; i < In; ++i) s += x[i] * w[i * Out + o];
    Barrier{}(s);
    y[o] = s;
  }
  if constexpr (A == act::relu) {
    for (std::size_t o = 0; o < Out; ++o) y[o] = y[o] > 0.0f ? y[o] : 0.0f;
  } else if constexpr (A == act::tanh) {
    for (std::size_t o = 0; o < Out; ++o) y[o] = std::tanh(y[o]);
  } else if constexpr (A == act::sigmoid) {
    for (std::size_t o = 0; o < Out; ++o) y[o] = 1.0f / (1.0f + std::exp(-y[o]));
  } else {
    const float m = *std::max_element(y, y + Out);
    float sum = 0.0f;
    for (std::size_t o = 0; o < Out; ++o) sum += (y[o] = std::exp(y[o] - m));
    for (std::size_t o = 0; o < Out; ++o) y[o] /= sum;
  }
  return p + In * Out + Out;
}

/// Three dense layers In-H1-H2-Out, as a ctnn network (in Mode) and as naive loops.
template <class Mode, std::size_t In, std::size_t H1, std::size_t H2, std::size_t Out, act A1,
          act A2, act A3, class C1, class C2, class C3>
struct mlp3 {
  using net = ctnn::network<float, Mode, ctnn::input<In>, ctnn::dense<H1, C1>, ctnn::dense<H2, C2>,
                            ctnn::dense<Out, C3>>;
  static constexpr std::size_t parameter_count = (In + 1) * H1 + (H1 + 1) * H2 + (H2 + 1) * Out;
  static_assert(net::parameter_count == parameter_count);

  template <class Barrier = no_barrier>
  static void naive(const float* p, const float* x, float* y) {
    float h1[H1];
    float h2[H2];
    p = naive_dense<In, H1, A1, Barrier>(p, x, h1);
    p = naive_dense<H1, H2, A2, Barrier>(p, h1, h2);
    naive_dense<H2, Out, A3, Barrier>(p, h2, y);
  }
};

template <class Mode>
using mnist = mlp3<Mode, 784, 128, 64, 10, act::relu, act::relu, act::softmax, ctnn::relu,
                   ctnn::relu, ctnn::softmax>;
template <class Mode>
using small = mlp3<Mode, 64, 32, 16, 10, act::tanh, act::tanh, act::softmax, ctnn::tanh, ctnn::tanh,
                   ctnn::softmax>;
template <class Mode>
using tiny = mlp3<Mode, 2, 16, 16, 1, act::tanh, act::tanh, act::sigmoid, ctnn::tanh, ctnn::tanh,
                  ctnn::sigmoid>;

/// Uniform values in [-scale, scale] from a fixed seed (He-like scale for the weights
/// keeps activations in a realistic range).
template <std::size_t N>
void fill_random(std::array<float, N>& a, std::uint32_t seed, float scale) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  for (float& v : a) v = dist(gen);
}

/// Random weights for net: each layer's weights scaled by sqrt(3 / fan_in).
template <class Net>
void init_parameters(typename Net::parameters& p, std::uint32_t seed) {
  std::mt19937 gen(seed);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using layer = typename Net::template layer<I + 1>;
          const float scale = std::sqrt(3.0f / static_cast<float>(layer::fan_in));
          std::uniform_real_distribution<float> dist(-scale, scale);
          float* q = p.values.data() + Net::template parameter_offset<I + 1>;
          for (std::size_t k = 0; k < layer::parameter_count; ++k) q[k] = dist(gen);
        }(),
        ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
}

/// Random int8 parameters for ctnn::quantized<Net> with requantisation that keeps outputs
/// in range (about 1/(127·sqrt(fan_in))): the kernels' speed does not depend on the values,
/// only the activations' saturation would, and this avoids it.
template <class Q>
void init_int8_parameters(typename Q::parameters& p, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> w(-127, 127), b(-2000, 2000), m(1 << 30, 0x7fffffff);
  for (auto& v : p.weights) v = static_cast<std::int8_t>(w(gen));
  for (auto& v : p.biases) v = b(gen);
  for (auto& v : p.multipliers) v = m(gen);
  for (auto& v : p.shifts) v = -12;
  for (auto& v : p.zero_points) v = -128;
  for (auto& v : p.scales) v = 1.0f / 255;
}

template <std::size_t N>
void fill_random(std::array<std::int8_t, N>& a, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-128, 127);
  for (auto& v : a) v = static_cast<std::int8_t>(dist(gen));
}

/// CPU time of the calling thread (unaffected by time spent descheduled on a busy machine).
inline double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// "784-128-64-10": the layer sizes of Case's network.
template <class Case>
std::string arch_name() {
  using net = typename Case::net;
  std::string name = std::to_string(net::input_size);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((name += "-" + std::to_string(net::template layer_size<I + 1>)), ...);
  }
  (std::make_index_sequence<net::layer_count>{});
  return name;
}

/// "784-128-64-10/fused": sizes and numeric mode of Case.
template <class Case>
std::string case_name() {
  return arch_name<Case>() + "/" + std::string(Case::net::numerics::name.view());
}

}  // namespace ctnn_bench
