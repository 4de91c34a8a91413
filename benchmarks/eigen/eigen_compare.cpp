// SPDX-License-Identifier: MIT
// Host inference beside Eigen (issue 15 item 4): the same weights and inputs through ctnn's
// forward and through an Eigen implementation written the way RTNeural's Eigen backend
// computes a dense layer (fixed-size column-major Out×In matrix times the input vector,
// plus the bias, then the activation on the array). RTNeural itself is not packaged by
// Debian; Eigen (libeigen3-dev) is, and it is RTNeural's fastest backend on the larger nets.
// Blocks of ctnn and Eigen passes alternate in one loop, each timed in thread CPU time,
// so that load hits both alike. Counters: ctnn_per_eigen = t(ctnn)/t(Eigen) (< 1: ctnn is
// faster), ctnn_ns and eigen_ns per forward pass.
#include <benchmark/benchmark.h>

// Eigen refuses fixed-size objects over 128 KiB lest they land on the stack; these are
// members of a heap-allocated model (784-128-64-10's first matrix is 401 KB).
#define EIGEN_STACK_ALLOCATION_LIMIT 0
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <ctime>
#include <memory>
#include <string>
#include <utility>

#include "../bench_networks.hpp"

namespace {

using ctnn_bench::act;
using ctnn_bench::case_name;
using ctnn_bench::thread_seconds;

/// One dense layer's weights and bias in Eigen's own aligned fixed-size storage (as
/// RTNeural keeps them), copied from ctnn's frozen layout (W[i][o] at i·Out + o, which is
/// exactly a column-major Out×In matrix, then b).
template <std::size_t In, std::size_t Out, act A>
struct eigen_dense {
  static constexpr int in = static_cast<int>(In);
  static constexpr int out = static_cast<int>(Out);
  // Large fixed-size matrices live on the heap (in the owning object), never the stack.
  Eigen::Matrix<float, out, in> w;
  Eigen::Matrix<float, out, 1> b;

  const float* load(const float* p) {
    w = Eigen::Map<const Eigen::Matrix<float, out, in>>(p);
    b = Eigen::Map<const Eigen::Matrix<float, out, 1>>(p + In * Out);
    return p + In * Out + Out;
  }

  template <class X>
  Eigen::Matrix<float, out, 1> operator()(const X& x) const {
    Eigen::Matrix<float, out, 1> y = w * x + b;
    if constexpr (A == act::relu) {
      y = y.cwiseMax(0.0f);
    } else if constexpr (A == act::tanh) {
      y = y.array().tanh();
    } else if constexpr (A == act::sigmoid) {
      y = (1.0f + (-y.array()).exp()).inverse();
    } else {
      y = (y.array() - y.maxCoeff()).exp();
      y /= y.sum();
    }
    return y;
  }
};

/// A three-layer Case (ctnn_bench::mlp3) in Eigen.
template <std::size_t In, std::size_t H1, std::size_t H2, std::size_t Out, act A1, act A2, act A3>
struct eigen_mlp3 {
  eigen_dense<In, H1, A1> l1;
  eigen_dense<H1, H2, A2> l2;
  eigen_dense<H2, Out, A3> l3;

  explicit eigen_mlp3(const float* p) { l3.load(l2.load(l1.load(p))); }

  Eigen::Matrix<float, static_cast<int>(Out), 1> operator()(const float* x) const {
    const auto h1 = l1(Eigen::Map<const Eigen::Matrix<float, static_cast<int>(In), 1>>(x));
    const auto h2 = l2(h1);
    return l3(h2);
  }
};

template <class Mode>
using mid = ctnn_bench::mlp3<Mode, 16, 64, 64, 4, act::tanh, act::tanh, act::softmax, ctnn::tanh,
                             ctnn::tanh, ctnn::softmax>;
template <class Mode>
using wide = ctnn_bench::mlp3<Mode, 128, 256, 256, 10, act::relu, act::relu, act::softmax,
                              ctnn::relu, ctnn::relu, ctnn::softmax>;

/// The Eigen twin of each benchmarked ctnn case.
template <class Case>
struct eigen_of;
template <class M, std::size_t In, std::size_t H1, std::size_t H2, std::size_t Out, act A1, act A2,
          act A3, class C1, class C2, class C3>
struct eigen_of<ctnn_bench::mlp3<M, In, H1, H2, Out, A1, A2, A3, C1, C2, C3>> {
  using type = eigen_mlp3<In, H1, H2, Out, A1, A2, A3>;
};

template <class Case>
struct fixture {
  using net = typename Case::net;
  typename net::parameters params;
  typename net::input x;
  typename net::workspace ws;
  std::unique_ptr<typename eigen_of<Case>::type> eigen;

  fixture() {
    ctnn_bench::init_parameters<net>(params, 42);
    ctnn_bench::fill_random(x, 7, 1.0f);
    eigen = std::make_unique<typename eigen_of<Case>::type>(params.values.data());
  }
};

template <class Case>
void bm_compare(benchmark::State& state) {
  auto f = std::make_unique<fixture<Case>>();
  {  // The two implementations must agree, or the comparison means nothing.
    const auto y = Case::net::forward(f->params, f->x, f->ws);
    const auto e = (*f->eigen)(f->x.data());
    for (std::size_t k = 0; k < y.size(); ++k)
      if (!(std::fabs(y[k] - e(static_cast<Eigen::Index>(k))) <=
            1e-4f * (1.0f + std::fabs(y[k])))) {
        state.SkipWithError("ctnn and Eigen disagree");
        return;
      }
  }
  constexpr int block = Case::net::parameter_count > 10000 ? 16 : 1024;
  double t_ctnn = 0, t_eigen = 0;
  for (auto _ : state) {
    const double t0 = thread_seconds();
    for (int k = 0; k < block; ++k) {
      benchmark::ClobberMemory();
      auto y = Case::net::forward(f->params, f->x, f->ws);
      benchmark::DoNotOptimize(y);
    }
    const double t1 = thread_seconds();
    for (int k = 0; k < block; ++k) {
      benchmark::ClobberMemory();
      auto y = (*f->eigen)(f->x.data());
      benchmark::DoNotOptimize(y);
    }
    const double t2 = thread_seconds();
    t_ctnn += t1 - t0;
    t_eigen += t2 - t1;
  }
  const double n = static_cast<double>(state.iterations()) * block;
  state.counters["ctnn_per_eigen"] = t_ctnn / t_eigen;
  state.counters["ctnn_ns"] = 1e9 * t_ctnn / n;
  state.counters["eigen_ns"] = 1e9 * t_eigen / n;
}

template <class... Cases>
void register_cases() {
  (benchmark::RegisterBenchmark(("eigen/" + case_name<Cases>()).c_str(), bm_compare<Cases>), ...);
}

}  // namespace

int main(int argc, char** argv) {
  using ctnn::fused;
  using ctnn::unfused;
  using namespace ctnn_bench;
  register_cases<mnist<fused>, mnist<unfused>, small<fused>, small<unfused>, tiny<fused>,
                 tiny<unfused>, mid<fused>, mid<unfused>, wide<fused>, wide<unfused>>();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
