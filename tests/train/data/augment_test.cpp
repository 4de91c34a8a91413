// SPDX-License-Identifier: MIT
// Data augmentation (train/data/augment.hpp): the option's spelling, flips and shifts of
// small images against hand-computed results, the per-sample draws, and the trainer's use
// of them (the step's key is the RNG's next draw, thread-count independence, exact resume,
// refusal for a non-image input).
#include "ctnn/train/data/augment.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "ctnn/train/conv2d_gradient.hpp"
#include "ctnn/train/dense_gradient.hpp"
#include "ctnn/train/flatten_gradient.hpp"
#include "ctnn/train/rng.hpp"
#include "ctnn/train/trainer.hpp"

namespace {

using ctnn::train::augmentation;
using ctnn::train::image_transform;

TEST(augment, parses_the_documented_spellings) {
  const auto none = ctnn::train::parse_augmentation("none");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->active());
  const auto both = ctnn::train::parse_augmentation("flip,shift2");
  ASSERT_TRUE(both);
  EXPECT_TRUE(both->flip);
  EXPECT_EQ(both->shift, 2u);
  const auto reversed = ctnn::train::parse_augmentation("shift8,flip");
  ASSERT_TRUE(reversed);
  EXPECT_TRUE(reversed->flip);
  EXPECT_EQ(reversed->shift, 8u);
  const auto flip = ctnn::train::parse_augmentation("flip");
  ASSERT_TRUE(flip);
  EXPECT_TRUE(flip->flip);
  EXPECT_EQ(flip->shift, 0u);
  for (const char* s : {"flip", "shift1", "flip,shift2", "none"})
    EXPECT_EQ(ctnn::train::to_string(*ctnn::train::parse_augmentation(s)), s);
}

TEST(augment, refuses_anything_else) {
  for (const char* s : {"", "flip,", ",flip", "flip,flip", "shift", "shift0", "shift9", "shift10",
                        "shift2,shift3", "Flip", "flip shift2", "none,flip", "rotate"})
    EXPECT_FALSE(ctnn::train::parse_augmentation(s)) << "'" << s << "'";
}

// The 3×3 image 1 2 3 / 4 5 6 / 7 8 9, one channel.
constexpr std::array<float, 9> image = {1, 2, 3, 4, 5, 6, 7, 8, 9};

std::array<float, 9> transformed(bool flip, int dy, int dx) {
  std::array<float, 9> out;
  out.fill(-1);
  ctnn::train::apply_transform(image_transform{flip, dy, dx}, image.data(), out.data(), 3, 3, 1);
  return out;
}

TEST(augment, identity) {
  EXPECT_EQ(transformed(false, 0, 0), image);
}

TEST(augment, flip_mirrors_each_row) {
  EXPECT_EQ(transformed(true, 0, 0), (std::array<float, 9>{3, 2, 1, 6, 5, 4, 9, 8, 7}));
}

TEST(augment, shifts_fill_with_zero) {
  // dx = 1: every row moves one pixel right, column 0 is new.
  EXPECT_EQ(transformed(false, 0, 1), (std::array<float, 9>{0, 1, 2, 0, 4, 5, 0, 7, 8}));
  // dx = −1: left.
  EXPECT_EQ(transformed(false, 0, -1), (std::array<float, 9>{2, 3, 0, 5, 6, 0, 8, 9, 0}));
  // dy = 1: down, row 0 is new.
  EXPECT_EQ(transformed(false, 1, 0), (std::array<float, 9>{0, 0, 0, 1, 2, 3, 4, 5, 6}));
  // dy = −2, dx = 2: only the bottom-left pixel of the input survives, at the top right.
  EXPECT_EQ(transformed(false, -2, 2), (std::array<float, 9>{0, 0, 7, 0, 0, 0, 0, 0, 0}));
  // Shifted as far as the image is wide: nothing left.
  EXPECT_EQ(transformed(false, 0, 3), (std::array<float, 9>{}));
}

TEST(augment, flip_happens_before_the_shift) {
  // Mirrored (3 2 1 / 6 5 4 / 9 8 7), then one pixel right and one up.
  EXPECT_EQ(transformed(true, -1, 1), (std::array<float, 9>{0, 6, 5, 0, 9, 8, 0, 0, 0}));
}

TEST(augment, moves_whole_pixels_of_every_channel) {
  // 2×2 pixels of 2 channels: (a, A) (b, B) / (c, C) (d, D) as 1..8; mirrored and shifted
  // one down: 0 0 / (b, B) (a, A).
  const std::array<double, 8> in = {1, 2, 3, 4, 5, 6, 7, 8};
  std::array<float, 8> out;
  out.fill(-1);
  ctnn::train::apply_transform(image_transform{true, 1, 0}, in.data(), out.data(), 2, 2, 2);
  EXPECT_EQ(out, (std::array<float, 8>{0, 0, 0, 0, 3, 4, 1, 2}));
}

TEST(augment, draws_every_transform_in_range_and_nothing_when_off) {
  const augmentation a{true, 2};
  std::set<std::pair<int, int>> shifts;
  std::size_t flips = 0;
  const std::size_t n = 20000;
  for (std::size_t i = 0; i < n; ++i) {
    const image_transform t = ctnn::train::draw_transform(a, 0x1234, i);
    ASSERT_GE(t.dx, -2);
    ASSERT_LE(t.dx, 2);
    ASSERT_GE(t.dy, -2);
    ASSERT_LE(t.dy, 2);
    shifts.insert({t.dy, t.dx});
    flips += t.flip;
  }
  EXPECT_EQ(shifts.size(), 25u);
  // Binomial(20000, 1/2): 5 standard deviations are ±354.
  EXPECT_NEAR(static_cast<double>(flips), n / 2.0, 354.0);
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(ctnn::train::draw_transform(augmentation{}, 99, i), image_transform{});
    const image_transform only_flip = ctnn::train::draw_transform(augmentation{true, 0}, 99, i);
    EXPECT_EQ(only_flip.dx, 0);
    EXPECT_EQ(only_flip.dy, 0);
    EXPECT_FALSE(ctnn::train::draw_transform(augmentation{false, 3}, 99, i).flip);
  }
}

TEST(augment, draws_depend_on_key_and_position_only) {
  const augmentation a{true, 2};
  EXPECT_EQ(ctnn::train::draw_transform(a, 7, 3), ctnn::train::draw_transform(a, 7, 3));
  std::size_t differ_key = 0, differ_position = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    differ_key += !(ctnn::train::draw_transform(a, 7, i) == ctnn::train::draw_transform(a, 8, i));
    differ_position +=
        !(ctnn::train::draw_transform(a, 7, i) == ctnn::train::draw_transform(a, 7, i + 100));
  }
  // 50 equally likely transforms: about 2 of 100 agree by chance.
  EXPECT_GT(differ_key, 85u);
  EXPECT_GT(differ_position, 85u);
}

// --- The trainer -------------------------------------------------------------------------

using tiny_cnn = ctnn::network<float, ctnn::input<5, 5>, ctnn::conv2d<3, 3, 3, ctnn::relu>,
                               ctnn::flatten, ctnn::dense<2, ctnn::softmax>>;
using flat_net = ctnn::network<float, ctnn::input<25>, ctnn::dense<2, ctnn::softmax>>;

ctnn::train::dataset images(std::size_t n) {
  ctnn::train::dataset d;
  d.name = "images";
  d.features = 25;
  d.classes = 2;
  d.rows = d.cols = 5;
  ctnn::train::rng r(11);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 25; ++k) d.x.push_back(static_cast<float>(r.uniform()));
    d.y.push_back(static_cast<std::uint32_t>(i % 2));
  }
  return d;
}

ctnn::train::options augmenting() {
  ctnn::train::options o;
  o.augment = augmentation{true, 2};
  o.batch = 8;
  o.lr = 0.01;
  return o;
}

std::vector<float> train_epochs(ctnn::train::options o, std::size_t epochs,
                                const ctnn::train::dataset& d) {
  o.epochs = epochs;
  ctnn::train::trainer<tiny_cnn> t(o);
  auto p = std::make_unique<tiny_cnn::parameters>();
  t.initialise(*p);
  t.fit(*p, d, nullptr, {}, {});
  return {p->values.begin(), p->values.end()};
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(augment, trainer_steps_on_the_transformed_images) {
  // One full-batch step (no shuffle) of an augmenting run equals one step of a plain run on
  // the images transformed as documented: the key is the RNG's next draw after
  // initialisation, a sample's position is its index.
  const auto d = images(4);
  ctnn::train::options o = augmenting();
  o.batch = 0;
  ctnn::train::trainer<tiny_cnn> t(o);
  auto p = std::make_unique<tiny_cnn::parameters>();
  t.initialise(*p);
  ctnn::train::checkpoint_data c;
  t.save(*p, c);
  ctnn::train::rng r(c.rng);
  const std::uint64_t key = r.next();
  auto expected = std::make_unique<tiny_cnn::parameters>(*p);
  t.train_epoch(*p, d, {});

  ctnn::train::dataset moved = d;
  std::size_t changed = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const image_transform tr = ctnn::train::draw_transform(o.augment, key, i);
    changed += !(tr == image_transform{});
    ctnn::train::apply_transform(tr, d.sample(i), moved.x.data() + i * 25, 5, 5, 1);
  }
  ASSERT_GT(changed, 0u);
  ctnn::train::options plain = o;
  plain.augment = augmentation{};
  ctnn::train::trainer<tiny_cnn> reference(plain);
  reference.restore(*expected, c);
  reference.train_epoch(*expected, moved, {});
  EXPECT_EQ(0, std::memcmp(p->values.data(), expected->values.data(), sizeof(p->values)));

  // …and the unmoved images give other parameters.
  ctnn::train::trainer<tiny_cnn> unmoved(plain);
  auto q = std::make_unique<tiny_cnn::parameters>();
  unmoved.restore(*q, c);
  unmoved.train_epoch(*q, d, {});
  EXPECT_NE(0, std::memcmp(p->values.data(), q->values.data(), sizeof(p->values)));
}

TEST(augment, same_bits_for_any_thread_count) {
  const auto d = images(40);
  ctnn::train::options o = augmenting();
  o.threads = 1;
  const auto one = train_epochs(o, 2, d);
  o.threads = 2;
  EXPECT_TRUE(same_bits(one, train_epochs(o, 2, d)));
}

TEST(augment, resumes_with_the_same_bits) {
  const auto d = images(40);
  const ctnn::train::options o = augmenting();
  const auto whole = train_epochs(o, 3, d);

  ctnn::train::options first = o;
  first.epochs = 1;
  ctnn::train::trainer<tiny_cnn> t(first);
  auto p = std::make_unique<tiny_cnn::parameters>();
  t.initialise(*p);
  t.fit(*p, d, nullptr, {}, {});
  ctnn::train::checkpoint_data c;
  t.save(*p, c);

  ctnn::train::options rest = o;
  rest.epochs = 3;
  ctnn::train::trainer<tiny_cnn> resumed(rest);
  auto q = std::make_unique<tiny_cnn::parameters>();
  resumed.restore(*q, c);
  resumed.fit(*q, d, nullptr, {}, {});
  EXPECT_TRUE(same_bits(whole, std::vector<float>(q->values.begin(), q->values.end())));
}

TEST(augment, off_keeps_the_bits_of_a_plain_run) {
  // Augmenting changes the run; "none" is the default options' run exactly.
  const auto d = images(40);
  ctnn::train::options o = augmenting();
  const auto augmented = train_epochs(o, 1, d);
  o.augment = *ctnn::train::parse_augmentation("none");
  const auto off = train_epochs(o, 1, d);
  EXPECT_FALSE(same_bits(augmented, off));
  ctnn::train::options plain;
  plain.batch = 8;
  plain.lr = 0.01;
  EXPECT_TRUE(same_bits(off, train_epochs(plain, 1, d)));
}

TEST(augment, refused_for_an_input_that_is_not_an_image) {
  ctnn::train::options o;
  o.augment = augmentation{false, 1};
  try {
    ctnn::train::trainer<flat_net> t(o);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "augmentation 'shift1' transforms images, but this network's input is 1x1x25 "
              "(height and width must be at least 2)");
  }
  o.augment = augmentation{};
  EXPECT_NO_THROW(ctnn::train::trainer<flat_net>{o});
}

}  // namespace
