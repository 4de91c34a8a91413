// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Optimiser updates and learning-rate schedules. Per-step constants are computed in
/// double with + − × ÷ and sqrt only (powers by repeated squaring, cosine by its own
/// series), per-parameter updates in the network's scalar type: bit-reproducible. Host only.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctnn/detail/simd.hpp"
#include "ctnn/train/options.hpp"

namespace ctnn::train {
namespace detail {

/// x^n by repeated squaring (deterministic, unlike std::pow across libms).
constexpr double pow_int(double x, std::uint64_t n) noexcept {
  double r = 1.0;
  while (n) {
    if (n & 1) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/// cos x for x in [0, π]: −sin(x − π/2) by its Taylor series (|y| ≤ π/2, 13 terms: error
/// below 1e-19).
constexpr double cos_0_pi(double x) noexcept {
  constexpr double half_pi = 1.57079632679489661923;
  const double y = x - half_pi;
  const double y2 = y * y;
  double term = y, sum = y;
  for (int k = 1; k <= 13; ++k) {
    term = -term * y2 / double((2 * k) * (2 * k + 1));
    sum += term;
  }
  return -sum;
}

/// IEEE square root (correctly rounded: the same bits everywhere).
inline float sqrt(float x) noexcept {
  return __builtin_sqrtf(x);
}
inline double sqrt(double x) noexcept {
  return __builtin_sqrt(x);
}
}  // namespace detail

/// The learning rate of (0-based) epoch e under o's schedule.
constexpr double scheduled_lr(const options& o, std::size_t e) noexcept {
  switch (o.schedule) {
    case schedule_kind::none:
      return o.lr;
    case schedule_kind::step:
      return o.lr * detail::pow_int(o.gamma, o.step_size == 0 ? 0 : e / o.step_size);
    case schedule_kind::cosine: {
      if (o.epochs == 0) return o.lr;
      constexpr double pi = 3.14159265358979323846;
      const double x = pi * double(e) / double(o.epochs);
      return o.min_lr + (o.lr - o.min_lr) * (1.0 + detail::cos_0_pi(x > pi ? pi : x)) / 2.0;
    }
  }
  return o.lr;
}

/// Moment vectors an optimiser keeps: 0 (GD, SGD), 1 (momentum), 2 (Adam).
constexpr std::uint32_t optimizer_slots(optimizer_kind k) noexcept {
  return k == optimizer_kind::adam ? 2 : k == optimizer_kind::momentum ? 1 : 0;
}

/// Per-step constants of an update.
template <class T>
struct step_constants {
  T lr;         ///< learning rate (Adam: lr / (1 − β1^t))
  T decay;      ///< L2 weight decay
  T inv_batch;  ///< 1 / samples in the step
  T mu;         ///< momentum
  T beta1, one_minus_beta1, beta2, one_minus_beta2;
  T inv_sqrt_c2;  ///< Adam: 1 / sqrt(1 − β2^t)
  T eps;
};

/// Constants for step t (1-based, Adam's t) with learning rate lr and a batch of b samples.
template <class T>
step_constants<T> make_step_constants(const options& o, double lr, std::uint64_t t,
                                      std::size_t b) noexcept {
  step_constants<T> c{};
  c.decay = T(o.weight_decay);
  c.inv_batch = T(1.0 / double(b));
  c.mu = T(o.momentum);
  c.beta1 = T(o.beta1);
  c.one_minus_beta1 = T(1.0 - o.beta1);
  c.beta2 = T(o.beta2);
  c.one_minus_beta2 = T(1.0 - o.beta2);
  c.eps = T(o.eps);
  if (o.optimizer == optimizer_kind::adam) {
    c.lr = T(lr / (1.0 - detail::pow_int(o.beta1, t)));
    c.inv_sqrt_c2 = T(1.0 / __builtin_sqrt(1.0 - detail::pow_int(o.beta2, t)));
  } else {
    c.lr = T(lr);
    c.inv_sqrt_c2 = T(1);
  }
  return c;
}

namespace detail {

#if defined(CTNN_DETAIL_X86_SIMD) && defined(__AVX__)
inline __m256 vector_sqrt(__m256 x) noexcept {
  return _mm256_sqrt_ps(x);
}
inline __m256d vector_sqrt(__m256d x) noexcept {
  return _mm256_sqrt_pd(x);
}
#if defined(__AVX512F__)
// All lanes through the zero-masking form: GCC 12's _mm512_sqrt_p[sd] merge into an
// undefined register, which -Wmaybe-uninitialized reports (a header false positive).
inline __m512 vector_sqrt(__m512 x) noexcept {
  return _mm512_maskz_sqrt_ps(static_cast<__mmask16>(0xffff), x);
}
inline __m512d vector_sqrt(__m512d x) noexcept {
  return _mm512_maskz_sqrt_pd(static_cast<__mmask8>(0xff), x);
}
#endif

/// True if the N flags at `flags` (each 0 or 1) are all equal; `first` receives flags[0].
/// Compares the bytes as words, not one by one (the check runs once per vector).
template <std::size_t N>
inline bool uniform_flags(const unsigned char* flags, unsigned char& first) noexcept {
  first = flags[0];
  if constexpr (N == 4 || N == 8 || N == 16) {
    using word = std::conditional_t<N == 4, std::uint32_t, std::uint64_t>;
    constexpr std::size_t words = N == 16 ? 2 : 1;
    const word want = static_cast<word>(first ? ~word(0) / 0xff : 0);  // 0x0101… or 0
    word diff = 0;
    for (std::size_t k = 0; k < words; ++k) {
      word x;
      std::memcpy(&x, flags + k * sizeof(word), sizeof(word));
      diff |= x ^ want;
    }
    return diff == 0;
  } else {
    for (std::size_t k = 1; k < N; ++k)
      if (flags[k] != first) return false;
    return true;
  }
}

/// Adam's update of whole vectors from `begin` on; returns where the scalar loop goes on.
/// Each lane computes the scalar loop's expression with the same IEEE operations
/// (+ − × ÷ and sqrt, no contraction), so the bits do not depend on the path; a vector
/// whose weight-decay flags are mixed is left to the scalar loop. `bad` collects w − w.
template <class T>
std::size_t adam_vectors(const step_constants<T>& c, T* w, const T* g, const unsigned char* decays,
                         T* m, T* v, std::size_t begin, std::size_t end, T& bad) noexcept {
  using simd = ctnn::detail::simd<T>;
  using vec = typename simd::type;
  constexpr std::size_t width = simd::width;
  const vec inv_batch = simd::broadcast(c.inv_batch), decay = simd::broadcast(c.decay);
  const vec beta1 = simd::broadcast(c.beta1), one_minus_beta1 = simd::broadcast(c.one_minus_beta1);
  const vec beta2 = simd::broadcast(c.beta2), one_minus_beta2 = simd::broadcast(c.one_minus_beta2);
  const vec inv_sqrt_c2 = simd::broadcast(c.inv_sqrt_c2), eps = simd::broadcast(c.eps);
  const vec lr = simd::broadcast(c.lr);
  vec bad_v = simd::broadcast(T(0));
  std::size_t j = begin;
  unsigned char first = 0;
  for (; j + width <= end; j += width) {
    // The vector's `width` flags (each 0 or 1) as bytes: all clear or all set, else mixed.
    if (!uniform_flags<width>(decays + j, first)) break;  // mixed: the scalar loop goes on
    const vec wj = simd::load(w + j);
    vec gj = simd::load(g + j) * inv_batch;
    if (first) gj = gj + decay * wj;
    const vec mj = beta1 * simd::load(m + j) + one_minus_beta1 * gj;
    const vec vj = beta2 * simd::load(v + j) + one_minus_beta2 * (gj * gj);
    const vec denom = vector_sqrt(vj) * inv_sqrt_c2 + eps;
    const vec wn = wj - lr * mj / denom;
    simd::store(m + j, mj);
    simd::store(v + j, vj);
    simd::store(w + j, wn);
    bad_v = bad_v + (wn - wn);
  }
  alignas(32) T lanes[width];
  simd::store(lanes, bad_v);
  for (std::size_t k = 0; k < width; ++k) bad += lanes[k];
  return j;
}
#endif

}  // namespace detail

/// Updates w[j] for j in [begin, end) from the summed gradient g (scaled by inv_batch
/// here), plus decay·w where decays[j] is set. m, v: the moment slots (may be null).
/// Returns false if a parameter became non-finite.
///   GD/SGD:   w −= lr·g
///   momentum: m = μm + g;  w −= lr·m
///   Adam:     m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;  w −= lr_t·m / (sqrt(v)/sqrt(1−β2^t) +
///   ε)
template <class T>
bool apply_update(optimizer_kind kind, const step_constants<T>& c, T* w, const T* g,
                  const unsigned char* decays, T* m, T* v, std::size_t begin,
                  std::size_t end) noexcept {
  const auto grad = [&](std::size_t j) {
    const T gj = g[j] * c.inv_batch;
    return decays[j] ? gj + c.decay * w[j] : gj;
  };
  T bad = T(0);  // w − w is 0 for finite w, NaN for NaN and ±Inf
  switch (kind) {
    case optimizer_kind::gd:
    case optimizer_kind::sgd:
      for (std::size_t j = begin; j < end; ++j) w[j] = w[j] - c.lr * grad(j);
      break;
    case optimizer_kind::momentum:
      for (std::size_t j = begin; j < end; ++j) {
        m[j] = c.mu * m[j] + grad(j);
        w[j] = w[j] - c.lr * m[j];
      }
      break;
    case optimizer_kind::adam:
      // Runs of whole vectors (the decay flags come in long runs: a layer's weights, its
      // biases); a vector that straddles a run's end goes through the scalar loop.
      for (std::size_t j = begin; j < end;) {
#if defined(CTNN_DETAIL_X86_SIMD) && defined(__AVX__)
        const std::size_t next = detail::adam_vectors(c, w, g, decays, m, v, j, end, bad);
        if (next != j) {
          j = next;
          continue;
        }
#endif
        const T gj = grad(j);
        m[j] = c.beta1 * m[j] + c.one_minus_beta1 * gj;
        v[j] = c.beta2 * v[j] + c.one_minus_beta2 * (gj * gj);
        const T denom = detail::sqrt(v[j]) * c.inv_sqrt_c2 + c.eps;
        w[j] = w[j] - c.lr * m[j] / denom;
        bad += w[j] - w[j];
        ++j;
      }
      return bad == T(0);
  }
  for (std::size_t j = begin; j < end; ++j) bad += w[j] - w[j];
  return bad == T(0);
}

}  // namespace ctnn::train
