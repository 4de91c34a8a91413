// SPDX-License-Identifier: MIT
// Layer 1 of 784-128-64-10 alone (dense 784 -> 128, relu, fused; 401 KB of weights, read
// from L2): the figures behind dense_kernel.hpp's dense_tiles_streamed and simd.hpp's
// simd_stream_block_rows (docs/performance.md). Compare times within one run.
//   page/<pad>   the layer's tiles, tile after tile, in a function that starts a 4 KiB page,
//                after <pad> bytes jumped over: where its loops lie relative to the page.
//   block/<rows> dense_tiles_streamed with blocks of <rows> inputs (0: tile after tile).
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "bench_networks.hpp"

namespace {

constexpr std::size_t in = 784;
constexpr std::size_t out = 128;
using layer_net = ctnn::network<float, ctnn::fused, ctnn::input<in>, ctnn::dense<out, ctnn::relu>>;
constexpr bool vector_fma = ctnn::detail::simd_mac_available<float, ctnn::fused>;

struct fixture {
  layer_net::parameters params;
  layer_net::input x;
  alignas(64) std::array<float, out> y{};
  fixture() {
    ctnn_bench::init_parameters<layer_net>(params, 42);
    ctnn_bench::fill_random(x, 7, 1.0f);
  }
};

/// The layer's tiles Pad bytes into a function aligned to a page.
template <std::size_t Pad>
[[gnu::noinline, gnu::aligned(4096)]] void layer_at(const float* w, const float* x,
                                                    float* y) noexcept {
  if constexpr (Pad > 0) asm volatile("jmp 1f\n\t.skip %c0, 0xcc\n1:" ::"i"(Pad));
  ctnn::detail::dense_tiles<ctnn::fused, in, out, ctnn::relu, in>(w, w + in * out, x, y, 0);
}

template <class Pass>
void run(benchmark::State& state, Pass pass) {
  const auto f = std::make_unique<fixture>();
  const float* w = f->params.values.data();
  for (auto _ : state) {
    benchmark::ClobberMemory();
    pass(w, f->x.data(), f->y.data());
    benchmark::DoNotOptimize(f->y);
  }
}

template <std::size_t Pad>
void bm_page(benchmark::State& state) {
  if constexpr (vector_fma)
    run(state, layer_at<Pad>);
  else
    state.SkipWithError("no vector FMA on this target");
}

template <std::size_t Rows>
void bm_block(benchmark::State& state) {
  if constexpr (vector_fma)
    run(state, [](const float* w, const float* x, float* y) {
      ctnn::detail::dense_tiles_streamed<ctnn::fused, in, out, ctnn::relu, Rows>(w, w + in * out, x,
                                                                                 y);
    });
  else
    state.SkipWithError("no vector FMA on this target");
}

template <std::size_t... Pad>
void register_pages(std::index_sequence<Pad...>) {
  (benchmark::RegisterBenchmark(("page/" + std::to_string(Pad * 256)).c_str(), bm_page<Pad * 256>),
   ...);
}

template <std::size_t... Rows>
void register_blocks() {
  (benchmark::RegisterBenchmark(("block/" + std::to_string(Rows)).c_str(), bm_block<Rows>), ...);
}

}  // namespace

int main(int argc, char** argv) {
  register_pages(std::make_index_sequence<16>{});
  register_blocks<0, 8, 12, 16, 24, 32, 64>();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
