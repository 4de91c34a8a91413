// SPDX-License-Identifier: MIT
// The user's firmware stand-in: raw rows → prepare() from the generated headers → predict.
// Its predictions must equal the trainer's (--submission) for every row: prepare() applies
// exactly the transform the network was trained with (--scale, then --standardize).
#include <array>
#include <cstdio>

#include "tiny_net_int8_weights.hpp"  // consumer::tiny_net_int8_weights (the trainer's --export-int8)
#include "tiny_net_weights.hpp"       // consumer::tiny_net_weights (ctnn-export, two arguments)

namespace w = consumer::tiny_net_weights;
namespace w8 = consumer::tiny_net_int8_weights;

struct row {
  std::array<float, 3> raw;
  std::size_t truth, trainer_says;
};
constexpr row rows[] = {
#include "rows.inc"  // written by the test from predict.csv and the trainer's submission
};

static_assert(w::input_scale == 0.01f, "--scale 0.01 travels into the header");
static_assert(w::input_standardized && w::input_mean.size() == 3);
static_assert(w::class_names[2] == "virginica" && w8::class_names[0] == "setosa");
static_assert(w::prepare({100, 0, 0})[0] == (1.0f - w::input_mean[0]) / w::input_std[0]);
static_assert(w8::input_scale == w::input_scale && w8::input_std == w::input_std);

int main() {
  std::size_t agree = 0, correct = 0, int8_agree = 0;
  for (const row& r : rows) {
    const auto x = w::prepare(r.raw);
    const std::size_t k = w::model::predict(w::weights, x);
    agree += k == r.trainer_says;
    correct += k == r.truth;
    const auto q = w8::model::quantize_input(w8::weights, w8::prepare(r.raw));
    int8_agree += w8::model::predict(w8::weights, q) == k;
  }
  const std::size_t n = sizeof rows / sizeof rows[0];
  std::printf("app: %zu rows; agrees with the trainer on %zu, correct %zu, int8 agrees %zu\n", n,
              agree, correct, int8_agree);
  return agree == n && correct * 10 >= n * 8 && int8_agree * 10 >= n * 8 ? 0 : 1;
}
