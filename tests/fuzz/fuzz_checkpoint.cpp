// SPDX-License-Identifier: MIT
// libFuzzer target: the checkpoint decoder (decode_checkpoint in
// include/ctnn/train/io/checkpoint.hpp). Input: one selector byte, then the file image. With
// bit 0 set the harness first writes the true size into the header and a correct CRC-32
// at the end, so mutations get past those two checks and reach the section-length logic.
// Property: whatever decodes re-encodes to the same bytes (the reserved field aside).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ctnn/train/io/checkpoint.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool fix_up = data[0] & 1;
  std::vector<unsigned char> bytes(data + 1, data + size);
  if (fix_up && bytes.size() >= ctnn::train::checkpoint_header_bytes + 4) {
    const std::uint64_t n = bytes.size();
    for (std::size_t i = 0; i < 8; ++i) bytes[16 + i] = static_cast<unsigned char>(n >> (8 * i));
    const std::uint32_t crc = ctnn::train::detail::crc32_of(bytes.data(), bytes.size() - 4);
    for (std::size_t i = 0; i < 4; ++i)
      bytes[bytes.size() - 4 + i] = static_cast<unsigned char>(crc >> (8 * i));
  }
  ctnn_fuzz::expect_only_data_error([&] {
    const ctnn::train::checkpoint_data c =
        ctnn::train::decode_checkpoint(bytes.data(), bytes.size(), "fuzz.ckpt");
    std::vector<unsigned char> again = ctnn::train::encode_checkpoint(c);
    std::vector<unsigned char> original = bytes;
    std::memset(original.data() + 12, 0, 4);  // reserved: not kept by the decoder
    std::memset(original.data() + original.size() - 4, 0, 4);
    std::memset(again.data() + again.size() - 4, 0, 4);  // CRCs differ with the reserved field
    ctnn_fuzz::require(again == original, "decode then encode does not reproduce the file");
  });
  return 0;
}
