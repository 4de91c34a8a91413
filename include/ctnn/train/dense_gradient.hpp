// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Backward pass of the dense layer (z = b + xW, W[i][o] at i·Out + o), per sample (the
/// layer_gradient contract) and batched (the trainer's fast path). Host only.
///
/// Per sample:  grad_W[i][o] += x[i]·grad_z[o],  grad_b[o] += grad_z[o],
///              grad_x[i] = Σ_o W[i][o]·grad_z[o]  (o ascending, from 0).
/// The batched functions compute the same sums with the GEMM of kernels.hpp, the batch's
/// samples taken in ascending order for grad_W/grad_b; in particular forward_batch gives
/// every sample the bits of the inference forward pass.
#include <cstddef>
#include <vector>

#include "ctnn/dense.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/train/kernels.hpp"
#include "ctnn/train/layer_gradient.hpp"

namespace ctnn::train {

template <class T, class Mode, class In, std::size_t Out, class Activation, std::size_t Index>
struct layer_gradient<ctnn::detail::dense_layer<T, Mode, In, Out, Activation, Index>> {
  using layer = ctnn::detail::dense_layer<T, Mode, In, Out, Activation, Index>;
  static constexpr std::size_t in = layer::inputs;
  static constexpr std::size_t out = layer::outputs;

  /// The contract of layer_gradient.hpp, one sample.
  static void backward(const T* p, const T* x, const T* /*z*/, const T* grad_z, T* grad_p,
                       T* grad_x) noexcept {
    T* gw = grad_p;
    T* gb = grad_p + layer::weight_count;
    for (std::size_t i = 0; i < in; ++i)
      for (std::size_t o = 0; o < out; ++o)
        gw[i * out + o] = ctnn::detail::mac<Mode>(grad_z[o], x[i], gw[i * out + o]);
    for (std::size_t o = 0; o < out; ++o) gb[o] += grad_z[o];
    if (grad_x)
      for (std::size_t i = 0; i < in; ++i) {
        T acc = T(0);
        for (std::size_t o = 0; o < out; ++o)
          acc = ctnn::detail::mac<Mode>(p[i * out + o], grad_z[o], acc);
        grad_x[i] = acc;
      }
  }

  // ---- Batched extension (optional for a layer kind; the trainer falls back to the
  // per-sample functions without it). Samples are rows: x has row stride ldx, z, grad_z
  // and grad_x are contiguous (n × out, n × in). `scratch` holds
  // detail::gemm_scratch_size() scalars.

  /// Scalars of per-step data prepare() writes (W transposed, for grad_x).
  static constexpr std::size_t prepared_size = in * out;

  /// Once per step, before any backward_batch: wt[o][i] = W[i][o].
  static void prepare(const T* p, T* wt) noexcept {
    for (std::size_t i = 0; i < in; ++i)
      for (std::size_t o = 0; o < out; ++o) wt[o * in + i] = p[i * out + o];
  }

  /// z[s] = b + x[s]·W for the n samples (the inference sum, bit for bit).
  static void forward_batch(const T* p, const T* x, std::size_t ldx, std::size_t n, T* z,
                            T* scratch) noexcept {
    detail::gemm<Mode, out>(n, in, detail::strided<T>{x, ldx, 1}, p, out, z, out,
                            detail::gemm_init::bias, p + layer::weight_count, scratch);
  }

  /// backward_batch writes the layer's grad_p (each sum from +0, as the per-sample path
  /// adds into a zeroed slice: the same bits) instead of adding to it, unless `add` is
  /// set, so the pass does not zero this slice first (backprop.hpp).
  static constexpr bool backward_batch_sets = true;

  /// Vector lanes a row of `cols` columns occupies in the GEMM (whole vectors; without
  /// masked loads the last cols mod width columns take the scalar path, about a vector
  /// each).
  static constexpr std::size_t gemm_lanes(std::size_t cols) noexcept {
    using v = ctnn::detail::simd<T>;
    if constexpr (v::has_mask)
      return (cols + v::width - 1) / v::width * v::width;
    else
      return cols / v::width * v::width + cols % v::width * v::width;
  }

  /// True if grad_W is computed as its transpose, grad_Wᵀ (out × in) = Σ_s grad_z[s]ᵀ x[s]
  /// (B = the rows of x, vectors along in), and then transposed: for a narrow layer (10
  /// outputs: 16 lanes for 10 columns) that takes ≥ 15 % fewer vector multiply-adds. Every
  /// element is the same sum in the same sample order (x·g = g·x), so the bits are those
  /// of the direct form.
  static constexpr bool transposed_weight_gradient =
      ctnn::detail::simd_mac_available<T, Mode> &&
      out * gemm_lanes(in) * 115 < in * gemm_lanes(out) * 100;

  /// The fewest rows for which the transposed form is used (below, transposing grad_W
  /// costs more than it saves).
  static constexpr std::size_t transposed_min_rows = 32;

  /// Writes the batch's grad_W and grad_b to grad_p (see backward_batch_sets), or adds
  /// them (the sums going on over these rows) if `add`; writes grad_x unless it is null.
  static void backward_batch(const T* /*p*/, const T* wt, const T* x, std::size_t ldx,
                             std::size_t n, const T* grad_z, T* grad_p, T* grad_x, T* scratch,
                             bool add = false) noexcept {
    const detail::gemm_init init = add ? detail::gemm_init::accumulate : detail::gemm_init::zero;
    if (transposed_weight_gradient && n >= transposed_min_rows) {
      // grad_Wᵀ (out × in) = Σ_s grad_z[s]ᵀ x[s]: A(o, s) = grad_z[s][o], B = x.
      thread_local std::vector<T> gwt;
      gwt.resize(in * out);
      if (add)
        for (std::size_t i = 0; i < in; ++i)
          for (std::size_t o = 0; o < out; ++o) gwt[o * in + i] = grad_p[i * out + o];
      detail::gemm<Mode, in>(out, n, detail::strided<T>{grad_z, 1, out}, x, ldx, gwt.data(), in,
                             init, static_cast<const T*>(nullptr), scratch);
      for (std::size_t i = 0; i < in; ++i)
        for (std::size_t o = 0; o < out; ++o) grad_p[i * out + o] = gwt[o * in + i];
    } else {
      // grad_W (in × out) = Σ_s x[s]ᵀ grad_z[s]: A(i, s) = x[s][i].
      detail::gemm<Mode, out>(in, n, detail::strided<T>{x, 1, ldx}, grad_z, out, grad_p, out, init,
                              static_cast<const T*>(nullptr), scratch);
    }
    T* gb = grad_p + layer::weight_count;
    if (!add)
      for (std::size_t o = 0; o < out; ++o) gb[o] = T(0);
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t o = 0; o < out; ++o) gb[o] += grad_z[s * out + o];
    // grad_x (n × in) = grad_z · Wᵀ.
    if (grad_x)
      detail::gemm<Mode, in>(n, out, detail::strided<T>{grad_z, out, 1}, wt, in, grad_x, in,
                             detail::gemm_init::zero, static_cast<const T*>(nullptr), scratch);
  }
};

}  // namespace ctnn::train
