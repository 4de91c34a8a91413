// SPDX-License-Identifier: MIT
// The batched dense kernels against the inference forward pass (bit for bit) and against
// the per-sample backward of the layer_gradient contract (bit for bit).
#include "ctnn/train/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/dense_gradient.hpp"
#include "ctnn/train/init.hpp"

namespace {

template <class T>
std::vector<T> random_vector(std::size_t n, std::uint64_t seed) {
  ctnn::train::rng r(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = T(r.normal());
  return v;
}

template <class T>
bool same_bits(const T* a, const T* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

// Sizes chosen to exercise every tail: full 16-wide tiles, one 8-wide vector, masked
// (or scalar) columns; rows not a multiple of 6; k beyond one 256 block.
template <class T, class Mode, std::size_t In, std::size_t Out>
void check_dense(std::size_t n) {
  using net = ctnn::network<T, Mode, ctnn::input<In>, ctnn::dense<Out, ctnn::relu>>;
  using layer = typename net::template layer<1>;
  using grad = ctnn::train::layer_gradient<layer>;
  const auto p = random_vector<T>(layer::parameter_count, 1);
  const auto x = random_vector<T>(n * In, 2);
  const auto gz = random_vector<T>(n * Out, 3);
  std::vector<T> scratch(ctnn::train::detail::gemm_scratch_size());

  // Forward: batch vs the inference affine map, sample by sample; nothing written past
  // the n × Out outputs (the masked tail stores).
  std::vector<T> z(n * Out + 16, T(7)), want(Out);
  grad::forward_batch(p.data(), x.data(), In, n, z.data(), scratch.data());
  for (std::size_t s = 0; s < n; ++s) {
    layer::affine(p.data(), x.data() + s * In, want.data());
    ASSERT_TRUE(same_bits(z.data() + s * Out, want.data(), Out)) << "sample " << s;
  }
  for (std::size_t k = n * Out; k < z.size(); ++k) ASSERT_EQ(z[k], T(7)) << "wrote past z";

  // Backward: batch vs per-sample contract.
  std::vector<T> wt(grad::prepared_size);
  grad::prepare(p.data(), wt.data());
  // backward_batch writes grad_p (backward_batch_sets): a buffer full of NaN must not show.
  std::vector<T> gp_batch(layer::parameter_count, std::numeric_limits<T>::quiet_NaN());
  std::vector<T> gp_one(layer::parameter_count, T(0));
  std::vector<T> gx_batch(n * In), gx_one(In);
  grad::backward_batch(p.data(), wt.data(), x.data(), In, n, gz.data(), gp_batch.data(),
                       gx_batch.data(), scratch.data());
  for (std::size_t s = 0; s < n; ++s) {
    grad::backward(p.data(), x.data() + s * In, z.data() + s * Out, gz.data() + s * Out,
                   gp_one.data(), gx_one.data());
    ASSERT_TRUE(same_bits(gx_batch.data() + s * In, gx_one.data(), In)) << "sample " << s;
  }
  EXPECT_TRUE(same_bits(gp_batch.data(), gp_one.data(), layer::parameter_count));

  // And both against a naive double-precision reference (catches a shared mistake).
  for (std::size_t i = 0; i < In; i += 7)
    for (std::size_t o = 0; o < Out; o += 3) {
      double ref = 0;
      for (std::size_t s = 0; s < n; ++s) ref += double(x[s * In + i]) * double(gz[s * Out + o]);
      EXPECT_NEAR(gp_batch[i * Out + o], ref, 1e-4 * (1 + std::fabs(ref)));
    }
  for (std::size_t s = 0; s < n; s += 5)
    for (std::size_t i = 0; i < In; i += 11) {
      double ref = 0;
      for (std::size_t o = 0; o < Out; ++o) ref += double(p[i * Out + o]) * double(gz[s * Out + o]);
      EXPECT_NEAR(gx_batch[s * In + i], ref, 1e-4 * (1 + std::fabs(ref)));
    }
}

TEST(Kernels, FloatFusedMatchesInferenceAndPerSample) {
  check_dense<float, ctnn::fused, 300, 37>(29);
  check_dense<float, ctnn::fused, 784, 128>(40);
  check_dense<float, ctnn::fused, 64, 10>(7);
  check_dense<float, ctnn::fused, 5, 3>(1);
  // Widths that are not a multiple of the vector: 1 and 3 (a lone masked vector), 10
  // (one vector + 2 masked lanes), 30 (16 + 14: a whole and a masked vector), 100.
  check_dense<float, ctnn::fused, 784, 10>(25);
  check_dense<float, ctnn::fused, 17, 1>(13);
  check_dense<float, ctnn::fused, 10, 3>(8);
  check_dense<float, ctnn::fused, 40, 30>(11);
  check_dense<float, ctnn::fused, 30, 100>(9);
  // Many samples: C larger than the kernel's cache threshold (row blocks outside) and the
  // weight gradient's k = samples running over several k blocks.
  check_dense<float, ctnn::fused, 300, 64>(2100);
}

// Narrow layers with at least transposed_min_rows samples compute grad_W as its transpose
// (vectors along the inputs): the same bits as the per-sample sums.
TEST(Kernels, TransposedWeightGradientMatchesPerSample) {
  using ctnn::train::layer_gradient;
  using narrow = ctnn::network<float, ctnn::input<784>, ctnn::dense<10, ctnn::relu>>::layer<1>;
  using wide = ctnn::network<float, ctnn::input<300>, ctnn::dense<64, ctnn::relu>>::layer<1>;
  // Where the vector FMA exists (not in the portable x86-64 build: the scalar GEMM).
  static_assert(layer_gradient<narrow>::transposed_weight_gradient ==
                ctnn::detail::simd_mac_available<float, ctnn::fused>);
  static_assert(!layer_gradient<wide>::transposed_weight_gradient);
  static_assert(layer_gradient<narrow>::transposed_min_rows == 32);
  check_dense<float, ctnn::fused, 784, 10>(32);   // the fewest rows that transpose
  check_dense<float, ctnn::fused, 784, 10>(300);  // k beyond one block, 10 = 6 + 4 rows
  check_dense<float, ctnn::fused, 17, 1>(100);    // one output row, a masked input tail
  check_dense<float, ctnn::fused, 64, 3>(45);
  check_dense<float, ctnn::unfused, 33, 10>(64);
  check_dense<double, ctnn::fused, 31, 10>(70);
  check_dense<double, ctnn::unfused, 30, 1>(40);
}

TEST(Kernels, FloatUnfusedMatchesInferenceAndPerSample) {
  check_dense<float, ctnn::unfused, 300, 37>(29);
  check_dense<float, ctnn::unfused, 20, 24>(13);
  check_dense<float, ctnn::unfused, 33, 10>(14);
  check_dense<float, ctnn::unfused, 12, 1>(7);
  check_dense<float, ctnn::unfused, 30, 100>(5);
}

TEST(Kernels, DoubleMatchesInferenceAndPerSample) {
  check_dense<double, ctnn::fused, 270, 21>(17);
  check_dense<double, ctnn::unfused, 9, 4>(6);
  check_dense<double, ctnn::fused, 31, 10>(9);   // 4 + 4 + 2 masked lanes
  check_dense<double, ctnn::fused, 10, 3>(7);    // one masked vector
  check_dense<double, ctnn::unfused, 30, 1>(8);  // one masked lane
}

// Row-strided input (the trainer reads the dataset in place with its own row stride).
TEST(Kernels, StridedInputRows) {
  using net = ctnn::network<float, ctnn::input<10>, ctnn::dense<9, ctnn::identity>>;
  using layer = net::layer<1>;
  const auto p = random_vector<float>(layer::parameter_count, 4);
  const std::size_t n = 8, ld = 13;
  const auto x = random_vector<float>(n * ld, 5);
  std::vector<float> z(n * 9), want(9), scratch(ctnn::train::detail::gemm_scratch_size());
  ctnn::train::layer_gradient<layer>::forward_batch(p.data(), x.data(), ld, n, z.data(),
                                                    scratch.data());
  for (std::size_t s = 0; s < n; ++s) {
    layer::affine(p.data(), x.data() + s * ld, want.data());
    EXPECT_TRUE(same_bits(z.data() + s * 9, want.data(), 9));
  }
}

}  // namespace
