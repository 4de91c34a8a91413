// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Post-training int8 quantisation of a trained float network (host only): calibration of
/// the activation ranges on sample data, then the quantized parameters in the layout that
/// ctnn::quantized<Net> documents, then a comparison of float and int8 predictions.
///
/// Choices (docs/quantization.md):
/// - Activation ranges: min/max over the calibration samples (`percentile` < 100 clips
///   each tail at that percentile instead); every range is widened to contain 0 so that
///   real zero (padding, ReLU's floor) is exact. A degenerate range (a tensor that is
///   constant, e.g. all-zero activations) falls back to [lo, lo + 1] and is reported.
/// - Weights: symmetric, scale max|W|/127 per filter for conv2d (per output channel for
///   depthwise_conv2d; per channel for scale_shift, whose scale[c] is its one weight and
///   shift[c] its bias); for dense per output too but as the layer's largest scale times
///   2^−k (one multiplier, a shift per output);
///   raised where needed so that every quantized bias stays within ±2^28 (the int32
///   accumulator's headroom, quantized.hpp).
/// - Outputs of sigmoid and softmax use TFLite's fixed (1/256, −128), tanh (1/128, 0);
///   pooling, global_avg_pool, flatten and dropout keep their input's scale and zero point.
/// - Residual blocks: the body's and the projection's layers are quantised as the layers of
///   a network whose input is the block's input (same rules); the block's output (the
///   ADD's, after its activation) gets its own calibrated range, and the ADD's multipliers
///   follow TFLite (detail/int8_residual.hpp). Their inner tensors (body outputs, then the
///   projection's) are calibrated too: `calibrate` returns the network's tensors (input,
///   then each layer's output) followed by each block's inner tensors in layer order (a
///   block nested in a body: its own inner tensors after its parent's).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/network.hpp"
#include "ctnn/quantized.hpp"
#include "ctnn/residual.hpp"
#include "ctnn/train/data/dataset.hpp"

namespace ctnn::train {

struct quantize_options {
  std::size_t calibration_samples = 1000;  ///< first N samples of the calibration set
  double percentile = 100.0;               ///< in (50, 100]; 100 = min/max
};

/// The real range seen on one tensor (the input, or a layer's output).
struct tensor_range {
  double lo = 0, hi = 0;
  bool degenerate = false;  ///< constant over the calibration set: the fallback was used
};

/// A quantized model and what the quantisation cost, measured on an evaluation set.
struct quantize_report {
  std::vector<tensor_range> ranges;  ///< per tensor (input, then each layer)
  std::size_t evaluated = 0;         ///< samples compared
  double float_accuracy = 0, int8_accuracy = 0, agreement = 0;  ///< fractions
};

namespace detail {

template <class L>
inline constexpr bool is_dense = false;
template <class T, class M, class In, std::size_t Out, class A, std::size_t I>
inline constexpr bool is_dense<ctnn::detail::dense_layer<T, M, In, Out, A, I>> = true;
template <class L>
inline constexpr bool is_conv = false;
template <class T, class M, class In, std::size_t F, std::size_t KH, std::size_t KW, class A,
          std::size_t S, class P, std::size_t I>
inline constexpr bool is_conv<ctnn::detail::conv2d_layer<T, M, In, F, KH, KW, A, S, P, I>> = true;
/// depthwise_conv2d: quantised like conv2d (a weight scale per output channel); its float
/// layout W[kh][kw][o] is tap-major too, and its int8 layout W[o][kh][kw] output-major.
template <class L>
inline constexpr bool is_depthwise = false;
template <class T, class M, class In, std::size_t KH, std::size_t KW, class A, std::size_t S,
          class P, std::size_t DM, std::size_t I>
inline constexpr bool
    is_depthwise<ctnn::detail::depthwise_conv2d_layer<T, M, In, KH, KW, A, S, P, DM, I>> = true;

/// scale_shift: quantised as a 1×1 depthwise convolution (detail/int8_scale_shift.hpp): its
/// float scale[C] is the weight (one tap per channel), shift[C] the bias.
template <class L>
inline constexpr bool is_scale_shift = false;
template <class T, class M, class In, class A, std::size_t I>
inline constexpr bool is_scale_shift<ctnn::detail::scale_shift_layer<T, M, In, A, I>> = true;

template <class L>
inline constexpr bool is_residual = false;
template <class T, class M, class In, class B, class P, class A, std::size_t I>
inline constexpr bool is_residual<ctnn::detail::residual_layer<T, M, In, B, P, A, I>> = true;

/// Inner tensors of a layer that calibration ranges (quantize.hpp's file comment): a
/// residual block's body outputs, its projection's output, then its body's own.
template <class L>
constexpr std::size_t inner_tensors() noexcept;
/// All inner tensors of Net's layers (0 without residual blocks).
template <class Net>
constexpr std::size_t inner_tensor_total() noexcept {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + inner_tensors<typename Net::template layer<I + 1>>());
  }
  (std::make_index_sequence<Net::layer_count>{});
}
template <class L>
constexpr std::size_t inner_tensors() noexcept {
  if constexpr (is_residual<L>)
    return L::body_layers + (L::has_projection ? 1 : 0) + inner_tensor_total<typename L::body>();
  else
    return 0;
}
/// Index of layer I's first inner tensor in Net's range list.
template <class Net, std::size_t I>
constexpr std::size_t inner_base() noexcept {
  return [&]<std::size_t... J>(std::index_sequence<J...>) {
    return Net::layer_count + 1 +
           (std::size_t{0} + ... + inner_tensors<typename Net::template layer<J + 1>>());
  }
  (std::make_index_sequence<I - 1>{});
}

/// Runs Net's float layers on x (Net::input_size values), calling visit(t, values, size)
/// for layer k's output with t = out_base + k − 1 and for inner tensors from inner_base.
template <class Net, class Visit>
void visit_layers(const typename Net::scalar* p, const typename Net::scalar* x,
                  std::size_t out_base, std::size_t inner_base_id, Visit& visit) {
  using T = typename Net::scalar;
  std::vector<T> a(x, x + Net::input_size), b(Net::activation_size + Net::input_size);
  a.resize(b.size());
  std::size_t inner = inner_base_id;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I + 1>;
          const T* lp = p + Net::template parameter_offset<I + 1>;
          if constexpr (is_residual<L>) {
            using B = typename L::body;
            constexpr std::size_t nb = B::layer_count, np = L::has_projection ? 1 : 0;
            visit_layers<B>(lp, a.data(), inner, inner + nb + np, visit);
            if constexpr (L::has_projection) {
              using P = typename L::projection;
              std::vector<T> out(P::output_shape::size);
              std::vector<T> scratch(ctnn::detail::scratch_size_of<P> + 1);
              ctnn::detail::forward_layer<P>(lp + L::body_parameter_count, a.data(), out.data(),
                                             scratch.data());
              visit(inner + nb, out.data(), out.size());
            }
            inner += inner_tensors<L>();
          }
          L::forward(lp, a.data(), b.data());
          visit(out_base + I, b.data(), Net::template layer_size<I + 1>);
          std::swap(a, b);
        }(),
        ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
}

/// Runs the float layers one by one over `n` samples of `d`, calling visit(t, values, size)
/// for every tensor t (0 = input; inner tensors of residual blocks after the layers').
template <class Net, class Visit>
void for_each_tensor(const typename Net::parameters& p, const dataset& d, std::size_t n,
                     Visit&& visit) {
  using T = typename Net::scalar;
  std::vector<T> a(Net::input_size);
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t i = 0; i < Net::input_size; ++i) a[i] = static_cast<T>(d.sample(s)[i]);
    visit(std::size_t{0}, a.data(), Net::input_size);
    visit_layers<Net>(p.values.data(), a.data(), 1, Net::layer_count + 1, visit);
  }
}

inline double percentile_of(std::vector<float>& v, double pct) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(std::llround(pct / 100.0 * double(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

/// Asymmetric int8 parameters for [lo, hi] (widened to contain 0).
inline std::pair<float, std::int8_t> asymmetric(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  const double s = (hi - lo) / 255.0;
  const double z = std::clamp(std::round(-128.0 - lo / s), -128.0, 127.0);
  return {static_cast<float>(s), static_cast<std::int8_t>(z)};
}

template <class A>
constexpr bool exp_output = std::is_same_v<A, ctnn::sigmoid> || std::is_same_v<A, ctnn::tanh> ||
                            std::is_same_v<A, ctnn::softmax>;

}  // namespace detail

/// Activation ranges of every tensor over the first o.calibration_samples samples of d.
/// Throws std::invalid_argument for an empty or mismatched set or a bad percentile.
template <class Net>
std::vector<tensor_range> calibrate(const typename Net::parameters& p, const dataset& d,
                                    const quantize_options& o) {
  if (d.features != Net::input_size)
    throw std::invalid_argument("calibration data has " + std::to_string(d.features) +
                                " values per sample but the model takes " +
                                std::to_string(Net::input_size));
  const std::size_t n = std::min(o.calibration_samples, d.size());
  if (n == 0) throw std::invalid_argument("the calibration set is empty");
  if (!(o.percentile > 50.0 && o.percentile <= 100.0))
    throw std::invalid_argument("the calibration percentile must be in (50, 100]");
  std::vector<tensor_range> r(Net::layer_count + 1 + detail::inner_tensor_total<Net>());
  const bool minmax = o.percentile >= 100.0;
  std::vector<std::vector<float>> seen(minmax ? 0 : r.size());
  for (auto& t : r) t = {HUGE_VAL, -HUGE_VAL, false};
  detail::for_each_tensor<Net>(p, d, n, [&](std::size_t t, const auto* v, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      const double x = static_cast<double>(v[i]);
      if (!std::isfinite(x))
        throw std::invalid_argument("the float model produced a non-finite value in layer " +
                                    std::to_string(t) + " during calibration");
      r[t].lo = std::min(r[t].lo, x);
      r[t].hi = std::max(r[t].hi, x);
      if (!minmax && t > 0) seen[t].push_back(static_cast<float>(x));
    }
  });
  for (std::size_t t = 1; !minmax && t < r.size(); ++t) {
    r[t].lo = detail::percentile_of(seen[t], 100.0 - o.percentile);
    r[t].hi = detail::percentile_of(seen[t], o.percentile);
  }
  for (auto& t : r)
    if (!(t.hi - t.lo > 1e-12)) {  // constant tensor: a unit range, documented fallback
      t.degenerate = true;
      t.hi = t.lo + 1.0;
    }
  return r;
}

template <class Net, std::size_t I>
void quantize_residual(const typename Net::parameters& p, const std::vector<tensor_range>& ranges,
                       typename quantized<Net>::parameters& q);

/// One layer's slice (called by quantize in network order, so its input tensor is set).
template <class Net, std::size_t I>
void quantize_layer(const typename Net::parameters& p, const std::vector<tensor_range>& ranges,
                    typename quantized<Net>::parameters& q) {
  using L = typename Net::template layer<I>;
  using Q = quantized<Net>;
  if constexpr (detail::is_residual<L>) {
    quantize_residual<Net, I>(p, ranges, q);
  } else if constexpr (!detail::is_dense<L> && !detail::is_conv<L> && !detail::is_depthwise<L> &&
                       !detail::is_scale_shift<L>) {
    // pooling, global_avg_pool, flatten and dropout keep their input's quantisation
    q.scales[I] = q.scales[I - 1];
    q.zero_points[I] = q.zero_points[I - 1];
  } else {
    using A = typename L::activation;
    if constexpr (std::is_same_v<A, ctnn::tanh>) {
      q.scales[I] = 1.0f / 128;
      q.zero_points[I] = 0;
    } else if constexpr (detail::exp_output<A>) {
      q.scales[I] = 1.0f / 256;
      q.zero_points[I] = -128;
    } else {
      std::tie(q.scales[I], q.zero_points[I]) = detail::asymmetric(ranges[I].lo, ranges[I].hi);
    }
    constexpr bool affine = detail::is_scale_shift<L>;
    // outputs (dense), filters/channels (conv, depthwise); scale_shift's 2·C biases are its
    // scales and shifts
    constexpr std::size_t outs = affine ? L::bias_count / 2 : L::bias_count;
    constexpr std::size_t fan = affine ? 1 : L::weight_count / outs;  // taps per output
    const auto* w = p.values.data() + Net::template parameter_offset<I>;
    const auto* b = w + fan * outs;
    constexpr bool dense = detail::is_dense<L>;
    // Float layouts: dense W[i][o] (i·Out + o); conv W[kh][kw][c][f] (tap·F + f); depthwise
    // W[kh][kw][o] (tap·O + o); scale_shift scale[c] (one tap). All are "tap-major, output
    // fastest", so W(o, tap) = w[tap·outs + o] for every kind.
    auto weight = [&](std::size_t o, std::size_t tap) {
      return static_cast<double>(w[tap * outs + o]);
    };
    const double s_in = q.scales[I - 1], s_out = q.scales[I];
    const std::int32_t z_in = q.zero_points[I - 1];
    std::int8_t* qw = q.weights.data() + Q::template weight_offset<I>;
    std::int32_t* qb = q.biases.data() + Q::template bias_offset<I>;
    std::int32_t* qm = q.multipliers.data() + Q::template multiplier_offset<I>;
    std::int8_t* qs = q.shifts.data() + Q::template shift_offset<I>;
    constexpr std::size_t per = ctnn::detail::int8_epilogue<A>::multipliers;
    // The smallest weight scale each output needs: max|W|/127, and |bias| ≤ 2^28.
    std::vector<double> need(outs);
    for (std::size_t o = 0; o < outs; ++o) {
      double wmax = 0;
      for (std::size_t t = 0; t < fan; ++t) wmax = std::max(wmax, std::fabs(weight(o, t)));
      need[o] = std::max(wmax / 127.0, std::fabs(static_cast<double>(b[o])) / (s_in * 268435456.0));
    }
    // The real multipliers for weight scale s_w (per activation count: leaky's 2 slopes).
    auto multipliers_for = [&](double s_w) {
      std::array<quantized_multiplier, 2> r{};
      double real[2] = {s_in * s_w / s_out, s_in * s_w / s_out};
      if constexpr (detail::exp_output<A>)
        real[0] = s_in * s_w * 1.4426950408889634 * 65536.0;  // x·log2(e) in Q16
      else if constexpr (per == 2)
        real[1] *= A::template slope<double>();
      for (std::size_t k = 0; k < per; ++k) {
        r[k] = quantize_multiplier(std::fabs(real[k]));
        if (real[k] < 0) r[k].multiplier = -r[k].multiplier;
      }
      return r;
    };
    std::vector<double> s_w(outs);
    if constexpr (dense) {
      // One scale S for the layer, each output's S·2^−k as small as its weights allow.
      double top = *std::max_element(need.begin(), need.end());
      if (!(top > 0)) top = 1.0;  // all-zero weights and biases: any scale is exact
      const auto m = multipliers_for(top);
      int k_limit = 30;  // every shift − k must stay ≥ −31
      for (std::size_t j = 0; j < per; ++j) {
        qm[j] = m[j].multiplier;
        k_limit = std::min(k_limit, m[j].multiplier == 0 ? 0 : m[j].shift + 31);
      }
      for (std::size_t o = 0; o < outs; ++o) {
        int k = 0;
        while (k < k_limit && std::ldexp(top, -(k + 1)) >= need[o]) ++k;
        s_w[o] = std::ldexp(top, -k);
        for (std::size_t j = 0; j < per; ++j)
          qs[o * per + j] = static_cast<std::int8_t>(m[j].multiplier == 0 ? 0 : m[j].shift - k);
      }
    } else {
      for (std::size_t o = 0; o < outs; ++o) {
        s_w[o] = need[o] > 0 ? need[o] : 1.0;
        const auto m = multipliers_for(s_w[o]);
        for (std::size_t j = 0; j < per; ++j) {
          qm[o * per + j] = m[j].multiplier;
          qs[o * per + j] = static_cast<std::int8_t>(m[j].shift);
        }
      }
    }
    for (std::size_t o = 0; o < outs; ++o) {
      std::int64_t sum = 0;
      for (std::size_t t = 0; t < fan; ++t) {
        const auto v =
            static_cast<std::int8_t>(std::clamp(std::round(weight(o, t) / s_w[o]), -127.0, 127.0));
        qw[o * fan + t] = v;  // output-major (W[o][i]; W[f][kh][kw][c]; W[o][kh][kw])
        sum += v;
      }
      const auto bq =
          static_cast<std::int64_t>(std::round(static_cast<double>(b[o]) / (s_in * s_w[o])));
      qb[o] = static_cast<std::int32_t>(bq - std::int64_t{z_in} * sum);
    }
  }
}

namespace detail {
/// Quantises the one-layer-at-a-time network Sub (a block's body, or its projection alone)
/// whose parameters are `values` and whose input has Outer tensor I−1's quantisation;
/// copies the int8 slices to q's arrays at the given offsets and returns Sub's.
template <class Sub, class Outer, std::size_t I>
std::unique_ptr<typename quantized<Sub>::parameters> quantize_part(
    const typename Sub::scalar* values, const std::vector<tensor_range>& sub_ranges,
    typename quantized<Outer>::parameters& q, std::size_t weights, std::size_t biases,
    std::size_t multipliers, std::size_t shifts) {
  using QS = quantized<Sub>;
  auto sp = std::make_unique<typename Sub::parameters>();
  std::copy(values, values + Sub::parameter_count, sp->values.begin());
  auto sq = std::make_unique<typename QS::parameters>();
  sq->scales[0] = q.scales[I - 1];
  sq->zero_points[0] = q.zero_points[I - 1];
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (quantize_layer<Sub, K + 1>(*sp, sub_ranges, *sq), ...);
  }
  (std::make_index_sequence<Sub::layer_count>{});
  std::copy(sq->weights.begin(), sq->weights.end(), q.weights.begin() + std::ptrdiff_t(weights));
  std::copy(sq->biases.begin(), sq->biases.end(), q.biases.begin() + std::ptrdiff_t(biases));
  std::copy(sq->multipliers.begin(), sq->multipliers.end(),
            q.multipliers.begin() + std::ptrdiff_t(multipliers));
  std::copy(sq->shifts.begin(), sq->shifts.end(), q.shifts.begin() + std::ptrdiff_t(shifts));
  return sq;
}
}  // namespace detail

/// A residual block's slice (detail/int8_residual.hpp's layout): the body and the
/// projection as networks of their own, the block's output range, the ADD's multipliers.
template <class Net, std::size_t I>
void quantize_residual(const typename Net::parameters& p, const std::vector<tensor_range>& ranges,
                       typename quantized<Net>::parameters& q) {
  using L = typename Net::template layer<I>;
  using Q = quantized<Net>;
  using QL = ctnn::detail::int8_layer<L>;
  using B = typename L::body;
  using In = typename L::input_shape;
  constexpr std::size_t n = B::layer_count, np = L::has_projection ? 1 : 0;
  constexpr std::size_t base = detail::inner_base<Net, I>();
  const auto* lp = p.values.data() + Net::template parameter_offset<I>;
  const std::size_t w0 = Q::template weight_offset<I>, b0 = Q::template bias_offset<I>;
  const std::size_t m0 = Q::template multiplier_offset<I>, s0 = Q::template shift_offset<I>;
  // The body's ranges in a network's layout: input, its layers' outputs, its inner tensors.
  std::vector<tensor_range> body_ranges{ranges[I - 1]};
  for (std::size_t k = 0; k < n; ++k) body_ranges.push_back(ranges[base + k]);
  for (std::size_t k = n + np; k < detail::inner_tensors<L>(); ++k)
    body_ranges.push_back(ranges[base + k]);
  const auto bq = detail::quantize_part<B, Net, I>(lp, body_ranges, q, w0, b0, m0, s0);
  std::int32_t* zero_points = q.biases.data() + b0 + QL::zero_point_offset;
  for (std::size_t k = 1; k <= n; ++k) zero_points[k - 1] = bq->zero_points[k];
  double s_skip = q.scales[I - 1];
  if constexpr (L::has_projection) {
    using PN =
        basic_network<typename Net::scalar, typename Net::numerics,
                      input<In::height, In::width, In::channels>, typename L::projection_spec>;
    const std::vector<tensor_range> projection_ranges{ranges[I - 1], ranges[base + n]};
    const auto pq = detail::quantize_part<PN, Net, I>(
        lp + L::body_parameter_count, projection_ranges, q, w0 + QL::body_weight_count,
        b0 + QL::body_bias_count, m0 + QL::body_multiplier_count, s0 + QL::body_shift_count);
    zero_points[n] = pq->zero_points[1];
    s_skip = pq->scales[1];
  }
  std::tie(q.scales[I], q.zero_points[I]) = detail::asymmetric(ranges[I].lo, ranges[I].hi);
  // TFLite's ADD: both inputs to the common scale 2·max/2^20, then to the output's.
  const double s_body = bq->scales[n], s_out = q.scales[I];
  const double twice_max = 2.0 * std::max(s_skip, s_body);
  const double real[3] = {s_skip / twice_max, s_body / twice_max,
                          twice_max / (std::ldexp(1.0, ctnn::detail::int8_add_left_shift) * s_out)};
  for (std::size_t j = 0; j < 3; ++j) {
    const quantized_multiplier m = quantize_multiplier(real[j]);
    q.multipliers[m0 + QL::add_multiplier_offset + j] = m.multiplier;
    q.shifts[s0 + QL::add_shift_offset + j] = static_cast<std::int8_t>(m.shift);
  }
}

/// The int8 parameters of `p` for the given tensor ranges. Throws std::invalid_argument if
/// a parameter is not finite.
template <class Net>
std::unique_ptr<typename quantized<Net>::parameters> quantize(
    const typename Net::parameters& p, const std::vector<tensor_range>& ranges) {
  using Q = quantized<Net>;
  auto q = std::make_unique<typename Q::parameters>();
  for (std::size_t i = 0; i < Net::parameter_count; ++i)
    if (!std::isfinite(static_cast<double>(p.values[i])))
      throw std::invalid_argument("parameter " + std::to_string(i) +
                                  " is not finite (the run diverged); refusing to quantize it");
  if (ranges.size() != Q::tensor_count + detail::inner_tensor_total<Net>())
    throw std::invalid_argument("wrong number of ranges");

  std::tie(q->scales[0], q->zero_points[0]) = detail::asymmetric(ranges[0].lo, ranges[0].hi);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (quantize_layer<Net, I + 1>(p, ranges, *q), ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
  return q;
}

/// Float and int8 predictions of the first `limit` samples of `d` (0: all), compared.
template <class Net>
void compare(const typename Net::parameters& p, const typename quantized<Net>::parameters& q,
             const dataset& d, std::size_t limit, quantize_report& r) {
  using Q = quantized<Net>;
  const std::size_t n = limit == 0 ? d.size() : std::min(limit, d.size());
  std::size_t float_right = 0, int8_right = 0, agree = 0;
  auto x = std::make_unique<typename Net::input>();
  auto ws = std::make_unique<typename Net::workspace>();
  auto qws = std::make_unique<typename Q::workspace>();
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t i = 0; i < Net::input_size; ++i)
      (*x)[i] = static_cast<typename Net::scalar>(d.sample(s)[i]);
    typename Net::output y;
    Net::forward_raw(p.values.data(), x->data(), ws->data(), y.data());
    const auto qy = Q::forward(q, Q::quantize_input(q, *x), *qws);
    std::size_t pf = 0, pq = 0;
    if constexpr (Net::output_size == 1) {  // one sigmoid output: class 1 above one half
      pf = y[0] > 0.5 ? 1 : 0;
      pq = qy[0] > q.zero_points[Net::layer_count] + 0.5 / q.scales[Net::layer_count] ? 1 : 0;
    } else {
      pf = static_cast<std::size_t>(std::max_element(y.begin(), y.end()) - y.begin());
      pq = Q::argmax(qy);
    }
    agree += pf == pq;
    if (d.labelled()) {
      float_right += pf == d.y[s];
      int8_right += pq == d.y[s];
    }
  }
  r.evaluated = n;
  const double count = n ? double(n) : 1.0;
  r.float_accuracy = double(float_right) / count;
  r.int8_accuracy = double(int8_right) / count;
  r.agreement = double(agree) / count;
}

}  // namespace ctnn::train
