// SPDX-License-Identifier: MIT
// Writes the checkpoint of the folded-export test: random parameters, positive running
// variances.
#include <cstdio>
#include <random>

#include "ctnn/train/io/checkpoint.hpp"
#include "export_bn_model.hpp"

using model = ctnn_test::export_bn_model;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_bn_checkpoint OUT\n");
    return 2;
  }
  model::parameters p{};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f), var(0.05f, 3.0f);
  for (float& v : p.values) v = u(rng);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = model::layer<I + 1>;
          if constexpr (requires { L::variance_offset; })
            for (std::size_t c = 0; c < L::channels; ++c)
              p.values[model::parameter_offset<I + 1> + L::variance_offset + c] = var(rng);
        }(),
        ...);
  }
  (std::make_index_sequence<model::layer_count>{});
  try {
    ctnn::train::write_checkpoint(argv[1], ctnn::train::parameters_checkpoint<model>(
                                               p, R"({"dataset":"synthetic-export-test"})"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
