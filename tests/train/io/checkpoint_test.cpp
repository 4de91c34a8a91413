// SPDX-License-Identifier: MIT
#include "ctnn/train/io/checkpoint.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "test_files.hpp"

namespace {

using ctnn::train::data_error;
using ctnn_test::scratch_dir;
using small = ctnn::network<float, ctnn::input<3>, ctnn::dense<2, ctnn::relu>>;
using other = ctnn::network<float, ctnn::input<3>, ctnn::dense<2, ctnn::tanh>>;
using small_double = ctnn::network<double, ctnn::input<3>, ctnn::dense<2, ctnn::relu>>;

ctnn::train::checkpoint_data sample() {
  small::parameters p{};
  for (std::size_t i = 0; i < small::parameter_count; ++i) p.values[i] = 0.5f * i - 1;
  auto c = ctnn::train::parameters_checkpoint<small>(p, R"({"dataset":"x"})");
  c.optimizer = 3;
  c.optimizer_slots = 2;
  c.optimizer_state.assign(2 * small::parameter_bytes, 0);
  for (std::size_t i = 0; i < c.optimizer_state.size(); ++i)
    c.optimizer_state[i] = static_cast<unsigned char>(i * 7);
  c.epoch = 5;
  c.step = 1234;
  c.rng = {1, 0xffffffffffffffffull, 3, 0x123456789abcdefull};
  return c;
}

std::string error_of(const std::filesystem::path& p) {
  try {
    ctnn::train::read_checkpoint_for<small>(p);
  } catch (const data_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(checkpoint, header_layout_is_as_documented) {
  const auto c = sample();
  const auto b = ctnn::train::encode_checkpoint(c);
  ASSERT_EQ(b.size(), 104 + small::signature.size() + 8 * 4 + 2 * 8 * 4 + c.metadata.size() + 4);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "CTNNCKPT");
  EXPECT_EQ(b[8], 1);                        // version
  EXPECT_EQ(b[16], b.size() & 0xff);         // file size, little-endian
  EXPECT_EQ(b[24], 4);                       // scalar bytes
  EXPECT_EQ(b[28], 3);                       // optimiser
  EXPECT_EQ(b[40], small::parameter_count);  // parameter count
  EXPECT_EQ(b[56], 1234 & 0xff);             // step
  EXPECT_EQ(b[57], 1234 >> 8);
  EXPECT_EQ(std::string(b.begin() + 104, b.begin() + 104 + small::signature.size()),
            small::signature);
  float first;
  std::memcpy(&first, b.data() + 104 + small::signature.size(), 4);
  EXPECT_EQ(first, -1.0f);
  // CRC-32 of "123456789" is the standard check value 0xCBF43926; the trailer is zlib's
  // crc32 of every byte before it.
  const unsigned char digits[] = "123456789";
  EXPECT_EQ(ctnn::train::detail::crc32_of(digits, 9), 0xCBF43926u);
  std::uint32_t stored;
  std::memcpy(&stored, b.data() + b.size() - 4, 4);
  EXPECT_EQ(stored, ctnn::train::detail::crc32_of(b.data(), b.size() - 4));
}

TEST(checkpoint, round_trip_through_a_file) {
  scratch_dir dir;
  const auto c = sample();
  ctnn::train::write_checkpoint(dir / "a.ckpt", c);
  const auto r = ctnn::train::read_checkpoint_for<small>(dir / "a.ckpt");
  EXPECT_EQ(r.signature, c.signature);
  EXPECT_EQ(r.scalar_bytes, 4u);
  EXPECT_EQ(r.parameters, c.parameters);
  EXPECT_EQ(r.optimizer, 3u);
  EXPECT_EQ(r.optimizer_slots, 2u);
  EXPECT_EQ(r.optimizer_state, c.optimizer_state);
  EXPECT_EQ(r.epoch, 5u);
  EXPECT_EQ(r.step, 1234u);
  EXPECT_EQ(r.rng, c.rng);
  EXPECT_EQ(r.metadata, c.metadata);
  const auto p = ctnn::train::load_parameters<small>(dir / "a.ckpt");
  for (std::size_t i = 0; i < small::parameter_count; ++i) EXPECT_EQ(p.values[i], 0.5f * i - 1);
  // No temporary file is left behind; overwriting replaces the file.
  auto c2 = c;
  c2.epoch = 6;
  ctnn::train::write_checkpoint(dir / "a.ckpt", c2);
  EXPECT_EQ(ctnn::train::read_checkpoint(dir / "a.ckpt").epoch, 6u);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);
}

TEST(checkpoint, refuses_another_architecture_naming_both_signatures) {
  scratch_dir dir;
  other::parameters p{};
  ctnn::train::write_checkpoint(dir / "o.ckpt", ctnn::train::parameters_checkpoint<other>(p));
  EXPECT_EQ(error_of(dir / "o.ckpt"),
            (dir / "o.ckpt").string() + ": checkpoint is for architecture '" +
                std::string(other::signature) + "' but this program uses '" +
                std::string(small::signature) + "'");
  small_double::parameters d{};
  ctnn::train::write_checkpoint(dir / "d.ckpt",
                                ctnn::train::parameters_checkpoint<small_double>(d));
  EXPECT_NE(error_of(dir / "d.ckpt").find("ctnn1|f64|"), std::string::npos);
}

TEST(checkpoint, every_corruption_is_a_clear_error) {
  scratch_dir dir;
  const auto good = ctnn::train::encode_checkpoint(sample());
  const auto f = dir / "c.ckpt";
  const std::string name = f.string();

  auto b = good;
  b[0] = 'X';
  ctnn_test::write_bytes(f, b);
  EXPECT_EQ(error_of(f), name + ": not a ctnn checkpoint (wrong magic)");

  b = good;
  b[8] = 2;
  ctnn_test::write_bytes(f, b);
  EXPECT_EQ(error_of(f),
            name + ": checkpoint format version 2 is not supported (this build reads version 1)");

  b = good;
  b.resize(b.size() - 10);
  ctnn_test::write_bytes(f, b);
  EXPECT_NE(error_of(f).find(name + ": truncated: the header says"), std::string::npos);

  b = good;
  b.resize(50);
  ctnn_test::write_bytes(f, b);
  EXPECT_EQ(error_of(f), name + ": truncated: 50 bytes, shorter than the header");

  // Every single flipped bit in the body is caught (by the CRC, or the checks before it).
  for (std::size_t i = 24; i < good.size(); i += 7) {
    b = good;
    b[i] ^= 0x10;
    ctnn_test::write_bytes(f, b);
    EXPECT_NE(error_of(f), "no error") << "byte " << i;
  }
  b = good;
  b[good.size() / 2] ^= 1;
  ctnn_test::write_bytes(f, b);
  EXPECT_EQ(error_of(f), name + ": corrupt: CRC-32 mismatch");

  ctnn_test::write_bytes(f, {});
  EXPECT_EQ(error_of(f), name + ": empty file");
  EXPECT_EQ(error_of(dir / "none"), (dir / "none").string() + ": no such file");
}

TEST(checkpoint, unwritable_directory_is_a_clear_error) {
  scratch_dir dir;
  try {
    ctnn::train::write_checkpoint(dir / "missing" / "x.ckpt", sample());
    FAIL();
  } catch (const data_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create a temporary file"), std::string::npos);
  }
}

}  // namespace
