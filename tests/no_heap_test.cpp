// SPDX-License-Identifier: MIT
// Inference allocates nothing: every form of global operator new/delete is replaced by a
// counting version, and (outside the sanitizer build, whose allocator cannot be replaced)
// the malloc family is routed through counting wrappers (-Wl,--wrap=…, see
// tests/CMakeLists.txt). Positive controls prove the counters see allocations.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "ctnn/ctnn.hpp"

namespace {
std::atomic<long> new_calls{0};
std::atomic<long> malloc_calls{0};

void* counted_new(std::size_t n) {
  ++new_calls;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* counted_new(std::size_t n, std::align_val_t a) {
  ++new_calls;
  const std::size_t align = static_cast<std::size_t>(a);
  const std::size_t size = (n + align - 1) / align * align;
  if (void* p = std::aligned_alloc(align, size == 0 ? align : size)) return p;
  throw std::bad_alloc();
}

/// Keeps the compiler from removing a value or an allocation it thinks unused.
template <class T>
void escape(const T& v) {
  asm volatile("" : : "g"(&v) : "memory");
}
}  // namespace

// clang-format off
void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_new(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { ++new_calls; return std::malloc(n == 0 ? 1 : n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { ++new_calls; return std::malloc(n == 0 ? 1 : n); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  ++new_calls; return std::aligned_alloc(static_cast<std::size_t>(a), (n + static_cast<std::size_t>(a) - 1) / static_cast<std::size_t>(a) * static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t& t) noexcept { return operator new(n, a, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
// clang-format on

#if !defined(CTNN_SANITIZERS)
#define CTNN_TEST_COUNTS_MALLOC 1
extern "C" {
void* __real_malloc(std::size_t);
void* __real_calloc(std::size_t, std::size_t);
void* __real_realloc(void*, std::size_t);
void* __real_aligned_alloc(std::size_t, std::size_t);
int __real_posix_memalign(void**, std::size_t, std::size_t);
void* __wrap_malloc(std::size_t n) {
  ++malloc_calls;
  return __real_malloc(n);
}
void* __wrap_calloc(std::size_t n, std::size_t s) {
  ++malloc_calls;
  return __real_calloc(n, s);
}
void* __wrap_realloc(void* p, std::size_t n) {
  ++malloc_calls;
  return __real_realloc(p, n);
}
void* __wrap_aligned_alloc(std::size_t a, std::size_t n) {
  ++malloc_calls;
  return __real_aligned_alloc(a, n);
}
int __wrap_posix_memalign(void** p, std::size_t a, std::size_t n) {
  ++malloc_calls;
  return __real_posix_memalign(p, a, n);
}
}
#endif

namespace {

/// Counts allocations made while `f` runs.
struct counts {
  long news;
  long mallocs;
};
template <class F>
counts count_allocations(F&& f) {
  const long n0 = new_calls.load(), m0 = malloc_calls.load();
  f();
  return {new_calls.load() - n0, malloc_calls.load() - m0};
}

template <class Net>
void expect_no_allocation(const char* what) {
  // Parameters on the heap (437 KB for the large net): set up outside the counted region.
  auto p = std::make_unique<typename Net::parameters>();
  for (std::size_t i = 0; i < Net::parameter_count; ++i)
    p->values[i] = typename Net::scalar((i % 13) * 0.01 - 0.06);
  typename Net::input x{};
  for (std::size_t i = 0; i < Net::input_size; ++i) x[i] = typename Net::scalar((i % 5) * 0.2);
  typename Net::workspace ws;
  typename Net::output raw;
  const counts c = count_allocations([&] {
    for (int k = 0; k < 3; ++k) {
      const auto y = Net::forward(*p, x);
      escape(y);
      const auto z = Net::forward(*p, x, ws);
      escape(z);
      const std::size_t cls = Net::predict(*p, x);
      escape(cls);
      Net::forward_raw(p->values.data(), x.data(), ws.data(), raw.data());
      escape(raw);
    }
  });
  EXPECT_EQ(c.news, 0) << what;
  EXPECT_EQ(c.mallocs, 0) << what;
}

TEST(no_heap, counters_see_allocations) {
  const counts c = count_allocations([] {
    std::vector<float> v(1000);
    escape(v);
    int* i = new int(3);
    escape(i);
    delete i;
    auto* a = new (std::align_val_t{64}) float[16];
    escape(a);
    operator delete[](a, std::align_val_t{64});
  });
  EXPECT_EQ(c.news, 3);
#if defined(CTNN_TEST_COUNTS_MALLOC)
  const counts m = count_allocations([] {
    void* p = std::malloc(64);
    escape(p);
    p = std::realloc(p, 128);
    escape(p);
    std::free(p);
    void* q = std::calloc(4, 8);
    escape(q);
    std::free(q);
  });
  EXPECT_EQ(m.mallocs, 3);
  EXPECT_EQ(m.news, 0);
#endif
}

TEST(no_heap, forward_allocates_nothing) {
  expect_no_allocation<ctnn::network<float, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                                     ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>>(
      "784-128-64-10");
  expect_no_allocation<
      ctnn::network<float, ctnn::unfused, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                    ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>>(
      "784-128-64-10 unfused");
  expect_no_allocation<ctnn::network<double, ctnn::input<64>, ctnn::dense<32, ctnn::tanh>,
                                     ctnn::dense<16, ctnn::tanh>, ctnn::dense<10, ctnn::softmax>>>(
      "64-32-16-10");
  expect_no_allocation<ctnn::network<float, ctnn::input<2>, ctnn::dense<16, ctnn::tanh>,
                                     ctnn::dense<16, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>>(
      "2-16-16-1");
  expect_no_allocation<ctnn::network<float, ctnn::input<3>, ctnn::dense<5, ctnn::leaky_relu<>>,
                                     ctnn::dense<4, ctnn::identity>>>("3-5-4");
}

/// The int8 model of a CNN with every int8 layer kind and epilogue: forward (both
/// overloads), predict and the float helpers allocate nothing.
TEST(no_heap, int8_forward_allocates_nothing) {
  using net =
      ctnn::network<float, ctnn::input<8, 8>, ctnn::conv2d<4, 3, 3, ctnn::relu, 1, ctnn::same>,
                    ctnn::max_pool2d<2>, ctnn::conv2d<3, 3, 3, ctnn::leaky_relu<>>,
                    ctnn::avg_pool2d<2>, ctnn::flatten, ctnn::dense<6, ctnn::tanh>,
                    ctnn::dense<5, ctnn::sigmoid>, ctnn::dense<4, ctnn::softmax>>;
  using q = ctnn::quantized<net>;
  auto p = std::make_unique<q::parameters>();  // before counting
  for (std::size_t i = 0; i < p->weights.size(); ++i)
    p->weights[i] = static_cast<std::int8_t>(static_cast<int>(i * 37 % 255) - 127);
  p->multipliers.fill(1 << 30);
  p->shifts.fill(-6);
  p->zero_points.fill(-128);
  p->scales.fill(1.0f / 255);
  const std::array<float, 64> raw{};
  q::workspace ws;
  const counts c = count_allocations([&] {
    for (int k = 0; k < 3; ++k) {
      const q::input x = q::quantize_input(*p, raw);
      const auto y = q::forward(*p, x);
      escape(y);
      const auto z = q::forward(*p, x, ws);
      escape(z);
      const std::size_t cls = q::predict(*p, x, ws);
      escape(cls);
      const auto f = q::dequantize_output(*p, z);
      escape(f);
    }
  });
  EXPECT_EQ(c.news, 0);
  EXPECT_EQ(c.mallocs, 0);
}

}  // namespace
