// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// ctnn's own elementary functions: fma, exp, tanh, sigmoid.
///
/// Every result is bit-identical in constant evaluation and at run time, on x86-64
/// (SSE2/AVX2) and Cortex-M4, and between the scalar and the GCC-vector instantiations,
/// given IEEE-754 binary32/binary64 in round-to-nearest, no excess precision and
/// `-ffp-contract=off` (GCC and clang both contract a*b+c by default, GCC even in ISO
/// mode). exp/tanh/sigmoid use only + − × ÷ (never fma), comparisons turned into selects
/// and integer bit manipulation; each step is correctly rounded, so every conforming
/// evaluator produces the same bits.
///
/// Accuracy as distance to the correctly rounded result, measured by tests/detail/math_test.cpp
/// against long double references (float: all 2^32 inputs, `DISABLED_ExhaustiveFloat`;
/// double: random samples plus targeted hard ranges): exp ≤ 1 ULP, tanh ≤ 3 ULP,
/// sigmoid ≤ 2 ULP, float and double alike. Against the exact value (float, exhaustive):
/// exp 1.03, tanh 2.55, sigmoid 2.40 ULP.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ > 0
#error "ctnn/detail/math.hpp needs FLT_EVAL_METHOD == 0 (no x87 excess precision)"
#endif

namespace ctnn::detail {

// ---------------------------------------------------------------------------------------
// Value types: float, double, or a GCC vector (vector_size, e.g. __m256) of either.

/// A GCC/clang vector-extension type: subscriptable, but neither class, array nor pointer.
template <class V>
concept gnu_vector =
    !std::is_class_v<V> && !std::is_array_v<V> && !std::is_pointer_v<V> && requires(V v) {
  v[0];
};

template <class L>
concept fp_scalar = std::is_same_v<L, float> || std::is_same_v<L, double>;

template <class L>
using uint_for = std::conditional_t<sizeof(L) == 4, std::uint32_t, std::uint64_t>;

// A typedef in a class rather than an alias template: GCC and clang drop vector_size on
// dependent alias templates.
template <class Lane, std::size_t Bytes>
struct make_vector {
  typedef Lane type __attribute__((vector_size(Bytes)));
};

/// lane: the element type; uint: same-width unsigned integer(s); mask: what `<` returns.
template <class V>
struct value_traits {};  // not a value type

template <fp_scalar V>
struct value_traits<V> {
  using lane = V;
  using uint = uint_for<V>;
  using mask = bool;
};

template <gnu_vector V>
requires fp_scalar<std::remove_cvref_t<decltype(std::declval<V>()[0])>>
struct value_traits<V> {
  using lane = std::remove_cvref_t<decltype(std::declval<V>()[0])>;
  using uint = typename make_vector<uint_for<lane>, sizeof(V)>::type;
  using mask = decltype(std::declval<V>() < std::declval<V>());  // lanes 0 or −1
};

/// float, double, or a GCC vector of either.
template <class V>
concept real_value = requires {
  typename value_traits<V>::lane;
};

template <real_value V>
using lane_type = typename value_traits<V>::lane;
template <real_value V>
using uint_type = typename value_traits<V>::uint;
template <real_value V>
using mask_type = typename value_traits<V>::mask;

// ---------------------------------------------------------------------------------------
// Branch-free primitives, for scalars and vectors alike.

// std::bit_cast handles vector types too (GCC ≥ 11, clang ≥ 14) and compiles to nothing.
template <real_value V>
constexpr uint_type<V> bits_of(V x) noexcept {
  return std::bit_cast<uint_type<V>>(x);
}

template <real_value V>
constexpr V from_bits(uint_type<V> u) noexcept {
  return std::bit_cast<V>(u);
}

/// Lane-wise m ? a : b, both sides evaluated. m is a bool for scalars and a comparison
/// result for vectors (a and b may then also be integer vectors of the same lane width).
template <class M, class V>
requires std::is_same_v<M, bool> || gnu_vector<M>
constexpr V select(M m, V a, V b) noexcept {
  return m ? a : b;
}

/// s in every lane, bit-exact (V{} + s would turn −0 into +0).
template <real_value V>
constexpr V splat(lane_type<V> s) noexcept {
  if constexpr (gnu_vector<V>)
    return from_bits<V>(uint_type<V>{} | bits_of(s));
  else
    return s;
}

template <real_value V>
inline constexpr uint_for<lane_type<V>> sign_mask =
    uint_for<lane_type<V>>{1} << (8 * sizeof(lane_type<V>) - 1);

/// Whether x's sign bit is set, lane by lane (a select mask; true for −0 and −NaN). On
/// vectors it is a signed-integer compare with 0, which x86 folds into blendv (which reads
/// only the sign bit): one instruction instead of compare + blend.
template <real_value V>
constexpr mask_type<V> sign_bit_set(V x) noexcept {
  if constexpr (gnu_vector<V>) {
    using sint = typename make_vector<std::make_signed_t<uint_for<lane_type<V>>>, sizeof(V)>::type;
    return std::bit_cast<sint>(x) < 0;
  } else {
    return (bits_of(x) & sign_mask<V>) != 0;
  }
}

template <real_value V>
constexpr V abs(V x) noexcept {
  return from_bits<V>(bits_of(x) & ~sign_mask<V>);
}

/// |mag| with the sign bit of sgn.
template <real_value V>
constexpr V copysign(V mag, V sgn) noexcept {
  return from_bits<V>((bits_of(mag) & ~sign_mask<V>) | (bits_of(sgn) & sign_mask<V>));
}

/// hi < x ? hi : x, lane by lane: x capped at hi, NaN passes through. This is exactly x86
/// minps(hi, x) (the second operand on unordered), which GCC does not find for a vector
/// select (compare + blend); the builtin saves one instruction per call, same bits.
template <real_value V>
constexpr V min_keep_nan(lane_type<V> hi, V x) noexcept {
#if defined(__SSE2__)
  if constexpr (gnu_vector<V> && std::is_same_v<lane_type<V>, float> && sizeof(V) == 16) {
    if (!std::is_constant_evaluated()) return __builtin_ia32_minps(splat<V>(hi), x);
  }
#endif
#if defined(__AVX__)
  if constexpr (gnu_vector<V> && std::is_same_v<lane_type<V>, float> && sizeof(V) == 32) {
    if (!std::is_constant_evaluated()) return __builtin_ia32_minps256(splat<V>(hi), x);
  }
#endif
  return select(hi < x, splat<V>(hi), x);
}

/// lo > x ? lo : x, lane by lane: x raised to lo, NaN passes through (x86 maxps(lo, x)).
template <real_value V>
constexpr V max_keep_nan(lane_type<V> lo, V x) noexcept {
#if defined(__SSE2__)
  if constexpr (gnu_vector<V> && std::is_same_v<lane_type<V>, float> && sizeof(V) == 16) {
    if (!std::is_constant_evaluated()) return __builtin_ia32_maxps(splat<V>(lo), x);
  }
#endif
#if defined(__AVX__)
  if constexpr (gnu_vector<V> && std::is_same_v<lane_type<V>, float> && sizeof(V) == 32) {
    if (!std::is_constant_evaluated()) return __builtin_ia32_maxps256(splat<V>(lo), x);
  }
#endif
  return select(lo > x, splat<V>(lo), x);
}

/// Clamp to [lo, hi]; NaN compares false both ways and passes through unchanged.
template <real_value V>
constexpr V clamp_keep_nan(V x, lane_type<V> lo, lane_type<V> hi) noexcept {
  return min_keep_nan(hi, max_keep_nan(lo, x));
}

// ---------------------------------------------------------------------------------------
// Shared pieces of exp and tanh.
//
// Argument reduction: x = k·ln2 + r with k = round(x·log2e) by the 1.5·2^(p−1) trick
// (valid for |x·log2e| < 2^(p−2)) and r by Cody–Waite: ln2_hi has enough trailing zeros
// that k·ln2_hi and x − k·ln2_hi are exact for every k the clamps allow. |r| ≤ ln2/2 up to
// the rounding of x·log2e. (float tanh uses one rounded ln2 instead; see tanh.)
//
// expm1(r) ≈ r + r²·(1/2 + r·q(r)): q is a minimax fit (Remez, relative error of expm1,
// |r| ≤ 0.3466), checked after rounding its coefficients to the lane type:
//   float:  q of degree 3 (degree 6 overall): relative error 2^−26.0 (expm1), 2^−27.5 (exp)
//   double: q of degree 8 (degree 11 overall): relative error 2^−55.2 (expm1), 2^−56.5 (exp)
// Lower degrees miss: degree 5 overall gives 2^−20 for float, degree 10 2^−49 for double.
namespace exp_impl {

/// c0 + x·(c1 + x·(c2 + …)), each step a plain multiply then add.
template <class V, class L>
constexpr V horner(V x, L c0, L c1) noexcept {
  return x * c1 + c0;
}
template <class V, class L, class... Ls>
constexpr V horner(V x, L c0, L c1, Ls... cs) noexcept {
  return horner(x, c1, cs...) * x + c0;
}

template <class L>
struct constants;

template <>
struct constants<float> {
  static constexpr float log2e = 0x1.715476p+0f;
  static constexpr float ln2_hi = 0x1.62e4p-1f;     // 16 bits: k·ln2_hi exact for |k| < 256
  static constexpr float ln2_lo = 0x1.7f7d1cp-20f;  // ln2 − ln2_hi
  static constexpr float ln2 = 0x1.62e430p-1f;      // ln2 rounded (+1.9e−9), for tanh
  static constexpr float round_magic = 0x1.8p23f;
  // exp(−104) < 2^−150 rounds to 0, exp(89) > FLT_MAX; k ∈ [−150, 128] keeps both halves
  // of the 2^k scale factor normal.
  static constexpr float exp_min_arg = -104.0f;
  static constexpr float exp_max_arg = 89.0f;
  // tanh rounds to 1 above 9.011 (1 − tanh < 2^−25), where the formula gives exactly 1
  // (e + 2 == e); 2|x| ≤ 18.2 keeps k ≤ 27.
  static constexpr float tanh_max_arg = 9.1f;
  static constexpr std::uint32_t exp_bias = 127;
  static constexpr std::uint32_t scale_offset = 256;  // even, > max |k|
  static constexpr int frac_bits = 23;

  /// r + (r²·(1/2 + c1·r) + r⁴·(c2 + c3·r + c4·r²)) (Estrin's scheme): six dependent steps
  /// instead of Horner's ten, for one multiply more. r is added last, as in Horner's
  /// r + r²·q, so that the other terms' roundings stay scaled by r² (adding r earlier took
  /// tanh's error from 2.40 to 3.32 ULP vs exact on math_test's float sweep).
  template <class V>
  static constexpr V expm1_poly(V r) noexcept {
    const V r2 = r * r;
    const V a = r * 0x1.5554b8p-3f + 0.5f;
    const V hi = (r * 0x1.12236cp-7f + 0x1.5555bap-5f) + r2 * 0x1.6c5568p-10f;
    return r + (r2 * a + (r2 * r2) * hi);
  }
};

template <>
struct constants<double> {
  static constexpr double log2e = 0x1.71547652b82fep+0;
  static constexpr double ln2_hi = 0x1.62e42feep-1;  // 32 bits: k·ln2_hi exact, |k| < 2^21
  static constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
  static constexpr double round_magic = 0x1.8p52;
  static constexpr double exp_min_arg = -746.0;  // exp < 2^−1075 rounds to 0; |k| ≤ 1077
  static constexpr double exp_max_arg = 710.0;   // exp > DBL_MAX
  static constexpr double tanh_max_arg = 19.1;   // tanh rounds to 1 above 19.06; k ≤ 56
  static constexpr std::uint64_t exp_bias = 1023;
  static constexpr std::uint64_t scale_offset = 2048;
  static constexpr int frac_bits = 52;

  template <class V>
  static constexpr V expm1_poly(V r) noexcept {
    const V q = horner(r, 0.5, 0x1.555555555553ep-3, 0x1.5555555553b11p-5, 0x1.1111111118d08p-7,
                       0x1.6c16c179fd532p-10, 0x1.a01a0171ae7ecp-13, 0x1.a019b3a20e120p-16,
                       0x1.71de9773fcae3p-19, 0x1.28975ffc25f03p-22, 0x1.ae4901ace8a15p-26);
    return r + (r * r) * q;
  }
};

/// x = k·ln2 + r: returns r and sets t = round_magic + k (k in t's low mantissa bits).
template <real_value V>
constexpr V reduce_ln2(V x, V& t) noexcept {
  using C = constants<lane_type<V>>;
  t = x * C::log2e + C::round_magic;
  const V k = t - C::round_magic;
  return (x - k * C::ln2_hi) - k * C::ln2_lo;
}

/// k from t = round_magic + k, as an unsigned integer (wrapped if negative).
template <real_value V>
constexpr uint_type<V> k_of(V t) noexcept {
  return bits_of(t) - bits_of(constants<lane_type<V>>::round_magic);
}

}  // namespace exp_impl

// ---------------------------------------------------------------------------------------
// exp, tanh, sigmoid: one branch-free source for float, double and vectors of them.
// Vector instantiations are for run time only.

/// e^x, ≤ 1 ULP. exp(−inf) = +0, exp(+inf) = +inf, exp(NaN) = NaN; subnormal results are
/// rounded once. Cost: 12 multiplies, 10 adds, ~7 integer ops, 2 compare+select (float;
/// double: 16 multiplies, 15 adds).
/// clang refuses constant evaluation when the result overflows or is NaN; GCC allows it.
template <real_value V>
constexpr V exp(V x) noexcept {
  using L = lane_type<V>;
  using C = exp_impl::constants<L>;
  x = clamp_keep_nan(x, C::exp_min_arg, C::exp_max_arg);
  V t{};
  const V r = exp_impl::reduce_ln2(x, t);
  const V p = L(1) + C::expm1_poly(r);
  // 2^k = 2^k1 · 2^k2 with k1 = floor(k/2): both factors are normal for every clamped k,
  // so p·2^k1 is exact and only the last multiply rounds (overflow, subnormal results).
  const uint_type<V> u = exp_impl::k_of(t) + C::scale_offset;  // k + offset ≥ 0
  const uint_type<V> h = u >> 1;                               // k1 + offset/2
  constexpr auto shift = C::scale_offset / 2 - C::exp_bias;    // 1
  const V s1 = from_bits<V>((h - shift) << C::frac_bits);
  const V s2 = from_bits<V>((u - h - shift) << C::frac_bits);
  return (p * s1) * s2;
}

/// tanh x, ≤ 3 ULP. Odd symmetry is exact; tanh(±0) = ±0, tanh(±inf) = ±1, NaN → NaN.
/// Cost (float): 10 multiplies, 12 adds, 1 division, 1 min, 4 integer ops.
/// The worst case (|x| ≈ 0.01–0.2) is the rounding of e + 2; correcting it with Fast2Sum
/// would give ≤ 2 ULP for ~7 more operations, not worth it against the 4 ULP target.
template <real_value V>
constexpr V tanh(V x) noexcept {
  using L = lane_type<V>;
  using C = exp_impl::constants<L>;
  const V ax = min_keep_nan(C::tanh_max_arg, abs(x));  // NaN stays NaN
  const V y = ax + ax;                                 // exact
  V r{};
  V s{};  // 2^k
  if constexpr (std::is_same_v<L, float>) {
    // One-constant reduction r = y − k·ln2 (two operations fewer than reduce_ln2): y ≥ 0
    // and k ≤ 27, and k·ln2's error (ln2's 1.9e−9, the rounding of k·ln2 for odd k ≥ 3)
    // enters tanh damped by 2e^y/(1 + e^y)² ≤ 0.2 for k ≥ 3 (k ≤ 2: k·ln2 and y − k·ln2
    // exact, error ≤ 2·1.9e−9·0.5). The magic constant carries the exponent bias, so t's
    // low mantissa bits are k + 127 and shifting t's bits left by 23 leaves exactly 2^k's
    // bits (one integer operation fewer); as 127 is odd, a tie y·log2e = n + ½ rounds to
    // the odd n, which the reduction handles as well (|r| ≤ ln2/2). Exhaustive float test:
    // the maximum error is unchanged (3 ULP, 2.55 vs exact, at |x| ≈ 0.03, where k = 0).
    constexpr L magic = C::round_magic + L(C::exp_bias);
    // ax·(2·log2e) is y·log2e exactly (a power-of-two scale), so t has the same bits
    // without waiting for y: one step off the dependency chain.
    const V t = ax * (L(2) * C::log2e) + magic;
    r = y - (t - magic) * C::ln2;
    s = from_bits<V>(bits_of(t) << C::frac_bits);
  } else {
    V t{};
    r = exp_impl::reduce_ln2(y, t);
    s = from_bits<V>((exp_impl::k_of(t) + C::exp_bias) << C::frac_bits);
  }
  const V p = C::expm1_poly(r);
  // e = expm1(y) = 2^k·expm1(r) + (2^k − 1), 0 ≤ k ≤ 56: no cancellation for small y
  // (k = 0 gives e = p), and 2^k − 1 is exact while it matters (k ≤ 24 / 53).
  const V e = s * p + (s - L(1));
  // tanh |x| = e/(e + 2) is +0 or positive (or NaN): OR-ing in x's sign bit is copysign.
  return from_bits<V>(bits_of(e / (e + L(2))) | (bits_of(x) & sign_mask<V>));
}

namespace exp_impl {

/// exp(x) for x ≤ 0 or NaN: the same bits as exp(x), cheaper. Only the lower clamp can
/// act, and for k ∈ [−150, 0] (double: [−1077, 0]) 2^(k + half) with half = 63 (511) is
/// normal and p·2^(k + half) exact, so the multiply by 2^−half is the only rounding:
/// round(p·2^k), as exp's two factors give.
template <real_value V>
constexpr V exp_nonpositive(V x) noexcept {
  using L = lane_type<V>;
  using C = constants<L>;
  x = max_keep_nan(C::exp_min_arg, x);  // NaN stays NaN
  constexpr auto half = C::exp_bias / 2;
  // reduce_ln2 with k + bias + half (≥ 0, even offset: the same t's as round_magic alone,
  // ties included) in t's low mantissa bits: shifting t's bits left by frac_bits then
  // leaves exactly 2^(k + half)'s bits, one integer operation fewer than k_of + add.
  constexpr L magic = C::round_magic + L(C::exp_bias + half);
  const V t = x * C::log2e + magic;
  const V k = t - magic;
  const V r = (x - k * C::ln2_hi) - k * C::ln2_lo;
  const V p = L(1) + C::expm1_poly(r);
  const V s = from_bits<V>(bits_of(t) << C::frac_bits);
  return (p * s) * from_bits<L>((C::exp_bias - half) << C::frac_bits);
}

}  // namespace exp_impl

/// 1/(1 + e^−x), ≤ 2 ULP, as e/(1 + e) for x < 0 and 1/(1 + e) otherwise with
/// e = exp(−|x|) ≤ 1: one division, no overflow, full relative accuracy down to subnormal
/// results, exactly 1 once 1 + e rounds to 1, exactly 0 at −inf; sigmoid(±0) = 0.5.
/// Cost: exp (without its upper clamp and with one scale factor) + 1 add, 1 division,
/// 1 compare+select.
template <real_value V>
constexpr V sigmoid(V x) noexcept {
  using L = lane_type<V>;
  const V e = exp_impl::exp_nonpositive(from_bits<V>(bits_of(x) | sign_mask<V>));  // exp(−|x|)
  // Selected by the sign bit: −0 takes e = exp(−0) = 1, as x < 0 would take 1.
  return select(sign_bit_set(x), e, splat<V>(L(1))) / (L(1) + e);
}

// ---------------------------------------------------------------------------------------
// Fused multiply-add

namespace fma_impl {

/// Unsigned 128-bit integer (32-bit ARM has no __int128).
struct u128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
};

constexpr bool is_zero(u128 x) noexcept {
  return (x.hi | x.lo) == 0;
}
constexpr bool operator==(u128 a, u128 b) noexcept {
  return a.hi == b.hi && a.lo == b.lo;
}
constexpr bool operator<(u128 a, u128 b) noexcept {
  return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}
constexpr u128 operator+(u128 a, u128 b) noexcept {
  const std::uint64_t lo = a.lo + b.lo;
  return {a.hi + b.hi + (lo < a.lo), lo};
}
constexpr u128 operator-(u128 a, u128 b) noexcept {
  return {a.hi - b.hi - (a.lo < b.lo), a.lo - b.lo};
}
constexpr u128 shl(u128 x, int s) noexcept {  // 0 ≤ s < 128
  if (s == 0) return x;
  if (s >= 64) return {x.lo << (s - 64), 0};
  return {(x.hi << s) | (x.lo >> (64 - s)), x.lo << s};
}
constexpr u128 shr(u128 x, int s) noexcept {  // 0 ≤ s < 128
  if (s == 0) return x;
  if (s >= 64) return {0, x.hi >> (s - 64)};
  return {x.hi >> s, (x.lo >> s) | (x.hi << (64 - s))};
}
/// Shift right, OR-ing all bits shifted out into bit 0 ("jamming"): rounding still sees
/// the value as inexact, provided two or more bits separate bit 0 from the rounding bit.
constexpr u128 shr_jam(u128 x, int s) noexcept {
  if (s <= 0) return x;
  if (s >= 128) return {0, is_zero(x) ? 0u : 1u};
  const u128 q = shr(x, s);
  return {q.hi, q.lo | (is_zero(x - shl(q, s)) ? 0u : 1u)};
}
constexpr int countl_zero(u128 x) noexcept {
  return x.hi != 0 ? std::countl_zero(x.hi) : 64 + std::countl_zero(x.lo);
}
constexpr u128 mul_wide(std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
  const std::uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
  const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const std::uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  return {p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & 0xffffffffu)};
}

/// (−1)^negative · r · 2^er (r ≠ 0) rounded to nearest-even in T, with gradual underflow
/// and overflow to infinity.
template <fp_scalar T>
constexpr T round_pack(bool negative, u128 r, int er) noexcept {
  using U = uint_for<T>;
  constexpr int frac = std::numeric_limits<T>::digits - 1;
  constexpr int emin = std::numeric_limits<T>::min_exponent - 1;         // −126 / −1022
  constexpr int exp_all = 2 * std::numeric_limits<T>::max_exponent - 1;  // 255 / 2047
  constexpr int bias = std::numeric_limits<T>::max_exponent - 1;

  const int top = 127 - countl_zero(r) + er;   // r·2^er ∈ [2^top, 2^(top+1))
  int lsb = (top > emin ? top : emin) - frac;  // weight of the result's last bit
  const int s = lsb - er;                      // bits of r below it
  U q = 0;
  if (s <= 0) {
    q = static_cast<U>(shl(r, -s).lo);  // exact: r has at most frac+1 significant bits
  } else if (s < 128) {
    const u128 qq = shr(r, s);
    const u128 rem = r - shl(qq, s);
    const u128 half = shl(u128{0, 1}, s - 1);
    q = static_cast<U>(qq.lo);
    if (half < rem || (rem == half && (q & 1u) != 0)) ++q;
  }                              // else r < 2^127 ≤ half an ulp: rounds to zero
  if ((q >> (frac + 1)) != 0) {  // rounding carried into the next binade
    q >>= 1;
    ++lsb;
  }
  U bits = q;  // subnormal or zero unless the implicit bit is set
  if ((q >> frac) != 0) {
    const int biased = lsb + frac + bias;
    bits =
        biased >= exp_all ? U(exp_all) << frac : (U(biased) << frac) | (q & ((U(1) << frac) - 1));
  }
  if (negative) bits |= sign_mask<T>;
  return std::bit_cast<T>(bits);
}

}  // namespace fma_impl

/// a·b + c rounded once to nearest-even, by integer arithmetic on the exact value. No range
/// limits: subnormal operands and results, overflow to infinity, signed zeros and
/// infinities follow IEEE 754. A NaN result is a quiet NaN (the first NaN operand,
/// quieted, else the default NaN); hardware differs in payload and sign, so compare NaNs
/// with isnan. Cost: a few dozen 64-bit integer operations; meant for constant evaluation,
/// and for run time where no exact fma instruction or libm exists.
template <class T>
requires fp_scalar<T>
constexpr T soft_fma(T a, T b, T c) noexcept {
  using fma_impl::u128;
  using U = uint_for<T>;
  constexpr int frac = std::numeric_limits<T>::digits - 1;
  constexpr U exp_all = U(2 * std::numeric_limits<T>::max_exponent - 1);
  constexpr int bias = std::numeric_limits<T>::max_exponent - 1;
  constexpr U frac_mask = (U(1) << frac) - 1;
  constexpr U quiet_bit = U(1) << (frac - 1);

  const U ua = std::bit_cast<U>(a), ub = std::bit_cast<U>(b), uc = std::bit_cast<U>(c);
  const U abs_a = ua & ~sign_mask<T>, abs_b = ub & ~sign_mask<T>, abs_c = uc & ~sign_mask<T>;
  const bool sc = uc != abs_c;
  const bool sp = (ua != abs_a) != (ub != abs_b);                      // sign of the product
  const U xa = abs_a >> frac, xb = abs_b >> frac, xc = abs_c >> frac;  // biased exponents

  // Non-finite operands, decided without NaN-producing arithmetic (which clang's constant
  // evaluation rejects).
  if (xa == exp_all || xb == exp_all || xc == exp_all) {
    constexpr U inf_bits = exp_all << frac;
    constexpr T qnan = std::numeric_limits<T>::quiet_NaN();
    if (abs_a > inf_bits) return std::bit_cast<T>(ua | quiet_bit);
    if (abs_b > inf_bits) return std::bit_cast<T>(ub | quiet_bit);
    if (abs_c > inf_bits) return std::bit_cast<T>(uc | quiet_bit);
    if (xa == exp_all || xb == exp_all) {
      if (abs_a == 0 || abs_b == 0) return qnan;   // inf · 0
      if (xc == exp_all && sc != sp) return qnan;  // inf − inf
      return std::bit_cast<T>(inf_bits | (sp ? sign_mask<T> : U(0)));
    }
    return c;  // finite · finite + inf
  }
  if (abs_a == 0 || abs_b == 0) {  // the exact product is a zero of sign sp
    if (abs_c != 0) return c;
    return std::bit_cast<T>(sp && sc ? sign_mask<T> : U(0));  // −0 + −0 = −0, else +0
  }

  // |value| = m · 2^e with m an integer (implicit bit included).
  const auto mant = [](U abs) { return (abs & frac_mask) | ((abs >> frac) ? frac_mask + 1 : 0); };
  const auto expo = [](U biased) { return (biased ? int(biased) : 1) - bias - frac; };

  // Both terms normalised to a leading bit at position 125: room for the carry of an
  // addition, and magnitudes ordered by exponent first.
  u128 prod = fma_impl::mul_wide(mant(abs_a), mant(abs_b));
  int ep = expo(xa) + expo(xb);
  const int sh_p = fma_impl::countl_zero(prod) - 2;
  prod = fma_impl::shl(prod, sh_p);
  ep -= sh_p;
  if (abs_c == 0) return fma_impl::round_pack<T>(sp, prod, ep);  // exact product ≠ 0

  u128 cm{0, mant(abs_c)};
  int ec = expo(xc);
  const int sh_c = fma_impl::countl_zero(cm) - 2;
  cm = fma_impl::shl(cm, sh_c);
  ec -= sh_c;

  const bool c_big = ec > ep || (ec == ep && !(cm < prod));
  const u128 big = c_big ? cm : prod;
  const int e_big = c_big ? ec : ep;
  // The smaller term loses bits only if shifted past its trailing zeros (≥ 20 of them);
  // then |big − small| ≥ 2^124, so the jam bit stays far below the rounding bit.
  const u128 small = fma_impl::shr_jam(c_big ? prod : cm, e_big - (c_big ? ep : ec));
  const u128 r = sp == sc ? big + small : big - small;
  if (fma_impl::is_zero(r)) return T(0);  // exact cancellation: +0 in round-to-nearest
  return fma_impl::round_pack<T>(c_big ? sc : sp, r, e_big);
}

// Whether __builtin_fma[f] is exact here: a hardware instruction, or glibc's correctly
// rounded libm. newlib's fma is x*y+z and its fmaf rounds twice through double, so e.g.
// double on Cortex-M4 falls back to soft_fma.
#if defined(__FP_FAST_FMAF) || defined(__GLIBC__)
inline constexpr bool builtin_fmaf_exact = true;
#else
inline constexpr bool builtin_fmaf_exact = false;
#endif
#if defined(__FP_FAST_FMA) || defined(__GLIBC__)
inline constexpr bool builtin_fma_exact = true;
#else
inline constexpr bool builtin_fma_exact = false;
#endif

/// a·b + c with a single rounding; the same bits in constant evaluation (soft_fma) and at
/// run time (the fma instruction or glibc where exact, else soft_fma). NaN payloads
/// excepted.
template <class T>
requires fp_scalar<T>
constexpr T fma(T a, T b, T c) noexcept {
  if (std::is_constant_evaluated()) return soft_fma(a, b, c);
  if constexpr (std::is_same_v<T, float> && builtin_fmaf_exact)
    return __builtin_fmaf(a, b, c);
  else if constexpr (std::is_same_v<T, double> && builtin_fma_exact)
    return __builtin_fma(a, b, c);
  else
    return soft_fma(a, b, c);
}

}  // namespace ctnn::detail
