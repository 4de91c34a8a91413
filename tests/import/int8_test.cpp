// SPDX-License-Identifier: MIT
// ctnn-import on a model trained by PyTorch (fashion_model.py: a CNN, 4 epochs on 4000
// Fashion-MNIST images, its BatchNorm folded), issue 14:
// - float: ctnn's outputs agree with PyTorch's within 1e-5·max(1, |y|), the argmax is
//   identical on every one of the 1000 test images, so the test accuracy is the same;
// - --int8 (host_tools/import/int8.hpp): the int8 program's argmax agrees with PyTorch's
//   on ≥ 99 % of the slice, and the header holds exactly what ctnn's own quantisation
//   (train::calibrate + train::quantize, what every trainer's --export-int8 runs) makes
//   from the same float weights and the same 1000 calibration images.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "ctnn/crc32.hpp"
#include "ctnn/train/data/idx.hpp"
#include "ctnn/train/data/input_transform.hpp"
#include "ctnn/train/quantize.hpp"
#include "fashion_cnn_int8_weights.hpp"
#include "fashion_cnn_weights.hpp"
#include "int8_expect.hpp"

namespace {

using net = import_test::fashion_cnn;
using qnet = ctnn::quantized<net>;
namespace fw = import_test::fashion_cnn_weights;
namespace qw = import_test::fashion_cnn_int8_weights;

std::vector<char> read_bytes(const std::string& name) {
  std::ifstream in(std::string(CTNN_IMPORT_DATA) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<float> read_floats(const std::string& name) {
  const std::vector<char> bytes = read_bytes(name);
  std::vector<float> v(bytes.size() / sizeof(float));
  std::copy_n(bytes.data(), v.size() * sizeof(float), reinterpret_cast<char*>(v.data()));
  return v;
}

struct slice {
  std::vector<float> x, y;
  std::vector<char> labels;
  std::size_t n = 0;
};

const slice& test_slice() {
  static const slice s = [] {
    slice r;
    r.x = read_floats("fashion.inputs.f32");
    r.y = read_floats("fashion.outputs.f32");
    r.labels = read_bytes("fashion.labels.u8");
    r.n = r.labels.size();
    return r;
  }();
  return s;
}

std::size_t argmax(const float* v, std::size_t n) {
  return static_cast<std::size_t>(std::max_element(v, v + n) - v);
}

TEST(import_fashion, float_outputs_and_argmax_match_pytorch_so_the_accuracy_is_equal) {
  const slice& s = test_slice();
  ASSERT_EQ(s.n, 1000u);
  ASSERT_EQ(s.x.size(), s.n * net::input_size);
  ASSERT_EQ(s.y.size(), s.n * net::output_size);
  EXPECT_EQ(ctnn::crc32(fw::weights.values), fw::crc32);
  std::size_t torch_right = 0, ctnn_right = 0;
  double worst = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    net::input in;
    std::copy_n(s.x.begin() + static_cast<std::ptrdiff_t>(i * net::input_size), net::input_size,
                in.begin());
    const net::output out = net::forward(fw::weights, in);
    const float* ref = s.y.data() + i * net::output_size;
    for (std::size_t k = 0; k < net::output_size; ++k) {
      const double err =
          std::fabs(double{out[k]} - double{ref[k]}) / std::max(1.0, std::fabs(double{ref[k]}));
      worst = std::max(worst, err);
      EXPECT_LE(err, 1e-5) << "image " << i << " output " << k;
    }
    const std::size_t label = static_cast<unsigned char>(s.labels[i]);
    EXPECT_EQ(net::argmax(out), argmax(ref, net::output_size)) << "image " << i;
    ctnn_right += net::argmax(out) == label;
    torch_right += argmax(ref, net::output_size) == label;
  }
  EXPECT_EQ(ctnn_right, torch_right);
  EXPECT_GT(torch_right, 700u) << "the PyTorch model did not learn";  // 10 classes: chance 100
  std::printf("fashion float: PyTorch %zu/1000, ctnn %zu/1000, largest difference %.3g\n",
              torch_right, ctnn_right, worst);
}

TEST(import_fashion, int8_argmax_agrees_with_pytorch_on_99_percent) {
  const slice& s = test_slice();
  ASSERT_EQ(s.n, 1000u);
  EXPECT_EQ(ctnn::crc32(qw::weights), qw::crc32);
  auto ws = std::make_unique<qnet::workspace>();
  std::size_t agree = 0, right = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    net::input in;
    std::copy_n(s.x.begin() + static_cast<std::ptrdiff_t>(i * net::input_size), net::input_size,
                in.begin());
    const std::size_t p = qnet::predict(qw::weights, qnet::quantize_input(qw::weights, in), *ws);
    agree += p == argmax(s.y.data() + i * net::output_size, net::output_size);
    right += p == static_cast<unsigned char>(s.labels[i]);
  }
  std::printf("fashion int8: agreement with PyTorch %zu/1000, accuracy %zu/1000\n", agree, right);
  EXPECT_GE(agree, 990u);
}

TEST(import_fashion, int8_header_is_ctnns_own_quantisation_of_the_same_weights_and_data) {
  ctnn::train::dataset d = ctnn::train::load_mnist_dir(CTNN_IMPORT_FASHION, "train", 10);
  ctnn::train::input_transform::pixels().apply_scale(d);
  ctnn::train::quantize_options o;
  o.calibration_samples = 1000;  // CMakeLists passes --calibration-samples 1000
  const auto ranges = ctnn::train::calibrate<net>(fw::weights, d, o);
  const auto q = ctnn::train::quantize<net>(fw::weights, ranges);
  expect_same_int8_parameters(*q, qw::weights);
  EXPECT_EQ(ctnn::crc32(*q), qw::crc32);
}

}  // namespace
