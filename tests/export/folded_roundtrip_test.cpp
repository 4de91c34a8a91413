// SPDX-License-Identifier: MIT
// export of a model with batch_norm → compile → compare: the generated header names
// ctnn::folded<trained type>, its `weights` are bit for bit ctnn::fold of the checkpoint's
// values (folded in constant evaluation by the header, at run time here), its crc32 is
// zlib's over the folded bytes, and the folded forward pass agrees with the trained
// model's inference forward pass within the tolerance of tests/folded_test.cpp. The same
// for a model whose batch_norms are all inside residual blocks.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "ctnn/train/io/checkpoint.hpp"
#include "export_block_bn_weights.hpp"
#include "export_bn_weights.hpp"

namespace {

using trained = ctnn_test::export_bn_model;
using device = ctnn::folded<trained>;

static_assert(std::is_same_v<ctnn_test_bn_weights::model, device>);
static_assert(std::is_same_v<ctnn_test_bn_weights::trained_model, trained>);
static_assert(ctnn_test_bn_weights::parameter_count == device::parameter_count);
static_assert(ctnn_test_bn_weights::trained_parameter_count == trained::parameter_count);
static_assert(device::parameter_count == trained::parameter_count - 4 * (4 + 4 + 4) + 2 * 4);

/// The generated `weights` are ctnn::fold of the checkpoint at `path`, bit for bit.
template <class Trained>
void expect_fold_of_checkpoint(const char* path,
                               const typename ctnn::folded<Trained>::parameters& generated) {
  using Device = ctnn::folded<Trained>;
  const auto from_file =
      std::make_unique<typename Trained::parameters>(ctnn::train::load_parameters<Trained>(path));
  auto folded = std::make_unique<typename Device::parameters>();
  ctnn::fold<Trained>(*from_file, *folded);
  for (std::size_t i = 0; i < Device::parameter_count; ++i)
    ASSERT_EQ(std::bit_cast<std::uint32_t>(generated.values[i]),
              std::bit_cast<std::uint32_t>(folded->values[i]))
        << "parameter " << i;
}

TEST(export_folded, weights_are_the_fold_of_the_checkpoint) {
  expect_fold_of_checkpoint<trained>(CTNN_EXPORT_BN_CHECKPOINT, ctnn_test_bn_weights::weights);
  const auto from_file = std::make_unique<trained::parameters>(
      ctnn::train::load_parameters<trained>(CTNN_EXPORT_BN_CHECKPOINT));
  for (std::size_t i = 0; i < trained::parameter_count; ++i)
    ASSERT_EQ(std::bit_cast<std::uint32_t>(ctnn_test_bn_weights::trained_weights.values[i]),
              std::bit_cast<std::uint32_t>(from_file->values[i]));
  EXPECT_EQ(ctnn_test_bn_weights::signature, trained::signature);
}

TEST(export_folded, crc_is_zlibs_over_the_folded_values) {
  const auto& w = ctnn_test_bn_weights::weights.values;
  const auto z =
      static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(w.data()), sizeof(w)));
  EXPECT_EQ(ctnn_test_bn_weights::crc32, z);
}

TEST(export_folded, folded_forward_matches_the_trained_model) {
  const auto& t = ctnn_test_bn_weights::trained_weights;
  const auto& f = ctnn_test_bn_weights::weights;
  for (int s = 0; s < 10; ++s) {
    trained::input x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(float(s * 97 + int(i)));
    const auto y = trained::forward(t, x);
    const auto yf = device::forward(f, x);
    for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(yf[i], y[i], 1e-5f);
  }
}

// batch_norm only inside residual blocks: exported folded all the same.
using block_trained = ctnn_test::export_block_bn_model;
using block_device = ctnn::folded<block_trained>;
static_assert(std::is_same_v<ctnn_test_block_bn_weights::model, block_device>);
static_assert(std::is_same_v<ctnn_test_block_bn_weights::trained_model, block_trained>);
static_assert(block_device::parameter_count == block_trained::parameter_count - 4 * (2 + 2 + 2));

TEST(export_folded, inside_blocks_weights_are_the_fold_of_the_checkpoint) {
  const auto& generated = ctnn_test_block_bn_weights::weights;
  expect_fold_of_checkpoint<block_trained>(CTNN_EXPORT_BLOCK_BN_CHECKPOINT, generated);
  for (int s = 0; s < 10; ++s) {
    block_trained::input x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(float(s * 89 + int(i)));
    const auto y = block_trained::forward(ctnn_test_block_bn_weights::trained_weights, x);
    const auto yf = block_device::forward(generated, x);
    for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(yf[i], y[i], 1e-5f);
  }
}

}  // namespace
