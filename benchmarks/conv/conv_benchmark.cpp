// SPDX-License-Identifier: MIT
// conv2d forward (ctnn, fused and unfused) against a naive nested-loop convolution in the
// same binary, plus the example CNN's whole forward pass. Run:
//   ctnn_conv_benchmark --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "ctnn/pool2d.hpp"

namespace {

template <class Net>
typename Net::parameters make_parameters() {
  typename Net::parameters p{};
  std::uint32_t s = 1;
  for (auto& v : p.values) {
    s = s * 1664525u + 1013904223u;
    v = float(int(s >> 9) % 2001 - 1000) / 4000.0f;
  }
  return p;
}
template <class Net>
typename Net::input make_input() {
  typename Net::input x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 37) % 101) / 101.0f;
  return x;
}

/// The straightforward loop nest (valid padding): pixel, filter, kh, kw, c.
template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t K>
void naive_conv(const float* p, const float* x, float* y) {
  constexpr std::size_t oh_n = H - K + 1, ow_n = W - K + 1;
  const float* b = p + K * K * C * F;
  for (std::size_t oh = 0; oh < oh_n; ++oh)
    for (std::size_t ow = 0; ow < ow_n; ++ow)
      for (std::size_t f = 0; f < F; ++f) {
        float acc = b[f];
        for (std::size_t kh = 0; kh < K; ++kh)
          for (std::size_t kw = 0; kw < K; ++kw)
            for (std::size_t c = 0; c < C; ++c)
              acc = std::fma(p[((kh * K + kw) * C + c) * F + f],
                             x[((oh + kh) * W + ow + kw) * C + c], acc);
        y[(oh * ow_n + ow) * F + f] = acc;
      }
}

template <class Net>
void bm_ctnn(benchmark::State& state) {
  const auto p = make_parameters<Net>();
  auto x = make_input<Net>();
  typename Net::workspace ws;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    auto y = Net::forward(p, x, ws);
    benchmark::DoNotOptimize(y);
  }
  if constexpr (Net::layer_count == 1)  // a single conv2d: MACs = outputs × taps
    state.counters["MAC/s"] =
        benchmark::Counter(double(Net::output_size) * double(Net::template layer<1>::fan_in) *
                               double(state.iterations()),
                           benchmark::Counter::kIsRate);
}

template <std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t K>
void bm_naive(benchmark::State& state) {
  using net = ctnn::network<float, ctnn::input<H, W, C>, ctnn::conv2d<F, K, K>>;
  const auto p = make_parameters<net>();
  auto x = make_input<net>();
  std::vector<float> y(net::output_size);
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    naive_conv<H, W, C, F, K>(p.values.data(), x.data(), y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["MAC/s"] =
      benchmark::Counter(double(net::output_size) * double(K * K * C) * double(state.iterations()),
                         benchmark::Counter::kIsRate);
}

template <class Mode, std::size_t H, std::size_t W, std::size_t C, std::size_t F, std::size_t K>
using conv_net = ctnn::network<float, Mode, ctnn::input<H, W, C>, ctnn::conv2d<F, K, K>>;

// The example CNN's two convolutions, and a wider one.
BENCHMARK(bm_ctnn<conv_net<ctnn::fused, 28, 28, 1, 8, 3>>)
    ->Name("conv 28x28x1 -> 8@3x3 ctnn fused");
BENCHMARK(bm_ctnn<conv_net<ctnn::unfused, 28, 28, 1, 8, 3>>)
    ->Name("conv 28x28x1 -> 8@3x3 ctnn unfused");
BENCHMARK(bm_naive<28, 28, 1, 8, 3>)->Name("conv 28x28x1 -> 8@3x3 naive");
BENCHMARK(bm_ctnn<conv_net<ctnn::fused, 13, 13, 8, 16, 3>>)
    ->Name("conv 13x13x8 -> 16@3x3 ctnn fused");
BENCHMARK(bm_ctnn<conv_net<ctnn::unfused, 13, 13, 8, 16, 3>>)
    ->Name("conv 13x13x8 -> 16@3x3 ctnn unfused");
BENCHMARK(bm_naive<13, 13, 8, 16, 3>)->Name("conv 13x13x8 -> 16@3x3 naive");
BENCHMARK(bm_ctnn<conv_net<ctnn::fused, 16, 16, 16, 32, 3>>)
    ->Name("conv 16x16x16 -> 32@3x3 ctnn fused");
BENCHMARK(bm_naive<16, 16, 16, 32, 3>)->Name("conv 16x16x16 -> 32@3x3 naive");

// The example model (firmware_example/models/cnn.hpp), whole forward pass.
using example_cnn =
    ctnn::network<float, ctnn::fused, ctnn::input<28, 28>, ctnn::conv2d<8, 3, 3, ctnn::relu>,
                  ctnn::max_pool2d<2>, ctnn::conv2d<32, 3, 3, ctnn::relu, 1, ctnn::same>,
                  ctnn::max_pool2d<2>, ctnn::flatten, ctnn::dense<10, ctnn::softmax>>;
BENCHMARK(bm_ctnn<example_cnn>)->Name("example cnn forward (fused)");

}  // namespace

BENCHMARK_MAIN();
