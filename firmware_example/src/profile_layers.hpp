// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The layer profile of a model: the same forward pass as src/run_model.hpp, one layer at
/// a time, with the instruction markers (fw_bench_begin/fw_bench_end) around each layer,
/// so that the QEMU cycle-estimate plugin counts instructions and cycles per layer (one
/// window per layer and image; tests/firmware/layer_profile.cmake sums them per layer
/// kind). A model's profile is a main of a few lines (e.g. ds_cnn_profile_main.cpp):
///
///     fw::profile_layers<w::weights, w::crc32, w::prepare>("<model>")
///
/// Layer I runs as a network of its own, `ctnn::network<T, Mode, input<shape of layer I's
/// input>, spec of layer I>` (its int8 form for an int8 model), on layer I's slice of the
/// model's parameters: only public API, and the same kernels as the whole network's. The
/// program prints each layer's kind, name and multiply-accumulates, and each image's
/// output; layer_profile.cmake checks that these are the bits the model's firmware prints
/// (the chain of layers is the forward pass) and that host and Cortex-M agree. (The whole
/// forward pass is not run here: its workspace and the chain's buffers would not both fit
/// the M4 board's RAM for a model as large as ds_cnn in float.)
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "src/run_model.hpp"

namespace fw {
namespace profile {

/// The layer specs of a network type.
template <class Net>
struct specs_of;
template <class T, class Mode, class Input, class... Specs>
struct specs_of<ctnn::basic_network<T, Mode, Input, Specs...>> {
  using scalar = T;
  using mode = Mode;
  template <std::size_t I>
  using spec = std::tuple_element_t<I - 1, std::tuple<Specs...>>;
};

/// Layer I of Net as a network of its own.
template <class Net, std::size_t I>
using alone = ctnn::network<typename specs_of<Net>::scalar, typename specs_of<Net>::mode,
                            ctnn::input<Net::template layer<I>::input_shape::height,
                                        Net::template layer<I>::input_shape::width,
                                        Net::template layer<I>::input_shape::channels>,
                            typename specs_of<Net>::template spec<I>>;

/// What the profile prints as a layer's kind (tests/firmware/layer_profile.cmake sums per
/// kind): depthwise (depthwise_conv2d), pointwise (1×1 conv2d), conv (other conv2d), dense,
/// or the first word of its name.
constexpr std::string_view kind(std::string_view name) noexcept {
  if (name.starts_with("depthwise_conv2d(")) return "depthwise";
  if (name.starts_with("conv2d("))
    return name.find(",1x1,") != std::string_view::npos ? "pointwise" : "conv";
  if (name.starts_with("dense(")) return "dense";
  return name.substr(0, name.find('('));
}

/// The int8 parameters of layer I alone, sliced out of the whole model's at compile time.
template <const auto& Weights, std::size_t I>
inline constexpr auto int8_slice = [] {
  using Q = model_t<Weights>;
  using one = ctnn::quantized<alone<network_t<Weights>, I>>;
  typename one::parameters p{};
  for (std::size_t k = 0; k < one::weight_count; ++k)
    p.weights[k] = Weights.weights[Q::template weight_offset<I> + k];
  for (std::size_t k = 0; k < one::bias_count; ++k)
    p.biases[k] = Weights.biases[Q::template bias_offset<I> + k];
  for (std::size_t k = 0; k < one::multiplier_count; ++k)
    p.multipliers[k] = Weights.multipliers[Q::template multiplier_offset<I> + k];
  for (std::size_t k = 0; k < one::shift_count; ++k)
    p.shifts[k] = Weights.shifts[Q::template shift_offset<I> + k];
  p.zero_points = {Weights.zero_points[I - 1], Weights.zero_points[I]};
  p.scales = {Weights.scales[I - 1], Weights.scales[I]};
  return p;
}();

/// Runs layer I of the model on `in` into `out`, between the markers.
template <const auto& Weights, std::size_t I>
[[gnu::noinline]] void run_float(const float* in, float* out, float* scratch) noexcept {
  using net = network_t<Weights>;
  static_assert(alone<net, I>::parameter_count == net::template layer<I>::parameter_count);
  fw_bench_begin();
  alone<net, I>::forward_raw(Weights.values.data() + net::template parameter_offset<I>, in, scratch,
                             out);
  fw_bench_end();
}

template <const auto& Weights, std::size_t I>
[[gnu::noinline]] void run_int8(
    const typename ctnn::quantized<alone<network_t<Weights>, I>>::input& in,
    typename ctnn::quantized<alone<network_t<Weights>, I>>::output& out,
    typename ctnn::quantized<alone<network_t<Weights>, I>>::workspace& ws) noexcept {
  using one = ctnn::quantized<alone<network_t<Weights>, I>>;
  fw_bench_begin();
  // Constructed in place (guaranteed copy elision): no copy of the output in the window.
  ::new (static_cast<void*>(&out))
      typename one::output(one::forward(int8_slice<Weights, I>, in, ws));
  fw_bench_end();
}

/// The largest of every layer's output size and of every single-layer network's
/// workspace.
template <class Net, std::size_t... I>
constexpr std::size_t largest_output(std::index_sequence<I...>) noexcept {
  std::size_t m = 0;
  ((m = Net::template layer<I + 1>::output_shape::size > m
            ? Net::template layer<I + 1>::output_shape::size
            : m),
   ...);
  return m;
}
template <class Net, std::size_t... I>
constexpr std::size_t largest_scratch(std::index_sequence<I...>) noexcept {
  std::size_t m = 1;
  ((m = alone<Net, I + 1>::activation_size > m ? alone<Net, I + 1>::activation_size : m), ...);
  return m;
}

/// Float: two buffers of the largest tensor and one scratch area.
template <class Net>
struct float_buffers {
  static constexpr std::size_t size =
      largest_output<Net>(std::make_index_sequence<Net::layer_count>{});
  static constexpr std::size_t scratch_size =
      largest_scratch<Net>(std::make_index_sequence<Net::layer_count>{});
  std::array<float, size> a, b;
  std::array<float, scratch_size> scratch;
};

/// int8: each layer's output, and each single-layer network's workspace.
template <class Net, class Seq>
struct int8_buffers;
template <class Net, std::size_t... I>
struct int8_buffers<Net, std::index_sequence<I...>> {
  std::tuple<typename ctnn::quantized<alone<Net, I + 1>>::output...> outputs;
  std::tuple<typename ctnn::quantized<alone<Net, I + 1>>::workspace...> workspaces;
};

template <const auto& Weights>
using buffers_t = std::conditional_t<
    is_int8<Weights>,
    int8_buffers<network_t<Weights>, std::make_index_sequence<network_t<Weights>::layer_count>>,
    float_buffers<network_t<Weights>>>;

/// The profile's buffers: static, in .bss.
template <const auto& Weights>
constinit inline buffers_t<Weights> memory{};

/// The chain of single-layer networks on input x; the result in y.
template <const auto& Weights>
void run_chain(const typename model_t<Weights>::input& x,
               typename model_t<Weights>::output& y) noexcept {
  using net = network_t<Weights>;
  constexpr std::size_t layers = net::layer_count;
  auto& m = memory<Weights>;
  if constexpr (is_int8<Weights>) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            constexpr std::size_t layer = I + 1;
            auto& out = std::get<I>(m.outputs);
            auto& ws = std::get<I>(m.workspaces);
            if constexpr (layer == 1)
              run_int8<Weights, layer>(x, out, ws);
            else
              run_int8<Weights, layer>(std::get<I - 1>(m.outputs), out, ws);
          }(),
          ...);
    }
    (std::make_index_sequence<layers>{});
    y = std::get<layers - 1>(m.outputs);
  } else {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            constexpr std::size_t layer = I + 1;
            const float* in = layer == 1 ? x.data() : (layer % 2 == 0 ? m.a.data() : m.b.data());
            float* out = layer == layers ? y.data() : (layer % 2 == 1 ? m.a.data() : m.b.data());
            run_float<Weights, layer>(in, out, m.scratch.data());
          }(),
          ...);
    }
    (std::make_index_sequence<layers>{});
  }
}

}  // namespace profile

/// The profile program: `name` is printed in the first line. Returns the exit code (0: the
/// parameters' CRC is the header's).
template <const auto& Weights, std::uint32_t Crc32, auto Prepare>
int profile_layers(const char* name) noexcept {
  using model = model_t<Weights>;
  using net = network_t<Weights>;
  constexpr std::size_t layers = net::layer_count;
  const auto& x = inputs<Weights, Prepare>;

  const bool ok = detail::crc_of(Weights) == Crc32;
  line text;
  write((text << "ctnn layer profile: model " << name << '\n').c_str());
  text.clear() << "layers: ";
  write((text.dec(static_cast<std::uint32_t>(layers)) << '\n').c_str());
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using layer = typename net::template layer<I + 1>;
          text.clear() << "layer ";
          text.dec(static_cast<std::uint32_t>(I + 1)) << ' ';
          constexpr std::string_view kind = profile::kind(layer::name.view());
          for (const char c : kind) text << c;
          text << ' ';
          for (const char c : layer::name.view()) text << c;
          text << " macs ";
          write(
              (text.dec(static_cast<std::uint32_t>(detail::layer_macs<layer>())) << '\n').c_str());
        }(),
        ...);
  }
  (std::make_index_sequence<layers>{});

  typename model::output y;
  for (std::size_t i = 0; i < test_images::count; ++i) {
    profile::run_chain<Weights>(x[i], y);
    text.clear() << "image ";
    text.dec(static_cast<std::uint32_t>(i)) << ": output";
    for (const auto v : y) detail::put(text << ' ', v);
    write((text << '\n').c_str());
  }
  write(ok ? "checks: ok\n" : "checks: FAILED\n");
  return ok ? 0 : 1;
}

}  // namespace fw
