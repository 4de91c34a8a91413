// SPDX-License-Identifier: MIT
// One CNN training epoch (the example model, firmware_example/models/cnn.hpp; 1,024
// random 28×28 samples, batch 64, Adam: 16 steps) with ctnn's trainer against a naive
// reference in the same binary: per sample, plain nested loops over run-time sizes
// (forward, backward through every layer, batch-mean gradient, then Adam). Before any
// timing, main() checks that both compute the same gradient (relative 1e-4), so the
// reference does the same work. Items processed = samples.
//   ctnn_cnn_training_benchmark --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"
#include "models/cnn.hpp"

namespace {

using net = models::cnn;
constexpr std::size_t samples = 1024;
constexpr std::size_t batch = 64;

// The naive reference below describes this architecture by hand.
static_assert(net::signature ==
                  std::string_view("ctnn1|f32|fused|in(28x28x1)|conv2d(8,3x3,s1,valid,relu)|"
                                   "max_pool2d(2x2,s2)|conv2d(32,3x3,s1,same,relu)|"
                                   "max_pool2d(2x2,s2)|flatten|dense(10,softmax)"),
              "models::cnn changed: update naive_net() in this benchmark");

ctnn::train::dataset random_set() {
  ctnn::train::rng r(1);
  ctnn::train::dataset d;
  d.name = "random";
  d.features = net::input_size;
  d.classes = 10;
  for (std::size_t i = 0; i < samples * net::input_size; ++i) d.x.push_back(float(r.uniform()));
  for (std::size_t i = 0; i < samples; ++i) d.y.push_back(std::uint32_t(r.below(10)));
  return d;
}

ctnn::train::options settings(std::size_t threads) {
  ctnn::train::options o;
  o.optimizer = ctnn::train::optimizer_kind::adam;
  o.lr = 1e-3;
  o.batch = batch;
  o.threads = threads;
  return o;
}

// --- Naive reference ---------------------------------------------------------------------

/// One layer with run-time sizes: 3-D convolution (stride 1, `pad` zero rows/columns before
/// and after, taps outside the input skipped) + ReLU, 2×2 max pooling (stride 2), or dense +
/// softmax. Tensors are HWC, weights as ctnn stores them.
struct naive_layer {
  enum kind_t { conv, pool, dense } kind;
  long k = 0;    // conv kernel side
  long pad = 0;  // conv padding per side
  long ih = 0, iw = 0, ic = 0, oh = 0, ow = 0, oc = 0;
  std::size_t offset = 0;  // parameters
  std::size_t in() const { return std::size_t(ih * iw * ic); }
  std::size_t out() const { return std::size_t(oh * ow * oc); }
};

std::vector<naive_layer> naive_net() {
  std::vector<naive_layer> ls;
  long h = 28, w = 28, c = 1;
  std::size_t offset = 0;
  auto add_conv = [&](long f, long k, long pad) {
    naive_layer l{naive_layer::conv,   k, pad,   h, w, c, h + 2 * pad - k + 1,
                  w + 2 * pad - k + 1, f, offset};
    offset += std::size_t(k * k * c * f + f);
    ls.push_back(l);
  };
  auto add_pool = [&] {
    ls.push_back({naive_layer::pool, 2, 0, h, w, c, h / 2, w / 2, c, offset});
  };
  auto add_dense = [&](long n) {
    naive_layer l{naive_layer::dense, 0, 0, 1, 1, h * w * c, 1, 1, n, offset};
    offset += std::size_t(h * w * c * n + n);
    ls.push_back(l);
  };
  auto next = [&] {
    h = ls.back().oh;
    w = ls.back().ow;
    c = ls.back().oc;
  };
  add_conv(8, 3, 0);
  next();
  add_pool();
  next();
  add_conv(32, 3, 1);
  next();
  add_pool();
  next();
  add_dense(10);
  if (offset != net::parameter_count) std::abort();
  return ls;
}

/// Per-sample forward and backward, adding the sample's gradient to `grad`; returns the loss.
struct naive_trainer {
  std::vector<naive_layer> ls = naive_net();
  std::vector<std::vector<float>> a, z, g;  // activations (a[0] = input), pre-activations
  std::vector<float> grad, m, v;
  std::size_t t = 0;

  naive_trainer() {
    a.resize(ls.size() + 1);
    z.resize(ls.size() + 1);
    g.resize(ls.size() + 1);
    a[0].resize(ls[0].in());
    g[0].resize(ls[0].in());
    for (std::size_t l = 0; l < ls.size(); ++l) {
      a[l + 1].resize(ls[l].out());
      z[l + 1].resize(ls[l].out());
      g[l + 1].resize(ls[l].out());
    }
    grad.resize(net::parameter_count);
    m.assign(net::parameter_count, 0.0f);
    v.assign(net::parameter_count, 0.0f);
  }

  double sample(const float* p, const float* x, std::uint32_t label) {
    std::copy_n(x, a[0].size(), a[0].begin());
    for (std::size_t l = 0; l < ls.size(); ++l) forward(ls[l], p, a[l], z[l + 1], a[l + 1]);
    const std::vector<float>& y = a.back();
    // Softmax + cross-entropy: dL/dz = y − onehot.
    for (std::size_t o = 0; o < y.size(); ++o) g.back()[o] = y[o] - (o == label ? 1.0f : 0.0f);
    for (std::size_t l = ls.size(); l-- > 0;) backward(ls[l], p, a[l], z[l + 1], g[l + 1], g[l], l);
    return -std::log(std::max(double(y[label]), 1e-30));
  }

  void forward(const naive_layer& L, const float* p, const std::vector<float>& x,
               std::vector<float>& zo, std::vector<float>& y) const {
    const float* w = p + L.offset;
    if (L.kind == naive_layer::conv) {
      const float* b = w + L.k * L.k * L.ic * L.oc;
      for (long i = 0; i < L.oh; ++i)
        for (long j = 0; j < L.ow; ++j)
          for (long f = 0; f < L.oc; ++f) {
            float acc = b[f];
            for (long kh = 0; kh < L.k; ++kh)
              for (long kw = 0; kw < L.k; ++kw) {
                const long r = i + kh - L.pad, q = j + kw - L.pad;
                if (r < 0 || r >= L.ih || q < 0 || q >= L.iw) continue;
                for (long c = 0; c < L.ic; ++c)
                  acc += w[((kh * L.k + kw) * L.ic + c) * L.oc + f] *
                         x[std::size_t((r * L.iw + q) * L.ic + c)];
              }
            const std::size_t o = std::size_t((i * L.ow + j) * L.oc + f);
            zo[o] = acc;
            y[o] = acc > 0 ? acc : 0.0f;
          }
    } else if (L.kind == naive_layer::pool) {
      for (long i = 0; i < L.oh; ++i)
        for (long j = 0; j < L.ow; ++j)
          for (long c = 0; c < L.oc; ++c) {
            float best = x[std::size_t(((2 * i) * L.iw + 2 * j) * L.ic + c)];
            for (long di = 0; di < 2; ++di)
              for (long dj = 0; dj < 2; ++dj)
                best =
                    std::max(best, x[std::size_t(((2 * i + di) * L.iw + 2 * j + dj) * L.ic + c)]);
            y[std::size_t((i * L.ow + j) * L.oc + c)] = best;
          }
    } else {
      const std::size_t n = L.in(), k = L.out();
      const float* b = w + n * k;
      float top = -INFINITY;
      for (std::size_t o = 0; o < k; ++o) {
        float acc = b[o];
        for (std::size_t i = 0; i < n; ++i) acc += w[i * k + o] * x[i];
        zo[o] = acc;
        top = std::max(top, acc);
      }
      float sum = 0;
      for (std::size_t o = 0; o < k; ++o) sum += (y[o] = std::exp(zo[o] - top));
      for (std::size_t o = 0; o < k; ++o) y[o] /= sum;
    }
  }

  /// gz: dL/dz of L (dL/dy for pooling); writes dL/dz of the layer below into gx (through
  /// its ReLU when the layer below is a convolution), unless L is the first layer.
  void backward(const naive_layer& L, const float* p, const std::vector<float>& x,
                const std::vector<float>& /*zo*/, const std::vector<float>& gz,
                std::vector<float>& gx, std::size_t index) {
    const float* w = p + L.offset;
    float* gw = grad.data() + L.offset;
    const bool need_gx = index > 0;
    std::fill(gx.begin(), gx.end(), 0.0f);
    if (L.kind == naive_layer::conv) {
      float* gb = gw + L.k * L.k * L.ic * L.oc;
      for (long i = 0; i < L.oh; ++i)
        for (long j = 0; j < L.ow; ++j)
          for (long f = 0; f < L.oc; ++f) {
            const float d = gz[std::size_t((i * L.ow + j) * L.oc + f)];
            gb[f] += d;
            for (long kh = 0; kh < L.k; ++kh)
              for (long kw = 0; kw < L.k; ++kw) {
                const long r = i + kh - L.pad, q = j + kw - L.pad;
                if (r < 0 || r >= L.ih || q < 0 || q >= L.iw) continue;
                for (long c = 0; c < L.ic; ++c) {
                  const std::size_t xi = std::size_t((r * L.iw + q) * L.ic + c);
                  const std::size_t wi = std::size_t(((kh * L.k + kw) * L.ic + c) * L.oc + f);
                  gw[wi] += x[xi] * d;
                  if (need_gx) gx[xi] += w[wi] * d;
                }
              }
          }
    } else if (L.kind == naive_layer::pool) {
      for (long i = 0; i < L.oh; ++i)
        for (long j = 0; j < L.ow; ++j)
          for (long c = 0; c < L.oc; ++c) {
            std::size_t arg = std::size_t(((2 * i) * L.iw + 2 * j) * L.ic + c);
            for (long di = 0; di < 2; ++di)
              for (long dj = 0; dj < 2; ++dj) {
                const std::size_t xi = std::size_t(((2 * i + di) * L.iw + 2 * j + dj) * L.ic + c);
                if (x[xi] > x[arg]) arg = xi;  // the first of equal values, as ctnn
              }
            gx[arg] += gz[std::size_t((i * L.ow + j) * L.oc + c)];
          }
    } else {
      const std::size_t n = L.in(), k = L.out();
      for (std::size_t o = 0; o < k; ++o) gw[n * k + o] += gz[o];
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t o = 0; o < k; ++o) {
          gw[i * k + o] += x[i] * gz[o];
          gx[i] += w[i * k + o] * gz[o];
        }
    }
    // Through the ReLU of the convolution below (pooling and flatten have none).
    if (need_gx && ls[index - 1].kind == naive_layer::conv)
      for (std::size_t i = 0; i < gx.size(); ++i)
        if (!(z[index][i] > 0)) gx[i] = 0;
  }

  /// Mean gradient of samples order[first, first + n) into `grad`; returns the summed loss.
  double batch_gradient(const float* p, const ctnn::train::dataset& d, std::size_t first,
                        std::size_t n) {
    std::fill(grad.begin(), grad.end(), 0.0f);
    double loss = 0;
    for (std::size_t r = first; r < first + n; ++r) loss += sample(p, d.sample(r), d.y[r]);
    for (float& x : grad) x /= float(n);
    return loss;
  }

  /// One epoch of Adam steps (lr 1e-3, β 0.9/0.999, ε 1e-8), batches in order.
  double epoch(float* p, const ctnn::train::dataset& d) {
    double loss = 0;
    for (std::size_t first = 0; first < d.size(); first += batch) {
      const std::size_t n = std::min(batch, d.size() - first);
      loss += batch_gradient(p, d, first, n);
      ++t;
      const double c1 = 1 - std::pow(0.9, double(t)), c2 = 1 - std::pow(0.999, double(t));
      for (std::size_t j = 0; j < grad.size(); ++j) {
        m[j] = 0.9f * m[j] + 0.1f * grad[j];
        v[j] = 0.999f * v[j] + 0.001f * grad[j] * grad[j];
        p[j] -= float(1e-3 * (m[j] / c1) / (std::sqrt(v[j] / c2) + 1e-8));
      }
    }
    return loss;
  }
};

// --- Benchmarks --------------------------------------------------------------------------

void ctnn_epoch(benchmark::State& state) {
  const auto d = random_set();
  ctnn::train::trainer<net> t(settings(static_cast<std::size_t>(state.range(0))));
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  for (auto _ : state) benchmark::DoNotOptimize(t.train_epoch(*p, d, {}).train_loss);
  state.SetItemsProcessed(state.iterations() * std::int64_t(samples));
}
BENCHMARK(ctnn_epoch)
    ->Name("cnn epoch (1024 samples, batch 64) ctnn/threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void naive_epoch(benchmark::State& state) {
  const auto d = random_set();
  auto p = std::make_unique<net::parameters>();
  ctnn::train::trainer<net>(settings(1)).initialise(*p);
  naive_trainer n;
  for (auto _ : state) benchmark::DoNotOptimize(n.epoch(p->values.data(), d));
  state.SetItemsProcessed(state.iterations() * std::int64_t(samples));
}
BENCHMARK(naive_epoch)
    ->Name("cnn epoch (1024 samples, batch 64) naive")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// Both implementations give the same batch gradient (else the comparison is meaningless).
bool same_gradient() {
  const auto d = random_set();
  ctnn::train::trainer<net> t(settings(1));
  auto p = std::make_unique<net::parameters>();
  t.initialise(*p);
  ctnn::train::dataset first = d;
  first.x.resize(batch * net::input_size);
  first.y.resize(batch);
  std::vector<float> g;
  t.gradient(*p, first, g);
  naive_trainer n;
  n.batch_gradient(p->values.data(), d, 0, batch);
  double scale = 0, err = 0;
  for (std::size_t j = 0; j < g.size(); ++j) {
    scale = std::max(scale, double(std::fabs(g[j])));
    err = std::max(err, double(std::fabs(g[j] - n.grad[j])));
  }
  std::fprintf(stderr, "gradient check: max |ctnn − naive| = %.3g (max |g| = %.3g)\n", err, scale);
  return scale > 0 && err <= 1e-4 * scale;
}

}  // namespace

int main(int argc, char** argv) {
  if (!same_gradient()) {
    std::fprintf(stderr, "error: ctnn and the naive reference disagree on the gradient\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
