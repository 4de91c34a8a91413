// SPDX-License-Identifier: MIT
// One SGD training step (batch 64 random 28×28 samples: forward, backward, update) of
// issue 13's conv models — DS-CNN-style (firmware_example/models/ds_cnn.hpp, without and
// with batch norm) and ResNet-8-style (resnet8.hpp) — with ctnn's trainer against a naive
// reference in the same binary: a graph of plain loops over run-time sizes (conv,
// depthwise, batch norm with the statistics of each of the trainer's shards, global
// average pool, dense + softmax, residual add), written here and sharing no code with
// ctnn. Before any timing, main() checks for each model that both compute the same batch
// gradient (max |ctnn − naive| ≤ 1e-4 · max |g|) and the same parameters after one step
// (≤ 1e-6 · max |p|, running averages included), so the reference does the same work.
// Items processed = samples; samples/s from wall time, the CPU column is the whole
// process's (all threads), which on a shared machine is the steadier measure of the work.
//   ctnn_conv_models_training_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/trainer.hpp"
#include "models/ds_cnn.hpp"
#include "models/resnet8.hpp"

namespace {

constexpr std::size_t batch = 64;
constexpr std::size_t shards = 4;  // the trainer's default; batch norm normalises per shard
constexpr double learning_rate = 0.01;

// The naive references below describe these architectures by hand.
static_assert(
    models::ds_cnn::signature ==
        std::string_view("ctnn1|f32|fused|in(28x28x1)|conv2d(32,3x3,s2,same,relu)|"
                         "depthwise_conv2d(3x3,s1,same,m1,relu)|"
                         "conv2d(32,1x1,s1,valid,relu)|"
                         "depthwise_conv2d(3x3,s2,same,m1,relu)|"
                         "conv2d(64,1x1,s1,valid,relu)|"
                         "depthwise_conv2d(3x3,s1,same,m1,relu)|"
                         "conv2d(64,1x1,s1,valid,relu)|"
                         "depthwise_conv2d(3x3,s1,same,m1,relu)|"
                         "conv2d(64,1x1,s1,valid,relu)|global_avg_pool|dense(10,softmax)"),
    "models::ds_cnn changed: update ds_cnn_graph(false) in this benchmark");
static_assert(models::ds_cnn_bn::signature ==
                  std::string_view("ctnn1|f32|fused|in(28x28x1)|conv2d(32,3x3,s2,same,identity)|"
                                   "batch_norm(relu)|depthwise_conv2d(3x3,s1,same,m1,identity)|"
                                   "batch_norm(relu)|conv2d(32,1x1,s1,valid,identity)|"
                                   "batch_norm(relu)|depthwise_conv2d(3x3,s2,same,m1,identity)|"
                                   "batch_norm(relu)|conv2d(64,1x1,s1,valid,identity)|"
                                   "batch_norm(relu)|depthwise_conv2d(3x3,s1,same,m1,identity)|"
                                   "batch_norm(relu)|conv2d(64,1x1,s1,valid,identity)|"
                                   "batch_norm(relu)|depthwise_conv2d(3x3,s1,same,m1,identity)|"
                                   "batch_norm(relu)|conv2d(64,1x1,s1,valid,identity)|"
                                   "batch_norm(relu)|global_avg_pool|dense(10,softmax)"),
              "models::ds_cnn_bn changed: update ds_cnn_graph(true) in this benchmark");
static_assert(
    models::resnet8::signature ==
        std::string_view(
            "ctnn1|f32|fused|in(28x28x1)|conv2d(16,3x3,s2,same,relu)|"
            "residual(conv2d(16,3x3,s1,same,relu);conv2d(16,3x3,s1,same,identity),skip=input,relu)|"
            "residual(conv2d(24,3x3,s2,same,relu);conv2d(24,3x3,s1,same,identity),skip=conv2d(24,"
            "1x1,s2,valid,identity),relu)|"
            "residual(conv2d(48,3x3,s2,same,relu);conv2d(48,3x3,s1,same,identity),skip=conv2d(48,"
            "1x1,s2,valid,identity),relu)|"
            "global_avg_pool|dense(10,softmax)"),
    "models::resnet8 changed: update resnet8_graph() in this benchmark");

ctnn::train::dataset random_set(std::size_t features) {
  ctnn::train::rng r(1);
  ctnn::train::dataset d;
  d.name = "random";
  d.features = features;
  d.classes = 10;
  for (std::size_t i = 0; i < batch * features; ++i) d.x.push_back(float(r.uniform()));
  for (std::size_t i = 0; i < batch; ++i) d.y.push_back(std::uint32_t(r.below(10)));
  return d;
}

ctnn::train::options settings(std::size_t threads) {
  ctnn::train::options o;
  o.optimizer = ctnn::train::optimizer_kind::sgd;
  o.lr = learning_rate;
  o.batch = batch;
  o.shards = shards;
  o.threads = threads;
  return o;
}

// --- Naive reference ---------------------------------------------------------------------

/// One node of the graph: its output is an HWC tensor per sample; `a` (and `b` for add) are
/// the nodes it reads. Weights as ctnn stores them: conv W[kh][kw][ic][oc] then b[oc];
/// depthwise W[kh][kw][c] then b[c]; batch norm γ[C] β[C] μ[C] σ²[C]; dense W[i][o] then
/// b[o].
struct node {
  enum kind_t { input, conv, depthwise, batch_norm, avg_pool, dense, add } kind;
  std::size_t a = 0, b = 0;
  long k = 1, s = 1, pad_top = 0, pad_left = 0;
  long ih = 0, iw = 0, ic = 0, oh = 0, ow = 0, oc = 0;
  bool relu = false;
  std::size_t offset = 0;
  std::size_t in() const { return std::size_t(ih * iw * ic); }
  std::size_t out() const { return std::size_t(oh * ow * oc); }
};

/// Builds a graph; each call returns the new node's index.
struct graph {
  std::vector<node> nodes;
  std::size_t parameters = 0;

  explicit graph(long h, long w, long c) {
    node n{};
    n.kind = node::input;
    n.oh = h;
    n.ow = w;
    n.oc = c;
    nodes.push_back(n);
  }
  node from(node::kind_t kind, std::size_t a) const {
    node n{};
    n.kind = kind;
    n.a = a;
    n.ih = nodes[a].oh;
    n.iw = nodes[a].ow;
    n.ic = nodes[a].oc;
    n.oh = n.ih;
    n.ow = n.iw;
    n.oc = n.ic;
    n.offset = parameters;
    return n;
  }
  /// TensorFlow's sizes: valid floor((In − K)/S) + 1; same ceil(In/S), floor(total/2) before.
  static void axis(long in, long k, long s, bool same, long& out, long& before) {
    out = same ? (in + s - 1) / s : (in - k) / s + 1;
    before = same ? std::max((out - 1) * s + k - in, 0L) / 2 : 0;
  }
  std::size_t push(const node& n) {
    nodes.push_back(n);
    return nodes.size() - 1;
  }
  std::size_t conv(std::size_t a, long filters, long k, long s, bool same, bool relu) {
    node n = from(node::conv, a);
    n.k = k;
    n.s = s;
    n.relu = relu;
    n.oc = filters;
    axis(n.ih, k, s, same, n.oh, n.pad_top);
    axis(n.iw, k, s, same, n.ow, n.pad_left);
    parameters += std::size_t(k * k * n.ic * filters + filters);
    return push(n);
  }
  std::size_t depthwise(std::size_t a, long k, long s, bool relu) {  // same padding
    node n = from(node::depthwise, a);
    n.k = k;
    n.s = s;
    n.relu = relu;
    axis(n.ih, k, s, true, n.oh, n.pad_top);
    axis(n.iw, k, s, true, n.ow, n.pad_left);
    parameters += std::size_t(k * k * n.ic + n.ic);
    return push(n);
  }
  std::size_t batch_norm(std::size_t a, bool relu) {
    node n = from(node::batch_norm, a);
    n.relu = relu;
    parameters += std::size_t(4 * n.ic);
    return push(n);
  }
  std::size_t avg_pool(std::size_t a) {
    node n = from(node::avg_pool, a);
    n.oh = n.ow = 1;
    return push(n);
  }
  std::size_t dense_softmax(std::size_t a, long outputs) {
    node n = from(node::dense, a);
    n.ih = n.iw = 1;
    n.ic = nodes[a].oh * nodes[a].ow * nodes[a].oc;
    n.oh = n.ow = 1;
    n.oc = outputs;
    parameters += std::size_t(n.ic * outputs + outputs);
    return push(n);
  }
  std::size_t add_relu(std::size_t skip, std::size_t body) {
    node n = from(node::add, body);
    n.b = skip;
    n.relu = true;
    return push(n);
  }
};

graph ds_cnn_graph(bool norm) {
  graph g(28, 28, 1);
  // Without batch norm each layer has its ReLU; with it the layer is linear and the norm
  // after it applies the ReLU (models/ds_cnn.hpp).
  auto after = [&](std::size_t n) { return norm ? g.batch_norm(n, true) : n; };
  std::size_t x = after(g.conv(0, 32, 3, 2, true, !norm));
  const long widths[] = {32, 64, 64, 64};
  const long strides[] = {1, 2, 1, 1};
  for (int i = 0; i < 4; ++i) {
    x = after(g.depthwise(x, 3, strides[i], !norm));
    x = after(g.conv(x, widths[i], 1, 1, false, !norm));
  }
  g.dense_softmax(g.avg_pool(x), 10);
  return g;
}

graph resnet8_graph() {
  graph g(28, 28, 1);
  std::size_t x = g.conv(0, 16, 3, 2, true, true);
  const long widths[] = {16, 24, 48};
  for (int i = 0; i < 3; ++i) {
    const long s = i == 0 ? 1 : 2;
    const std::size_t body =
        g.conv(g.conv(x, widths[i], 3, s, true, true), widths[i], 3, 1, true, false);
    const std::size_t skip = i == 0 ? x : g.conv(x, widths[i], 1, 2, false, false);
    x = g.add_relu(skip, body);
  }
  g.dense_softmax(g.avg_pool(x), 10);
  return g;
}

/// Forward over the whole batch node by node, backward in reverse, SGD update.
struct naive_trainer {
  std::vector<node> ls;
  std::size_t parameter_count;
  std::vector<std::vector<float>> z, y, gy;    // per node: batch × out()
  std::vector<std::vector<double>> mean, inv;  // batch norm: per shard × channel
  std::vector<std::vector<double>> var;
  std::vector<float> grad;

  explicit naive_trainer(const graph& g)
      : ls(g.nodes),
        parameter_count(g.parameters),
        z(ls.size()),
        y(ls.size()),
        gy(ls.size()),
        mean(ls.size()),
        inv(ls.size()),
        var(ls.size()),
        grad(g.parameters) {
    for (std::size_t l = 0; l < ls.size(); ++l) {
      z[l].resize(batch * ls[l].out());
      y[l].resize(batch * ls[l].out());
      gy[l].resize(batch * ls[l].out());
      mean[l].resize(shards * std::size_t(ls[l].oc));
      inv[l].resize(shards * std::size_t(ls[l].oc));
      var[l].resize(shards * std::size_t(ls[l].oc));
    }
  }

  static std::size_t shard_begin(std::size_t n, std::size_t s) { return n * s / shards; }

  void forward(std::size_t l, const float* p, std::size_t n) {
    const node& L = ls[l];
    const float* w = p + L.offset;
    for (std::size_t r = 0; r < n; ++r) {
      const float* x = y[L.a].data() + r * L.in();
      float* zo = z[l].data() + r * L.out();
      if (L.kind == node::conv || L.kind == node::depthwise) {
        const bool dw = L.kind == node::depthwise;
        const float* bias = w + L.k * L.k * L.ic * (dw ? 1 : L.oc);
        for (long i = 0; i < L.oh; ++i)
          for (long j = 0; j < L.ow; ++j)
            for (long f = 0; f < L.oc; ++f) {
              float acc = bias[f];
              for (long kh = 0; kh < L.k; ++kh)
                for (long kw = 0; kw < L.k; ++kw) {
                  const long u = i * L.s + kh - L.pad_top, v = j * L.s + kw - L.pad_left;
                  if (u < 0 || u >= L.ih || v < 0 || v >= L.iw) continue;
                  if (dw) {
                    acc += w[(kh * L.k + kw) * L.ic + f] * x[(u * L.iw + v) * L.ic + f];
                    continue;
                  }
                  for (long c = 0; c < L.ic; ++c)
                    acc +=
                        w[((kh * L.k + kw) * L.ic + c) * L.oc + f] * x[(u * L.iw + v) * L.ic + c];
                }
              zo[(i * L.ow + j) * L.oc + f] = acc;
            }
      } else if (L.kind == node::avg_pool) {
        const long pixels = L.ih * L.iw;
        for (long c = 0; c < L.ic; ++c) {
          float sum = 0;
          for (long q = 0; q < pixels; ++q) sum += x[q * L.ic + c];
          zo[c] = sum / float(pixels);
        }
      } else if (L.kind == node::dense) {
        for (long o = 0; o < L.oc; ++o) {
          float acc = w[L.ic * L.oc + o];
          for (long i = 0; i < L.ic; ++i) acc += w[i * L.oc + o] * x[i];
          zo[o] = acc;
        }
      } else if (L.kind == node::add) {
        const float* skip = y[L.b].data() + r * L.out();
        for (std::size_t i = 0; i < L.out(); ++i) zo[i] = x[i] + skip[i];
      }
    }
    if (L.kind == node::batch_norm) batch_norm_forward(l, p, n);
    float* zo = z[l].data();
    float* yo = y[l].data();
    if (L.kind == node::dense) {  // softmax per sample
      for (std::size_t r = 0; r < n; ++r) {
        const std::size_t k = L.out();
        float top = -INFINITY;
        for (std::size_t o = 0; o < k; ++o) top = std::max(top, zo[r * k + o]);
        float sum = 0;
        for (std::size_t o = 0; o < k; ++o) sum += (yo[r * k + o] = std::exp(zo[r * k + o] - top));
        for (std::size_t o = 0; o < k; ++o) yo[r * k + o] /= sum;
      }
      return;
    }
    for (std::size_t i = 0; i < n * L.out(); ++i) yo[i] = L.relu && !(zo[i] > 0) ? 0.0f : zo[i];
  }

  /// Each shard's rows normalised with their own mean and (biased) variance per channel.
  void batch_norm_forward(std::size_t l, const float* p, std::size_t n) {
    const node& L = ls[l];
    const std::size_t C = std::size_t(L.oc), P = std::size_t(L.oh * L.ow);
    const float* gamma = p + L.offset;
    const float* beta = gamma + C;
    for (std::size_t s = 0; s < shards; ++s) {
      const std::size_t r0 = shard_begin(n, s), r1 = shard_begin(n, s + 1);
      const double m = double((r1 - r0) * P);
      for (std::size_t c = 0; c < C; ++c) {
        double sum = 0, sq = 0;
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t q = 0; q < P; ++q) sum += y[L.a][(r * P + q) * C + c];
        const double mu = sum / m;
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t q = 0; q < P; ++q) {
            const double d = y[L.a][(r * P + q) * C + c] - mu;
            sq += d * d;
          }
        mean[l][s * C + c] = mu;
        var[l][s * C + c] = sq / m;
        inv[l][s * C + c] = 1 / std::sqrt(sq / m + 1e-5);
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t q = 0; q < P; ++q) {
            const std::size_t i = (r * P + q) * C + c;
            const double xhat = (y[L.a][i] - mu) * inv[l][s * C + c];
            z[l][i] = float(xhat * gamma[c] + beta[c]);
          }
      }
    }
  }

  /// From gy[l] (dL/dy): dL/dz through the activation (softmax + cross-entropy for the
  /// dense output), then the parameters' gradient and dL/dy of the inputs (+=: a block's
  /// input feeds two nodes).
  void backward(std::size_t l, const float* p, std::size_t n, const std::uint32_t* labels) {
    const node& L = ls[l];
    const float* w = p + L.offset;
    float* gw = grad.data() + L.offset;
    std::vector<float> gz(n * L.out());
    for (std::size_t i = 0; i < gz.size(); ++i) gz[i] = L.relu && !(z[l][i] > 0) ? 0.0f : gy[l][i];
    if (L.kind == node::dense)
      for (std::size_t r = 0; r < n; ++r)
        for (std::size_t o = 0; o < L.out(); ++o)
          gz[r * L.out() + o] = y[l][r * L.out() + o] - (o == labels[r] ? 1.0f : 0.0f);
    if (L.kind == node::batch_norm) return batch_norm_backward(l, p, n, gz);
    const bool need_gx = L.a != 0;
    for (std::size_t r = 0; r < n; ++r) {
      const float* x = y[L.a].data() + r * L.in();
      float* gx = gy[L.a].data() + r * L.in();
      const float* d = gz.data() + r * L.out();
      if (L.kind == node::conv || L.kind == node::depthwise) {
        const bool dw = L.kind == node::depthwise;
        float* gb = gw + L.k * L.k * L.ic * (dw ? 1 : L.oc);
        for (long i = 0; i < L.oh; ++i)
          for (long j = 0; j < L.ow; ++j)
            for (long f = 0; f < L.oc; ++f) {
              const float e = d[(i * L.ow + j) * L.oc + f];
              gb[f] += e;
              for (long kh = 0; kh < L.k; ++kh)
                for (long kw = 0; kw < L.k; ++kw) {
                  const long u = i * L.s + kh - L.pad_top, v = j * L.s + kw - L.pad_left;
                  if (u < 0 || u >= L.ih || v < 0 || v >= L.iw) continue;
                  for (long c = dw ? f : 0; c < (dw ? f + 1 : L.ic); ++c) {
                    const long xi = (u * L.iw + v) * L.ic + c;
                    const long wi =
                        dw ? (kh * L.k + kw) * L.ic + c : ((kh * L.k + kw) * L.ic + c) * L.oc + f;
                    gw[wi] += x[xi] * e;
                    if (need_gx) gx[xi] += w[wi] * e;
                  }
                }
            }
      } else if (L.kind == node::avg_pool) {
        const long pixels = L.ih * L.iw;
        for (long q = 0; q < pixels; ++q)
          for (long c = 0; c < L.ic; ++c) gx[q * L.ic + c] += d[c] / float(pixels);
      } else if (L.kind == node::dense) {
        for (long o = 0; o < L.oc; ++o) gw[L.ic * L.oc + o] += d[o];
        for (long i = 0; i < L.ic; ++i)
          for (long o = 0; o < L.oc; ++o) {
            gw[i * L.oc + o] += x[i] * d[o];
            gx[i] += w[i * L.oc + o] * d[o];
          }
      } else if (L.kind == node::add) {
        float* gskip = gy[L.b].data() + r * L.out();
        for (std::size_t i = 0; i < L.out(); ++i) {
          gx[i] += d[i];
          gskip[i] += d[i];
        }
      }
    }
  }

  /// Through each shard's statistics: dL/dx = γ·inv/m · (m·g − Σg − x̂·Σ g·x̂).
  void batch_norm_backward(std::size_t l, const float* p, std::size_t n,
                           const std::vector<float>& g) {
    const node& L = ls[l];
    const std::size_t C = std::size_t(L.oc), P = std::size_t(L.oh * L.ow);
    const float* gamma = p + L.offset;
    float* gw = grad.data() + L.offset;
    for (std::size_t s = 0; s < shards; ++s) {
      const std::size_t r0 = shard_begin(n, s), r1 = shard_begin(n, s + 1);
      const double m = double((r1 - r0) * P);
      for (std::size_t c = 0; c < C; ++c) {
        const double mu = mean[l][s * C + c], iv = inv[l][s * C + c];
        double sum_g = 0, sum_gx = 0;
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t q = 0; q < P; ++q) {
            const std::size_t i = (r * P + q) * C + c;
            sum_g += g[i];
            sum_gx += g[i] * (y[L.a][i] - mu) * iv;
          }
        gw[c] += float(sum_gx);
        gw[C + c] += float(sum_g);
        for (std::size_t r = r0; r < r1; ++r)
          for (std::size_t q = 0; q < P; ++q) {
            const std::size_t i = (r * P + q) * C + c;
            const double xhat = (y[L.a][i] - mu) * iv;
            gy[L.a][i] += float(gamma[c] * iv / m * (m * g[i] - sum_g - xhat * sum_gx));
          }
      }
    }
  }

  /// Mean gradient over the first n samples of d into `grad`; returns the summed loss.
  double batch_gradient(const float* p, const ctnn::train::dataset& d, std::size_t n) {
    std::copy_n(d.x.begin(), n * ls[0].out(), y[0].begin());
    for (std::size_t l = 1; l < ls.size(); ++l) forward(l, p, n);
    std::fill(grad.begin(), grad.end(), 0.0f);
    for (auto& v : gy) std::fill(v.begin(), v.end(), 0.0f);
    for (std::size_t l = ls.size(); l-- > 1;) backward(l, p, n, d.y.data());
    for (float& v : grad) v /= float(n);
    double loss = 0;
    for (std::size_t r = 0; r < n; ++r)
      loss -= std::log(std::max(double(y.back()[r * 10 + d.y[r]]), 1e-30));
    return loss;
  }

  /// One SGD step on the batch, then batch norm's running averages (momentum 0.1, the
  /// shards' statistics pooled, the unbiased variance).
  double step(float* p, const ctnn::train::dataset& d) {
    const double loss = batch_gradient(p, d, batch);
    for (std::size_t j = 0; j < parameter_count; ++j) p[j] -= float(learning_rate) * grad[j];
    for (std::size_t l = 0; l < ls.size(); ++l) {
      if (ls[l].kind != node::batch_norm) continue;
      const std::size_t C = std::size_t(ls[l].oc), P = std::size_t(ls[l].oh * ls[l].ow);
      float* running = p + ls[l].offset + 2 * C;
      const double M = double(batch * P);
      for (std::size_t c = 0; c < C; ++c) {
        double mu = 0, v = 0;
        for (std::size_t s = 0; s < shards; ++s)
          mu +=
              double((shard_begin(batch, s + 1) - shard_begin(batch, s)) * P) * mean[l][s * C + c];
        mu /= M;
        for (std::size_t s = 0; s < shards; ++s) {
          const double dm = mean[l][s * C + c] - mu;
          v += double((shard_begin(batch, s + 1) - shard_begin(batch, s)) * P) *
               (var[l][s * C + c] + dm * dm);
        }
        v /= M;
        running[c] = float(0.9 * running[c] + 0.1 * mu);
        running[C + c] = float(0.9 * running[C + c] + 0.1 * v * M / (M - 1));
      }
    }
    return loss;
  }
};

// --- Benchmarks --------------------------------------------------------------------------

template <class Net>
graph graph_of() {
  if constexpr (std::is_same_v<Net, models::resnet8>)
    return resnet8_graph();
  else
    return ds_cnn_graph(std::is_same_v<Net, models::ds_cnn_bn>);
}

template <class Net>
void ctnn_step(benchmark::State& state) {
  const auto d = random_set(Net::input_size);
  ctnn::train::trainer<Net> t(settings(static_cast<std::size_t>(state.range(0))));
  auto p = std::make_unique<typename Net::parameters>();
  t.initialise(*p);
  for (auto _ : state) benchmark::DoNotOptimize(t.train_epoch(*p, d, {}).train_loss);
  state.SetItemsProcessed(state.iterations() * std::int64_t(batch));
}

template <class Net>
void naive_step(benchmark::State& state) {
  const auto d = random_set(Net::input_size);
  auto p = std::make_unique<typename Net::parameters>();
  ctnn::train::trainer<Net>(settings(1)).initialise(*p);
  naive_trainer n(graph_of<Net>());
  for (auto _ : state) benchmark::DoNotOptimize(n.step(p->values.data(), d));
  state.SetItemsProcessed(state.iterations() * std::int64_t(batch));
}

#define CTNN_MODEL_BENCHMARKS(Net, name)               \
  BENCHMARK(ctnn_step<Net>)                            \
      ->Name(name " SGD step (batch 64) ctnn/threads") \
      ->Arg(1)                                         \
      ->Arg(2)                                         \
      ->MeasureProcessCPUTime()                        \
      ->UseRealTime()                                  \
      ->Unit(benchmark::kMillisecond);                 \
  BENCHMARK(naive_step<Net>)                           \
      ->Name(name " SGD step (batch 64) naive")        \
      ->MeasureProcessCPUTime()                        \
      ->UseRealTime()                                  \
      ->Unit(benchmark::kMillisecond)

CTNN_MODEL_BENCHMARKS(models::ds_cnn, "ds_cnn");
CTNN_MODEL_BENCHMARKS(models::ds_cnn_bn, "ds_cnn_bn");
CTNN_MODEL_BENCHMARKS(models::resnet8, "resnet8");

/// Both implementations give the same batch gradient and the same parameters after one step
/// (else the comparison is meaningless).
template <class Net>
bool same_gradient(const char* name) {
  const auto d = random_set(Net::input_size);
  ctnn::train::trainer<Net> t(settings(1));
  auto p = std::make_unique<typename Net::parameters>();
  t.initialise(*p);
  std::vector<float> g;
  t.gradient(*p, d, g);
  const graph gr = graph_of<Net>();
  if (gr.parameters != Net::parameter_count) {
    std::fprintf(stderr, "error: %s: the naive graph has %zu parameters, ctnn %zu\n", name,
                 gr.parameters, Net::parameter_count);
    return false;
  }
  naive_trainer n(gr);
  n.batch_gradient(p->values.data(), d, batch);
  double scale = 0, err = 0;
  for (std::size_t j = 0; j < g.size(); ++j) {
    scale = std::max(scale, double(std::fabs(g[j])));
    err = std::max(err, double(std::fabs(g[j] - n.grad[j])));
  }
  std::fprintf(stderr, "%s gradient check: max |ctnn − naive| = %.3g (max |g| = %.3g)\n", name, err,
               scale);
  if (!(scale > 0 && err <= 1e-4 * scale)) return false;
  // And the same step: one SGD update (and batch norm's running averages) from the same
  // parameters, ctnn without shuffling so that its shards hold the naive reference's rows.
  ctnn::train::options o = settings(1);
  o.shuffle = false;
  ctnn::train::trainer<Net> unshuffled(o);
  auto after = std::make_unique<typename Net::parameters>(*p);
  unshuffled.train_epoch(*after, d, {});
  n.step(p->values.data(), d);
  double size = 0, diff = 0;
  for (std::size_t j = 0; j < Net::parameter_count; ++j) {
    size = std::max(size, double(std::fabs(after->values[j])));
    diff = std::max(diff, double(std::fabs(after->values[j] - p->values[j])));
  }
  std::fprintf(stderr, "%s step check: max |ctnn − naive| = %.3g (max |p| = %.3g)\n", name, diff,
               size);
  return diff <= 1e-6 * size;
}

}  // namespace

int main(int argc, char** argv) {
  if (!same_gradient<models::ds_cnn>("ds_cnn") || !same_gradient<models::ds_cnn_bn>("ds_cnn_bn") ||
      !same_gradient<models::resnet8>("resnet8")) {
    std::fprintf(stderr, "error: ctnn and the naive reference disagree on the gradient or step\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
