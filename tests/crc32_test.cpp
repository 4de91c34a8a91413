// SPDX-License-Identifier: MIT
// ctnn::crc32 against zlib's crc32 (the value generated headers and checkpoints carry).
#include "ctnn/crc32.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <bit>
#include <cstdint>
#include <random>
#include <vector>

namespace {

std::uint32_t zlib_crc(const void* p, std::size_t n) {
  return static_cast<std::uint32_t>(
      ::crc32(0L, static_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

// The CRC-32 check value from the CRC catalogue: crc("123456789") = 0xCBF43926.
static_assert(ctnn::crc32(std::array<float, 0>{}) == 0u);

TEST(crc32, check_value) {
  EXPECT_EQ(ctnn::crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(ctnn::crc32(nullptr, 0), 0u);
}

TEST(crc32, bytes_match_zlib_and_continue) {
  std::mt19937 rng(1);
  std::vector<unsigned char> v(1000);
  for (auto& b : v) b = static_cast<unsigned char>(rng());
  EXPECT_EQ(ctnn::crc32(v.data(), v.size()), zlib_crc(v.data(), v.size()));
  // Continuing from a partial CRC equals one pass, as with zlib.
  EXPECT_EQ(ctnn::crc32(v.data() + 400, 600, ctnn::crc32(v.data(), 400)),
            zlib_crc(v.data(), v.size()));
}

template <class T>
void arrays_match_zlib() {
  using word = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  std::mt19937_64 rng(7);
  std::array<T, 257> a;
  for (auto& x : a) x = std::bit_cast<T>(static_cast<word>(rng()));
  EXPECT_EQ(ctnn::crc32(a), zlib_crc(a.data(), sizeof(a)));
}

TEST(crc32, float_arrays_match_zlib) {
  arrays_match_zlib<float>();
}
TEST(crc32, double_arrays_match_zlib) {
  arrays_match_zlib<double>();
}

TEST(crc32, constexpr_equals_run_time) {
  constexpr std::array<float, 4> a{1.0f, -0.0f, 3.5e-40f, 1e30f};
  constexpr std::uint32_t at_compile_time = ctnn::crc32(a);
  EXPECT_EQ(at_compile_time, zlib_crc(a.data(), sizeof(a)));
}

}  // namespace
