// SPDX-License-Identifier: MIT
#pragma once

// A synthetic but plausible report (10 Fashion-MNIST classes, 12 epochs, a confusion
// matrix with the usual shirt/T-shirt/pullover/coat confusions, 36 drawn "garments"), for
// the screenshot test and for previews.
#include <cmath>
#include <cstdint>
#include <vector>

#include "ctnn/train/report/report.hpp"

namespace ctnn_test {

inline ctnn::train::report_data synthetic_report() {
  namespace tr = ctnn::train;
  tr::report_data r;
  r.title = "784-128-64-10 MLP on Fashion-MNIST";
  r.dataset = "fashion-mnist/t10k";
  r.model = "ctnn1|f32|fused|in(1x1x784)|dense(128,relu)|dense(64,relu)|dense(10,softmax)";
  r.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  r.settings = {{"optimizer", "adam"}, {"learning rate", "0.001"},
                {"batch", "128"},      {"epochs", "12"},
                {"seed", "1"},         {"threads", "2"}};
  for (std::size_t e = 1; e <= 12; ++e) {
    tr::history_row h;
    const double t = static_cast<double>(e);
    h.epoch = e;
    h.train_loss = 0.22 + 0.32 * std::exp(-(t - 1) / 3.0);
    h.train_accuracy = 0.92 - 0.11 * std::exp(-(t - 1) / 3.0);
    h.validation_loss = 0.31 + 0.17 * std::exp(-(t - 1) / 2.5) + 0.004 * t;
    h.validation_accuracy = 0.885 - 0.06 * std::exp(-(t - 1) / 2.5);
    h.learning_rate = 1e-3;
    h.seconds = 0.8;
    r.history.push_back(h);
  }
  // Row t: 1000 samples of class t; the off-diagonal counts of a typical MLP.
  const std::uint64_t off[10][10] = {
      {0, 2, 14, 22, 4, 1, 98, 0, 9, 0},    {3, 0, 1, 18, 3, 0, 2, 0, 1, 0},
      {16, 1, 0, 10, 96, 0, 64, 0, 5, 0},   {20, 8, 9, 0, 30, 0, 18, 0, 4, 0},
      {1, 1, 82, 26, 0, 0, 55, 0, 3, 0},    {0, 0, 0, 1, 0, 0, 0, 24, 2, 11},
      {105, 1, 70, 26, 64, 0, 0, 0, 10, 0}, {0, 0, 0, 0, 0, 14, 0, 0, 1, 29},
      {4, 1, 3, 4, 2, 2, 6, 4, 0, 1},       {0, 0, 0, 0, 0, 6, 1, 36, 0, 0}};
  r.confusion = tr::confusion_matrix(10);
  for (std::size_t t = 0; t < 10; ++t) {
    std::uint64_t wrong = 0;
    for (std::size_t p = 0; p < 10; ++p) {
      wrong += off[t][p];
      for (std::uint64_t i = 0; i < off[t][p]; ++i) r.confusion.add(t, p);
    }
    for (std::uint64_t i = 0; i < 1000 - wrong; ++i) r.confusion.add(t, t);
  }
  r.test_accuracy = r.confusion.accuracy();
  // 36 28×28 images: a soft blob whose shape varies, enough to see the grid render.
  const std::uint32_t pairs[6][2] = {{6, 0}, {0, 6}, {4, 2}, {2, 4}, {9, 7}, {3, 6}};
  for (std::size_t i = 0; i < 36; ++i) {
    tr::report_image im;
    im.height = im.width = 28;
    im.truth = pairs[i % 6][0];
    im.predicted = pairs[i % 6][1];
    im.index = 17 + 131 * i;
    const double rx = 6 + static_cast<double>(i % 5) * 1.5, ry = 8 + static_cast<double>(i % 4);
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        const double dx = (x - 13.5) / rx, dy = (y - 13.5) / ry;
        const double d = dx * dx + dy * dy;
        const double texture = 0.75 + 0.25 * std::sin(0.9 * x + 0.4 * y + static_cast<double>(i));
        im.pixels.push_back(d < 1 ? static_cast<float>(texture * (1 - 0.5 * d)) : 0.0f);
      }
    r.misclassified.push_back(im);
  }
  return r;
}

}  // namespace ctnn_test
