// SPDX-License-Identifier: MIT
// Builds against the installed ctnn and checks one hand-computed forward pass.
#include <cstdio>
#include <ctnn/ctnn.hpp>

using net = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::relu>, ctnn::dense<1>>;

int main() {
  // Layer 1: W1[0] = (1, -1), W1[1] = (2, 1), b1 = (0.5, 0); x = (1, 2):
  //   z = (0.5 + 1 + 4, 0 - 1 + 2) = (5.5, 1). Layer 2: W2 = (2, -4), b2 = 0.25:
  //   y = 0.25 + 11 - 4 = 7.25.
  constexpr net::parameters p{{1, -1, 2, 1, 0.5f, 0, 2, -4, 0.25f}};
  const float y = net::forward(p, {1, 2})[0];
  std::printf("consumer: %s (y = %g)\n", net::signature.data(), double(y));
  return y == 7.25f ? 0 : 1;
}
