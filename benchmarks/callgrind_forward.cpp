// SPDX-License-Identifier: MIT
// Runs N forward passes of one benchmark network inside ctnn_callgrind_window<…>, so that
// `valgrind --tool=callgrind --toggle-collect='*ctnn_callgrind_window*'` counts exactly
// their instructions (callgrind_counts.sh runs N = 0 and N > 0 and divides the
// difference by N, which removes the window's own cost).
//
// Usage: ctnn_callgrind_forward <network> <N>   (ctnn_callgrind_forward --list for names)
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "bench_networks.hpp"

namespace {

template <class Case>
struct data {
  using net = typename Case::net;
  static inline typename net::parameters params;
  static inline typename net::input x;
  static inline typename net::workspace ws;
  static inline typename net::output y;
};

/// Keeps each naive sum out of vector registers: the naive loop stays scalar.
struct scalar_barrier {
  void operator()(float& s) const noexcept { asm volatile("" : "+m"(s)); }
};

enum class impl { ctnn, naive, naive_scalar, int8 };

template <class Case>
struct int8_data {
  using q = ctnn::quantized<typename Case::net>;
  static inline typename q::parameters params;
  static inline typename q::input x;
  static inline typename q::workspace ws;
  static inline typename q::output y;
};

/// The measured region: n passes of Case's network (ctnn's forward with a caller-owned
/// workspace, as firmware calls it, or a naive reference). The barrier stops the compiler
/// from hoisting work out of the loop or dropping the unused results.
template <class Case, impl I>
__attribute__((noinline)) void ctnn_callgrind_window(long n) {
  using d = std::conditional_t<I == impl::int8, int8_data<Case>, data<Case>>;
  // Opaque pointers: the kernels must not exploit the globals' known addresses or
  // alignment, which a caller with weights elsewhere would not have either.
  auto* p = &d::params;
  auto* x = &d::x;
  auto* ws = &d::ws;
  auto* y = &d::y;
  asm volatile("" : "+r"(p), "+r"(x), "+r"(ws), "+r"(y));
  for (long k = 0; k < n; ++k) {
    asm volatile("" ::: "memory");
    if constexpr (I == impl::int8)
      *y = ctnn::quantized<typename Case::net>::forward(*p, *x, *ws);
    else if constexpr (I == impl::ctnn)
      *y = Case::net::forward(*p, *x, *ws);
    else if constexpr (I == impl::naive)
      Case::naive(p->values.data(), x->data(), y->data());
    else
      Case::template naive<scalar_barrier>(p->values.data(), x->data(), y->data());
  }
}

template <class Case>
int run_int8(long n) {
  using d = int8_data<Case>;
  ctnn_bench::init_int8_parameters<typename d::q>(d::params, 42);
  ctnn_bench::fill_random(d::x, 7);
  ctnn_callgrind_window<Case, impl::int8>(1);
  ctnn_callgrind_window<Case, impl::int8>(n);
  return 0;
}

template <class Case, impl I = impl::ctnn>
int run(long n) {
  using d = data<Case>;
  ctnn_bench::init_parameters<typename Case::net>(d::params, 42);
  ctnn_bench::fill_random(d::x, 7, 1.0f);
  // A first pass binds lazily resolved library calls (libm's fma where the target has no
  // FMA instruction); it is counted alike in the runs with N = 0 and N > 0, so it cancels.
  ctnn_callgrind_window<Case, I>(1);
  ctnn_callgrind_window<Case, I>(n);
  // Use the result, so that a broken kernel (NaN) is noticed by the caller.
  float sum = 0.0f;
  for (float v : d::y) sum += v;
  if (n > 0 && !(sum == sum)) {
    std::fprintf(stderr, "ctnn_callgrind_forward: the network's output is NaN\n");
    return 1;
  }
  return 0;
}

struct entry {
  std::string_view name;
  int (*run)(long);
};

using ctnn::fused;
using ctnn::unfused;
constexpr entry entries[] = {
    {"784-128-64-10/fused", run<ctnn_bench::mnist<fused>>},
    {"784-128-64-10/unfused", run<ctnn_bench::mnist<unfused>>},
    {"784-128-64-10/int8", run_int8<ctnn_bench::mnist<fused>>},
    {"64-32-16-10/fused", run<ctnn_bench::small<fused>>},
    {"64-32-16-10/unfused", run<ctnn_bench::small<unfused>>},
    {"2-16-16-1/fused", run<ctnn_bench::tiny<fused>>},
    {"2-16-16-1/unfused", run<ctnn_bench::tiny<unfused>>},
    // Naive references (plain loops as GCC compiles them; _scalar: one MAC at a time).
    {"784-128-64-10/naive", run<ctnn_bench::mnist<unfused>, impl::naive>},
    {"784-128-64-10/naive_scalar", run<ctnn_bench::mnist<unfused>, impl::naive_scalar>},
    {"64-32-16-10/naive", run<ctnn_bench::small<unfused>, impl::naive>},
    {"64-32-16-10/naive_scalar", run<ctnn_bench::small<unfused>, impl::naive_scalar>},
    {"2-16-16-1/naive", run<ctnn_bench::tiny<unfused>, impl::naive>},
    {"2-16-16-1/naive_scalar", run<ctnn_bench::tiny<unfused>, impl::naive_scalar>},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const entry& e : entries) std::printf("%.*s\n", int(e.name.size()), e.name.data());
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <network> <N> | --list\n", argv[0]);
    return 2;
  }
  long n = 0;
  const std::string_view count = argv[2];
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (ec != std::errc{} || end != count.data() + count.size() || n < 0) {
    std::fprintf(stderr, "%s: N must be a non-negative integer, got '%s'\n", argv[0], argv[2]);
    return 2;
  }
  for (const entry& e : entries)
    if (e.name == argv[1]) return e.run(n);
  std::fprintf(stderr, "%s: unknown network '%s' (see --list)\n", argv[0], argv[1]);
  return 2;
}
