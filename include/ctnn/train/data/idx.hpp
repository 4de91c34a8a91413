// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Reader for the IDX files of MNIST and Fashion-MNIST (plain or gzip-compressed). Host
/// only; link ZLIB::ZLIB.
///
/// Format: big-endian u32 magic (0x00000803: u8 images with 3 dimensions, 0x00000801: u8
/// labels with 1), big-endian u32 sizes, then the bytes, nothing after them. Every
/// deviation throws data_error naming the file and the problem. Only regular files are
/// read; reading stops at the size the header declares (plus one byte to detect more),
/// so memory and time follow the declared data, whatever a gzip stream would inflate to.
///
/// @code
/// ctnn::train::dataset train = ctnn::train::load_mnist_dir("/usr/share/datasets/fashion-mnist",
///                                                          "train");
/// @endcode
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/io/file_checks.hpp"

namespace ctnn::train {
namespace detail {

/// A regular file read as a byte stream, inflated if it is gzip (magic 1f 8b; several
/// members are read one after another, as gzip does). Reading never goes beyond what the
/// caller asks for, so a caller that knows the expected size inflates at most one byte
/// more than it: a decompression bomb costs nothing. Bytes after a gzip member that are
/// not another member are an error ("trailing garbage"), as is a truncated stream.
class maybe_gz_stream {
 public:
  explicit maybe_gz_stream(const std::filesystem::path& path) : file_(path) {
    if (file_.size() == 0) throw data_error(file_.name(), "empty file");
    fill();
    gz_ = avail_ >= 2 && in_[0] == 0x1f && in_[1] == 0x8b;
    if (gz_ && inflateInit2(&z_, 15 + 16) != Z_OK)  // 15 + 16: gzip wrapper only
      throw data_error(file_.name(), "cannot read: zlib could not start (out of memory)");
  }
  maybe_gz_stream(const maybe_gz_stream&) = delete;
  maybe_gz_stream& operator=(const maybe_gz_stream&) = delete;
  ~maybe_gz_stream() {
    if (gz_) inflateEnd(&z_);
  }

  bool gz() const noexcept { return gz_; }
  /// Bytes of the file on disk (compressed size for gzip).
  std::uint64_t file_size() const noexcept { return file_.size(); }
  const std::string& name() const noexcept { return file_.name(); }

  /// Reads up to `n` bytes of data; fewer only at its end. data_error on corrupt,
  /// truncated or trailing-garbage gzip input.
  std::size_t read(unsigned char* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      if (avail_ == 0 && !eof_) fill();
      if (!gz_) {
        if (avail_ == 0) break;
        const std::size_t k = std::min(avail_, n - done);
        std::memcpy(out + done, in_.data() + pos_, k);
        pos_ += k;
        avail_ -= k;
        done += k;
        continue;
      }
      if (member_end_) {
        if (avail_ == 0) break;  // the end of the last member is the end of the file
        inflateReset(&z_);
        member_end_ = false;
        member_output_ = 0;
        ++members_;
      }
      z_.next_in = in_.data() + pos_;
      z_.avail_in = static_cast<uInt>(avail_);
      z_.next_out = out + done;
      z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n - done, 1u << 30));
      const uInt before_out = z_.avail_out;
      const int r = inflate(&z_, Z_NO_FLUSH);
      const std::size_t used = avail_ - z_.avail_in;
      pos_ += used;
      avail_ -= used;
      done += before_out - z_.avail_out;
      member_output_ += before_out - z_.avail_out;
      if (r == Z_STREAM_END) {
        member_end_ = true;
      } else if (r == Z_DATA_ERROR && members_ > 0 && member_output_ == 0) {
        throw data_error(name(), "trailing garbage after the gzip data");
      } else if (r == Z_BUF_ERROR && avail_ == 0 && eof_ && members_ > 0 && member_output_ == 0) {
        throw data_error(name(), "trailing garbage after the gzip data");  // a partial header
      } else if (r == Z_BUF_ERROR && avail_ == 0 && eof_) {
        throw data_error(name(), "truncated or corrupt gzip stream: unexpected end of file");
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        throw data_error(name(), std::string("truncated or corrupt gzip stream: ") +
                                     (z_.msg != nullptr ? z_.msg : "inflate failed"));
      }
    }
    return done;
  }

 private:
  void fill() {
    pos_ = 0;
    avail_ = file_.read(in_.data(), in_.size());
    eof_ = avail_ < in_.size();
  }

  input_file file_;
  std::vector<unsigned char> in_ = std::vector<unsigned char>(std::size_t{1} << 16);
  std::size_t pos_ = 0, avail_ = 0;
  bool eof_ = false, gz_ = false, member_end_ = false;
  std::size_t members_ = 0, member_output_ = 0;  ///< members after the first; output of this one
  z_stream z_{};
};

/// Reads exactly `n` bytes into `out` (grown as data arrives, so memory follows the real
/// data, never only the declared size); returns how many the stream held, at most `n`.
inline std::size_t read_declared(maybe_gz_stream& in, std::vector<unsigned char>& out,
                                 std::size_t n) {
  constexpr std::size_t chunk = std::size_t{1} << 24;
  out.clear();
  while (out.size() < n) {
    const std::size_t at = out.size();
    out.resize(at + std::min(chunk, n - at));
    const std::size_t got = in.read(out.data() + at, out.size() - at);
    out.resize(at + got);
    if (got == 0) break;
  }
  return out.size();
}

/// True if the stream holds more data (reads at most one byte).
inline bool has_more(maybe_gz_stream& in) {
  unsigned char extra;
  return in.read(&extra, 1) != 0;
}

/// Largest output of deflate per input byte (zlib's documented worst case is 1032:1).
inline constexpr std::uint64_t max_gzip_ratio = 1032;

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
  detail::maybe_gz_stream in(path);
  unsigned char header[16];
  const std::size_t got = in.read(header, sizeof header);
  // The magic first: a file of another kind gets the more useful message.
  const std::uint32_t magic = got < 4 ? 0 : detail::read_be32(header);
  if (got >= 4 && magic != 0x00000803u)
    throw data_error(name, "wrong magic " + detail::hex32(magic) +
                               " (an idx3-ubyte image file starts with 0x00000803)");
  if (got < 16)
    throw data_error(
        name, "truncated: " + std::to_string(got) + " bytes, shorter than the 16-byte idx3 header");
  idx_images images;
  images.count = detail::read_be32(header + 4);
  images.rows = detail::read_be32(header + 8);
  images.cols = detail::read_be32(header + 12);
  if (images.rows == 0 || images.cols == 0)
    throw data_error(
        name, "images of size " + std::to_string(images.rows) + "x" + std::to_string(images.cols));
  if (images.count == 0) throw data_error(name, "holds no images");
  // rows·cols < 2^64; the product with count is only formed once it cannot overflow. The
  // file size bounds what the data can be (for gzip: deflate's best ratio), so a header
  // that claims more is refused before anything is allocated.
  const std::size_t image_bytes = images.rows * images.cols;
  const std::uint64_t payload = in.file_size() - (in.gz() ? 0 : 16);
  const std::uint64_t possible = in.gz() ? in.file_size() * detail::max_gzip_ratio : payload;
  auto mismatch = [&](const char* what, std::uint64_t have) {
    return data_error(name, std::string(what) + ": header says " + std::to_string(images.count) +
                                " images of " + std::to_string(images.rows) + "x" +
                                std::to_string(images.cols) + " but the file holds " +
                                std::to_string(have) + " pixel bytes");
  };
  if (images.count > possible / image_bytes) throw mismatch("truncated", payload);
  const std::size_t declared = images.count * image_bytes;
  if (!in.gz() && declared != payload) throw mismatch("trailing data", payload);
  const std::size_t have = detail::read_declared(in, images.pixels, declared);
  if (have < declared) throw mismatch("truncated", have);
  if (detail::has_more(in))
    throw data_error(name, "trailing data: more than the " + std::to_string(declared) +
                               " pixel bytes the header declares");
  return images;
}

/// Reads an idx1-ubyte label file (magic 0x00000801).
inline std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path) {
  const std::string name = path.string();
  detail::maybe_gz_stream in(path);
  unsigned char header[8];
  const std::size_t got = in.read(header, sizeof header);
  // The magic first: a file of another kind gets the more useful message.
  const std::uint32_t magic = got < 4 ? 0 : detail::read_be32(header);
  if (got >= 4 && magic != 0x00000801u)
    throw data_error(name, "wrong magic " + detail::hex32(magic) +
                               " (an idx1-ubyte label file starts with 0x00000801)");
  if (got < 8)
    throw data_error(
        name, "truncated: " + std::to_string(got) + " bytes, shorter than the 8-byte idx1 header");
  const std::size_t count = detail::read_be32(header + 4);
  if (count == 0) throw data_error(name, "holds no labels");
  const std::uint64_t payload = in.file_size() - (in.gz() ? 0 : 8);
  const std::uint64_t possible = in.gz() ? in.file_size() * detail::max_gzip_ratio : payload;
  auto mismatch = [&](const char* what, std::uint64_t have) {
    return data_error(name, std::string(what) + ": header says " + std::to_string(count) +
                                " labels but the file holds " + std::to_string(have));
  };
  if (count > possible) throw mismatch("truncated", payload);
  if (!in.gz() && count != payload) throw mismatch("trailing data", payload);
  std::vector<unsigned char> labels;
  const std::size_t have = detail::read_declared(in, labels, count);
  if (have < count) throw mismatch("truncated", have);
  if (detail::has_more(in))
    throw data_error(name, "trailing data: more than the " + std::to_string(count) +
                               " labels the header declares");
  return labels;
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
  d.rows = images.rows;
  d.cols = images.cols;
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
