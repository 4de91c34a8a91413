// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The checkpoint file: `checkpoint_data` as a versioned, CRC-checked binary file, written
/// atomically. It is also the trained-parameters file the exporter reads. Host only
/// (POSIX); link ZLIB::ZLIB.
///
/// Format, version 1 (all integers little-endian):
///
///   offset size
///        0    8  magic "CTNNCKPT"
///        8    4  u32 version (1)
///       12    4  u32 reserved (0)
///       16    8  u64 file size in bytes, CRC included (detects truncation before the CRC)
///       24    4  u32 scalar_bytes (4: float, 8: double)
///       28    4  u32 optimizer
///       32    4  u32 optimizer_slots
///       36    4  u32 signature length S
///       40    8  u64 parameter count P (in scalars)
///       48    8  u64 epoch
///       56    8  u64 step
///       64   32  u64 rng[4]
///       96    8  u64 metadata length M
///      104    S  signature (Net::signature, UTF-8, no terminator)
///            P·scalar_bytes            parameters (IEEE-754, little-endian)
///            slots·P·scalar_bytes      optimiser state, slot after slot
///            M                         metadata (JSON text)
///      end-4  4  u32 CRC-32 (zlib's crc32) of every byte before it
///
/// Reading checks, in order: the file exists and is not empty, the magic, the version, the
/// recorded size against the real size, the CRC, then that the lengths add up; with an
/// expected network, its signature and scalar size. Each failure is a data_error.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ctnn/parameters.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint_data.hpp"
#include "ctnn/train/data_error.hpp"

namespace ctnn::train {

static_assert(std::endian::native == std::endian::little,
              "ctnn: the checkpoint writer stores scalars in native byte order, which must be "
              "little-endian");

inline constexpr std::string_view checkpoint_magic = "CTNNCKPT";
inline constexpr std::uint32_t checkpoint_version = 1;
inline constexpr std::size_t checkpoint_header_bytes = 104;

namespace detail {

/// Stores v little-endian at p; returns the byte after it.
template <class U>
unsigned char* put_le(unsigned char* p, U v) noexcept {
  for (std::size_t i = 0; i < sizeof(U); ++i) *p++ = static_cast<unsigned char>(v >> (8 * i));
  return p;
}

inline unsigned char* put_bytes(unsigned char* p, const void* data, std::size_t n) noexcept {
  if (n != 0) std::memcpy(p, data, n);
  return p + n;
}

template <class U>
U get_le(const unsigned char* p) noexcept {
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) v |= static_cast<U>(static_cast<U>(p[i]) << (8 * i));
  return v;
}

inline std::uint32_t crc32_of(const unsigned char* p, std::size_t n) noexcept {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  while (n > 0) {  // zlib takes uInt lengths
    const uInt chunk = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
    crc = ::crc32(crc, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace detail

/// The file image of `c` (see the format above). Throws std::invalid_argument if the
/// byte vectors' sizes disagree with the counts.
inline std::vector<unsigned char> encode_checkpoint(const checkpoint_data& c) {
  if (c.scalar_bytes != 4 && c.scalar_bytes != 8)
    throw std::invalid_argument("checkpoint: scalar_bytes must be 4 or 8");
  if (c.parameters.size() % c.scalar_bytes != 0)
    throw std::invalid_argument("checkpoint: parameter bytes are not whole scalars");
  const std::uint64_t count = c.parameters.size() / c.scalar_bytes;
  if (c.optimizer_state.size() != c.optimizer_slots * c.parameters.size())
    throw std::invalid_argument("checkpoint: optimizer_state is not optimizer_slots × parameters");
  const std::uint64_t size = checkpoint_header_bytes + c.signature.size() + c.parameters.size() +
                             c.optimizer_state.size() + c.metadata.size() + 4;
  std::vector<unsigned char> out(size);
  unsigned char* p =
      detail::put_bytes(out.data(), checkpoint_magic.data(), checkpoint_magic.size());
  p = detail::put_le<std::uint32_t>(p, checkpoint_version);
  p = detail::put_le<std::uint32_t>(p, 0);
  p = detail::put_le<std::uint64_t>(p, size);
  p = detail::put_le<std::uint32_t>(p, c.scalar_bytes);
  p = detail::put_le<std::uint32_t>(p, c.optimizer);
  p = detail::put_le<std::uint32_t>(p, c.optimizer_slots);
  p = detail::put_le<std::uint32_t>(p, static_cast<std::uint32_t>(c.signature.size()));
  p = detail::put_le<std::uint64_t>(p, count);
  p = detail::put_le<std::uint64_t>(p, c.epoch);
  p = detail::put_le<std::uint64_t>(p, c.step);
  for (std::uint64_t r : c.rng) p = detail::put_le<std::uint64_t>(p, r);
  p = detail::put_le<std::uint64_t>(p, c.metadata.size());
  p = detail::put_bytes(p, c.signature.data(), c.signature.size());
  p = detail::put_bytes(p, c.parameters.data(), c.parameters.size());
  p = detail::put_bytes(p, c.optimizer_state.data(), c.optimizer_state.size());
  p = detail::put_bytes(p, c.metadata.data(), c.metadata.size());
  detail::put_le<std::uint32_t>(p, detail::crc32_of(out.data(), size - 4));
  return out;
}

/// Parses a file image; `name` is the file name for messages.
inline checkpoint_data decode_checkpoint(const unsigned char* p, std::size_t n,
                                         const std::string& name) {
  if (n == 0) throw data_error(name, "empty file");
  if (n < checkpoint_magic.size() || std::string_view(reinterpret_cast<const char*>(p),
                                                      checkpoint_magic.size()) != checkpoint_magic)
    throw data_error(name, "not a ctnn checkpoint (wrong magic)");
  if (n < checkpoint_header_bytes + 4)
    throw data_error(name, "truncated: " + std::to_string(n) + " bytes, shorter than the header");
  const auto version = detail::get_le<std::uint32_t>(p + 8);
  if (version != checkpoint_version)
    throw data_error(name, "checkpoint format version " + std::to_string(version) +
                               " is not supported (this build reads version " +
                               std::to_string(checkpoint_version) + ")");
  const auto size = detail::get_le<std::uint64_t>(p + 16);
  if (size != n)
    throw data_error(name, std::string(size > n ? "truncated" : "trailing data") +
                               ": the header says " + std::to_string(size) +
                               " bytes but the file has " + std::to_string(n));
  const auto stored_crc = detail::get_le<std::uint32_t>(p + n - 4);
  if (stored_crc != detail::crc32_of(p, n - 4)) throw data_error(name, "corrupt: CRC-32 mismatch");

  checkpoint_data c;
  c.scalar_bytes = detail::get_le<std::uint32_t>(p + 24);
  c.optimizer = detail::get_le<std::uint32_t>(p + 28);
  c.optimizer_slots = detail::get_le<std::uint32_t>(p + 32);
  const std::uint64_t signature_length = detail::get_le<std::uint32_t>(p + 36);
  const auto count = detail::get_le<std::uint64_t>(p + 40);
  c.epoch = detail::get_le<std::uint64_t>(p + 48);
  c.step = detail::get_le<std::uint64_t>(p + 56);
  for (std::size_t i = 0; i < 4; ++i) c.rng[i] = detail::get_le<std::uint64_t>(p + 64 + 8 * i);
  const auto metadata_length = detail::get_le<std::uint64_t>(p + 96);
  if (c.scalar_bytes != 4 && c.scalar_bytes != 8)
    throw data_error(name, "invalid scalar size " + std::to_string(c.scalar_bytes));
  // The CRC matched, so these only fail for a file written by a broken writer; still, no
  // arithmetic below may overflow: every length is bounded by n first.
  const std::uint64_t body = n - checkpoint_header_bytes - 4;
  const bool fits = count <= body / c.scalar_bytes && c.optimizer_slots <= 16 &&
                    signature_length <= body && metadata_length <= body &&
                    signature_length + metadata_length +
                            count * c.scalar_bytes * (1 + std::uint64_t{c.optimizer_slots}) ==
                        body;
  if (!fits) throw data_error(name, "inconsistent section lengths");
  const unsigned char* q = p + checkpoint_header_bytes;
  c.signature.assign(reinterpret_cast<const char*>(q), signature_length);
  q += signature_length;
  c.parameters.assign(q, q + count * c.scalar_bytes);
  q += count * c.scalar_bytes;
  c.optimizer_state.assign(q, q + c.optimizer_slots * count * c.scalar_bytes);
  q += c.optimizer_slots * count * c.scalar_bytes;
  c.metadata.assign(reinterpret_cast<const char*>(q), metadata_length);
  return c;
}

/// Reads and validates a checkpoint file.
inline checkpoint_data read_checkpoint(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw data_error(name, "no such file");
  if (std::filesystem::is_directory(path, ec)) throw data_error(name, "is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw data_error(name, std::string("cannot open: ") + std::strerror(errno));
  const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in),
                                         std::istreambuf_iterator<char>()};
  if (in.bad()) throw data_error(name, "read error");
  return decode_checkpoint(bytes.data(), bytes.size(), name);
}

/// Reads a checkpoint and refuses it unless it was written for `Net` (same signature, so
/// same architecture, scalar type and numeric mode, and the same parameter count).
template <class Net>
checkpoint_data read_checkpoint_for(const std::filesystem::path& path) {
  checkpoint_data c = read_checkpoint(path);
  if (c.signature != Net::signature)
    throw data_error(path.string(), "checkpoint is for architecture '" + c.signature +
                                        "' but this program uses '" + std::string(Net::signature) +
                                        "'");
  if (c.scalar_bytes != sizeof(typename Net::scalar) || c.parameters.size() != Net::parameter_bytes)
    throw data_error(path.string(), "checkpoint holds " + std::to_string(c.parameters.size()) +
                                        " parameter bytes, expected " +
                                        std::to_string(Net::parameter_bytes));
  return c;
}

/// The parameters stored in a checkpoint of `Net` (e.g. for the exporter).
template <class Net>
typename Net::parameters load_parameters(const std::filesystem::path& path) {
  const checkpoint_data c = read_checkpoint_for<Net>(path);
  typename Net::parameters p{};
  std::memcpy(p.values.data(), c.parameters.data(), Net::parameter_bytes);
  return p;
}

/// Writes `c` to `path` atomically: a temporary file in the same directory, fsync,
/// rename over `path`, fsync of the directory. A crash at any moment leaves either the
/// old file or the new one, never a torn one. Throws data_error on failure (the
/// temporary file is removed).
inline void write_checkpoint(const std::filesystem::path& path, const checkpoint_data& c) {
  const std::vector<unsigned char> bytes = encode_checkpoint(c);
  write_file_atomically(path, bytes.data(), bytes.size());
}

/// A checkpoint holding only `p` (no optimiser state): the trained-parameters file.
template <class Net>
checkpoint_data parameters_checkpoint(const typename Net::parameters& p,
                                      std::string metadata = {}) {
  checkpoint_data c;
  c.signature = std::string(Net::signature);
  c.scalar_bytes = sizeof(typename Net::scalar);
  c.parameters.resize(Net::parameter_bytes);
  std::memcpy(c.parameters.data(), p.values.data(), Net::parameter_bytes);
  c.metadata = std::move(metadata);
  return c;
}

}  // namespace ctnn::train
