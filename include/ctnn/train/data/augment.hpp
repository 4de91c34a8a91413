// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Data augmentation of training images: a random horizontal flip and a random
/// translation by up to ±N pixels in each direction (zero fill), drawn anew for every
/// sample of every optimiser step. Host only.
///
/// @code
/// ctnn::train::options o;
/// o.augment = *ctnn::train::parse_augmentation("flip,shift2");  // --augment flip,shift2
/// @endcode
///
/// Contract:
/// - Images only: the trainer refuses an augmentation for a network whose input is not
///   an image (height and width > 1) with a one-line std::invalid_argument.
/// - What is transformed is the network's input (after --scale and --standardize), and a
///   pixel shifted in from outside the image is 0 in every channel.
/// - The choice for a sample comes from a counter-based hash of (a key the trainer draws
///   from its RNG once per optimiser step, the sample's position in the epoch's order),
///   like dropout's masks: a run is deterministic given the seed, independent of the
///   thread and shard counts, and resumes exactly from a checkpoint (the key is drawn
///   from the checkpointed RNG). With no augmentation no key is drawn, so such runs keep
///   the bits they had before augmentation existed.
/// - Evaluation (trainer::evaluate) and trainer::gradient see the images unchanged.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ctnn::train {

/// Which random transformations training images get (all off: none).
struct augmentation {
  bool flip = false;      ///< mirror left-right with probability 1/2
  std::size_t shift = 0;  ///< translate by dy, dx uniform in [−shift, shift] each
  static constexpr std::size_t max_shift = 8;

  bool active() const noexcept { return flip || shift > 0; }
  bool operator==(const augmentation&) const = default;
};

/// One sample's transformation: out(y, x) = in'(y − dy, x − dx), in' = in mirrored when
/// `flip`, 0 outside the image.
struct image_transform {
  bool flip = false;
  int dy = 0, dx = 0;
  bool operator==(const image_transform&) const = default;
};

/// "none", or a comma-separated list of "flip" and "shiftN" (N = 1…8, e.g. "flip,shift2"),
/// each at most once; nullopt for anything else.
inline std::optional<augmentation> parse_augmentation(std::string_view s) {
  augmentation a;
  if (s == "none") return a;
  bool seen_flip = false, seen_shift = false;
  while (true) {
    const std::size_t comma = s.find(',');
    const std::string_view item = s.substr(0, comma);
    if (item == "flip" && !seen_flip) {
      a.flip = seen_flip = true;
    } else if (item.size() == 6 && item.substr(0, 5) == "shift" && !seen_shift && item[5] >= '1' &&
               item[5] <= '0' + int{augmentation::max_shift}) {
      a.shift = static_cast<std::size_t>(item[5] - '0');
      seen_shift = true;
    } else {
      return std::nullopt;
    }
    if (comma == std::string_view::npos) return a;
    s.remove_prefix(comma + 1);
  }
}

/// The spelling parse_augmentation() reads back: "none", "flip", "shift2", "flip,shift2".
inline std::string to_string(const augmentation& a) {
  std::string s;
  if (a.flip) s = "flip";
  if (a.shift > 0) s += (s.empty() ? "shift" : ",shift") + std::to_string(a.shift);
  return s.empty() ? "none" : s;
}

namespace detail {
/// splitmix64's finaliser (a bijection with good avalanche), as dropout's masks use.
constexpr std::uint64_t augment_mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace detail

/// The transformation of the sample at `position` of the epoch's order in the step with
/// `key`: flip from bit 0 of a hash of (key, position), dx from bits 1…31 and dy from bits
/// 32…63, each modulo 2·shift + 1 (a bias below 2^-27 for shift ≤ 8).
constexpr image_transform draw_transform(const augmentation& a, std::uint64_t key,
                                         std::size_t position) noexcept {
  const std::uint64_t h = detail::augment_mix(
      key ^ detail::augment_mix(std::uint64_t{position} + 0x632be59bd9b4e019ull));
  image_transform t;
  t.flip = a.flip && (h & 1u) != 0;
  if (a.shift > 0) {
    const std::uint64_t n = 2 * std::uint64_t{a.shift} + 1;
    const int s = static_cast<int>(a.shift);
    t.dx = static_cast<int>(((h >> 1) & 0x7fffffffu) % n) - s;
    t.dy = static_cast<int>((h >> 32) % n) - s;
  }
  return t;
}

/// Writes `t` applied to the height × width × channels image `in` (row-major, channels
/// last) into `out` (same shape, not overlapping `in`), converting each value to Out.
template <class In, class Out>
constexpr void apply_transform(const image_transform& t, const In* in, Out* out, std::size_t height,
                               std::size_t width, std::size_t channels) noexcept {
  const auto h = static_cast<std::ptrdiff_t>(height), w = static_cast<std::ptrdiff_t>(width);
  for (std::ptrdiff_t y = 0; y < h; ++y)
    for (std::ptrdiff_t x = 0; x < w; ++x) {
      Out* o = out + static_cast<std::size_t>(y * w + x) * channels;
      const std::ptrdiff_t sy = y - t.dy, sx0 = x - t.dx;
      if (sy < 0 || sy >= h || sx0 < 0 || sx0 >= w) {
        for (std::size_t c = 0; c < channels; ++c) o[c] = Out(0);
        continue;
      }
      const std::ptrdiff_t sx = t.flip ? w - 1 - sx0 : sx0;
      const In* i = in + static_cast<std::size_t>(sy * w + sx) * channels;
      for (std::size_t c = 0; c < channels; ++c) o[c] = Out(i[c]);
    }
}

}  // namespace ctnn::train
