// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Stand-in parameters for models::mlp_small until trained ones are exported: computed at
/// compile time (seeded splitmix64, He-uniform weights ±sqrt(6 / fan_in), zero biases).
/// It defines exactly what a generated weights/mlp_small_weights.hpp defines (see
/// docs/firmware.md), so the firmware switches by include only. Untrained: expect chance
/// accuracy (~10%).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ctnn/crc32.hpp"
#include "models/mlp_small.hpp"

namespace fw::init {

/// splitmix64: a tiny, well-mixed, constexpr generator.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// sqrt by Newton's method in double; exact enough for a scale factor, and deterministic.
constexpr double sqrt_newton(double v) noexcept {
  double r = v > 1.0 ? v : 1.0;
  for (int i = 0; i < 64; ++i) r = 0.5 * (r + v / r);
  return r;
}

/// Every layer's weights uniform in ±sqrt(6 / fan_in), biases zero, in the frozen layout.
template <class Net>
constexpr typename Net::parameters he_uniform(std::uint64_t seed) noexcept {
  typename Net::parameters p{};
  std::uint64_t state = seed;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using layer = typename Net::template layer<I + 1>;
          const double limit = sqrt_newton(6.0 / double(layer::fan_in));
          const std::size_t offset = Net::template parameter_offset<I + 1>;
          for (std::size_t k = 0; k < layer::weight_count; ++k) {
            const double u = double(splitmix64(state) >> 11) * 0x1.0p-53;  // [0, 1)
            p.values[offset + k] = float((2.0 * u - 1.0) * limit);
          }
          for (std::size_t k = 0; k < layer::bias_count; ++k)
            p.values[offset + layer::weight_count + k] = 0.0f;
        }(),
        ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
  return p;
}

}  // namespace fw::init

namespace models::mlp_small_weights {

using model = models::mlp_small;
inline constexpr std::string_view model_name = "mlp_small";
inline constexpr std::string_view signature =
    "ctnn1|f32|fused|in(1x1x784)|dense(32,relu)|dense(10,softmax)";
static_assert(signature == model::signature,
              "mlp_small_init.hpp: these parameters were made for another architecture");
inline constexpr std::string_view dataset = "none (untrained, seeded initialisation)";
inline constexpr double test_accuracy = -1.0;  ///< unknown: not trained
inline constexpr model::parameters weights = fw::init::he_uniform<model>(20240501u);
inline constexpr std::uint32_t crc32 = ctnn::crc32(weights.values);

}  // namespace models::mlp_small_weights
