// SPDX-License-Identifier: MIT
// Finite-difference checks (double) of the conv2d, max_pool2d, avg_pool2d and flatten
// backward passes: per layer, with the scalar L = Σ r·z for a random r (so grad_z = r),
// and through a small CNN via the trainer's gradient() against the loss of the inference
// forward pass.
#include "ctnn/train/conv2d_gradient.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/network.hpp"
#include "ctnn/pool2d.hpp"
#include "ctnn/train/flatten_gradient.hpp"
#include "ctnn/train/pool2d_gradient.hpp"
#include "naive_cnn.hpp"

namespace {

/// Checks layer L's backward pass against central differences of L = Σ r·affine(p, x).
template <class L>
void check_layer(unsigned seed) {
  constexpr std::size_t np = L::parameter_count, nx = L::input_shape::size,
                        nz = L::output_shape::size;
  auto p = naive_cnn::random_values<double>(np, seed);
  auto x = naive_cnn::random_values<double>(nx, seed + 1);
  const auto r = naive_cnn::random_values<double>(nz, seed + 2);
  std::vector<double> z(nz);
  auto objective = [&] {
    L::affine(p.data(), x.data(), z.data());
    double s = 0;
    for (std::size_t i = 0; i < nz; ++i) s += r[i] * z[i];
    return s;
  };
  objective();
  std::vector<double> gp(np, 0.0), gx(nx, -7.0);  // grad_x must be written, not added to
  ctnn::train::layer_gradient<L>::backward(p.data(), x.data(), z.data(), r.data(), gp.data(),
                                           gx.data());
  const double h = 1e-6;
  auto numeric = [&](std::vector<double>& v, std::size_t i) {
    const double keep = v[i];
    v[i] = keep + h;
    const double up = objective();
    v[i] = keep - h;
    const double down = objective();
    v[i] = keep;
    return (up - down) / (2 * h);
  };
  for (std::size_t i = 0; i < np; ++i)
    ASSERT_NEAR(gp[i], numeric(p, i), 1e-7 * (1 + std::abs(gp[i]))) << L::name.view() << " p" << i;
  for (std::size_t i = 0; i < nx; ++i)
    ASSERT_NEAR(gx[i], numeric(x, i), 1e-7 * (1 + std::abs(gx[i]))) << L::name.view() << " x" << i;
  // grad_p is added to, not overwritten.
  std::vector<double> gp2(np, 1.0);
  ctnn::train::layer_gradient<L>::backward(p.data(), x.data(), z.data(), r.data(), gp2.data(),
                                           nullptr);
  for (std::size_t i = 0; i < np; ++i) ASSERT_NEAR(gp2[i], gp[i] + 1.0, 1e-12);
}

template <class... Specs>
using layer_of = typename ctnn::network<double, Specs...>::template layer<1>;

TEST(ConvGradient, Conv2dValid) {
  check_layer<layer_of<ctnn::input<6, 5, 3>, ctnn::conv2d<4, 3, 2>>>(1);
}
TEST(ConvGradient, Conv2dSameStrided) {
  check_layer<layer_of<ctnn::input<7, 8, 2>, ctnn::conv2d<5, 3, 4, ctnn::relu, 2, ctnn::same>>>(2);
  check_layer<layer_of<ctnn::input<5, 5, 1>, ctnn::conv2d<9, 5, 5, ctnn::tanh, 1, ctnn::same>>>(3);
}
TEST(ConvGradient, Conv2dUnfused) {
  using net = ctnn::network<double, ctnn::unfused, ctnn::input<4, 6, 3>,
                            ctnn::conv2d<3, 2, 3, ctnn::identity, 3>>;
  check_layer<net::layer<1>>(4);
}
TEST(ConvGradient, MaxPool) {
  check_layer<layer_of<ctnn::input<6, 6, 3>, ctnn::max_pool2d<2>>>(5);
  check_layer<layer_of<ctnn::input<7, 5, 2>, ctnn::max_pool2d<3, 2, 1>>>(6);  // overlapping
}
TEST(ConvGradient, AvgPool) {
  check_layer<layer_of<ctnn::input<6, 6, 3>, ctnn::avg_pool2d<2>>>(7);
  check_layer<layer_of<ctnn::input<7, 5, 2>, ctnn::avg_pool2d<3, 2, 1>>>(8);
}
// The fast paths (patches and GEMM for grad_W, the gather form for grad_x, max-pool lane
// by lane) against the formulas of the file comments as plain scatter loops, bit for bit:
// the same sums in the same order, whatever path a shape takes.

/// grad_p += and grad_x = of conv2d, looping as the layer_gradient comment states: pixels
/// row-major, taps kh then kw (padded ones skipped), filters ascending.
template <class T>
void scatter_conv_backward(long h, long w, long c, long f, long kh, long kw, long stride, bool same,
                           bool fused, const T* p, const T* x, const T* gz, T* gp, T* gx) {
  long oh_n = 0, ow_n = 0, pt = 0, pl = 0;
  naive_cnn::axis(h, kh, stride, same, oh_n, pt);
  naive_cnn::axis(w, kw, stride, same, ow_n, pl);
  const auto u = [](long i) { return static_cast<std::size_t>(i); };
  T* gb = gp + kh * kw * c * f;
  for (long pix = 0; pix < oh_n * ow_n; ++pix)
    for (long k = 0; k < f; ++k) gb[k] += gz[u(pix * f + k)];
  for (long i = 0; i < h * w * c; ++i) gx[u(i)] = T(0);
  for (long oh = 0; oh < oh_n; ++oh)
    for (long ow = 0; ow < ow_n; ++ow)
      for (long a = 0; a < kh; ++a)
        for (long b = 0; b < kw; ++b) {
          const long ih = oh * stride + a - pt, iw = ow * stride + b - pl;
          if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
          for (long ch = 0; ch < c; ++ch) {
            const long wi = ((a * kw + b) * c + ch) * f, xi = (ih * w + iw) * c + ch;
            for (long k = 0; k < f; ++k) {
              const T g = gz[u((oh * ow_n + ow) * f + k)];
              gp[u(wi + k)] = naive_cnn::mac(fused, g, x[u(xi)], gp[u(wi + k)]);
              gx[u(xi)] = naive_cnn::mac(fused, p[u(wi + k)], g, gx[u(xi)]);
            }
          }
        }
}

template <class Net>
void check_conv_bits(long stride, bool same, bool fused, unsigned seed) {
  using L = typename Net::template layer<1>;
  using T = typename Net::scalar;
  using in = typename L::input_shape;
  constexpr std::size_t np = L::parameter_count, nx = in::size, nz = L::output_shape::size;
  const auto p = naive_cnn::random_values<T>(np, seed);
  const auto x = naive_cnn::random_values<T>(nx, seed + 1);
  const auto gz = naive_cnn::random_values<T>(nz, seed + 2);
  auto gp = naive_cnn::random_values<T>(np, seed + 3), gp_ref = gp;  // added to
  std::vector<T> gx(nx, T(-7)), gx_ref(nx);
  ctnn::train::layer_gradient<L>::backward(p.data(), x.data(), nullptr, gz.data(), gp.data(),
                                           gx.data());
  scatter_conv_backward(long(in::height), long(in::width), long(in::channels),
                        long(L::output_shape::channels), long(L::kernel_height),
                        long(L::kernel_width), stride, same, fused, p.data(), x.data(), gz.data(),
                        gp_ref.data(), gx_ref.data());
  EXPECT_TRUE(naive_cnn::same_bits(gp.data(), gp_ref.data(), np)) << L::name.view();
  EXPECT_TRUE(naive_cnn::same_bits(gx.data(), gx_ref.data(), nx)) << L::name.view();
}

TEST(ConvGradient, Conv2dBitsAsTheScatterLoops) {
  // The example CNN's second convolution (gather form, 7 pixels side by side, a row's last 7
  // overlapping).
  check_conv_bits<ctnn::network<float, ctnn::input<13, 13, 8>,
                                ctnn::conv2d<32, 3, 3, ctnn::relu, 1, ctnn::same>>>(1, true, true,
                                                                                    11);
  // Its first one (grad_x not needed by a trainer, computed here all the same).
  check_conv_bits<ctnn::network<float, ctnn::input<28, 28, 1>, ctnn::conv2d<8, 3, 3>>>(1, false,
                                                                                       true, 12);
  // Two vectors of channels, rows not a multiple of the pixels side by side, unfused.
  check_conv_bits<
      ctnn::network<float, ctnn::unfused, ctnn::input<6, 5, 16>, ctnn::conv2d<8, 2, 3>>>(1, false,
                                                                                         false, 13);
  check_conv_bits<ctnn::network<double, ctnn::input<7, 9, 8>,
                                ctnn::conv2d<4, 3, 2, ctnn::identity, 1, ctnn::same>>>(1, true,
                                                                                       true, 14);
  // Stride 2 (the scatter form for grad_x) and filters not a multiple of a vector.
  check_conv_bits<
      ctnn::network<float, ctnn::input<7, 8, 8>, ctnn::conv2d<5, 3, 3, ctnn::relu, 2, ctnn::same>>>(
      2, true, true, 15);
}

/// max_pool2d's backward as its file comment states it, with ties in the inputs.
template <class Net>
void check_max_pool_bits(long pool_h, long pool_w, long stride, unsigned seed) {
  using L = typename Net::template layer<1>;
  using T = typename Net::scalar;
  using in = typename L::input_shape;
  constexpr std::size_t nx = in::size, nz = L::output_shape::size;
  auto x = naive_cnn::random_values<T>(nx, seed, -2.0, 2.0);
  for (T& v : x) v = T(std::round(double(v) * 2));  // few distinct values: many ties
  const auto gz = naive_cnn::random_values<T>(nz, seed + 1);
  std::vector<T> gx(nx, T(-7)), gx_ref(nx, T(0));
  ctnn::train::layer_gradient<L>::backward(nullptr, x.data(), nullptr, gz.data(), nullptr,
                                           gx.data());
  const long w = long(in::width), c = long(in::channels);
  const long oh_n = long(L::output_shape::height), ow_n = long(L::output_shape::width);
  const auto u = [](long i) { return static_cast<std::size_t>(i); };
  for (long oh = 0; oh < oh_n; ++oh)
    for (long ow = 0; ow < ow_n; ++ow)
      for (long ch = 0; ch < c; ++ch) {
        long best = (oh * stride * w + ow * stride) * c + ch;
        for (long a = 0; a < pool_h; ++a)
          for (long b = 0; b < pool_w; ++b) {
            const long i = ((oh * stride + a) * w + ow * stride + b) * c + ch;
            if (x[u(i)] > x[u(best)]) best = i;
          }
        gx_ref[u(best)] += gz[u((oh * ow_n + ow) * c + ch)];
      }
  EXPECT_TRUE(naive_cnn::same_bits(gx.data(), gx_ref.data(), nx)) << L::name.view();
}

TEST(ConvGradient, MaxPoolBitsAsTheLoops) {
  check_max_pool_bits<ctnn::network<float, ctnn::input<6, 6, 16>, ctnn::max_pool2d<2>>>(2, 2, 2,
                                                                                        21);
  check_max_pool_bits<ctnn::network<float, ctnn::input<7, 5, 12>, ctnn::max_pool2d<3, 2, 1>>>(
      3, 2, 1, 22);  // overlapping windows; 8 channels in a vector, 4 in the scalar loop
  check_max_pool_bits<ctnn::network<double, ctnn::input<5, 6, 4>, ctnn::max_pool2d<2, 3, 1>>>(
      2, 3, 1, 23);
}

TEST(ConvGradient, Flatten) {
  check_layer<layer_of<ctnn::input<3, 2, 4>, ctnn::flatten>>(9);
}

}  // namespace
