// SPDX-License-Identifier: MIT
// export → compile → compare: the generated header holds the checkpoint's exact bits.
#include <gtest/gtest.h>
#include <zlib.h>

#include <bit>
#include <cstdint>
#include <cstring>

#include "ctnn/crc32.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "export_weights.hpp"

namespace {

using ctnn_test::export_model;

TEST(export_roundtrip, every_bit_matches_the_checkpoint) {
  const export_model::parameters from_file =
      ctnn::train::load_parameters<export_model>(CTNN_EXPORT_CHECKPOINT);
  const auto& generated = ctnn_test_weights::weights;
  for (std::size_t i = 0; i < export_model::parameter_count; ++i)
    ASSERT_EQ(std::bit_cast<std::uint32_t>(generated.values[i]),
              std::bit_cast<std::uint32_t>(from_file.values[i]))
        << "parameter " << i;
}

TEST(export_roundtrip, metadata) {
  EXPECT_EQ(ctnn_test_weights::signature, export_model::signature);
  EXPECT_EQ(ctnn_test_weights::parameter_count, export_model::parameter_count);
  EXPECT_EQ(ctnn_test_weights::dataset, "synthetic-export-test");
  EXPECT_EQ(ctnn_test_weights::test_accuracy, 0.875);
}

TEST(export_roundtrip, crc_matches_zlib_and_ctnn) {
  const auto& w = ctnn_test_weights::weights.values;
  const auto z =
      static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(w.data()), sizeof(w)));
  EXPECT_EQ(ctnn_test_weights::crc32, z);
  EXPECT_EQ(ctnn::crc32(w), z);
  EXPECT_EQ(ctnn::crc32(w.data(), sizeof(w)), z);
}

TEST(export_roundtrip, constexpr_weights_run_forward) {
  // The weights are usable in constant evaluation: the whole forward pass is constexpr.
  constexpr export_model::output y =
      export_model::forward(ctnn_test_weights::weights, {0.5f, -1.0f, 0.25f, 2.0f, 0.0f});
  static_assert(y[0] >= 0.0f && y[1] >= 0.0f && y[2] >= 0.0f);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(y[0]),
            std::bit_cast<std::uint32_t>(export_model::forward(
                ctnn_test_weights::weights, {0.5f, -1.0f, 0.25f, 2.0f, 0.0f})[0]));
}

}  // namespace
