// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The run-time vector types used by the kernels: GCC vector extensions over the target's
/// native registers (AVX: 8 floats, SSE2: 4), width 1 elsewhere (Cortex-M has no float
/// SIMD). Only +, −, ×, ÷ and lane-wise FMA are used, so every lane computes exactly
/// what the scalar code computes for that element.
#include <cstddef>
#include <type_traits>

#include "ctnn/detail/math.hpp"
#include "ctnn/numerics.hpp"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
#include <immintrin.h>
#define CTNN_DETAIL_X86_SIMD 1
#endif

namespace ctnn::detail {

/// Fallback: no vectors; kernels use their scalar loops.
template <class T>
struct simd {
  static constexpr std::size_t width = 1;
  static constexpr bool has_fma = false;
};

#if defined(CTNN_DETAIL_X86_SIMD)
#if defined(__AVX__)
template <>
struct simd<float> {
  using type = __m256;
  static constexpr std::size_t width = 8;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept { return _mm256_fmadd_ps(a, b, c); }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const float* p) noexcept { return _mm256_loadu_ps(p); }
  static void store(float* p, type v) noexcept { _mm256_storeu_ps(p, v); }
  static type broadcast(float v) noexcept { return _mm256_set1_ps(v); }
};
template <>
struct simd<double> {
  using type = __m256d;
  static constexpr std::size_t width = 4;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept { return _mm256_fmadd_pd(a, b, c); }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const double* p) noexcept { return _mm256_loadu_pd(p); }
  static void store(double* p, type v) noexcept { _mm256_storeu_pd(p, v); }
  static type broadcast(double v) noexcept { return _mm256_set1_pd(v); }
};
#else
template <>
struct simd<float> {
  using type = __m128;
  static constexpr std::size_t width = 4;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept { return _mm_fmadd_ps(a, b, c); }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const float* p) noexcept { return _mm_loadu_ps(p); }
  static void store(float* p, type v) noexcept { _mm_storeu_ps(p, v); }
  static type broadcast(float v) noexcept { return _mm_set1_ps(v); }
};
template <>
struct simd<double> {
  using type = __m128d;
  static constexpr std::size_t width = 2;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept { return _mm_fmadd_pd(a, b, c); }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const double* p) noexcept { return _mm_loadu_pd(p); }
  static void store(double* p, type v) noexcept { _mm_storeu_pd(p, v); }
  static type broadcast(double v) noexcept { return _mm_set1_pd(v); }
};
#endif
#endif

/// True when the vector kernels can run Mode's multiply-accumulate for T: unfused
/// needs vectors, fused needs vector FMA (lane-wise __builtin_fma would be slower than
/// the scalar loop).
template <class T, class Mode>
inline constexpr bool simd_mac_available =
    simd<T>::width > 1 && (std::is_same_v<Mode, unfused> || simd<T>::has_fma);

/// acc + a·b in Mode, on vectors.
template <class Mode, class T>
inline typename simd<T>::type simd_mac(typename simd<T>::type a, typename simd<T>::type b,
                                       typename simd<T>::type acc) noexcept {
  if constexpr (std::is_same_v<Mode, fused>)
    return simd<T>::fma(a, b, acc);
  else
    return acc + a * b;
}

/// acc + a·b in Mode, on scalars; constexpr (detail::fma emulates FMA in constant
/// evaluation and uses the hardware instruction at run time).
template <class Mode, class T>
constexpr T mac(T a, T b, T acc) noexcept {
  if constexpr (std::is_same_v<Mode, fused>)
    return detail::fma(a, b, acc);
  else
    return acc + a * b;
}

}  // namespace ctnn::detail
