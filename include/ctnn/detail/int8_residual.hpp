// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The int8 form of a residual block (int8_layers.hpp includes this header): the body's
/// and the projection's layers run in their own int8 forms, then TFLite's int8 ADD joins
/// the two paths.
///
/// ADD (TFLite's reference_integer_ops::Add, with ctnn's single rounding, quantization.hpp):
///   a = requantize((q_skip − z_skip)·2^20, M_skip, s_skip)
///   b = requantize((q_body − z_body)·2^20, M_body, s_body)
///   y = clamp(z_out + requantize(a + b, M_out, s_out), lo, 127)
/// with the real multipliers (train/quantize.hpp writes them) m_skip = s_skip/(2·max),
/// m_body = s_body/(2·max), m_out = 2·max/(2^20·s_out), max = max(s_skip, s_body): both
/// inputs are first brought to the common scale 2·max/2^20, then requantised to the
/// output's. lo = z_out for relu (the fused activation clamps at real 0), −128 for
/// identity. |q − z| ≤ 255 < 2^8, so the shifted values stay below 2^28 and a + b below
/// 2^29: no int32 overflow.
///
/// Slice layout (part of quantized.hpp's frozen layout; a block is one layer there):
/// - weights: the body's layers' int8 weights in order, then the projection's;
/// - biases (int32): the body's layers' biases, the projection's, then the zero points of
///   the block's inner tensors: body layers 1 … n's outputs, then the projection's output;
/// - multipliers and shifts: the body's layers', the projection's, then the ADD's three:
///   [M_skip, M_body, M_out] and [s_skip, s_body, s_out].
/// The block's input and output zero points are the network's tensors I−1 and I.
/// Workspace (scratch_bytes): the body's int8 ping-pong buffers for layers 1 … n−1 and the
/// largest scratch of its layers and projection, then the projection's output.
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "ctnn/detail/int8_layers.hpp"
#include "ctnn/residual.hpp"

namespace ctnn::detail {

/// The left shift that brings both ADD inputs to the common scale (TFLite: 20 for int8).
inline constexpr int int8_add_left_shift = 20;

/// TFLite's int8 ADD of two tensors of n values (see the file comment); y may alias b.
template <bool Relu>
constexpr void int8_add(const std::int8_t* a, std::int32_t za, const std::int8_t* b,
                        std::int32_t zb, std::int8_t* y, std::int32_t zy, std::size_t n,
                        const std::int32_t* m, const std::int8_t* s) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t sa =
        requantize((std::int32_t{a[i]} - za) * (1 << int8_add_left_shift), m[0], s[0]);
    const std::int32_t sb =
        requantize((std::int32_t{b[i]} - zb) * (1 << int8_add_left_shift), m[1], s[1]);
    // As in int8_linear_epilogue: limiting to [−256, 255] first keeps the sum in 32 bits
    // and changes no result.
    const std::int32_t v = requantize(sa + sb, m[2], s[2]);
    y[i] = clamp_int8(zy + (v < -256 ? -256 : v > 255 ? 255 : v), Relu ? zy : -128, 127);
  }
}

template <std::size_t Index, class Activation, bool Supported>
struct check_int8_residual_activation {
  static_assert(Supported,
                "ctnn::quantized: the int8 form of a residual block supports the activations "
                "identity and relu only (TFLite's ADD fuses no other)");
  static constexpr bool value = true;
};

template <class L>
inline constexpr std::size_t int8_scratch_of = [] {
  if constexpr (requires { L::scratch_bytes; })
    return std::size_t{L::scratch_bytes};
  else
    return std::size_t{0};
}();

template <class T, class Mode, class In, class... Layers, class Projection, class A,
          std::size_t Index>
struct int8_layer<residual_layer<T, Mode, In, block<Layers...>, Projection, A, Index>> {
  using float_layer = residual_layer<T, Mode, In, block<Layers...>, Projection, A, Index>;
  using body = typename float_layer::body;
  static constexpr bool relu = std::is_same_v<A, ctnn::relu>;
  static_assert(check_int8_residual_activation < Index, A, relu || std::is_same_v < A,
                identity >> ::value);
  static constexpr bool has_projection = float_layer::has_projection;
  static constexpr std::size_t n = body::layer_count;
  static constexpr std::size_t out_size = float_layer::output_shape::size;

  /// Body layer K's int8 form (1-based); the projection's (void without one).
  template <std::size_t K>
  using body_layer = int8_layer<typename body::template layer<K>>;
  using projection =
      std::conditional_t<has_projection, int8_layer<typename float_layer::projection>, void>;
  static constexpr bool supported = [] {
    bool all = true;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((all = all && body_layer<K + 1>::supported), ...);
    }
    (std::make_index_sequence<n>{});
    if constexpr (has_projection) all = all && projection::supported;
    return all;
  }();

 private:
  template <class F>
  static constexpr std::size_t sum_body(F count) noexcept {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return (std::size_t{0} + ... + count(std::integral_constant<std::size_t, K + 1>{}));
    }
    (std::make_index_sequence<n>{});
  }
  template <std::size_t K, class F>
  static constexpr std::size_t offset(F count) noexcept {
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + count(std::integral_constant<std::size_t, J + 1>{}));
    }
    (std::make_index_sequence<K - 1>{});
  }
  template <class F>
  static constexpr std::size_t of_projection(F count) noexcept {
    if constexpr (has_projection)
      return count(std::type_identity<projection>{});
    else
      return 0;
  }
  static constexpr auto weights_of = [](auto k) {
    if constexpr (requires { decltype(k)::value; })
      return body_layer<decltype(k)::value>::weight_count;
    else
      return decltype(k)::type::weight_count;
  };
  static constexpr auto biases_of = [](auto k) {
    if constexpr (requires { decltype(k)::value; })
      return body_layer<decltype(k)::value>::bias_count;
    else
      return decltype(k)::type::bias_count;
  };
  static constexpr auto multipliers_of = [](auto k) {
    if constexpr (requires { decltype(k)::value; })
      return body_layer<decltype(k)::value>::multiplier_count;
    else
      return decltype(k)::type::multiplier_count;
  };
  static constexpr auto shifts_of = [](auto k) {
    if constexpr (requires { decltype(k)::value; })
      return body_layer<decltype(k)::value>::shift_count;
    else
      return decltype(k)::type::shift_count;
  };

 public:
  /// Where body layer K's slice starts inside the block's slice.
  template <std::size_t K>
  static constexpr std::size_t weight_offset = offset<K>(weights_of);
  template <std::size_t K>
  static constexpr std::size_t bias_offset = offset<K>(biases_of);
  template <std::size_t K>
  static constexpr std::size_t multiplier_offset = offset<K>(multipliers_of);
  template <std::size_t K>
  static constexpr std::size_t shift_offset = offset<K>(shifts_of);
  /// The projection's slice starts after the body's.
  static constexpr std::size_t body_weight_count = sum_body(weights_of);
  static constexpr std::size_t body_bias_count = sum_body(biases_of);
  static constexpr std::size_t body_multiplier_count = sum_body(multipliers_of);
  static constexpr std::size_t body_shift_count = sum_body(shifts_of);
  /// Inner tensors whose zero points follow the biases: body outputs, projection output.
  static constexpr std::size_t inner_tensor_count = n + (has_projection ? 1 : 0);
  /// Where the inner zero points and the ADD's multipliers and shifts start.
  static constexpr std::size_t zero_point_offset = body_bias_count + of_projection(biases_of);
  static constexpr std::size_t add_multiplier_offset =
      body_multiplier_count + of_projection(multipliers_of);
  static constexpr std::size_t add_shift_offset = body_shift_count + of_projection(shifts_of);

  static constexpr std::size_t weight_count = body_weight_count + of_projection(weights_of);
  static constexpr std::size_t bias_count = zero_point_offset + inner_tensor_count;
  static constexpr std::size_t multiplier_count = add_multiplier_offset + 3;
  static constexpr std::size_t shift_count = add_shift_offset + 3;
  static constexpr std::size_t fan_in = 0;

  /// Workspace layout: [body odd | body even | layers' scratch] [projection output].
  static constexpr std::size_t body_odd_bytes = float_layer::body_odd_size;
  static constexpr std::size_t body_even_bytes = float_layer::body_even_size;
  static constexpr std::size_t layers_scratch_bytes = [] {
    std::size_t m = 0;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((m = int8_scratch_of<body_layer<K + 1>> > m ? int8_scratch_of<body_layer<K + 1>> : m), ...);
    }
    (std::make_index_sequence<n>{});
    if constexpr (has_projection)
      m = int8_scratch_of<projection> > m ? int8_scratch_of<projection> : m;
    return m;
  }();
  static constexpr std::size_t area_bytes = body_odd_bytes + body_even_bytes + layers_scratch_bytes;
  static constexpr std::size_t scratch_bytes = area_bytes + (has_projection ? out_size : 0);

  static constexpr void forward(const int8_slice& p, const std::int8_t* x,
                                std::int8_t* y) noexcept {
    const std::int32_t* zero_points = p.biases + zero_point_offset;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (run_body<K + 1>(p, zero_points, x, y), ...);
    }
    (std::make_index_sequence<n>{});
    const std::int8_t* skip = x;
    std::int32_t skip_zero_point = p.input_zero_point;
    if constexpr (has_projection) {
      std::int8_t* s = p.scratch + area_bytes;
      const int8_slice q{p.weights + body_weight_count,
                         p.biases + body_bias_count,
                         p.multipliers + body_multiplier_count,
                         p.shifts + body_shift_count,
                         p.input_zero_point,
                         zero_points[n],
                         p.scratch + body_odd_bytes + body_even_bytes};
      projection::forward(q, x, s);
      skip = s;
      skip_zero_point = zero_points[n];
    }
    int8_add<relu>(skip, skip_zero_point, y, zero_points[n - 1], y, p.output_zero_point, out_size,
                   p.multipliers + add_multiplier_offset, p.shifts + add_shift_offset);
  }

 private:
  template <std::size_t K>
  static constexpr void run_body(const int8_slice& p, const std::int32_t* zero_points,
                                 const std::int8_t* x, std::int8_t* y) noexcept {
    std::int8_t* const odd = p.scratch;
    std::int8_t* const even = p.scratch + body_odd_bytes;
    const std::int8_t* in = K == 1 ? x : (K % 2 == 0 ? odd : even);
    std::int8_t* out = K == n ? y : (K % 2 == 1 ? odd : even);
    const int8_slice q{p.weights + weight_offset<K>,
                       p.biases + bias_offset<K>,
                       p.multipliers + multiplier_offset<K>,
                       p.shifts + shift_offset<K>,
                       K == 1 ? p.input_zero_point : zero_points[K - 2],
                       zero_points[K - 1],
                       p.scratch + body_odd_bytes + body_even_bytes};
    body_layer<K>::forward(q, in, out);
  }
};

}  // namespace ctnn::detail
