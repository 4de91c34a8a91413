// SPDX-License-Identifier: MIT
// One training step (784-128-64-10, batch 128, SGD) with the trainer against a naive loop
// reference in the same binary. Items processed = samples.
//   ctnn_bench_training_step --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"

namespace {

using mlp = ctnn::network<float, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                          ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;
constexpr std::size_t batch = 128;

ctnn::train::dataset random_batch() {
  ctnn::train::rng r(1);
  ctnn::train::dataset d;
  d.name = "random";
  d.features = 784;
  d.classes = 10;
  for (std::size_t i = 0; i < batch * 784; ++i) d.x.push_back(float(r.uniform()));
  for (std::size_t i = 0; i < batch; ++i) d.y.push_back(std::uint32_t(r.below(10)));
  return d;
}

void trainer_step(benchmark::State& state) {
  const auto d = random_batch();
  ctnn::train::options o;
  o.optimizer = ctnn::train::optimizer_kind::sgd;
  o.lr = 1e-3;
  o.batch = batch;
  o.threads = static_cast<std::size_t>(state.range(0));
  ctnn::train::trainer<mlp> t(o);
  auto p = std::make_unique<mlp::parameters>();
  t.initialise(*p);
  for (auto _ : state) benchmark::DoNotOptimize(t.train_epoch(*p, d, {}).train_loss);
  state.SetItemsProcessed(state.iterations() * static_cast<benchmark::IterationCount>(batch));
}
BENCHMARK(trainer_step)->Arg(1)->Arg(2)->UseRealTime();

// Naive reference: per sample, plain loops, W input-major, SGD on the batch mean.
void naive_step(benchmark::State& state) {
  const auto d = random_batch();
  auto p = std::make_unique<mlp::parameters>();
  ctnn::train::initialise<mlp>(*p, ctnn::train::init_scheme::he, ctnn::train::bias_init::zero, 1);
  constexpr std::size_t sizes[4] = {784, 128, 64, 10};
  std::size_t offset[3] = {0, 0, 0};
  for (int l = 1; l < 3; ++l) offset[l] = offset[l - 1] + sizes[l - 1] * sizes[l] + sizes[l];
  std::vector<float> grad(mlp::parameter_count);
  std::vector<float> a[4], dz[4];
  for (int l = 0; l < 4; ++l) {
    a[l].resize(sizes[l]);
    dz[l].resize(sizes[l]);
  }
  for (auto _ : state) {
    std::fill(grad.begin(), grad.end(), 0.0f);
    for (std::size_t s = 0; s < batch; ++s) {
      std::copy_n(d.sample(s), 784, a[0].begin());
      for (int l = 0; l < 3; ++l) {
        const float* w = p->values.data() + offset[l];
        const float* b = w + sizes[l] * sizes[l + 1];
        for (std::size_t o = 0; o < sizes[l + 1]; ++o) {
          float z = b[o];
          for (std::size_t i = 0; i < sizes[l]; ++i) z += a[l][i] * w[i * sizes[l + 1] + o];
          a[l + 1][o] = l < 2 ? std::max(z, 0.0f) : z;
        }
      }
      float m = a[3][0], sum = 0;
      for (float v : a[3]) m = std::max(m, v);
      for (auto& v : a[3]) sum += (v = std::exp(v - m));
      for (std::size_t o = 0; o < 10; ++o) dz[3][o] = a[3][o] / sum - (o == d.y[s] ? 1.0f : 0.0f);
      for (int l = 2; l >= 0; --l) {
        const float* w = p->values.data() + offset[l];
        float* gw = grad.data() + offset[l];
        float* gb = gw + sizes[l] * sizes[l + 1];
        for (std::size_t i = 0; i < sizes[l]; ++i) {
          float gx = 0;
          for (std::size_t o = 0; o < sizes[l + 1]; ++o) {
            gw[i * sizes[l + 1] + o] += a[l][i] * dz[l + 1][o];
            gx += w[i * sizes[l + 1] + o] * dz[l + 1][o];
          }
          dz[l][i] = a[l][i] > 0 ? gx : 0.0f;
        }
        for (std::size_t o = 0; o < sizes[l + 1]; ++o) gb[o] += dz[l + 1][o];
      }
    }
    for (std::size_t j = 0; j < mlp::parameter_count; ++j)
      p->values[j] -= 1e-3f * grad[j] / float(batch);
    benchmark::DoNotOptimize(p->values[0]);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<benchmark::IterationCount>(batch));
}
BENCHMARK(naive_step)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
