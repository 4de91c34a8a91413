// SPDX-License-Identifier: MIT
// Accuracy, determinism and constant-evaluation tests for ctnn/detail/math.hpp.
//
// References are computed in long double (x87 80-bit, 64-bit significand on x86-64) and
// rounded to the tested type. For float that is essentially exact; for double the reference
// itself is off by at most ~2^-62 relative, i.e. ~0.002 ULP of double, negligible next to
// the bounds asserted here.
//
// Build: g++ -std=c++20 -O2 -ffp-contract=off -mavx2 -mfma -Iinclude tests/math_test.cpp
//        -lgtest -lgtest_main -pthread
// Exhaustive float sweep (all 2^32 inputs, ~20 CPU-minutes, uses every core):
//        ./math_test --gtest_also_run_disabled_tests --gtest_filter='*Exhaustive*'
#include "ctnn/detail/math.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace cd = ctnn::detail;

template <class T>
using bits_t = cd::uint_for<T>;

// ---------------------------------------------------------------------------------------
// Constant evaluation. Expected values are worked out by hand in the comments.

constexpr float inf_f = std::numeric_limits<float>::infinity();

// Distance in ulps between finite values of the same sign.
constexpr std::uint64_t ulp_diff(double a, double b) {
  const auto ua = std::bit_cast<std::uint64_t>(a), ub = std::bit_cast<std::uint64_t>(b);
  return ua > ub ? ua - ub : ub - ua;
}

static_assert(cd::exp(0.0f) == 1.0f && cd::exp(0.0) == 1.0);
static_assert(cd::exp(-0.0f) == 1.0f);
// exp(1) = 2.71828182845904523536...; the float neighbours are 0x1.5bf0a8p+1 =
// 2.71828174591... (error 8.3e-8) and 0x1.5bf0aap+1 = 2.71828198432... (error 1.6e-7).
static_assert(cd::exp(1.0f) == 0x1.5bf0a8p+1f);
// e = 2.718281828459045235...: the correctly rounded double is 0x1.5bf0a8b145769p+1
// (error 0.33 ulp); the next one up, 0x1.5bf0a8b14576ap+1, has error 0.67 ulp and is
// within the 1-ulp bound.
static_assert(ulp_diff(cd::exp(1.0), 0x1.5bf0a8b145769p+1) <= 1);
// exp(-104) = 6.8e-46 < 2^-150 = 7.0e-46 (half the smallest subnormal): rounds to +0.
static_assert(std::bit_cast<std::uint32_t>(cd::exp(-104.0f)) == 0);
static_assert(std::bit_cast<std::uint32_t>(cd::exp(-1000.0f)) == 0);
// exp(-103) = 1.84e-45 lies between 2^-149 (1.40e-45) and 2^-148 (2.80e-45), nearer the
// former.
static_assert(cd::exp(-103.0f) == 0x1p-149f);
static_assert(cd::tanh(0.0f) == 0.0f && cd::tanh(0.0) == 0.0);
static_assert(std::bit_cast<std::uint32_t>(cd::tanh(-0.0f)) == 0x80000000u);
// tanh(x) = x - x^3/3 + ...: for |x| < 2^-12 the cubic term is below half an ulp.
static_assert(cd::tanh(0x1p-20f) == 0x1p-20f && cd::tanh(-0x1p-140f) == -0x1p-140f);
static_assert(cd::tanh(10.0f) == 1.0f && cd::tanh(-1e30f) == -1.0f && cd::tanh(25.0) == 1.0);
// tanh(0.5) = 0.46211715726000975850...; 0x1.d9353ep-2 = 0.462117165327072...,
// 0x1.d9353cp-2 = 0.462117135524749...
static_assert(cd::tanh(0.5f) == 0x1.d9353ep-2f);
// tanh(1) = 0.76159415595576488812 (2x = 2: k = 3, the one-constant reduction's largest
// error): the nearest float is 0x1.85efacp-1 (0.34 ulp away); the bound is 3 ulp of it.
static_assert(ulp_diff(cd::tanh(1.0f), 0x1.85efacp-1f) <= 3 &&
              ulp_diff(cd::tanh(-1.0f), -0x1.85efacp-1f) <= 3);
static_assert(cd::sigmoid(0.0f) == 0.5f && cd::sigmoid(0.0) == 0.5);
static_assert(cd::sigmoid(20.0f) == 1.0f && cd::sigmoid(1e30f) == 1.0f);
static_assert(cd::sigmoid(-200.0f) == 0.0f && cd::sigmoid(-1e30) == 0.0);
// sigmoid(-100) = 3.72e-44 = 26.56 * 2^-149: subnormal, rounds to 27 * 2^-149.
static_assert(cd::sigmoid(-100.0f) == 27 * 0x1p-149f);

// fma: 0.1f = 13421773 * 2^-27, so 0.1f*10 = (2^27 + 2) * 2^-27 = 1 + 2^-26 exactly and
// fma(0.1f, 10, -1) = 2^-26, whereas the unfused product rounds to 1 and gives 0.
static_assert(cd::fma(0.1f, 10.0f, -1.0f) == 0x1p-26f);
static_assert(0.1f * 10.0f - 1.0f == 0.0f);
// 0.1 = 3602879701896397 * 2^-55; *10 = 2^55 + 2 (units of 2^-55) => 2^-54.
static_assert(cd::fma(0.1, 10.0, -1.0) == 0x1p-54);
// (1 + 2^-12)^2 + 2^-23 = 1 + 2^-11 + 2^-23 + 2^-24: a tie between 1 + 2^-11 + 2^-23
// (odd) and 1 + 2^-11 + 2^-22 (even).
static_assert(cd::fma(1.0f + 0x1p-12f, 1.0f + 0x1p-12f, 0x1p-23f) == 1.0f + 0x1p-11f + 0x1p-22f);
// Same product minus 2^-23: 1 + 2^-11 - 2^-24 is a tie between 1 + 2^-11 - 2^-23 (odd) and
// 1 + 2^-11 (even).
static_assert(cd::fma(1.0f + 0x1p-12f, 1.0f + 0x1p-12f, -0x1p-23f) == 1.0f + 0x1p-11f);
// (1 + 2^-27)^2 - 1 = 2^-26 + 2^-54 in double: exact, nothing lost to cancellation.
static_assert(cd::fma(1.0 + 0x1p-27, 1.0 + 0x1p-27, -1.0) == 0x1p-26 + 0x1p-54);
// Subnormal result: 2^-75 * 3*2^-75 - 2^-149 = 3*2^-150 - 2*2^-150 = 2^-150, a tie between
// 0 (even) and 2^-149.
static_assert(std::bit_cast<std::uint32_t>(cd::fma(0x1p-75f, 0x1.8p-74f, -0x1p-149f)) == 0);
// 2^-75 * 5*2^-76 = 5*2^-151 = 1.25 * 2^-149: rounds to 2^-149; underflow keeps the sign.
static_assert(cd::fma(0x1p-75f, 0x1.4p-74f, 0.0f) == 0x1p-149f);
static_assert(std::bit_cast<std::uint32_t>(cd::fma(-0x1p-100f, 0x1p-100f, 0.0f)) == 0x80000000u);
// Signed zeros: -0*1 + +0 = +0, -0*1 + -0 = -0, exact cancellation gives +0.
static_assert(std::bit_cast<std::uint32_t>(cd::fma(-0.0f, 1.0f, 0.0f)) == 0);
static_assert(std::bit_cast<std::uint32_t>(cd::fma(-0.0f, 1.0f, -0.0f)) == 0x80000000u);
static_assert(std::bit_cast<std::uint64_t>(cd::fma(-3.0, 5.0, 15.0)) == 0);
// Overflow: 2^127 * 2 + 0 rounds to +inf, while 2^127 * 2 - 2^104 = 2^128 - 2^104 is
// exactly FLT_MAX although the product alone overflows.
static_assert(cd::fma(0x1p127f, 2.0f, 0.0f) == inf_f);
static_assert(cd::fma(0x1p127f, 2.0f, -0x1p104f) == std::numeric_limits<float>::max());
static_assert(cd::fma(inf_f, 2.0f, 1.0f) == inf_f && cd::fma(1.0f, 2.0f, -inf_f) == -inf_f);

// A table filled in constant evaluation; compared bit for bit against run time below.
constexpr std::size_t table_size = 1000;
template <class T, class F>
constexpr std::array<T, table_size> make_table(T lo, T step, F f) {
  std::array<T, table_size> out{};
  for (std::size_t i = 0; i < table_size; ++i) out[i] = f(lo + T(i) * step);
  return out;
}
// Ranges stay clear of overflow/NaN, which clang refuses in constant evaluation.
constexpr auto exp_f = [](float x) { return cd::exp(x); };
constexpr auto tanh_f = [](float x) { return cd::tanh(x); };
constexpr auto sigm_f = [](float x) { return cd::sigmoid(x); };
constexpr auto exp_d = [](double x) { return cd::exp(x); };
constexpr auto tanh_d = [](double x) { return cd::tanh(x); };
constexpr auto sigm_d = [](double x) { return cd::sigmoid(x); };
constexpr auto fma_f = [](float x) { return cd::fma(x, 0.1f + x, -x * 0.7f); };
constexpr auto fma_d = [](double x) { return cd::fma(x, 0.1 + x, -x * 0.7); };
constexpr auto ct_exp_f = make_table(-103.5f, 0.19203f, exp_f);
constexpr auto ct_tanh_f = make_table(-12.0f, 0.02403f, tanh_f);
constexpr auto ct_sigm_f = make_table(-110.0f, 0.21003f, sigm_f);
constexpr auto ct_exp_d = make_table(-745.0, 1.41903, exp_d);
constexpr auto ct_tanh_d = make_table(-25.0, 0.0500301, tanh_d);
constexpr auto ct_sigm_d = make_table(-740.0, 1.4900301, sigm_d);
constexpr auto ct_fma_f = make_table(-3.0f, 0.0061f, fma_f);
constexpr auto ct_fma_d = make_table(-3.0, 0.0061, fma_d);

template <class T, class F>
void expect_table_matches(const std::array<T, table_size>& table, T lo, T step, F f,
                          const char* name) {
  // Runtime evaluation through a volatile copy so the compiler cannot constant-fold it.
  int mismatches = 0;
  for (std::size_t i = 0; i < table_size; ++i) {
    volatile T vx = lo + T(i) * step;
    const T x = vx;
    if (std::bit_cast<bits_t<T>>(f(x)) != std::bit_cast<bits_t<T>>(table[i]) && ++mismatches <= 5)
      ADD_FAILURE() << name << '(' << std::hexfloat << x << "): run time " << f(x)
                    << " != constant evaluation " << table[i];
  }
  EXPECT_EQ(mismatches, 0) << name;
}

TEST(MathConstexpr, TablesMatchRunTimeBitForBit) {
  expect_table_matches(ct_exp_f, -103.5f, 0.19203f, exp_f, "exp<float>");
  expect_table_matches(ct_tanh_f, -12.0f, 0.02403f, tanh_f, "tanh<float>");
  expect_table_matches(ct_sigm_f, -110.0f, 0.21003f, sigm_f, "sigmoid<float>");
  expect_table_matches(ct_exp_d, -745.0, 1.41903, exp_d, "exp<double>");
  expect_table_matches(ct_tanh_d, -25.0, 0.0500301, tanh_d, "tanh<double>");
  expect_table_matches(ct_sigm_d, -740.0, 1.4900301, sigm_d, "sigmoid<double>");
  expect_table_matches(ct_fma_f, -3.0f, 0.0061f, fma_f, "fma<float>");
  expect_table_matches(ct_fma_d, -3.0, 0.0061, fma_d, "fma<double>");
}

// ---------------------------------------------------------------------------------------
// ULP measurement

// Position on the number line as an integer: adjacent floats differ by 1, -0 == +0.
template <class T>
std::int64_t ordered(T x) {
  const auto u = std::bit_cast<bits_t<T>>(x);
  const auto mag = static_cast<std::int64_t>(u & ~cd::sign_mask<T>);
  return (u & cd::sign_mask<T>) ? -mag : mag;
}

template <class T>
std::uint64_t ulp_distance(T a, T b) {
  const std::int64_t d = ordered(a) - ordered(b);
  return static_cast<std::uint64_t>(d < 0 ? -d : d);
}

// Size of one ulp of T at the (unrounded) value v; subnormal spacing below the normal range.
template <class T>
long double ulp_at(long double v) {
  int e = std::ilogb(v == 0 ? std::numeric_limits<T>::min() : v);
  const int emin = std::numeric_limits<T>::min_exponent - 1;
  if (e < emin) e = emin;
  return std::ldexp(1.0L, e - (std::numeric_limits<T>::digits - 1));
}

template <class T>
struct ulp_stats {
  std::uint64_t max_ulps = 0;  // integer distance to the correctly rounded reference
  long double max_err = 0;     // |result - exact| / ulp, exact = long double reference
  T worst{};
  std::uint64_t count = 0;
  std::uint64_t nan_for_finite = 0;

  void add(T x, T y, long double ref) {
    ++count;
    if (std::isnan(ref)) {
      if (!std::isnan(y)) max_ulps = std::numeric_limits<std::uint64_t>::max();
      return;
    }
    if (std::isnan(y)) {
      ++nan_for_finite;
      return;
    }
    const T rounded = static_cast<T>(ref);
    const std::uint64_t d = ulp_distance(y, rounded);
    long double err = 0;
    if (d != 0) {
      err = std::isinf(y) ? std::numeric_limits<long double>::infinity()
                          : std::fabs(static_cast<long double>(y) - ref) / ulp_at<T>(ref);
    }
    if (d > max_ulps || (d == max_ulps && err > max_err)) worst = x;
    if (d > max_ulps) max_ulps = d;
    if (err > max_err) max_err = err;
  }
  void merge(const ulp_stats& o) {
    if (o.max_ulps > max_ulps || (o.max_ulps == max_ulps && o.max_err > max_err)) worst = o.worst;
    if (o.max_ulps > max_ulps) max_ulps = o.max_ulps;
    if (o.max_err > max_err) max_err = o.max_err;
    count += o.count;
    nan_for_finite += o.nan_for_finite;
  }
};

long double ref_exp(long double x) {
  return std::exp(x);
}
long double ref_tanh(long double x) {
  return std::tanh(x);
}
long double ref_sigmoid(long double x) {
  return 1.0L / (1.0L + std::exp(-x));
}

template <class T>
void report(const char* fn, const ulp_stats<T>& s, std::uint64_t bound) {
  const char* type = std::is_same_v<T, float> ? "float" : "double";
  std::cout << "[ ulp      ] " << fn << '<' << type << ">: max " << s.max_ulps
            << " ulp (vs rounded reference), max |err| " << static_cast<double>(s.max_err)
            << " ulp (vs exact), worst x = " << std::hexfloat << s.worst << std::defaultfloat
            << ", " << s.count << " inputs\n";
  const std::string key = std::string(fn) + "_" + type;
  testing::Test::RecordProperty(key + "_max_ulp", std::to_string(s.max_ulps));
  testing::Test::RecordProperty(key + "_max_err", std::to_string(static_cast<double>(s.max_err)));
  EXPECT_LE(s.max_ulps, bound) << fn << '<' << type << "> worst x = " << std::hexfloat << s.worst;
  EXPECT_EQ(s.nan_for_finite, 0u) << fn << '<' << type << "> produced NaN for a non-NaN input";
}

struct float_stats {
  ulp_stats<float> exp, tanh, sigmoid;
  void add(float x) {
    const long double lx = x;
    exp.add(x, cd::exp(x), ref_exp(lx));
    tanh.add(x, cd::tanh(x), ref_tanh(lx));
    sigmoid.add(x, cd::sigmoid(x), ref_sigmoid(lx));
  }
  void merge(const float_stats& o) {
    exp.merge(o.exp);
    tanh.merge(o.tanh);
    sigmoid.merge(o.sigmoid);
  }
  void report_all() const {
    report("exp", exp, 1);
    report("tanh", tanh, 3);
    report("sigmoid", sigmoid, 2);
  }
};

// Asserted: the documented bounds (exp 1 ulp, tanh 3 ulp, sigmoid 2 ulp, as math.hpp
// states); the measured maxima are printed.
TEST(MathAccuracy, FloatSweep) {
  float_stats st;
  // Every 2039th bit pattern (a prime stride, so mantissa patterns vary): whole range.
  for (std::uint64_t u = 0; u <= 0xffffffffu; u += 2039)
    st.add(std::bit_cast<float>(static_cast<std::uint32_t>(u)));
  // Dense, evenly spaced over [-20, 20] (covers every reduction interval of tanh/sigmoid).
  constexpr int n = 1 << 20;
  for (int i = 0; i <= n; ++i) st.add(-20.0f + 40.0f * static_cast<float>(i) / n);
  // Consecutive floats around the saturation and underflow thresholds and 0.
  for (const float c : {88.72283f, -87.33655f, -103.27893f, 9.01f, 0.34657f, 16.6355f}) {
    float x = c, y = c;
    for (int i = 0; i < 10000; ++i) {
      st.add(x);
      st.add(-y);
      x = std::nextafter(x, inf_f);
      y = std::nextafter(y, -inf_f);
    }
  }
  // tanh's worst region (its error peaks at 3 ulp for |x| in about [0.01, 0.2]): every 61st
  // pattern in [2^-8, 1].
  for (std::uint32_t u = 0x3b800000u; u < 0x3f800000u; u += 61) st.add(std::bit_cast<float>(u));
  // Subnormals and tiny values, every 997th pattern below 2^-100, both signs.
  for (std::uint32_t u = 0; u < 0x0d800000u; u += 997) {
    st.add(std::bit_cast<float>(u));
    st.add(-std::bit_cast<float>(u));
  }
  st.report_all();
}

TEST(MathAccuracy, DISABLED_ExhaustiveFloat) {
  const unsigned nthreads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<float_stats> parts(nthreads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < nthreads; ++t)
    pool.emplace_back([t, nthreads, &parts] {
      for (std::uint64_t u = t; u <= 0xffffffffu; u += nthreads)
        parts[t].add(std::bit_cast<float>(static_cast<std::uint32_t>(u)));
    });
  for (auto& th : pool) th.join();
  float_stats st;
  for (const auto& p : parts) st.merge(p);
  st.report_all();
}

TEST(MathAccuracy, DoubleSample) {
  std::mt19937_64 rng(12345);
  ulp_stats<double> e, t, s;
  const auto add = [&](double x) {
    const long double lx = x;
    e.add(x, cd::exp(x), ref_exp(lx));
    t.add(x, cd::tanh(x), ref_tanh(lx));
    s.add(x, cd::sigmoid(x), ref_sigmoid(lx));
  };
  std::uniform_real_distribution<double> wide(-750.0, 750.0), mid(-40.0, 40.0), unit(-1.0, 1.0),
      tanh_hard(0.005, 0.6);
  std::uniform_int_distribution<int> expo(-1080, 12);
  for (int i = 0; i < 300000; ++i) {
    add(wide(rng));
    add(mid(rng));
    add(unit(rng));
    const double m = unit(rng);
    add(std::ldexp(m, expo(rng)));      // log-uniform magnitudes incl. subnormal
    add(std::bit_cast<double>(rng()));  // arbitrary bit patterns
    add(tanh_hard(rng));                // where tanh's error peaks
  }
  report("exp", e, 1);
  report("tanh", t, 3);
  report("sigmoid", s, 2);
}

template <class T>
void expect_specials() {
  constexpr T inf = std::numeric_limits<T>::infinity();
  constexpr T nan = std::numeric_limits<T>::quiet_NaN();
  constexpr T big = std::numeric_limits<T>::max();
  const auto bits = [](T x) { return std::bit_cast<bits_t<T>>(x); };
  EXPECT_EQ(bits(cd::exp(-inf)), bits(T(0)));
  EXPECT_EQ(cd::exp(inf), inf);
  EXPECT_EQ(cd::exp(big), inf);
  EXPECT_EQ(bits(cd::exp(-big)), bits(T(0)));
  EXPECT_TRUE(std::isnan(cd::exp(nan)));
  EXPECT_TRUE(std::isnan(cd::exp(-nan)));
  EXPECT_EQ(cd::exp(std::numeric_limits<T>::denorm_min()), T(1));
  EXPECT_EQ(cd::tanh(inf), T(1));
  EXPECT_EQ(cd::tanh(-inf), T(-1));
  EXPECT_EQ(cd::tanh(big), T(1));
  EXPECT_EQ(cd::tanh(-big), T(-1));
  EXPECT_EQ(bits(cd::tanh(T(0))), bits(T(0)));
  EXPECT_EQ(bits(cd::tanh(-T(0))), bits(-T(0)));
  EXPECT_EQ(cd::tanh(std::numeric_limits<T>::denorm_min()), std::numeric_limits<T>::denorm_min());
  EXPECT_TRUE(std::isnan(cd::tanh(nan)));
  EXPECT_EQ(cd::sigmoid(inf), T(1));
  EXPECT_EQ(cd::sigmoid(big), T(1));
  EXPECT_EQ(bits(cd::sigmoid(-inf)), bits(T(0)));
  EXPECT_EQ(bits(cd::sigmoid(-big)), bits(T(0)));
  EXPECT_EQ(cd::sigmoid(T(0)), T(0.5));
  EXPECT_EQ(cd::sigmoid(-T(0)), T(0.5));
  EXPECT_TRUE(std::isnan(cd::sigmoid(nan)));
  // Exact limits are reached exactly where the correctly rounded result is the limit.
  EXPECT_EQ(cd::tanh(T(std::is_same_v<T, float> ? 9.02 : 19.07)), T(1));
  EXPECT_EQ(cd::sigmoid(T(std::is_same_v<T, float> ? 17.4 : 37.5)), T(1));
  // tanh's odd symmetry holds bit for bit.
  std::mt19937 rng(7);
  std::uniform_real_distribution<T> d(-30, 30);
  for (int i = 0; i < 100000; ++i) {
    const T x = d(rng);
    ASSERT_EQ(bits(cd::tanh(-x)), bits(-cd::tanh(x))) << x;
  }
}

TEST(MathSpecial, Float) {
  expect_specials<float>();
}
TEST(MathSpecial, Double) {
  expect_specials<double>();
}

// ---------------------------------------------------------------------------------------
// Vector instantiations: lane-for-lane the same bits as the scalar code.

// GCC vector extensions; clang (which also defines __GNUC__) accepts the same code.
#if defined(__GNUC__)
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));
#ifdef __AVX__
typedef float f32x8 __attribute__((vector_size(32)));
typedef double f64x4 __attribute__((vector_size(32)));
#endif

template <class T>
std::vector<T> vector_test_inputs() {
  using lim = std::numeric_limits<T>;
  std::vector<T> xs = {
      T(0),       -T(0),       lim::infinity(), -lim::infinity(),  lim::quiet_NaN(),
      lim::max(), -lim::max(), lim::min(),      lim::denorm_min(), T(1),
      T(-1),      T(0.5),      T(88.7),         T(-103.5),         T(709.7),
      T(-745.0),  T(9.05),     T(19.08),        T(-17.0),          T(-37.0)};
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<T> mid(-25, 25), wide(-800, 800);
  for (int i = 0; i < 200000; ++i) {
    xs.push_back(mid(rng));
    xs.push_back(wide(rng));
    xs.push_back(std::bit_cast<T>(static_cast<bits_t<T>>(rng())));
  }
  return xs;
}

template <class V, class F>
void expect_vector_matches_scalar(F f, const char* name) {
  using T = cd::lane_type<V>;
  constexpr std::size_t lanes = sizeof(V) / sizeof(T);
  const std::vector<T> xs = vector_test_inputs<T>();
  int mismatches = 0;
  for (std::size_t i = 0; i + lanes <= xs.size(); i += lanes) {
    V v;
    std::memcpy(&v, &xs[i], sizeof v);
    const V r = f(v);
    for (std::size_t l = 0; l < lanes; ++l) {
      const T s = f(xs[i + l]);
      if (std::bit_cast<bits_t<T>>(s) != std::bit_cast<bits_t<T>>(T(r[l])) && ++mismatches <= 5)
        ADD_FAILURE() << name << " lane " << l << " x = " << std::hexfloat << xs[i + l]
                      << ": vector " << T(r[l]) << " scalar " << s;
    }
  }
  EXPECT_EQ(mismatches, 0) << name;
}

template <class V>
void expect_vectors() {
  expect_vector_matches_scalar<V>([](auto x) { return cd::exp(x); }, "exp");
  expect_vector_matches_scalar<V>([](auto x) { return cd::tanh(x); }, "tanh");
  expect_vector_matches_scalar<V>([](auto x) { return cd::sigmoid(x); }, "sigmoid");
}

static_assert(std::is_same_v<cd::lane_type<f32x4>, float>);
static_assert(std::is_same_v<cd::lane_type<f64x2>, double>);
static_assert(std::is_same_v<cd::lane_type<float>, float>);

TEST(MathVector, Float4) {
  expect_vectors<f32x4>();
}
TEST(MathVector, Double2) {
  expect_vectors<f64x2>();
}
#ifdef __AVX__
TEST(MathVector, Float8) {
  expect_vectors<f32x8>();
}
TEST(MathVector, Double4) {
  expect_vectors<f64x4>();
}
#else
TEST(MathVector, Float8) {
  GTEST_SKIP() << "needs -mavx2";
}
TEST(MathVector, Double4) {
  GTEST_SKIP() << "needs -mavx2";
}
#endif
#endif  // __GNUC__

// ---------------------------------------------------------------------------------------
// fma: the integer emulation against the run-time instruction/libm on millions of triples.

template <class T>
struct fma_gen {
  static constexpr int digits = std::numeric_limits<T>::digits;
  static constexpr int emin = std::numeric_limits<T>::min_exponent - 1;
  static constexpr int emax = std::numeric_limits<T>::max_exponent - 1;
  std::mt19937_64 rng{2024};

  bool coin() { return (rng() & 1) != 0; }
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  // (+/-) m * 2^e with a random significand of `bits` bits (leading bit set), e = exponent
  // of the leading bit.
  T number(int bits, int e) {
    const std::uint64_t m = (rng() >> (64 - bits)) | (std::uint64_t{1} << (bits - 1));
    const T v = std::ldexp(static_cast<T>(m), e - (bits - 1));
    return coin() ? -v : v;
  }
  T full(int e) { return number(digits, e); }
  T any_bits() { return std::bit_cast<T>(static_cast<bits_t<T>>(rng())); }
};

template <class T>
struct fma_stats {
  std::uint64_t tested = 0, mismatches = 0, naive_differs = 0, subnormal = 0, ties = 0;
};

template <class T>
void check_fma(fma_stats<T>& st, T a, T b, T c) {
  ++st.tested;
  const T soft = cd::soft_fma(a, b, c);
  const T hard = std::is_same_v<T, float> ? __builtin_fmaf(a, b, c) : __builtin_fma(a, b, c);
  const bool same = std::isnan(hard)
                        ? std::isnan(soft)
                        : std::bit_cast<bits_t<T>>(soft) == std::bit_cast<bits_t<T>>(hard);
  if (!same && ++st.mismatches <= 10)
    ADD_FAILURE() << std::hexfloat << "soft_fma(" << a << ", " << b << ", " << c << ") = " << soft
                  << ", hardware " << hard;
  if (a * b + c != hard && !std::isnan(hard)) ++st.naive_differs;
  if (hard != 0 && std::fabs(hard) < std::numeric_limits<T>::min()) ++st.subnormal;
  if constexpr (std::is_same_v<T, float>) {
    // Count exact ties: a*b is exact in long double; TwoSum tells whether + c was too.
    const long double ab = static_cast<long double>(a) * b, lc = c;
    const long double exact = ab + lc, a2 = exact - lc, b2 = exact - a2;
    if (std::isfinite(hard) && std::isfinite(exact) && (ab - a2) + (lc - b2) == 0) {
      const float lo = static_cast<float>(exact) <= exact
                           ? static_cast<float>(exact)
                           : std::nextafter(static_cast<float>(exact), -inf_f);
      const float hi = std::nextafter(lo, inf_f);
      if (exact != lo && exact - lo == hi - exact) ++st.ties;
    }
  }
}

template <class T>
void run_fma_suite(int n) {
  fma_gen<T> g;
  fma_stats<T> st;
  constexpr int p = fma_gen<T>::digits;
  constexpr int emin = fma_gen<T>::emin, emax = fma_gen<T>::emax;
  // Random draws are never two arguments of one call: their order would be unspecified and
  // the sample compiler-dependent.
  for (int i = 0; i < n; ++i) {
    // 1. Arbitrary bit patterns: specials, subnormals, huge and tiny.
    {
      const T a = g.any_bits(), b = g.any_bits(), c = g.any_bits();
      check_fma(st, a, b, c);
    }
    // 2. Catastrophic cancellation: c ~ -a*b (rounded), nudged by a few ulps.
    {
      const T a = g.full(g.uniform(-40, 40)), b = g.full(g.uniform(-40, 40));
      T c = -(a * b);
      for (int k = g.uniform(-3, 3); k != 0; k += k > 0 ? -1 : 1)
        c = std::nextafter(
            c, k > 0 ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity());
      check_fma(st, a, b, c);
    }
    // 3. Ties: short significands so the exact sum has p+1..p+2 bits.
    {
      const int h = p / 2;
      const T a = g.number(h, g.uniform(-4, 4)), b = g.number(h, g.uniform(-4, 4));
      const int bits = g.uniform(1, p);
      const T c = g.number(bits, g.uniform(-p - 4, 4));
      check_fma(st, a, b, c);
    }
    // 4. Mixed magnitudes: c anywhere from far below half an ulp of a*b to far above.
    {
      const int ea = g.uniform(-60, 60), eb = g.uniform(-60, 60);
      const T a = g.full(ea), b = g.full(eb);
      const T c = g.full(ea + eb + g.uniform(-2 * p - 8, 2 * p + 8));
      check_fma(st, a, b, c);
    }
    // 5. Subnormal and underflowing results.
    {
      const int ea = g.uniform(emin - p, 0);
      const int eb = emin - ea + g.uniform(-p - 2, 4);
      const T a = g.full(ea), b = g.full(eb);
      const int bits = g.uniform(1, p);
      const T c = g.coin() ? g.full(emin + g.uniform(-p + 1, 2))
                           : g.number(bits, emin - p + g.uniform(1, p + 1));
      check_fma(st, a, b, c);
    }
    // 6. Overflow boundary.
    {
      const int ea = g.uniform(0, emax);
      const int eb = emax - ea + g.uniform(-2, 1);
      const T a = g.full(ea), b = g.full(eb);
      const T c = g.full(emax - g.uniform(0, p + 2));
      check_fma(st, a, b, c);
    }
  }
  const char* type = std::is_same_v<T, float> ? "float" : "double";
  std::cout << "[ fma      ] " << type << ": " << st.tested << " triples, " << st.mismatches
            << " mismatches; a*b+c differs from fma in " << st.naive_differs << ", " << st.subnormal
            << " subnormal results";
  if (std::is_same_v<T, float>) std::cout << ", " << st.ties << " exact ties";
  std::cout << '\n';
  EXPECT_EQ(st.mismatches, 0u);
  EXPECT_GT(st.naive_differs, static_cast<std::uint64_t>(n) / 4);  // the test has teeth
  EXPECT_GT(st.subnormal, static_cast<std::uint64_t>(n) / 10);
  if (std::is_same_v<T, float>) {
    EXPECT_GT(st.ties, static_cast<std::uint64_t>(n) / 50);
  }
}

TEST(MathFma, SoftMatchesHardwareFloat) {
  run_fma_suite<float>(400000);
}
TEST(MathFma, SoftMatchesHardwareDouble) {
  run_fma_suite<double>(400000);
}

TEST(MathFma, DispatchMatchesSoft) {
  fma_gen<double> g;
  for (int i = 0; i < 100000; ++i) {
    const double a = g.full(g.uniform(-30, 30)), b = g.full(g.uniform(-30, 30)),
                 c = g.full(g.uniform(-60, 60));
    ASSERT_EQ(std::bit_cast<std::uint64_t>(cd::fma(a, b, c)),
              std::bit_cast<std::uint64_t>(cd::soft_fma(a, b, c)));
    const float fa = static_cast<float>(a), fb = static_cast<float>(b), fc = static_cast<float>(c);
    ASSERT_EQ(std::bit_cast<std::uint32_t>(cd::fma(fa, fb, fc)),
              std::bit_cast<std::uint32_t>(cd::soft_fma(fa, fb, fc)));
  }
}

}  // namespace
