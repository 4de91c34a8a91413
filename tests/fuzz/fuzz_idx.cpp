// SPDX-License-Identifier: MIT
// libFuzzer target: the IDX reader (include/ctnn/train/data/idx.hpp), images and labels, plain
// and gzip. Input layout: one selector byte, then the file (or, for the pair mode, two).
//   bit 0   0: read_idx_images, 1: read_idx_labels
//   bit 1   gzip the file first, so the parser behind zlib's path gets well-formed streams
//           (raw inputs still reach zlib through the gzip seeds: gzopen reads both)
//   bit 2   pair mode: load_idx(images, labels, classes); the next two bytes (big-endian)
//           give the image file's length, the rest is the label file; classes = 1 + bits
//           3..6 of the selector
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ctnn/train/data/idx.hpp"
#include "fuzz_support.hpp"

namespace {

std::vector<std::uint8_t> gzip(const std::uint8_t* data, std::size_t n) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper, as gzopen/gzwrite produce.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(n)));
  z.next_in = const_cast<std::uint8_t*>(data);
  z.avail_in = static_cast<uInt>(n);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ctnn_fuzz::memory_file first("fuzz-idx-a"), second("fuzz-idx-b");
  if (size < 1) return 0;
  const std::uint8_t selector = data[0];
  ++data;
  --size;
  const bool labels = selector & 1, compress = selector & 2, pair = selector & 4;

  auto hold = [&](ctnn_fuzz::memory_file& f, const std::uint8_t* p, std::size_t n) {
    if (!compress) return f.hold(p, n);
    const std::vector<std::uint8_t> z = gzip(p, n);
    return f.hold(z.data(), z.size());
  };

  if (!pair) {
    const std::string& path = hold(first, data, size);
    ctnn_fuzz::expect_only_data_error([&] {
      if (labels) {
        const auto l = ctnn::train::read_idx_labels(path);
        ctnn_fuzz::require(!l.empty(), "read_idx_labels returned no labels");
      } else {
        const auto im = ctnn::train::read_idx_images(path);
        ctnn_fuzz::require(im.count > 0 && im.pixels.size() == im.count * im.rows * im.cols,
                           "read_idx_images: pixel count disagrees with the header");
      }
    });
    return 0;
  }
  if (size < 2) return 0;
  std::size_t image_bytes = std::size_t{data[0]} << 8 | data[1];
  data += 2;
  size -= 2;
  if (image_bytes > size) image_bytes = size;
  const std::size_t classes = 1 + ((selector >> 3) & 15);
  const std::string& images_path = hold(first, data, image_bytes);
  const std::string& labels_path = hold(second, data + image_bytes, size - image_bytes);
  ctnn_fuzz::expect_only_data_error([&] {
    const ctnn::train::dataset d = ctnn::train::load_idx(images_path, labels_path, classes);
    ctnn_fuzz::require(d.size() == d.y.size() && d.x.size() == d.size() * d.features,
                       "load_idx: sample counts disagree");
    for (std::uint32_t y : d.y) ctnn_fuzz::require(y < classes, "load_idx: label out of range");
  });
  return 0;
}
