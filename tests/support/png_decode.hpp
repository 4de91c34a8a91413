// SPDX-License-Identifier: MIT
#pragma once

// A minimal PNG decoder for the tests, written from the PNG specification independently of
// the report's encoder: 8-bit greyscale, RGB or RGBA, non-interlaced, all five filters,
// CRCs checked. Returns RGBA pixels; throws std::runtime_error on anything else.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace ctnn_test {

struct rgba_image {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // width × height × 4
  const std::uint8_t* at(std::uint32_t x, std::uint32_t y) const {
    return rgba.data() + (static_cast<std::size_t>(y) * width + x) * 4;
  }
};

inline rgba_image decode_png(const std::vector<std::uint8_t>& f) {
  auto be32 = [&](std::size_t i) {
    return std::uint32_t{f[i]} << 24 | std::uint32_t{f[i + 1]} << 16 |
           std::uint32_t{f[i + 2]} << 8 | f[i + 3];
  };
  static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (f.size() < 8 || !std::equal(signature, signature + 8, f.begin()))
    throw std::runtime_error("png: bad signature");
  rgba_image im;
  int colour = -1, channels = 0;
  std::vector<std::uint8_t> idat;
  bool ended = false;
  for (std::size_t i = 8; !ended;) {
    if (i + 12 > f.size()) throw std::runtime_error("png: truncated chunk");
    const std::uint32_t length = be32(i);
    if (i + 12 + length > f.size()) throw std::runtime_error("png: truncated chunk data");
    const std::string type(f.begin() + static_cast<std::ptrdiff_t>(i + 4),
                           f.begin() + static_cast<std::ptrdiff_t>(i + 8));
    const std::uint8_t* data = f.data() + i + 8;
    const uLong crc = crc32(0L, f.data() + i + 4, length + 4);
    if (crc != be32(i + 8 + length)) throw std::runtime_error("png: CRC mismatch in " + type);
    if (type == "IHDR") {
      im.width = be32(i + 8);
      im.height = be32(i + 12);
      colour = data[9];
      if (data[8] != 8 || data[12] != 0) throw std::runtime_error("png: not 8-bit non-interlaced");
      channels = colour == 0 ? 1 : colour == 2 ? 3 : colour == 6 ? 4 : 0;
      if (channels == 0) throw std::runtime_error("png: unsupported colour type");
    } else if (type == "IDAT") {
      idat.insert(idat.end(), data, data + length);
    } else if (type == "IEND") {
      ended = true;
    }
    i += 12 + length;
  }
  const std::size_t stride =
      static_cast<std::size_t>(im.width) * static_cast<std::size_t>(channels);
  std::vector<std::uint8_t> raw((stride + 1) * im.height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, idat.data(), idat.size()) != Z_OK || raw_size != raw.size())
    throw std::runtime_error("png: bad image data");
  std::vector<std::uint8_t> prev(stride, 0), line(stride);
  im.rgba.resize(static_cast<std::size_t>(im.width) * im.height * 4);
  for (std::uint32_t y = 0; y < im.height; ++y) {
    const std::uint8_t* in = raw.data() + y * (stride + 1);
    const int filter = in[0];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<std::size_t>(channels)
                        ? line[x - static_cast<std::size_t>(channels)]
                        : 0;
      const int b = prev[x];
      const int c = x >= static_cast<std::size_t>(channels)
                        ? prev[x - static_cast<std::size_t>(channels)]
                        : 0;
      int predictor = 0;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) / 2;
          break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw std::runtime_error("png: bad filter type");
      }
      line[x] = static_cast<std::uint8_t>(in[1 + x] + predictor);
    }
    for (std::uint32_t x = 0; x < im.width; ++x) {
      std::uint8_t* out = im.rgba.data() + (static_cast<std::size_t>(y) * im.width + x) * 4;
      const std::uint8_t* px =
          line.data() + static_cast<std::size_t>(x) * static_cast<std::size_t>(channels);
      out[0] = px[0];
      out[1] = channels >= 3 ? px[1] : px[0];
      out[2] = channels >= 3 ? px[2] : px[0];
      out[3] = channels == 4 ? px[3] : 255;
    }
    prev.swap(line);
  }
  return im;
}

inline rgba_image read_png(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("png: cannot open " + p.string());
  return decode_png({std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
}

}  // namespace ctnn_test
