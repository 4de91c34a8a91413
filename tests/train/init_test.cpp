// SPDX-License-Identifier: MIT
#include "ctnn/train/init.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "ctnn/ctnn.hpp"

namespace {

using net = ctnn::network<float, ctnn::input<300>, ctnn::dense<200, ctnn::relu>,
                          ctnn::dense<100, ctnn::tanh>, ctnn::dense<10, ctnn::softmax>>;
using ctnn::train::bias_init;
using ctnn::train::init_scheme;

struct moments {
  double mean, sd, max_abs;
};

template <std::size_t I>
moments weight_moments(const net::parameters& p) {
  using L = net::layer<I>;
  const float* w = p.values.data() + net::parameter_offset<I>;
  double s = 0, s2 = 0, m = 0;
  for (std::size_t j = 0; j < L::weight_count; ++j) {
    s += w[j];
    s2 += double(w[j]) * w[j];
    m = std::max(m, std::fabs(double(w[j])));
  }
  const double n = double(L::weight_count);
  return {s / n, std::sqrt(s2 / n - (s / n) * (s / n)), m};
}

// Expected standard deviations per scheme for layer 1 (fan_in 300, fan_out 200) and layer 2
// (200, 100); relative tolerance 3% (60000 and 20000 samples: se of sd ≈ 0.3% and 0.5%).
TEST(Init, StandardDeviationsFollowTheScheme) {
  auto p = std::make_unique<net::parameters>();
  struct expectation {
    init_scheme scheme;
    double sd1, sd2;
  };
  const expectation cases[] = {
      {init_scheme::small, 0.01, 0.01},
      {init_scheme::xavier, std::sqrt(6.0 / 500) / std::sqrt(3.0),
       std::sqrt(6.0 / 300) / std::sqrt(3.0)},
      {init_scheme::xavier_normal, std::sqrt(2.0 / 500), std::sqrt(2.0 / 300)},
      {init_scheme::lecun, std::sqrt(1.0 / 300), std::sqrt(1.0 / 200)},
      {init_scheme::he, std::sqrt(2.0 / 300), std::sqrt(2.0 / 200)},
  };
  for (const auto& c : cases) {
    ctnn::train::initialise<net>(*p, c.scheme, bias_init::zero, 42);
    const moments m1 = weight_moments<1>(*p), m2 = weight_moments<2>(*p);
    EXPECT_NEAR(m1.sd, c.sd1, 0.03 * c.sd1) << ctnn::train::to_string(c.scheme);
    EXPECT_NEAR(m2.sd, c.sd2, 0.03 * c.sd2) << ctnn::train::to_string(c.scheme);
    EXPECT_NEAR(m1.mean, 0.0, 5 * c.sd1 / std::sqrt(60000.0));
    if (c.scheme == init_scheme::xavier) {  // uniform: bounded by a = sqrt(6/(in+out))
      EXPECT_LE(m1.max_abs, std::sqrt(6.0 / 500));
      EXPECT_GT(m1.max_abs, 0.99 * std::sqrt(6.0 / 500));
    }
  }
}

TEST(Init, BiasesZeroOrStandardNormal) {
  auto p = std::make_unique<net::parameters>();
  ctnn::train::initialise<net>(*p, init_scheme::he, bias_init::zero, 1);
  const float* b1 = p->values.data() + net::parameter_offset<1> + net::layer<1>::weight_count;
  for (std::size_t o = 0; o < 200; ++o) EXPECT_EQ(b1[o], 0.0f);
  ctnn::train::initialise<net>(*p, init_scheme::he, bias_init::normal, 1);
  double s = 0, s2 = 0;
  for (std::size_t o = 0; o < 200; ++o) {
    s += b1[o];
    s2 += double(b1[o]) * b1[o];
  }
  EXPECT_NEAR(s / 200, 0.0, 5 / std::sqrt(200.0));
  EXPECT_NEAR(std::sqrt(s2 / 200), 1.0, 0.25);
}

TEST(Init, SameSeedSameBitsOtherSeedOtherBits) {
  auto a = std::make_unique<net::parameters>(), b = std::make_unique<net::parameters>(),
       c = std::make_unique<net::parameters>();
  ctnn::train::initialise<net>(*a, init_scheme::xavier, bias_init::normal, 7);
  ctnn::train::initialise<net>(*b, init_scheme::xavier, bias_init::normal, 7);
  ctnn::train::initialise<net>(*c, init_scheme::xavier, bias_init::normal, 8);
  EXPECT_EQ(a->values, b->values);
  EXPECT_NE(a->values, c->values);
}

// The draw order is part of the contract: layer 1's weights, its biases, layer 2's, …
TEST(Init, DrawOrderIsLayerWeightsThenBiases) {
  using tiny = ctnn::network<double, ctnn::input<2>, ctnn::dense<2, ctnn::relu>,
                             ctnn::dense<1, ctnn::sigmoid>>;
  tiny::parameters p{};
  ctnn::train::initialise<tiny>(p, init_scheme::small, bias_init::normal, 5);
  ctnn::train::rng r(5);
  double want[9];
  for (int j = 0; j < 4; ++j) want[j] = r.normal() * 0.01;
  for (int j = 4; j < 6; ++j) want[j] = r.normal();
  for (int j = 6; j < 8; ++j) want[j] = r.normal() * 0.01;
  want[8] = r.normal();
  for (std::size_t j = 0; j < 9; ++j) EXPECT_EQ(p.values[j], want[j]) << j;
}

}  // namespace
