// SPDX-License-Identifier: MIT
// ctnn-import parity (issue 14): models defined and run in PyTorch (make_models.py),
// exported with torch.onnx.export, imported by ctnn-import, compiled here through the
// generated headers and run on the same inputs. Outputs must agree with PyTorch's within
// |ctnn − torch| ≤ 1e-5 · max(1, |torch|) and the argmax must be identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "activations_weights.hpp"
#include "bn_fold_weights.hpp"
#include "bn_layer_weights.hpp"
#include "cnn_flat_dense_weights.hpp"
#include "cnn_rgb_weights.hpp"
#include "cnn_weights.hpp"
#include "ctnn/crc32.hpp"
#include "mlp_weights.hpp"
#include "residual_dense_weights.hpp"
#include "residual_weights.hpp"
#if CTNN_IMPORT_HAVE_DEPTHWISE
#include "depthwise_weights.hpp"
#endif

namespace {

constexpr double tolerance = 1e-5;

std::vector<float> read_floats(const std::string& name) {
  std::ifstream in(std::string(CTNN_IMPORT_DATA) + "/" + name, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / sizeof(float));
  std::copy_n(bytes.data(), v.size() * sizeof(float), reinterpret_cast<char*>(v.data()));
  return v;
}

template <class Net, class Weights>
void check_parity(const std::string& name, const Weights& w, std::uint32_t crc) {
  static_assert(std::is_same_v<Weights, typename Net::parameters>);
  EXPECT_EQ(ctnn::crc32(w.values), crc) << "the header's CRC-32 does not match its values";
  const std::vector<float> x = read_floats(name + ".inputs.f32");
  const std::vector<float> y = read_floats(name + ".outputs.f32");
  ASSERT_GT(x.size(), 0u) << "no inputs for " << name;
  ASSERT_EQ(x.size() % Net::input_size, 0u);
  const std::size_t n = x.size() / Net::input_size;
  ASSERT_EQ(y.size(), n * Net::output_size) << "outputs of " << name << " do not match its shape";
  double worst = 0;
  for (std::size_t s = 0; s < n; ++s) {
    typename Net::input in;
    std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(s * Net::input_size), Net::input_size,
                in.begin());
    const typename Net::output out = Net::forward(w, in);
    typename Net::output ref;
    std::copy_n(y.begin() + static_cast<std::ptrdiff_t>(s * Net::output_size), Net::output_size,
                ref.begin());
    for (std::size_t k = 0; k < Net::output_size; ++k) {
      const double err =
          std::fabs(double{out[k]} - double{ref[k]}) / std::max(1.0, std::fabs(double{ref[k]}));
      worst = std::max(worst, err);
      EXPECT_LE(err, tolerance) << name << " sample " << s << " output " << k << ": ctnn " << out[k]
                                << ", PyTorch " << ref[k];
    }
    EXPECT_EQ(Net::argmax(out), Net::argmax(ref)) << name << " sample " << s;
  }
  std::printf("%s: %zu samples, largest relative difference %.3g (bound %.0e)\n", name.c_str(), n,
              worst, tolerance);
}

TEST(import_parity, mlp_gemm_relu_softmax) {
  check_parity<import_test::mlp>("mlp", import_test::mlp_weights::weights,
                                 import_test::mlp_weights::crc32);
}

TEST(import_parity, mlp_matmul_add_leaky_sigmoid_tanh_dropout) {
  check_parity<import_test::activations>("activations", import_test::activations_weights::weights,
                                         import_test::activations_weights::crc32);
}

TEST(import_parity, cnn_conv_pool_conv_same_pool_flatten_dense) {
  check_parity<import_test::cnn>("cnn", import_test::cnn_weights::weights,
                                 import_test::cnn_weights::crc32);
}

TEST(import_parity, cnn_rgb_stride2_same_avgpool_leaky_global_pool) {
  check_parity<import_test::cnn_rgb>("cnn_rgb", import_test::cnn_rgb_weights::weights,
                                     import_test::cnn_rgb_weights::crc32);
}

TEST(import_parity, cnn_flatten_reorders_dense_rows) {
  check_parity<import_test::cnn_flat_dense>("cnn_flat_dense",
                                            import_test::cnn_flat_dense_weights::weights,
                                            import_test::cnn_flat_dense_weights::crc32);
}

TEST(import_parity, batch_norm_folded_into_conv_and_gemm) {
  check_parity<import_test::bn_fold>("bn_fold", import_test::bn_fold_weights::weights,
                                     import_test::bn_fold_weights::crc32);
}

// The weights header of a model with batch_norm layers (ctnn-export's format) holds the
// trained parameters and, as `weights`, those of ctnn::folded<model> (scale_shift layers).
TEST(import_parity, batch_norm_with_nothing_to_fold_into_is_a_batch_norm_layer) {
  namespace w = import_test::bn_layer_weights;
  check_parity<import_test::bn_layer>("bn_layer", w::trained_weights,
                                      ctnn::crc32(w::trained_weights.values));
  check_parity<ctnn::folded<import_test::bn_layer>>("bn_layer", w::weights, w::crc32);
}

TEST(import_parity, residual_blocks_identity_skip_and_strided_projection) {
  check_parity<import_test::residual>("residual", import_test::residual_weights::weights,
                                      import_test::residual_weights::crc32);
}

TEST(import_parity, residual_block_on_vectors_without_activation) {
  check_parity<import_test::residual_dense>("residual_dense",
                                            import_test::residual_dense_weights::weights,
                                            import_test::residual_dense_weights::crc32);
}

#if CTNN_IMPORT_HAVE_DEPTHWISE
TEST(import_parity, depthwise_multiplier_2_and_1_global_avg_pool) {
  check_parity<import_test::depthwise>("depthwise", import_test::depthwise_weights::weights,
                                       import_test::depthwise_weights::crc32);
}
#endif

// The generated types are what the importer says they are (layout of the input included).
static_assert(import_test::cnn::input_size == 28 * 28 && import_test::cnn::output_size == 10);
static_assert(import_test::cnn_rgb::layer<1>::input_shape::channels == 3);
// Batch norms leave no layer behind; residual blocks are ctnn::residual with their skip.
static_assert(import_test::bn_fold::signature ==
              "ctnn1|f32|fused|in(7x7x2)|conv2d(4,3x3,s1,valid,relu)|flatten|dense(6,tanh)|"
              "dense(3,identity)");
static_assert(import_test::bn_layer::signature ==
              "ctnn1|f32|fused|in(6x6x2)|batch_norm(identity)|conv2d(3,3x3,s1,valid,relu)|"
              "batch_norm(relu)|flatten|dense(5,relu)|batch_norm(identity)|dense(3,identity)");
static_assert(import_test::residual::signature ==
              "ctnn1|f32|fused|in(9x9x1)|conv2d(4,3x3,s1,same,relu)|residual(conv2d(4,3x3,s1,same,"
              "relu);conv2d(4,3x3,s1,same,identity),skip=input,relu)|residual(conv2d(8,3x3,s2,"
              "same,relu);conv2d(8,3x3,s1,same,identity),skip=conv2d(8,1x1,s2,valid,identity),"
              "relu)|global_avg_pool|dense(10,identity)");
static_assert(import_test::residual_dense::signature ==
              "ctnn1|f32|fused|in(1x1x12)|dense(8,relu)|residual(dense(8,relu);dense(8,identity),"
              "skip=input,identity)|dense(3,identity)");
static_assert(import_test::mlp::signature ==
              "ctnn1|f32|fused|in(1x1x784)|dense(32,relu)|dense(10,softmax)");

}  // namespace
