// SPDX-License-Identifier: MIT
// Writes the checkpoints of the folded-export test: random parameters, positive running
// variances (inside residual blocks too). `make_bn_checkpoint OUT [block]`: block writes
// export_block_bn_model's, else export_bn_model's.
#include <cstdio>
#include <random>
#include <string_view>

#include "ctnn/train/io/checkpoint.hpp"
#include "export_bn_model.hpp"

namespace {

/// Positive running variances for every batch_norm in Net's slice `p`.
template <class Net>
void positive_variances(float* p, std::mt19937& rng) {
  std::uniform_real_distribution<float> var(0.05f, 3.0f);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I + 1>;
          float* s = p + Net::template parameter_offset<I + 1>;
          if constexpr (requires { L::variance_offset; }) {
            for (std::size_t c = 0; c < L::channels; ++c) s[L::variance_offset + c] = var(rng);
          } else if constexpr (requires { typename L::body; }) {
            positive_variances<typename L::body>(s, rng);
          }
        }(),
        ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
}

template <class Model>
int write(const char* path) {
  typename Model::parameters p{};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& v : p.values) v = u(rng);
  positive_variances<Model>(p.values.data(), rng);
  try {
    ctnn::train::write_checkpoint(path, ctnn::train::parameters_checkpoint<Model>(
                                            p, R"({"dataset":"synthetic-export-test"})"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2) return write<ctnn_test::export_bn_model>(argv[1]);
  if (argc == 3 && std::string_view(argv[2]) == "block")
    return write<ctnn_test::export_block_bn_model>(argv[1]);
  std::fprintf(stderr, "usage: make_bn_checkpoint OUT [block]\n");
  return 2;
}
