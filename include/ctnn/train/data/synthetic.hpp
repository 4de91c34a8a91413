// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Synthetic 2-D classification sets — moons, circles, xor, spirals — for quick
/// experiments and tests. Each is defined by (samples, noise, seed) and is the same bits
/// on every platform: the points use only + − × ÷ (sines and cosines by a fixed Taylor
/// series, no libm), the noise comes from the seeded, portable ctnn::train::rng. Host only.
///
/// @code
/// ctnn::train::dataset train = ctnn::train::make_moons(1000, 0.1, /*seed=*/1);
/// @endcode
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ctnn/train/data/dataset.hpp"
#include "ctnn/train/data_error.hpp"
#include "ctnn/train/rng.hpp"

namespace ctnn::train {
namespace detail {

/// The generators draw from the trainer's RNG (rng.hpp): portable bits, and its normal()
/// is a true N(0, 1).
using data_rng = ctnn::train::rng;

inline constexpr double pi = 3.141592653589793238462643383279502884;

/// sin and cos of t by range reduction to [−π, π] and a 30-term Taylor series: + − × ÷
/// only, so identical everywhere; accurate to a few ULP, plenty for data generation.
inline void sin_cos(double t, double& s, double& c) noexcept {
  const double turns = t / (2 * pi);
  const double k = static_cast<double>(static_cast<long long>(turns + (turns >= 0 ? 0.5 : -0.5)));
  t -= k * (2 * pi);
  double term_s = t, term_c = 1.0;
  s = term_s;
  c = term_c;
  const double t2 = t * t;
  for (int n = 1; n <= 30; ++n) {
    term_s *= -t2 / static_cast<double>((2 * n) * (2 * n + 1));
    term_c *= -t2 / static_cast<double>((2 * n - 1) * (2 * n));
    s += term_s;
    c += term_c;
  }
}

inline dataset empty_2d(std::string name, std::size_t classes, std::size_t samples) {
  dataset d;
  d.name = std::move(name);
  d.features = 2;
  d.classes = classes;
  d.x.reserve(2 * samples);
  d.y.reserve(samples);
  return d;
}

inline void push_point(dataset& d, double x, double y, std::uint32_t label, double noise,
                       data_rng& rng) {
  if (noise > 0) {
    x += noise * rng.normal();
    y += noise * rng.normal();
  }
  d.x.push_back(static_cast<float>(x));
  d.x.push_back(static_cast<float>(y));
  d.y.push_back(label);
}

/// t_i = span · i / (n − 1) (or / n if !endpoint), as numpy.linspace.
inline double linspace(double span, std::size_t i, std::size_t n, bool endpoint = true) {
  const std::size_t div = endpoint ? (n > 1 ? n - 1 : 1) : n;
  return span * static_cast<double>(i) / static_cast<double>(div);
}

}  // namespace detail

/// Two interleaving half circles (scikit-learn's make_moons): class 0 the upper moon
/// (cos t, sin t), class 1 the lower (1 − cos t, 0.5 − sin t), t in [0, π]; samples
/// alternate between the classes, plus N(0, noise²) on each coordinate.
inline dataset make_moons(std::size_t samples, double noise, std::uint64_t seed) {
  dataset d = detail::empty_2d("moons", 2, samples);
  detail::data_rng rng(seed);
  const std::size_t outer = (samples + 1) / 2, inner = samples / 2;
  for (std::size_t i = 0; i < samples; ++i) {
    const bool second = i % 2 == 1;
    const std::size_t k = i / 2;
    double s, c;
    detail::sin_cos(detail::linspace(detail::pi, k, second ? inner : outer), s, c);
    if (second)
      detail::push_point(d, 1 - c, 0.5 - s, 1, noise, rng);
    else
      detail::push_point(d, c, s, 0, noise, rng);
  }
  return d;
}

/// Two concentric circles (scikit-learn's make_circles): class 0 radius 1, class 1
/// radius `factor`; samples alternate, plus N(0, noise²) per coordinate.
inline dataset make_circles(std::size_t samples, double noise, std::uint64_t seed,
                            double factor = 0.5) {
  dataset d = detail::empty_2d("circles", 2, samples);
  detail::data_rng rng(seed);
  const std::size_t outer = (samples + 1) / 2, inner = samples / 2;
  for (std::size_t i = 0; i < samples; ++i) {
    const bool second = i % 2 == 1;
    double s, c;
    detail::sin_cos(detail::linspace(2 * detail::pi, i / 2, second ? inner : outer, false), s, c);
    const double r = second ? factor : 1.0;
    detail::push_point(d, r * c, r * s, second ? 1 : 0, noise, rng);
  }
  return d;
}

/// Points uniform in [−1, 1]²; class 1 where exactly one coordinate is positive
/// (decided before the noise is added).
inline dataset make_xor(std::size_t samples, double noise, std::uint64_t seed) {
  dataset d = detail::empty_2d("xor", 2, samples);
  detail::data_rng rng(seed);
  for (std::size_t i = 0; i < samples; ++i) {
    const double x = 2 * rng.uniform() - 1, y = 2 * rng.uniform() - 1;
    detail::push_point(d, x, y, (x > 0) != (y > 0) ? 1 : 0, noise, rng);
  }
  return d;
}

/// `classes` interleaved spiral arms (CS231n's toy set): sample i of arm k at radius
/// r = i / (n − 1) and angle 4k + 4r (radians), plus noise·N(0,1) on the angle.
inline dataset make_spirals(std::size_t samples, double noise, std::uint64_t seed,
                            std::size_t classes = 2) {
  if (classes < 2) throw data_error("spirals", "needs at least 2 classes");
  dataset d = detail::empty_2d("spirals", classes, samples);
  detail::data_rng rng(seed);
  const std::size_t per_arm = samples / classes;
  for (std::size_t i = 0; i < samples; ++i) {
    const std::size_t k = i % classes, j = i / classes;
    const double r = detail::linspace(1.0, j, per_arm + (k < samples % classes ? 1 : 0));
    double angle = 4.0 * static_cast<double>(k) + 4.0 * r;
    if (noise > 0) angle += noise * rng.normal();
    double s, c;
    detail::sin_cos(angle, s, c);
    d.x.push_back(static_cast<float>(r * s));
    d.x.push_back(static_cast<float>(r * c));
    d.y.push_back(static_cast<std::uint32_t>(k));
  }
  return d;
}

/// By name: "moons", "circles", "xor", "spirals"; nullopt for anything else.
inline std::optional<dataset> make_synthetic(std::string_view name, std::size_t samples,
                                             double noise, std::uint64_t seed) {
  if (name == "moons") return make_moons(samples, noise, seed);
  if (name == "circles") return make_circles(samples, noise, seed);
  if (name == "xor") return make_xor(samples, noise, seed);
  if (name == "spirals") return make_spirals(samples, noise, seed);
  return std::nullopt;
}

}  // namespace ctnn::train
