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
/// Reading checks, in order: the file exists, is a regular file and is not empty, the
/// magic, the version, the recorded size against the real size, the CRC, then that the
/// lengths add up, then every field's contents (validate_checkpoint: what a CRC cannot
/// vouch for, since a buggy or hostile writer computes a valid one); with an expected
/// network, its signature and scalar size. Each failure is a one-line data_error.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ctnn/parameters.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint_data.hpp"
#include "ctnn/train/io/file_checks.hpp"

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

/// Limits of validate_checkpoint().
inline constexpr std::uint64_t checkpoint_max_epochs = 1000000;  ///< the trainers' --epochs bound
inline constexpr std::size_t checkpoint_max_signature = 4096;
inline constexpr std::size_t checkpoint_max_metadata = std::size_t{16} << 20;

namespace detail {

/// The index of the first non-finite scalar in `bytes`, or npos.
template <class T>
std::size_t first_non_finite(const std::vector<unsigned char>& bytes, std::size_t from,
                             std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, bytes.data() + (from + i) * sizeof(T), sizeof(T));
    if (!std::isfinite(v)) return i;
  }
  return std::string::npos;
}

/// "" if the metadata's known keys have the types and ranges the writer gives them, else
/// the problem. Unknown keys are allowed (newer writers); so is empty metadata.
inline std::string metadata_problem(const std::string& text) {
  if (text.empty()) return "";
  if (text.size() > checkpoint_max_metadata) return "metadata larger than 16 MiB";
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "metadata is not valid JSON";
  if (!j.is_object()) return "metadata is not a JSON object";
  auto is_count = [](const nlohmann::json& v) { return v.is_number_unsigned(); };
  auto is_real = [](const nlohmann::json& v) {
    return v.is_number() && std::isfinite(v.get<double>());
  };
  for (const char* key : {"program", "signature", "data", "dataset", "optimizer"})
    if (j.contains(key) && !j[key].is_string())
      return std::string("metadata field '") + key + "' is not a string";
  for (const char* key : {"train_samples", "validation_samples", "batch", "epochs", "seed"})
    if (j.contains(key) && !is_count(j[key]))
      return std::string("metadata field '") + key + "' is not a non-negative integer";
  if (j.contains("standardize") && !j["standardize"].is_boolean())
    return "metadata field 'standardize' is not true or false";
  if (j.contains("lr") && !(is_real(j["lr"]) && j["lr"].get<double>() > 0))
    return "metadata field 'lr' is not a positive number";
  if (j.contains("test_accuracy") &&
      !(is_real(j["test_accuracy"]) && j["test_accuracy"].get<double>() >= 0 &&
        j["test_accuracy"].get<double>() <= 1))
    return "metadata field 'test_accuracy' is not a number in [0, 1]";
  if (j.contains("standardization")) {
    const auto& st = j["standardization"];
    if (!st.is_object() || !st.contains("mean") || !st.contains("std") || !st["mean"].is_array() ||
        !st["std"].is_array())
      return "metadata field 'standardization' is not {mean: [...], std: [...]}";
    for (const auto& v : st["mean"])
      if (!is_real(v)) return "metadata field 'standardization.mean' holds a non-number";
    for (const auto& v : st["std"])
      if (!is_real(v) || v.get<double>() < 0)
        return "metadata field 'standardization.std' holds a negative or non-number";
  }
  if (j.contains("history")) {
    if (!j["history"].is_array()) return "metadata field 'history' is not an array";
    for (const auto& e : j["history"]) {
      if (!e.is_object() || !e.contains("epoch") || !is_count(e["epoch"]) ||
          e["epoch"].get<std::uint64_t>() > checkpoint_max_epochs)
        return "metadata 'history' holds an entry without a valid epoch number";
      for (const char* key : {"train_loss", "train_accuracy", "validation_loss",
                              "validation_accuracy", "learning_rate", "seconds"})
        if (e.contains(key) && !e[key].is_null() && !e[key].is_number())
          return std::string("metadata 'history' field '") + key + "' is not a number";
    }
  }
  return "";
}

}  // namespace detail

/// Checks the contents of a decoded checkpoint (the structure is decode_checkpoint's
/// job): the signature is printable text, the optimiser kind is known and has its number
/// of moment vectors, epoch ≤ 10^6 and epoch ≤ step ≤ epoch·2^32 (every epoch takes at
/// least one step), parameters and optimiser moments are finite, and the metadata's known JSON
/// fields have their types and ranges. Throws a one-line data_error naming `name` and the field.
inline void validate_checkpoint(const checkpoint_data& c, const std::string& name) {
  if (c.signature.empty() || c.signature.size() > checkpoint_max_signature ||
      printable(c.signature, checkpoint_max_signature) != c.signature)
    throw data_error(name, "invalid signature (empty, too long or not printable text)");
  if (c.optimizer > 3)
    throw data_error(name, "unknown optimiser kind " + std::to_string(c.optimizer));
  const std::uint32_t slots = c.optimizer == 3 ? 2 : c.optimizer == 2 ? 1 : 0;
  if (c.optimizer_slots != slots)
    throw data_error(name, "optimiser kind " + std::to_string(c.optimizer) + " stores " +
                               std::to_string(slots) + " moment vectors, not " +
                               std::to_string(c.optimizer_slots));
  if (c.epoch > checkpoint_max_epochs)
    throw data_error(name, "epoch count " + std::to_string(c.epoch) + " is beyond " +
                               std::to_string(checkpoint_max_epochs));
  if (c.step < c.epoch || (c.epoch == 0 && c.step != 0) || c.step / 4294967296u > c.epoch)
    throw data_error(name, "step count " + std::to_string(c.step) + " does not fit " +
                               std::to_string(c.epoch) + " epochs");
  if (c.scalar_bytes != 4 && c.scalar_bytes != 8)
    throw data_error(name, "invalid scalar size " + std::to_string(c.scalar_bytes));
  const std::size_t count = c.parameters.size() / c.scalar_bytes;
  if (c.parameters.size() % c.scalar_bytes != 0 ||
      c.optimizer_state.size() != c.optimizer_slots * c.parameters.size())
    throw data_error(name, "inconsistent section lengths");
  auto non_finite = [&](const std::vector<unsigned char>& b, std::size_t from) {
    return c.scalar_bytes == 4 ? detail::first_non_finite<float>(b, from, count)
                               : detail::first_non_finite<double>(b, from, count);
  };
  if (const std::size_t i = non_finite(c.parameters, 0); i != std::string::npos)
    throw data_error(name, "parameter " + std::to_string(i) +
                               " is not finite (NaN or Inf): the run it comes from diverged");
  for (std::uint32_t s = 0; s < c.optimizer_slots; ++s)
    if (const std::size_t i = non_finite(c.optimizer_state, s * count); i != std::string::npos)
      throw data_error(name, "optimiser moment " + std::to_string(s + 1) + " of parameter " +
                                 std::to_string(i) + " is not finite (NaN or Inf)");
  if (const std::string problem = detail::metadata_problem(c.metadata); !problem.empty())
    throw data_error(name, problem);
}

/// Reads, decodes and validates a checkpoint file (at most `limit` bytes; only a regular
/// file is read).
inline checkpoint_data read_checkpoint(const std::filesystem::path& path,
                                       std::uint64_t limit = std::uint64_t{4} << 30) {
  const std::string name = path.string();
  const std::vector<unsigned char> bytes = input_file(path).read_all(limit);
  checkpoint_data c = decode_checkpoint(bytes.data(), bytes.size(), name);
  validate_checkpoint(c, name);
  return c;
}

/// Reads a checkpoint and refuses it unless it was written for `Net` (same signature, so
/// same architecture, scalar type and numeric mode, and the same parameter count).
template <class Net>
checkpoint_data read_checkpoint_for(const std::filesystem::path& path) {
  // The largest file `Net` can have: 16 moment vectors (decode's bound) and full metadata.
  constexpr std::uint64_t limit = checkpoint_header_bytes + checkpoint_max_signature +
                                  17 * std::uint64_t{Net::parameter_bytes} +
                                  checkpoint_max_metadata + 4;
  checkpoint_data c = read_checkpoint(path, limit);
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
