// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The run-time vector types used by the kernels: GCC vector extensions over the target's
/// native registers (AVX-512: 16 floats, AVX: 8, SSE2: 4), width 1 elsewhere (Cortex-M has no float
/// SIMD). Only +, −, ×, ÷ and lane-wise FMA are used, so every lane computes exactly
/// what the scalar code computes for that element.
#include <array>
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
///
/// A specialisation provides: type, width, has_fma (+ fma), load/store/broadcast, and
/// has_mask (+ mask, tail_mask(n), masked load/store, which neither read nor write the
/// lanes outside the mask, so a partial vector at the end of an array is safe).
template <class T>
struct simd {
  static constexpr std::size_t width = 1;
  static constexpr bool has_fma = false;
  static constexpr bool has_mask = false;
};

#if defined(CTNN_DETAIL_X86_SIMD)
#if defined(__AVX512F__)
/// AVX-512 (a build for x86-64-v4 or -march=native on such a CPU): 16 floats or 8
/// doubles a vector, masks in k registers. The lanes compute what the 8-lane and scalar
/// code compute for the same element, so the bits are those of every other width.
template <class Lane, std::size_t Lanes>
struct avx512_vector;
template <>
struct avx512_vector<float, 16> {
  using type = __m512;
  using mask = __mmask16;
  static type fma(type a, type b, type c) noexcept { return _mm512_fmadd_ps(a, b, c); }
  static type load(const float* p) noexcept { return _mm512_loadu_ps(p); }
  static void store(float* p, type v) noexcept { _mm512_storeu_ps(p, v); }
  static type broadcast(float v) noexcept { return _mm512_set1_ps(v); }
  static type load(const float* p, mask m) noexcept { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, mask m, type v) noexcept { _mm512_mask_storeu_ps(p, m, v); }
};
template <>
struct avx512_vector<double, 8> {
  using type = __m512d;
  using mask = __mmask8;
  static type fma(type a, type b, type c) noexcept { return _mm512_fmadd_pd(a, b, c); }
  static type load(const double* p) noexcept { return _mm512_loadu_pd(p); }
  static void store(double* p, type v) noexcept { _mm512_storeu_pd(p, v); }
  static type broadcast(double v) noexcept { return _mm512_set1_pd(v); }
  static type load(const double* p, mask m) noexcept { return _mm512_maskz_loadu_pd(m, p); }
  static void store(double* p, mask m, type v) noexcept { _mm512_mask_storeu_pd(p, m, v); }
};
template <class T>
struct avx512_simd : avx512_vector<T, 64 / sizeof(T)> {
  static constexpr std::size_t width = 64 / sizeof(T);
  static constexpr bool has_fma = true;  // AVX-512F includes FMA
  static constexpr bool has_mask = true;
  using typename avx512_vector<T, width>::mask;
  /// Lanes 0..n−1 set, n ≤ width; masked loads never touch the clear lanes' memory.
  static mask tail_mask(std::size_t n) noexcept { return static_cast<mask>((1u << n) - 1u); }
};
#endif
#if defined(__AVX__)
/// 256-bit mask with lanes 0..n−1 set (all bits) and the rest clear, n ≤ Lanes: a window
/// into a table of Lanes ones followed by Lanes zeros.
template <class Lane, std::size_t Lanes>
inline __m256i avx_tail_mask(std::size_t n) noexcept {
  alignas(32) static constexpr auto table = [] {
    std::array<Lane, 2 * Lanes> t{};
    for (std::size_t k = 0; k < Lanes; ++k) t[k] = Lane(-1);
    return t;
  }();
  const Lane* ones_first = table.data() + (Lanes - n);
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ones_first));
}
/// AVX (8 floats or 4 doubles a vector): simd<T> on AVX and AVX2 builds; on AVX-512
/// builds the narrow vectors (simd_narrow).
template <class T>
struct avx_simd;
template <>
struct avx_simd<float> {
  using type = __m256;
  static constexpr std::size_t width = 8;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept {
    return _mm256_fmadd_ps(a, b, c);
  }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const float* p) noexcept {
    return _mm256_loadu_ps(p);
  }
  static void store(float* p, type v) noexcept {
    _mm256_storeu_ps(p, v);
  }
  static type broadcast(float v) noexcept {
    return _mm256_set1_ps(v);
  }
  static constexpr bool has_mask = true;
  using mask = __m256i;
  static mask tail_mask(std::size_t n) noexcept {
    return avx_tail_mask<int, 8>(n);
  }
  static type load(const float* p, mask m) noexcept {
    return _mm256_maskload_ps(p, m);
  }
  static void store(float* p, mask m, type v) noexcept {
    _mm256_maskstore_ps(p, m, v);
  }
};
template <>
struct avx_simd<double> {
  using type = __m256d;
  static constexpr std::size_t width = 4;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept {
    return _mm256_fmadd_pd(a, b, c);
  }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const double* p) noexcept {
    return _mm256_loadu_pd(p);
  }
  static void store(double* p, type v) noexcept {
    _mm256_storeu_pd(p, v);
  }
  static type broadcast(double v) noexcept {
    return _mm256_set1_pd(v);
  }
  static constexpr bool has_mask = true;
  using mask = __m256i;
  static mask tail_mask(std::size_t n) noexcept {
    return avx_tail_mask<long long, 4>(n);
  }
  static type load(const double* p, mask m) noexcept {
    return _mm256_maskload_pd(p, m);
  }
  static void store(double* p, mask m, type v) noexcept {
    _mm256_maskstore_pd(p, m, v);
  }
};
#endif
#if defined(__AVX512F__)
template <>
struct simd<float> : avx512_simd<float> {};
template <>
struct simd<double> : avx512_simd<double> {};
#elif defined(__AVX__)
template <>
struct simd<float> : avx_simd<float> {};
template <>
struct simd<double> : avx_simd<double> {};
#else
template <>
struct simd<float> {
  using type = __m128;
  static constexpr std::size_t width = 4;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept {
    return _mm_fmadd_ps(a, b, c);
  }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const float* p) noexcept {
    return _mm_loadu_ps(p);
  }
  static void store(float* p, type v) noexcept {
    _mm_storeu_ps(p, v);
  }
  static type broadcast(float v) noexcept {
    return _mm_set1_ps(v);
  }
  static constexpr bool has_mask = false;  // SSE2 has no masked loads
};
template <>
struct simd<double> {
  using type = __m128d;
  static constexpr std::size_t width = 2;
#if defined(__FMA__)
  static constexpr bool has_fma = true;
  static type fma(type a, type b, type c) noexcept {
    return _mm_fmadd_pd(a, b, c);
  }
#else
  static constexpr bool has_fma = false;
#endif
  static type load(const double* p) noexcept {
    return _mm_loadu_pd(p);
  }
  static void store(double* p, type v) noexcept {
    _mm_storeu_pd(p, v);
  }
  static type broadcast(double v) noexcept {
    return _mm_set1_pd(v);
  }
  static constexpr bool has_mask = false;  // SSE2 has no masked loads
};
#endif
#endif

/// The narrower vectors of the target, for dimensions that do not fill whole simd<T>
/// vectors: on AVX-512 builds the AVX form (8 floats, 4 doubles), elsewhere simd<T> itself.
/// The lanes compute what the scalar code computes, so the bits are those of every width.
template <class T>
struct simd_narrow : simd<T> {};
#if defined(CTNN_DETAIL_X86_SIMD) && defined(__AVX512F__)
template <>
struct simd_narrow<float> : avx_simd<float> {};
template <>
struct simd_narrow<double> : avx_simd<double> {};
#endif

/// The vectors a kernel uses along a dimension of N elements (channels, filters): simd<T>
/// when N is a multiple of its width, else simd_narrow<T> (on AVX-512, 8 filters of a
/// conv fill one 8-float vector instead of falling to scalar code; elsewhere the same type).
template <class T, std::size_t N>
using simd_fit = std::conditional_t<N % simd<T>::width == 0, simd<T>, simd_narrow<T>>;

/// Most accumulator registers a dense vector tile uses: of the 16 AVX vector registers, the
/// rest hold the broadcast input, a loaded weight vector and a tail mask. AVX-512 has 32:
/// a tile of 16 takes a 256-float layer in one pass over its inputs (128-256-256-10 on
/// the Zen 5 of docs/performance.md: 1.05 -> 0.70 times Eigen's time).
#if defined(CTNN_DETAIL_X86_SIMD) && defined(__AVX512F__)
inline constexpr std::size_t simd_tile_vectors = 16;
#else
inline constexpr std::size_t simd_tile_vectors = 12;
#endif

/// How many input rows ahead a dense tile prefetches its weights, for layers whose weights
/// exceed simd_prefetch_min_bytes (0: never). AVX-512 builds only: on the Zen 5 of
/// docs/performance.md, 784-128-64-10's forward (cache-line aligned parameters) went from
/// 1.70 to 1.12-1.14 times the time of streaming its weights once (1 row ahead: 1.26-1.30,
/// 2: 1.22, 4: 1.14-1.16, 16 and 32 no better than 8); on the AVX2 build it got slower
/// (2.8-2.9 -> 3.2-3.4 us with 2 and 8 rows).
#if defined(CTNN_DETAIL_X86_SIMD) && defined(__AVX512F__)
inline constexpr std::size_t simd_prefetch_rows = 8;
#else
inline constexpr std::size_t simd_prefetch_rows = 0;
#endif
inline constexpr std::size_t simd_prefetch_min_bytes = 32 * 1024;

/// The inputs per block of a dense layer of several tiles whose weights stream from beyond
/// the L1 cache (dense_kernel.hpp's dense_tiles_streamed). Small blocks win, presumably as
/// all tiles of a block then fit the reorder window and their chains overlap. On the Zen 5
/// of docs/performance.md, layer 1 of 784-128-64-10 alone (x86-64-v3, two tiles of 8
/// vectors; ctnn_stream_layer_benchmark) took 2.12 us in blocks of 16 inputs, 2.15-2.16 in
/// blocks of 12, 2.47-2.54 in blocks of 24 or 32, 2.85-2.89 in blocks of 64, against
/// 2.99-3.09 us tile after tile.
/// 0 (tile after tile) for SSE2, whose 4-float vectors make 3 tiles of that layer: blocks
/// took its callgrind count (portable preset, unfused) from 90,914 to 108,804 instructions,
/// past the CI gate of 100,000, and no SSE2-only CPU was at hand to time them.
#if defined(CTNN_DETAIL_X86_SIMD) && defined(__AVX__)
inline constexpr std::size_t simd_stream_block_rows = 16;
#else
inline constexpr std::size_t simd_stream_block_rows = 0;
#endif

/// True when the vector kernels can run Mode's multiply-accumulate for T: unfused
/// needs vectors, fused needs vector FMA (lane-wise __builtin_fma would be slower than
/// the scalar loop).
template <class T, class Mode>
inline constexpr bool simd_mac_available = simd<T>::width > 1 &&
                                           (std::is_same_v<Mode, unfused> || simd<T>::has_fma);

/// acc + a·b in Mode, on vectors of the vector struct V (simd<T>, simd_narrow<T>).
template <class Mode, class V>
inline typename V::type vector_mac(typename V::type a, typename V::type b,
                                   typename V::type acc) noexcept {
  if constexpr (std::is_same_v<Mode, fused>)
    return V::fma(a, b, acc);
  else
    return acc + a * b;
}

/// acc + a·b in Mode, on simd<T> vectors.
template <class Mode, class T>
inline typename simd<T>::type simd_mac(typename simd<T>::type a, typename simd<T>::type b,
                                       typename simd<T>::type acc) noexcept {
  return vector_mac<Mode, simd<T>>(a, b, acc);
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
