// SPDX-License-Identifier: MIT
// The tuned dense kernels (vector tiles, masked tails, unrolled input loops, scalar tails)
// against an independent naive loop with the frozen summation order: bit-identical for
// every tile shape the kernel selection produces on this build's target.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <ctnn/dense.hpp>
#include <random>
#include <utility>
#include <vector>

namespace {

template <class T>
std::vector<T> random_values(std::size_t n, std::mt19937& gen) {
  std::uniform_real_distribution<T> dist(T(-1), T(1));
  std::vector<T> v(n);
  for (T& e : v) e = dist(gen);
  return v;
}

/// y[o] = b[o], then y[o] = y[o] + W[i][o]·x[i] for i = 0, 1, … (std::fma when fused).
template <class Mode, class T>
std::vector<T> naive_affine(const std::vector<T>& w, const std::vector<T>& b,
                            const std::vector<T>& x, std::size_t in, std::size_t out) {
  std::vector<T> y(out);
  for (std::size_t o = 0; o < out; ++o) {
    T s = b[o];
    for (std::size_t i = 0; i < in; ++i) {
      if constexpr (std::is_same_v<Mode, ctnn::fused>)
        s = std::fma(w[i * out + o], x[i], s);
      else
        s = s + w[i * out + o] * x[i];
    }
    y[o] = s;
  }
  return y;
}

template <class Mode, class T, std::size_t In, std::size_t Out>
void check_shape(std::mt19937& gen) {
  for (int trial = 0; trial < 3; ++trial) {
    const auto w = random_values<T>(In * Out, gen);
    const auto b = random_values<T>(Out, gen);
    const auto x = random_values<T>(In, gen);
    // Guard words after y catch a store past the end (masked tails).
    std::vector<T> y(Out + 16, T(7));
    ctnn::detail::dense_affine<Mode, In, Out>(w.data(), b.data(), x.data(), y.data());
    const auto r = naive_affine<Mode>(w, b, x, In, Out);
    ASSERT_EQ(std::memcmp(y.data(), r.data(), Out * sizeof(T)), 0)
        << "In=" << In << " Out=" << Out << " " << Mode::name.view() << " sizeof(T)=" << sizeof(T);
    for (std::size_t k = Out; k < y.size(); ++k) ASSERT_EQ(y[k], T(7)) << "wrote past y";
    std::vector<T> s(Out);
    ctnn::detail::dense_scalar<Mode, In, Out>(w.data(), b.data(), x.data(), s.data());
    ASSERT_EQ(std::memcmp(s.data(), r.data(), Out * sizeof(T)), 0) << "scalar path";
  }
}

template <class Mode, class T, std::size_t... Shape>
void check_shapes(std::index_sequence<Shape...>) {
  std::mt19937 gen(2024);
  // Shape encodes In·1000 + Out.
  (check_shape<Mode, T, Shape / 1000, Shape % 1000>(gen), ...);
}

// Outputs: lone tails (1, 2), masked tails with and without whole vectors, exact vectors,
// several tiles (on SSE2 200 floats are 50 vectors: 5 tiles), odd unroll remainders,
// weights past simd_prefetch_min_bytes (prefetching tiles on AVX-512; 45 inputs: with an
// unroll remainder), 256 outputs (one 16-vector tile on AVX-512, 11 + 11 + 10 vectors on
// AVX2). Streaming weights in several tiles are taken in blocks of 16 inputs on AVX2 and
// AVX-512: 784 and 128 inputs are whole blocks, 45 and 40 leave a shorter last block; 300
// outputs are two tiles on AVX-512 too (10 + 9 vectors, the last masked).
using shapes = std::index_sequence<1001, 2002, 3003, 5005, 7007, 16016, 17009, 2010, 33010, 16001,
                                   64010, 9017, 4031, 7030, 5033, 6064, 19100, 3128, 21129, 2200,
                                   784128, 23015, 18004, 13006, 128256, 45256, 9300, 40300>;

TEST(dense_kernel, fused_float) {
  check_shapes<ctnn::fused, float>(shapes{});
}
TEST(dense_kernel, unfused_float) {
  check_shapes<ctnn::unfused, float>(shapes{});
}
TEST(dense_kernel, fused_double) {
  check_shapes<ctnn::fused, double>(shapes{});
}
TEST(dense_kernel, unfused_double) {
  check_shapes<ctnn::unfused, double>(shapes{});
}

}  // namespace
