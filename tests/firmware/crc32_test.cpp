// SPDX-License-Identifier: MIT
// The stand-in weights header's `crc32` constant (computed at compile time with
// ctnn::crc32) is the zlib CRC of its parameters: the value the firmware checks at boot.
#include <gtest/gtest.h>
#include <zlib.h>

#include <bit>
#include <cstdint>

#include "weights/mlp_small_init.hpp"

namespace {

TEST(firmware_crc32, stand_in_weights_constant_is_their_crc) {
  static_assert(std::endian::native == std::endian::little, "the test compares native bytes");
  namespace w = models::mlp_small_weights;
  const auto z = static_cast<std::uint32_t>(
      ::crc32(0L, reinterpret_cast<const Bytef*>(w::weights.values.data()),
              static_cast<uInt>(sizeof(w::weights.values))));
  EXPECT_EQ(w::crc32, z);
}

}  // namespace
