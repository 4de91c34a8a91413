// SPDX-License-Identifier: MIT
// ctnn-import --int8 on a model whose BatchNormalization nodes have nothing to fold into
// (make_models.py's bn_layer: on the input, after a relu, between two dense layers), so
// that ctnn::folded turns them into scale_shift layers and the int8 header carries their
// per-channel int8 form (issue 13):
// - the header is exactly ctnn's own quantisation (train::calibrate + train::quantize, what
//   every trainer's --export-int8 runs) of the same float weights and calibration inputs,
//   which the importer read from a CSV (bn_layer.inputs.csv, the same values as the test's
//   float32 file);
// - the int8 program follows PyTorch's float outputs within the quantisation error that
//   its tensors' steps allow.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bn_layer_int8_weights.hpp"
#include "bn_layer_weights.hpp"
#include "ctnn/crc32.hpp"
#include "ctnn/train/quantize.hpp"
#include "int8_expect.hpp"

namespace {

namespace fw = import_test::bn_layer_weights;
using net = fw::model;  // ctnn::folded<import_test::bn_layer>
namespace qw = import_test::bn_layer_int8_weights;
using qnet = qw::model;

std::vector<float> read_floats(const std::string& name) {
  std::ifstream in(std::string(CTNN_IMPORT_DATA) + "/" + name, std::ios::binary);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
  std::vector<float> v(bytes.size() / sizeof(float));
  std::copy_n(bytes.data(), v.size() * sizeof(float), reinterpret_cast<char*>(v.data()));
  return v;
}

// The three batch norms became scale_shift layers (none of them could be folded). At run
// time: GCC's sanitizer builds do not evaluate string_view::find in constant expressions.
TEST(import_int8_batch_norm, batch_norms_became_scale_shift_layers) {
  const std::string_view s = qnet::signature;
  EXPECT_NE(s.find("scale_shift(identity)|conv2d"), std::string_view::npos) << s;
  EXPECT_NE(s.find("scale_shift(relu)|flatten"), std::string_view::npos) << s;
  EXPECT_NE(s.find("dense(5,relu)|scale_shift(identity)|dense(3"), std::string_view::npos) << s;
}

TEST(import_int8_batch_norm, header_is_ctnns_own_quantisation_of_the_same_weights_and_data) {
  ctnn::train::dataset d;
  d.name = "bn_layer.inputs.f32";
  d.features = net::input_size;
  d.x = read_floats("bn_layer.inputs.f32");
  ASSERT_EQ(d.size(), 32u);
  const auto ranges = ctnn::train::calibrate<net>(fw::weights, d, ctnn::train::quantize_options{});
  const auto q = ctnn::train::quantize<net>(fw::weights, ranges);
  expect_same_int8_parameters(*q, qw::weights);
  EXPECT_EQ(ctnn::crc32(*q), qw::crc32);
}

TEST(import_int8_batch_norm, int8_outputs_follow_pytorch) {
  const std::vector<float> x = read_floats("bn_layer.inputs.f32");
  const std::vector<float> y = read_floats("bn_layer.outputs.f32");
  ASSERT_EQ(x.size(), 32 * net::input_size);
  ASSERT_EQ(y.size(), 32 * net::output_size);
  EXPECT_EQ(ctnn::crc32(qw::weights), qw::crc32);
  // The first test pins every integer; this one checks the whole against PyTorch: within 8
  // steps of the output tensor (2.8 measured), whose range spans 255 steps.
  const float step = qw::weights.scales[qnet::tensor_count - 1];
  float worst = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    std::array<float, net::input_size> in;
    std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(i * net::input_size), net::input_size,
                in.begin());
    const auto out = qnet::dequantize_output(
        qw::weights, qnet::forward(qw::weights, qnet::quantize_input(qw::weights, in)));
    for (std::size_t k = 0; k < net::output_size; ++k) {
      const float err = std::fabs(out[k] - y[i * net::output_size + k]);
      worst = std::max(worst, err);
      EXPECT_LE(err, 8 * step) << "sample " << i << " output " << k;
    }
  }
  std::printf("bn_layer int8: largest difference from PyTorch %.3g (%.2f output steps)\n",
              double{worst}, double{worst / step});
}

}  // namespace
