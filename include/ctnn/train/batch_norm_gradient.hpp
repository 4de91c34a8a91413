// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Training of batch_norm (batch_norm.hpp). Host only.
///
/// Two parts:
/// - The layer_gradient contract (layer_gradient.hpp) of the *inference* function, with
///   the running statistics as constants: dL/dγ += Σ g·(x − μ)/√(σ² + ε), dL/dβ += Σ g,
///   dL/dx = g·scale. Not what the trainer uses; there for tools that differentiate the
///   deployed function.
/// - The shard extension the trainer uses (`batch_statistics = true`): the trainer runs a
///   batch as shards of rows (options.shards); a batch_norm normalises each shard with that
///   shard's own statistics over its n rows × H·W pixels per channel (m = n·H·W values):
///     μ_B = Σ x / m,  σ²_B = Σ (x − μ_B)² / m  (two passes, in double, rows then pixels in
///     order),  inv = T(1/√(σ²_B + ε)) (in double, rounded once),
///     x̂ = (x − T(μ_B))·inv,  z = mac(x̂, γ, β)            (in T, Net's numeric mode).
///   With one shard the statistics are the batch's. Each shard's result depends only on its
///   rows, and the trainer fixes which rows form a shard, so results do not depend on the
///   thread count. The backward pass goes through the statistics (in double per channel):
///     dL/dγ += Σ g·x̂,  dL/dβ += Σ g,
///     dL/dx  = γ·inv/m · (m·g − Σ g − x̂·Σ g·x̂)
///   (the exact derivative of the shard's z with respect to its x, γ and β).
/// - Running averages, after every optimiser step (`update_running`): the shards'
///   statistics pooled into the batch's, in shard order (mean = Σ m_s μ_s / M, variance =
///   Σ m_s (σ²_s + (μ_s − mean)²) / M, M = Σ m_s), then as PyTorch with momentum 0.1 and
///   the unbiased variance:  μ ← 0.9·μ + 0.1·mean,  σ² ← 0.9·σ² + 0.1·variance·M/(M − 1)
///   (in double, rounded once to T). They are written into the layer's parameters (the
///   slots after γ and β) over whatever the optimiser did; the gradient of those slots is
///   always 0, they are not weight-decayed, so Adam's and momentum's state for them stays 0.
///   They are part of the parameters, so checkpoints carry them and a resumed run
///   continues with the same bits.
#include <cmath>
#include <cstddef>

#include "ctnn/batch_norm.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {

template <class T, class Mode, class In, class Activation, std::size_t Index>
struct layer_gradient<ctnn::detail::batch_norm_layer<T, Mode, In, Activation, Index>> {
  using layer = ctnn::detail::batch_norm_layer<T, Mode, In, Activation, Index>;
  static constexpr std::size_t C = layer::channels, P = layer::pixels, n_in = In::size;

  /// The inference function's gradient (running statistics constant), one sample.
  static void backward(const T* p, const T* x, const T* /*z*/, const T* grad_z, T* grad_p,
                       T* grad_x) noexcept {
    for (std::size_t c = 0; c < C; ++c) {
      const double inv = 1.0 / std::sqrt(double(p[layer::variance_offset + c] + layer::epsilon));
      double gg = 0, gb = 0;
      for (std::size_t i = 0; i < P; ++i) {
        const double g = grad_z[i * C + c];
        gg += g * (double(x[i * C + c]) - double(p[layer::mean_offset + c])) * inv;
        gb += g;
      }
      grad_p[layer::gamma_offset + c] += T(gg);
      grad_p[layer::beta_offset + c] += T(gb);
    }
    if (!grad_x) return;
    for (std::size_t c = 0; c < C; ++c) {
      T scale{}, shift{};
      layer::scale_shift(p, c, scale, shift);
      for (std::size_t i = 0; i < P; ++i) grad_x[i * C + c] = grad_z[i * C + c] * scale;
    }
  }

  /// The shard extension (see the file comment).
  static constexpr bool batch_statistics = true;
  /// Doubles a shard keeps between forward and backward: μ_B[C], σ²_B[C], m.
  static constexpr std::size_t stats_size = 2 * C + 1;

  /// Forward over the shard's n rows (x row r at x + r·ldx; z row r at z + r·In::size).
  static void forward_shard(const T* p, const T* x, std::size_t ldx, std::size_t n, T* z,
                            double* stats) noexcept {
    double* mean = stats;
    double* var = stats + C;
    const double m = double(n * P);
    stats[2 * C] = m;
    for (std::size_t c = 0; c < C; ++c) mean[c] = var[c] = 0;
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t i = 0; i < P; ++i)
        for (std::size_t c = 0; c < C; ++c) mean[c] += double(x[r * ldx + i * C + c]);
    for (std::size_t c = 0; c < C; ++c) mean[c] = m > 0 ? mean[c] / m : 0.0;
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t i = 0; i < P; ++i)
        for (std::size_t c = 0; c < C; ++c) {
          const double d = double(x[r * ldx + i * C + c]) - mean[c];
          var[c] += d * d;
        }
    for (std::size_t c = 0; c < C; ++c) var[c] = m > 0 ? var[c] / m : 0.0;
    T mu[C], inv[C];
    for (std::size_t c = 0; c < C; ++c) {
      mu[c] = T(mean[c]);
      inv[c] = inverse_std(var[c]);
    }
    const T* gamma = p + layer::gamma_offset;
    const T* beta = p + layer::beta_offset;
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t i = 0; i < P; ++i) {
        const T* xs = x + r * ldx + i * C;
        T* zs = z + r * n_in + i * C;
        for (std::size_t c = 0; c < C; ++c)
          zs[c] = ctnn::detail::mac<Mode>((xs[c] - mu[c]) * inv[c], gamma[c], beta[c]);
      }
  }

  /// Backward over the shard: adds dL/dγ, dL/dβ to grad_p, writes dL/dx (if grad_x) with
  /// rows at grad_x + r·In::size. grad_z rows at grad_z + r·In::size.
  static void backward_shard(const T* p, const T* x, std::size_t ldx, std::size_t n,
                             const T* grad_z, T* grad_p, T* grad_x, const double* stats) noexcept {
    const double* mean = stats;
    const double* var = stats + C;
    const double m = stats[2 * C];
    T mu[C], inv[C];
    double sum_g[C], sum_gx[C];
    for (std::size_t c = 0; c < C; ++c) {
      mu[c] = T(mean[c]);
      inv[c] = inverse_std(var[c]);
      sum_g[c] = sum_gx[c] = 0;
    }
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t i = 0; i < P; ++i)
        for (std::size_t c = 0; c < C; ++c) {
          const double g = grad_z[r * n_in + i * C + c];
          const double xh = (x[r * ldx + i * C + c] - mu[c]) * inv[c];
          sum_g[c] += g;
          sum_gx[c] += g * xh;
        }
    for (std::size_t c = 0; c < C; ++c) {
      grad_p[layer::gamma_offset + c] += T(sum_gx[c]);
      grad_p[layer::beta_offset + c] += T(sum_g[c]);
    }
    if (!grad_x || m <= 0) return;
    double k[C];
    for (std::size_t c = 0; c < C; ++c) k[c] = double(p[layer::gamma_offset + c]) * inv[c] / m;
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t i = 0; i < P; ++i)
        for (std::size_t c = 0; c < C; ++c) {
          const double g = grad_z[r * n_in + i * C + c];
          const double xh = (x[r * ldx + i * C + c] - mu[c]) * inv[c];
          grad_x[r * n_in + i * C + c] = T(k[c] * (m * g - sum_g[c] - xh * sum_gx[c]));
        }
  }

  /// After a step: the running statistics in p from the shards' statistics (`stats[s]`,
  /// s < shards, each written by forward_shard), in shard order. Shards with no rows count
  /// for nothing.
  static void update_running(T* p, const double* const* stats, std::size_t shards) noexcept {
    for (std::size_t c = 0; c < C; ++c) {
      double total = 0, mean = 0;
      for (std::size_t s = 0; s < shards; ++s) {
        total += stats[s][2 * C];
        mean += stats[s][2 * C] * stats[s][c];
      }
      if (total <= 0) return;
      mean /= total;
      double var = 0;
      for (std::size_t s = 0; s < shards; ++s) {
        const double d = stats[s][c] - mean;
        var += stats[s][2 * C] * (stats[s][C + c] + d * d);
      }
      var /= total;
      const double unbiased = total > 1 ? var * total / (total - 1) : var;
      constexpr double mom = layer::momentum;
      T& rm = p[layer::mean_offset + c];
      T& rv = p[layer::variance_offset + c];
      rm = T((1 - mom) * double(rm) + mom * mean);
      rv = T((1 - mom) * double(rv) + mom * unbiased);
    }
  }

 private:
  static T inverse_std(double variance) noexcept {
    return T(1.0 / std::sqrt(variance + double(layer::epsilon)));
  }
};

}  // namespace ctnn::train
