// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Activation functions, chosen at compile time as a layer's template argument.
///
/// Each activation is a stateless type with
/// - `apply(v, n)`: in place over the n pre-activations of one layer output;
/// - `backward(z, a, grad_a, grad_z, n)`: the vector–Jacobian product dL/dz from dL/da,
///   given pre-activations z and outputs a (the trainer's half);
/// - `name`: its spelling in architecture signatures.
/// Elementwise ones also have `value(z)` and `derivative(z, a)` (with a = value(z)).
/// All are constexpr, noexcept and allocation-free; results are bit-identical in
/// constant evaluation and at run time (see numerics.hpp).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/detail/math.hpp"
#include "ctnn/detail/simd.hpp"

namespace ctnn {
namespace detail {

#if defined(CTNN_DETAIL_X86_SIMD)
#define CTNN_DETAIL_APPLY_INLINE [[gnu::always_inline]]
#else
#define CTNN_DETAIL_APPLY_INLINE
#endif

/// apply/backward for activations that act on each value alone.
template <class Derived>
struct elementwise_activation {
  static constexpr bool elementwise = true;

  /// Always inlined where simd has vectors: n is then a constant and only the straight-line
  /// code for it remains (GCC otherwise stops inlining it once the tail code is counted).
  /// Elsewhere (Cortex-M) one out-of-line copy per activation serves every layer: inlined,
  /// the DS-CNN's M4 inference code grew from 3,484 to 3,716 B.
  template <class T>
  CTNN_DETAIL_APPLY_INLINE static constexpr void apply(T* v, std::size_t n) noexcept {
    if constexpr (Derived::vectorise) {
      if (!std::is_constant_evaluated()) {
        // AVX-512 builds: a layer of one or two whole narrow (8-float) vectors in those,
        // as its dense kernel wrote it (dense_kernel.hpp's dense_vectors).
        if constexpr (simd_narrow<T>::width < simd<T>::width) {
          if (n <= simd<T>::width && n % simd_narrow<T>::width == 0)
            return apply_vectors<simd_narrow<T>>(v, n);
        }
        if constexpr (simd<T>::width > 1) return apply_vectors<simd<T>>(v, n);
      }
    }
    for (std::size_t i = 0; i < n; ++i) v[i] = Derived::value(v[i]);
  }

  /// apply with the vectors of `traits`: whole vectors, then the last n % width values.
  template <class traits, class T>
  [[gnu::always_inline]] static void apply_vectors(T* v, std::size_t n) noexcept {
    std::size_t i = 0;
    const std::size_t whole = n - n % traits::width;
    if (whole <= 2 * traits::width) {
      // One or two vectors (n is a constant after inlining): straight-line code, no
      // loop counter. The compiler barriers keep both neighbouring layers working
      // from memory: without them GCC forwards the vectors in registers and the next
      // layer extracts lanes (2–3 instructions a value instead of one broadcast).
      // Callgrind, dev preset: 2-16-16-1 302 -> 288, 64-32-16-10 1067 -> 1056.
      asm volatile("" ::: "memory");
#pragma GCC unroll 2
      for (; i < whole; i += traits::width)
        traits::store(v + i, Derived::value(traits::load(v + i)));
      asm volatile("" ::: "memory");
    }
    for (; i < whole; i += traits::width) traits::store(v + i, Derived::value(traits::load(v + i)));
    // The last n % width values as one vector, each lane with the scalar bits: a lone
    // value broadcast, else masked where the target has masks. Callgrind, dev preset:
    // 2-16-16-1's sigmoid output 38 -> 31 instructions.
    if (n - i == 1) {
      v[i] = Derived::value(traits::broadcast(v[i]))[0];
      return;
    }
    if constexpr (traits::has_mask) {
      if (i < n) {
        const auto m = traits::tail_mask(n - i);
        traits::store(v + i, m, Derived::value(traits::load(v + i, m)));
        return;
      }
    }
    for (; i < n; ++i) v[i] = Derived::value(v[i]);
  }

  template <class T>
  static constexpr void backward(const T* z, const T* a, const T* grad_a, T* grad_z,
                                 std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) grad_z[i] = grad_a[i] * Derived::derivative(z[i], a[i]);
  }
};

#undef CTNN_DETAIL_APPLY_INLINE

/// An elementwise activation whose value() takes SIMD vectors (lane by lane, each lane
/// with the scalar bits): kernels may apply it to their accumulators before storing them.
template <class A>
concept vector_activation = requires {
  requires A::elementwise;
  requires A::vectorise;
};

}  // namespace detail

/// f(z) = z.
struct identity : detail::elementwise_activation<identity> {
  static constexpr auto name = detail::fixed_string("identity");
  static constexpr bool vectorise = false;
  template <class T>
  static constexpr T value(T z) noexcept {
    return z;
  }
  template <class T>
  static constexpr T derivative(T, T) noexcept {
    return T(1);
  }
  template <class T>
  static constexpr void apply(T*, std::size_t) noexcept {}
};

/// f(z) = max(z, 0); NaN maps to 0, f'(0) = 0.
struct relu : detail::elementwise_activation<relu> {
  static constexpr auto name = detail::fixed_string("relu");
  static constexpr bool vectorise = true;
  /// For scalars and SIMD vectors alike (a vector comparison selects lane by lane).
  template <class V>
  static constexpr V value(V z) noexcept {
    return z > V{} ? z : V{};
  }
  template <class T>
  static constexpr T derivative(T z, T) noexcept {
    return z > T(0) ? T(1) : T(0);
  }
};

/// f(z) = z for z > 0, else (Num/Den)·z. The slope is a ratio of integers so that it is
/// a portable template argument (clang 14 has no floating-point template parameters).
template <std::intmax_t Num = 1, std::intmax_t Den = 100>
struct leaky_relu : detail::elementwise_activation<leaky_relu<Num, Den>> {
  static_assert(Den > 0, "leaky_relu<Num, Den>: the slope's denominator must be positive");
  static constexpr auto name = detail::fixed_string("leaky_relu(") +
                               detail::to_fixed_string<Num>() + "/" +
                               detail::to_fixed_string<Den>() + ")";
  static constexpr bool vectorise = false;
  template <class T>
  static constexpr T slope() noexcept {
    return T(Num) / T(Den);
  }
  template <class T>
  static constexpr T value(T z) noexcept {
    return z > T(0) ? z : z * slope<T>();
  }
  template <class T>
  static constexpr T derivative(T z, T) noexcept {
    return z > T(0) ? T(1) : slope<T>();
  }
};

/// f(z) = 1 / (1 + e^-z), ≤ 2 ULP over every float input (detail::sigmoid; math_test).
struct sigmoid : detail::elementwise_activation<sigmoid> {
  static constexpr auto name = detail::fixed_string("sigmoid");
  static constexpr bool vectorise = true;
  template <class V>
  static constexpr V value(V z) noexcept {
    return detail::sigmoid(z);
  }
  template <class T>
  static constexpr T derivative(T, T a) noexcept {
    return a * (T(1) - a);
  }
};

/// f(z) = tanh z, ≤ 3 ULP over every float input (detail::tanh; math_test).
struct tanh : detail::elementwise_activation<tanh> {
  static constexpr auto name = detail::fixed_string("tanh");
  static constexpr bool vectorise = true;
  template <class V>
  static constexpr V value(V z) noexcept {
    return detail::tanh(z);
  }
  template <class T>
  static constexpr T derivative(T, T a) noexcept {
    return T(1) - a * a;
  }
};

/// softmax(z)_i = e^(z_i − max z) / Σ_j e^(z_j − max z): max-subtracted, so large logits
/// neither overflow nor give NaN. The sum runs in index order and each output is a true
/// division (not a multiply by a reciprocal), for bit-reproducibility and accuracy.
struct softmax {
  static constexpr auto name = detail::fixed_string("softmax");
  static constexpr bool elementwise = false;

  template <class T>
  static constexpr void apply(T* v, std::size_t n) noexcept {
    T m = v[0];
    for (std::size_t i = 1; i < n; ++i) m = v[i] > m ? v[i] : m;
    std::size_t i = 0;
    if (!std::is_constant_evaluated()) {
      // Lane-wise exp gives each element the scalar exp's bits; the sum below stays in
      // index order.
      using wide = detail::simd<T>;
      using narrow = detail::simd_narrow<T>;
      if constexpr (wide::width > 1) {
        // AVX-512 builds: fewer values than a wide vector in the narrow vectors (10
        // classes: one vector and two scalars instead of ten scalars).
        i = narrow::width < wide::width && n < wide::width ? exp_shifted<narrow>(v, n, m)
                                                           : exp_shifted<wide>(v, n, m);
      }
    }
    for (; i < n; ++i) v[i] = detail::exp(v[i] - m);
    T sum = T(0);
    for (std::size_t k = 0; k < n; ++k) sum += v[k];
    for (std::size_t k = 0; k < n; ++k) v[k] /= sum;
  }

  /// v[k] = e^(v[k] − m) over the whole vectors of `traits` from the start; returns how
  /// many values that was.
  template <class traits, class T>
  static std::size_t exp_shifted(T* v, std::size_t n, T m) noexcept {
    const auto mv = traits::broadcast(m);
    const std::size_t whole = n - n % traits::width;
    for (std::size_t i = 0; i < whole; i += traits::width)
      traits::store(v + i, detail::exp(traits::load(v + i) - mv));
    return whole;
  }

  /// grad_z = a ⊙ (grad_a − ⟨grad_a, a⟩): the Jacobian–vector product, O(n).
  template <class T>
  static constexpr void backward(const T*, const T* a, const T* grad_a, T* grad_z,
                                 std::size_t n) noexcept {
    T dot = T(0);
    for (std::size_t i = 0; i < n; ++i) dot += grad_a[i] * a[i];
    for (std::size_t i = 0; i < n; ++i) grad_z[i] = a[i] * (grad_a[i] - dot);
  }
};

/// An activation type usable as a layer's template argument.
template <class A>
concept activation = requires(float* p, const float* cp, std::size_t n) {
  { A::elementwise } -> std::convertible_to<bool>;
  A::name.view();
  A::apply(p, n);
  A::backward(cp, cp, cp, p, n);
};

}  // namespace ctnn
