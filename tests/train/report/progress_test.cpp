// SPDX-License-Identifier: MIT
#include "ctnn/train/report/progress.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
  return s;
}

TEST(progress, plain_mode_prints_one_line_per_epoch) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ctnn::train::progress p(3, 1000, 0, f, 0);
  EXPECT_FALSE(p.interactive());
  p.begin_epoch(0);
  p.update(500, 1.0, 0.5);  // no bar in plain mode
  p.end_epoch(0.6931, 0.875, "val_acc 0.8000");
  const std::string s = contents(f);
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_EQ(s.rfind("epoch 1/3  loss 0.6931  acc 0.8750  ", 0), 0u) << s;
  EXPECT_NE(s.find("val_acc 0.8000\n"), std::string::npos) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
  std::fclose(f);
}

TEST(progress, bar_and_eta) {
  std::FILE* f = std::tmpfile();
  ctnn::train::progress p(4, 1000, 0, f, 1);
  p.begin_epoch(1);
  const auto t = ctnn::train::progress::clock::now();
  const std::string line = p.line(250, 0.5, 0.25, t);
  EXPECT_NE(line.find("epoch 2/4 [======>                 ] 250/1000  loss 0.5000  acc 0.2500"),
            std::string::npos)
      << line;
  // 1250 of 4000 samples done; the rest takes 2.2× the elapsed time.
  const auto later = t + std::chrono::seconds(10);
  const double elapsed =
      std::chrono::duration<double>(later - ctnn::train::progress::clock::now()).count();
  EXPECT_NEAR(p.eta_seconds(250, later), elapsed * 2750 / 1250, 0.05);
  p.update(1000, 0.5, 0.25);
  EXPECT_NE(contents(f).find("\r"), std::string::npos);
  std::fclose(f);
}

// The epoch line shows the trainer's measurement when given (the history's figure), not
// the time since begin_epoch(); --log-every's step lines name the step.
TEST(progress, epoch_line_uses_the_given_seconds_and_step_lines_name_the_step) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ctnn::train::progress p(2, 1000, 0, f, 0);
  p.begin_epoch(0);
  p.step_line(4, 10, 0.5, 0.25);
  p.end_epoch(0.4, 0.5, "", 0.25);
  const std::string s = contents(f);
  EXPECT_EQ(s,
            "epoch 1/2  step 4/10  loss 0.5000  acc 0.2500\n"
            "epoch 1/2  loss 0.4000  acc 0.5000  4000 samples/s  0.25 s\n");
  EXPECT_EQ(p.step_text(10, 10, 1, 1), "epoch 1/2  step 10/10  loss 1.0000  acc 1.0000");
  std::fclose(f);
}

}  // namespace
