// SPDX-License-Identifier: MIT
// Inference speed: ctnn's forward against a naive nested-loop reference, per network and
// numeric mode, plus a weight-streaming probe (the memory floor of 784-128-64-10). Times
// are only meaningful as ratios between benchmarks of one run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "bench_networks.hpp"

namespace {

using ctnn_bench::arch_name;
using ctnn_bench::case_name;
using ctnn_bench::thread_seconds;

/// Parameters and one input for Case, on the heap (their address escapes, so the
/// compiler cannot assume they stay constant across ClobberMemory()).
template <class Case>
struct fixture {
  using net = typename Case::net;
  typename net::parameters params;
  typename net::input x;
  typename net::workspace ws;

  fixture() {
    ctnn_bench::init_parameters<net>(params, 42);
    ctnn_bench::fill_random(x, 7, 1.0f);
  }
};

template <class Case>
std::unique_ptr<fixture<Case>> make_fixture(benchmark::State& state) {
  auto f = std::make_unique<fixture<Case>>();
  // The two implementations must agree, or the comparison means nothing.
  const auto y = Case::net::forward(f->params, f->x, f->ws);
  typename Case::net::output r;
  Case::naive(f->params.values.data(), f->x.data(), r.data());
  for (std::size_t k = 0; k < r.size(); ++k)
    if (!(std::fabs(y[k] - r[k]) <= 1e-4f * (1.0f + std::fabs(r[k])))) {
      state.SkipWithError("ctnn and the naive reference disagree");
      return nullptr;
    }
  return f;
}

/// One forward pass; ClobberMemory makes the compiler reload parameters and input.
template <class Case>
void forward_once(fixture<Case>& f) {
  benchmark::ClobberMemory();
  auto y = Case::net::forward(f.params, f.x, f.ws);
  benchmark::DoNotOptimize(y);
}

/// Keeps each naive sum in a register of its own: no vectorisation across outputs.
struct scalar_barrier {
  void operator()(float& s) const noexcept { benchmark::DoNotOptimize(s); }
};

/// One naive pass: plain loops as GCC compiles them (which, at -O2 with W input-major,
/// vectorises across outputs), or with Barrier = scalar_barrier one MAC at a time. A function
/// of its own at the start of a 4 KiB page, as the probe below and ctnn's large dense tiles
/// (dense_kernel.hpp), so that no loop's time depends on crossing a page boundary.
template <class Case, class Barrier = ctnn_bench::no_barrier>
[[gnu::noinline, gnu::aligned(4096)]] void naive_once(fixture<Case>& f) {
  benchmark::ClobberMemory();
  typename Case::net::output y;
  Case::template naive<Barrier>(f.params.values.data(), f.x.data(), y.data());
  benchmark::DoNotOptimize(y);
}

/// Reads p[0..N) once with 8 independent vector accumulators: the time merely streaming
/// the weights takes (from the cache level they live in), the floor for one sample.
template <std::size_t N>
[[gnu::noinline, gnu::aligned(4096)]] void probe_once(const float* p) {
  using vec = float __attribute__((vector_size(32), aligned(4)));
  constexpr std::size_t lanes = 8;
  constexpr std::size_t unroll = 8;
  constexpr std::size_t body = N / (lanes * unroll) * (lanes * unroll);
  benchmark::ClobberMemory();
  vec acc[unroll] = {};
  for (std::size_t i = 0; i < body; i += lanes * unroll)
#pragma GCC unroll 8
    for (std::size_t k = 0; k < unroll; ++k)
      acc[k] += *reinterpret_cast<const vec*>(p + i + k * lanes);
  float tail = 0.0f;
  for (std::size_t i = body; i < N; ++i) tail += p[i];
  vec total = acc[0];  // a copy: taking acc's address would keep acc in memory
#pragma GCC unroll 8
  for (std::size_t k = 1; k < unroll; ++k) total += acc[k];
  benchmark::DoNotOptimize(total);
  benchmark::DoNotOptimize(tail);
}

template <class Case>
void bm_forward(benchmark::State& state) {
  auto f = make_fixture<Case>(state);
  if (!f) return;
  for (auto _ : state) forward_once(*f);
}

template <class Case, class Barrier>
void bm_naive(benchmark::State& state) {
  auto f = make_fixture<Case>(state);
  if (!f) return;
  for (auto _ : state) naive_once<Case, Barrier>(*f);
}

/// The weight-streaming probe over the parameters of 784-128-64-10 (437 KB).
void bm_weight_stream_probe(benchmark::State& state) {
  using mnist = ctnn_bench::mnist<ctnn::fused>;
  auto f = std::make_unique<fixture<mnist>>();
  constexpr std::size_t n = mnist::net::parameter_count;
  for (auto _ : state) probe_once<n>(f->params.values.data());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n * sizeof(float)));
}

/// Ratios measured in one loop: blocks of forward passes, naive passes and (for
/// 784-128-64-10) probes alternate, each timed in thread CPU time, so that load drifts
/// hit all of them alike. Counters: naive_per_forward = t(naive)/t(forward) (and
/// naive_scalar_per_forward for the non-vectorised naive loop),
/// forward_per_probe = t(forward)/t(probe) on the same parameter bytes, forward_ns.
template <class Case>
void bm_ratios(benchmark::State& state) {
  auto f = make_fixture<Case>(state);
  if (!f) return;
  constexpr bool with_probe = Case::net::input_size == 784;
  constexpr int block = with_probe ? 16 : 1024;  // blocks of tens of µs: clock cost < 1%
  double t_forward = 0, t_naive = 0, t_scalar = 0, t_probe = 0;
  for (auto _ : state) {
    const double t0 = thread_seconds();
    for (int k = 0; k < block; ++k) forward_once(*f);
    const double t1 = thread_seconds();
    for (int k = 0; k < block; ++k) naive_once(*f);
    const double t2 = thread_seconds();
    for (int k = 0; k < block; ++k) naive_once<Case, scalar_barrier>(*f);
    const double t3 = thread_seconds();
    if constexpr (with_probe)
      for (int k = 0; k < block; ++k)
        probe_once<Case::net::parameter_count>(f->params.values.data());
    const double t4 = thread_seconds();
    t_forward += t1 - t0;
    t_naive += t2 - t1;
    t_scalar += t3 - t2;
    t_probe += t4 - t3;
  }
  state.counters["naive_per_forward"] = t_naive / t_forward;
  state.counters["naive_scalar_per_forward"] = t_scalar / t_forward;
  if constexpr (with_probe) state.counters["forward_per_probe"] = t_forward / t_probe;
  state.counters["forward_ns"] =
      1e9 * t_forward / (static_cast<double>(state.iterations()) * block);
}

/// ctnn's forward for every case, the naive reference once per architecture.
template <class... Cases>
void register_cases() {
  (benchmark::RegisterBenchmark(("forward/" + case_name<Cases>()).c_str(), bm_forward<Cases>), ...);
  (benchmark::RegisterBenchmark(("ratios/" + case_name<Cases>()).c_str(), bm_ratios<Cases>), ...);
  (
      [] {
        if constexpr (std::is_same_v<typename Cases::net::numerics, ctnn::unfused>) {
          benchmark::RegisterBenchmark(("naive/" + arch_name<Cases>()).c_str(),
                                       bm_naive<Cases, ctnn_bench::no_barrier>);
          benchmark::RegisterBenchmark(("naive_scalar/" + arch_name<Cases>()).c_str(),
                                       bm_naive<Cases, scalar_barrier>);
        }
      }(),
      ...);
}

/// int8 forward of Case's network (ctnn::quantized), with a caller-owned workspace.
template <class Case>
void bm_int8_forward(benchmark::State& state) {
  using q = ctnn::quantized<typename Case::net>;
  auto p = std::make_unique<typename q::parameters>();
  auto x = std::make_unique<typename q::input>();
  auto ws = std::make_unique<typename q::workspace>();
  ctnn_bench::init_int8_parameters<q>(*p, 42);
  ctnn_bench::fill_random(*x, 7);
  for (auto _ : state) {
    benchmark::ClobberMemory();
    auto y = q::forward(*p, *x, *ws);
    benchmark::DoNotOptimize(y);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using ctnn::fused;
  using ctnn::unfused;
  using namespace ctnn_bench;
  benchmark::RegisterBenchmark("weight_stream_probe/784-128-64-10", bm_weight_stream_probe);
  register_cases<mnist<fused>, mnist<unfused>, small<fused>, small<unfused>, tiny<fused>,
                 tiny<unfused>>();
  // Issue 10's host bar: int8 784-128-64-10 at most half the fp32 time (forward/…/fused).
  benchmark::RegisterBenchmark("forward/784-128-64-10/int8", bm_int8_forward<mnist<fused>>);
  benchmark::RegisterBenchmark("forward/64-32-16-10/int8", bm_int8_forward<small<fused>>);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
