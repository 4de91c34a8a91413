// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Reader for the IDX files of MNIST and Fashion-MNIST (plain or gzip-compressed; zlib
/// reads both transparently). Host only; link ZLIB::ZLIB.
///
/// Format: big-endian u32 magic (0x00000803: u8 images with 3 dimensions, 0x00000801: u8
/// labels with 1), big-endian u32 sizes, then the bytes, nothing after them. Every
/// deviation throws data_error naming the file and the problem.
///
/// @code
/// ctnn::train::dataset train = ctnn::train::load_mnist_dir("/usr/share/datasets/fashion-mnist",
///                                                          "train");
/// @endcode
#include <zlib.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ctnn/train/data_error.hpp"
#include "ctnn/train/data/dataset.hpp"

namespace ctnn::train {
namespace detail {

/// Whole file, decompressed if it is gzip. Refuses missing, unreadable, corrupt or empty
/// files, and more than `limit` bytes (a decompression bomb must not exhaust memory).
inline std::vector<unsigned char> read_maybe_gz(const std::filesystem::path& path,
                                                std::size_t limit = std::size_t{1} << 32) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw data_error(name, "no such file");
  if (std::filesystem::is_directory(path, ec)) throw data_error(name, "is a directory");
  errno = 0;
  gzFile f = gzopen(name.c_str(), "rb");
  if (f == nullptr)
    throw data_error(
        name, std::string("cannot open: ") + (errno != 0 ? std::strerror(errno) : "out of memory"));
  std::vector<unsigned char> out;
  unsigned char buffer[1 << 16];
  for (;;) {
    const int n = gzread(f, buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      std::string message = gzerror(f, &code);
      gzclose(f);
      throw data_error(name, "cannot read (corrupt gzip data?): " + message);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > limit) {
      gzclose(f);
      throw data_error(name, "larger than " + std::to_string(limit) + " bytes");
    }
    out.insert(out.end(), buffer, buffer + n);
  }
  // gzread returns 0 at a truncated gzip stream's end too; gzclose reports it.
  int code = 0;
  const char* message = gzerror(f, &code);
  const std::string error = code != Z_OK && code != Z_STREAM_END ? message : "";
  if (gzclose(f) != Z_OK && error.empty())
    throw data_error(name, "truncated or corrupt gzip stream");
  if (!error.empty()) throw data_error(name, "truncated or corrupt gzip stream: " + error);
  if (out.empty()) throw data_error(name, "empty file");
  return out;
}

inline std::uint32_t read_be32(const unsigned char* p) noexcept {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
         std::uint32_t{p[3]};
}

inline std::string hex32(std::uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", v);
  return text;
}

}  // namespace detail

/// The images of an idx3-ubyte file: `count` images of rows × cols bytes, row-major.
struct idx_images {
  std::size_t count = 0, rows = 0, cols = 0;
  std::vector<unsigned char> pixels;
};

/// Reads an idx3-ubyte image file (magic 0x00000803).
inline idx_images read_idx_images(const std::filesystem::path& path) {
  const std::string name = path.string();
  const std::vector<unsigned char> bytes = detail::read_maybe_gz(path);
  // The magic first: a file of another kind gets the more useful message.
  const std::uint32_t magic = bytes.size() < 4 ? 0 : detail::read_be32(bytes.data());
  if (bytes.size() >= 4 && magic != 0x00000803u)
    throw data_error(name, "wrong magic " + detail::hex32(magic) +
                               " (an idx3-ubyte image file starts with 0x00000803)");
  if (bytes.size() < 16)
    throw data_error(name, "truncated: " + std::to_string(bytes.size()) +
                               " bytes, shorter than the 16-byte idx3 header");
  idx_images images;
  images.count = detail::read_be32(bytes.data() + 4);
  images.rows = detail::read_be32(bytes.data() + 8);
  images.cols = detail::read_be32(bytes.data() + 12);
  if (images.rows == 0 || images.cols == 0)
    throw data_error(
        name, "images of size " + std::to_string(images.rows) + "x" + std::to_string(images.cols));
  if (images.count == 0) throw data_error(name, "holds no images");
  // rows·cols < 2^64; the product with count is only formed once it cannot overflow.
  const std::size_t image_bytes = images.rows * images.cols;
  const std::size_t have = bytes.size() - 16;
  const bool too_few = images.count > have / image_bytes;
  if (too_few || images.count * image_bytes != have)
    throw data_error(name, std::string(too_few ? "truncated" : "trailing data") + ": header says " +
                               std::to_string(images.count) + " images of " +
                               std::to_string(images.rows) + "x" + std::to_string(images.cols) +
                               " but the file holds " + std::to_string(have) + " pixel bytes");
  images.pixels.assign(bytes.begin() + 16, bytes.end());
  return images;
}

/// Reads an idx1-ubyte label file (magic 0x00000801).
inline std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path) {
  const std::string name = path.string();
  const std::vector<unsigned char> bytes = detail::read_maybe_gz(path);
  // The magic first: a file of another kind gets the more useful message.
  const std::uint32_t magic = bytes.size() < 4 ? 0 : detail::read_be32(bytes.data());
  if (bytes.size() >= 4 && magic != 0x00000801u)
    throw data_error(name, "wrong magic " + detail::hex32(magic) +
                               " (an idx1-ubyte label file starts with 0x00000801)");
  if (bytes.size() < 8)
    throw data_error(name, "truncated: " + std::to_string(bytes.size()) +
                               " bytes, shorter than the 8-byte idx1 header");
  const std::size_t count = detail::read_be32(bytes.data() + 4);
  if (count == 0) throw data_error(name, "holds no labels");
  if (count != bytes.size() - 8)
    throw data_error(name, std::string(count > bytes.size() - 8 ? "truncated" : "trailing data") +
                               ": header says " + std::to_string(count) +
                               " labels but the file holds " + std::to_string(bytes.size() - 8));
  return {bytes.begin() + 8, bytes.end()};
}

/// Pairs an image file with a label file: features = rows·cols, x = raw pixel values
/// 0..255 as floats (scale with preprocess.hpp), labels checked to be < `classes`.
inline dataset load_idx(const std::filesystem::path& images_path,
                        const std::filesystem::path& labels_path, std::size_t classes = 10,
                        std::string name = {}) {
  idx_images images = read_idx_images(images_path);
  const std::vector<std::uint8_t> labels = read_idx_labels(labels_path);
  if (labels.size() != images.count)
    throw data_error(labels_path.string(), "holds " + std::to_string(labels.size()) +
                                               " labels but " + images_path.string() + " holds " +
                                               std::to_string(images.count) + " images");
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= classes)
      throw data_error(labels_path.string(),
                       "label " + std::to_string(labels[i]) + " of sample " + std::to_string(i) +
                           " is out of range (expected 0.." + std::to_string(classes - 1) + ")");
  dataset d;
  d.name = name.empty() ? images_path.string() : std::move(name);
  d.features = images.rows * images.cols;
  d.classes = classes;
  d.x.assign(images.pixels.begin(), images.pixels.end());
  d.y.assign(labels.begin(), labels.end());
  return d;
}

/// `dir/<file>` or else `dir/<file>.gz`; data_error if neither exists.
inline std::filesystem::path find_maybe_gz(const std::filesystem::path& dir,
                                           const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw data_error(dir.string(), "not a directory");
  for (const std::filesystem::path& p : {dir / file, dir / (file + ".gz")})
    if (std::filesystem::exists(p, ec)) return p;
  throw data_error(dir.string(), "holds neither " + file + " nor " + file + ".gz");
}

/// One half of an MNIST-layout directory: `part` is "train" or "t10k"
/// (<part>-images-idx3-ubyte[.gz] and <part>-labels-idx1-ubyte[.gz]).
inline dataset load_mnist_dir(const std::filesystem::path& dir, const std::string& part,
                              std::size_t classes = 10) {
  // Images first, so a directory missing both files reports the images.
  const auto images = find_maybe_gz(dir, part + "-images-idx3-ubyte");
  const auto labels = find_maybe_gz(dir, part + "-labels-idx1-ubyte");
  const auto base = dir.filename().empty() ? dir.parent_path().filename() : dir.filename();
  return load_idx(images, labels, classes, base.string() + "/" + part);
}

/// Class names of Fashion-MNIST, for reports.
inline std::vector<std::string> fashion_mnist_class_names() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
}

}  // namespace ctnn::train
