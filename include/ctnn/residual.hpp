// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Residual blocks (ResNet): y = act(skip(x) + f(x)), where f, the *body*, is a chain of
/// layers and skip(x) is the block's input itself or, when the body changes the shape,
/// a *projection* of it (a 1×1 convolution with the body's stride, as in ResNet).
///
/// @code
/// using stage = ctnn::network<float, ctnn::input<14, 14, 16>,
///     ctnn::residual<ctnn::block<ctnn::conv2d<16, 3, 3, ctnn::relu, 1, ctnn::same>,
///                                ctnn::conv2d<16, 3, 3, ctnn::identity, 1, ctnn::same>>>,
///     ctnn::residual<ctnn::block<ctnn::conv2d<32, 3, 3, ctnn::relu, 2, ctnn::same>,
///                                ctnn::conv2d<32, 3, 3, ctnn::identity, 1, ctnn::same>>,
///                    ctnn::conv2d<32, 1, 1, ctnn::identity, 2>>>;  // 14x14x16 -> 7x7x32
/// @endcode
///
/// Contract:
/// - `residual<block<Layers...>, Projection = no_projection, Activation = relu>`. The body's
///   layers are bound as in a network whose input is the block's input; an error inside
///   the body names the layer's position in the body. Without a projection the body must
///   keep the shape; with one, the projection's output must have the body's shape (both
///   are static_asserts with a sentence naming the shapes).
/// - Arithmetic (frozen): z[i] = skip[i] + f[i] (one addition per value, after the body's
///   and the projection's own forward passes, which keep their own frozen orders), then
///   y = Activation(z). The pre-activation z is what `affine` returns, so the trainer
///   treats the block as one layer with an activation.
/// - Parameter layout (frozen): the body's layers' parameters in order (each in its own
///   frozen layout, exactly as in a network of those layers), then the projection's.
///   `weight_count` is the whole slice and `bias_count` 0: code that needs the real split
///   (initialisers, weight decay) walks `body` and `projection` instead.
/// - Memory (the workspace rule stays exact at compile time): the block reads its input in
///   place from the network's ping-pong buffer that holds it; that buffer stays untouched
///   until the block has written its output to the other one, so the skip connection
///   itself needs no copy. What the block needs beyond the two ping-pong buffers is its
///   `scratch_size`: the ping-pong buffers of its body for body layers 1 … n−1 (the last
///   body layer writes straight into the block's output buffer), sized by the same
///   odd/even rule as a network, plus the body layers' own scratch, plus — with a
///   projection — one buffer of the output shape for the projection's result (the
///   projection's own scratch, if any, reuses the body's area, which is free by then).
///   The network adds the largest `scratch_size` of its layers to `activation_size` once:
///   blocks run one after another and share it.
/// - constexpr, noexcept, no heap; both numeric modes; the same bits everywhere. The
///   three-argument forward/affine (the bound_layer interface, used by the trainer on the
///   host) keep the scratch on the stack; the network passes its workspace instead.
/// - int8 form: detail/int8_residual.hpp (TFLite's ADD); training:
///   train/residual_gradient.hpp.
#include <cstddef>
#include <type_traits>
#include <utility>

#include "ctnn/activation.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/detail/residual_checks.hpp"
#include "ctnn/input.hpp"
#include "ctnn/layer.hpp"
#include "ctnn/network.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {

/// The layers of a residual block's body, in order (the `f` of y = act(skip(x) + f(x))).
template <class... Layers>
struct block {};

/// A residual block whose skip path carries its input unchanged.
struct no_projection {};

namespace detail {

template <class B>
inline constexpr bool is_block = false;
template <class... L>
inline constexpr bool is_block<block<L...>> = true;

/// What a residual block binds to when its arguments are wrong: the sentence, and members
/// that keep it the only error.
template <class T, class Mode, class In, std::size_t Index>
struct residual_error_layer {
  using scalar = T;
  using numerics = Mode;
  using activation = identity;
  using input_shape = In;
  using output_shape = In;
  static constexpr std::size_t weight_count = 0, bias_count = 0, parameter_count = 0;
  static constexpr std::size_t fan_in = 1, fan_out = 1;
  static constexpr auto name = fixed_string("residual");
  static constexpr void affine(const T*, const T*, T*) noexcept {}
  static constexpr void forward(const T*, const T*, T*) noexcept {}
};

template <bool Bind, class Projection, class T, class Mode, class In, std::size_t Index>
struct bind_projection {
  using type = void;
  using output_shape = In;
};
template <class Projection, class T, class Mode, class In, std::size_t Index>
struct bind_projection<true, Projection, T, Mode, In, Index> {
  using type = typename Projection::template bind<T, Mode, In, Index>;
  using output_shape = typename type::output_shape;
};

template <class T, class Mode, class In, class Body, class Projection, class Activation,
          std::size_t Index>
struct residual_layer : residual_error_layer<T, Mode, In, Index> {
  static_assert(check_residual_body<Index, Body, false>::value);
};

template <class T, class Mode, class In, class Projection, class Activation, std::size_t Index>
struct residual_layer<T, Mode, In, block<>, Projection, Activation, Index>
    : residual_error_layer<T, Mode, In, Index> {
  static_assert(check_residual_body_size<Index, 0>::value);
};

template <class T, class Mode, class In, class First, class... Rest, class Projection,
          class Activation, std::size_t Index>
struct residual_layer<T, Mode, In, block<First, Rest...>, Projection, Activation, Index> {
  static_assert(check_activation<Index, Activation, ctnn::activation<Activation>>::value);
  static constexpr bool projection_ok =
      std::is_same_v<Projection, no_projection> || layer_spec<Projection>;
  static_assert(check_residual_projection<Index, Projection, projection_ok>::value);
  /// False for no_projection (and, after the sentence above, for a non-layer).
  static constexpr bool has_projection = layer_spec<Projection>;

  /// The body as a network whose input is the block's input (its layers, offsets, sizes).
  using body = basic_network<T, Mode, input<In::height, In::width, In::channels>, First, Rest...>;
  using body_shape = typename body::output_shape;
  static constexpr std::size_t body_layers = body::layer_count;

 private:
  using bound_projection = bind_projection<has_projection, Projection, T, Mode, In, Index>;
  static constexpr auto activation_name = [] {
    if constexpr (ctnn::activation<Activation>)
      return Activation::name;
    else
      return fixed_string("?");  // after check_activation's sentence
  }();
  using proj_shape = typename bound_projection::output_shape;
  // Without a projection the skip carries In; with one, the projection check applies and
  // this one compares the body's shape with itself.
  using skip_checked = std::conditional_t<has_projection, body_shape, In>;
  static_assert(check_residual_skip_shape<Index, skip_checked::height, skip_checked::width,
                                          skip_checked::channels, body_shape::height,
                                          body_shape::width, body_shape::channels>::value);
  using proj_checked = std::conditional_t<has_projection, proj_shape, body_shape>;
  static_assert(check_residual_projection_shape<Index, proj_checked::height, proj_checked::width,
                                                proj_checked::channels, body_shape::height,
                                                body_shape::width, body_shape::channels>::value);

  /// Largest output of body layers K < n with K ≡ First (mod 2) (0 if none).
  template <std::size_t Parity>
  static constexpr std::size_t body_buffer() noexcept {
    std::size_t m = 0;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((m = ((K + 1) % 2 == Parity % 2 && K + 1 < body_layers &&
             body::template layer_size<K + 1> > m)
                ? body::template layer_size<K + 1>
                : m),
       ...);
    }
    (std::make_index_sequence<body_layers>{});
    return m;
  }

 public:
  using scalar = T;
  using numerics = Mode;
  using activation = Activation;
  using input_shape = In;
  using output_shape = body_shape;
  /// The projection's bound layer (void without one) and its spec.
  using projection = typename bound_projection::type;
  using projection_spec = Projection;
  static constexpr std::size_t index = Index;

  static constexpr std::size_t body_parameter_count = body::parameter_count;
  static constexpr std::size_t projection_parameter_count = [] {
    if constexpr (has_projection)
      return std::size_t{projection::parameter_count};
    else
      return std::size_t{0};
  }();
  static constexpr std::size_t parameter_count = body_parameter_count + projection_parameter_count;
  static constexpr std::size_t weight_count = parameter_count;  // see the file comment
  static constexpr std::size_t bias_count = 0;
  static constexpr std::size_t fan_in = body::template layer<1>::fan_in;
  static constexpr std::size_t fan_out = body::template layer<body_layers>::fan_out;

  /// Scratch layout: [body odd | body even | body layers' scratch] then, with a projection,
  /// [projection output]. Sizes in scalars (see the file comment).
  static constexpr std::size_t body_odd_size = body_buffer<1>();
  static constexpr std::size_t body_even_size = body_buffer<2>();
  static constexpr std::size_t body_scratch_size = body::scratch_size;
  static constexpr std::size_t body_area_size = [] {
    const std::size_t area = body_odd_size + body_even_size + body_scratch_size;
    if constexpr (has_projection)
      return area > scratch_size_of<projection> ? area : scratch_size_of<projection>;
    else
      return area;
  }();
  static constexpr std::size_t projection_output_size = has_projection ? output_shape::size : 0;
  static constexpr std::size_t scratch_size = body_area_size + projection_output_size;

  /// e.g. "residual(conv2d(…);conv2d(…),skip=conv2d(…),relu)"; skip=input without a
  /// projection.
  static constexpr auto name = [] {
    const auto layers = [&]<std::size_t... K>(std::index_sequence<K...>) {
      return (body::template layer<1>::name + ... + (";" + body::template layer<K + 2>::name));
    }
    (std::make_index_sequence<body_layers - 1>{});
    if constexpr (has_projection)
      return fixed_string("residual(") + layers + ",skip=" + projection::name + "," +
             activation_name + ")";
    else
      return fixed_string("residual(") + layers + ",skip=input," + activation_name + ")";
  }();

  /// z = skip(x) + f(x) (pre-activation), using `scratch` (scratch_size scalars).
  static constexpr void affine(const T* params, const T* x, T* z, T* scratch) noexcept {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (run_body<K + 1>(params, x, scratch, z), ...);
    }
    (std::make_index_sequence<body_layers>{});
    constexpr std::size_t n = output_shape::size;
    if constexpr (has_projection) {
      T* s = scratch + body_area_size;
      forward_layer<projection>(params + body_parameter_count, x, s, scratch);
      for (std::size_t i = 0; i < n; ++i) z[i] = s[i] + z[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) z[i] = x[i] + z[i];
    }
  }

  static constexpr void forward(const T* params, const T* x, T* y, T* scratch) noexcept {
    affine(params, x, y, scratch);
    Activation::apply(y, output_shape::size);
  }

  /// The bound_layer interface: as above with the scratch on the stack.
  static constexpr void affine(const T* params, const T* x, T* z) noexcept {
    T scratch[scratch_size > 0 ? scratch_size : 1];
    affine(params, x, z, scratch);
  }
  static constexpr void forward(const T* params, const T* x, T* y) noexcept {
    T scratch[scratch_size > 0 ? scratch_size : 1];
    forward(params, x, y, scratch);
  }

  /// Body layer K's input and output inside the block's buffers (the same ping-pong rule as
  /// a network: K = 1 reads x, K = n writes `out`).
  template <std::size_t K>
  static constexpr const T* body_input(const T* x, T* scratch) noexcept {
    return K == 1 ? x : (K % 2 == 0 ? scratch : scratch + body_odd_size);
  }
  template <std::size_t K>
  static constexpr T* body_output(T* scratch, T* out) noexcept {
    return K == body_layers ? out : (K % 2 == 1 ? scratch : scratch + body_odd_size);
  }

 private:
  template <std::size_t K>
  static constexpr void run_body(const T* params, const T* x, T* scratch, T* out) noexcept {
    forward_layer<typename body::template layer<K>>(
        params + body::template parameter_offset<K>, body_input<K>(x, scratch),
        body_output<K>(scratch, out), scratch + body_odd_size + body_even_size);
  }
};

}  // namespace detail

/// y = Activation(skip(x) + f(x)) with f the layers of `Body` (a ctnn::block<…>) and skip
/// the input itself (no_projection) or `Projection` applied to it (see the file comment).
template <class Body, class Projection = no_projection, class Activation = relu>
struct residual {
  using layer_spec_tag = void;
  template <class T, class Mode, class In, std::size_t Index>
  using bind = detail::residual_layer<T, Mode, In, Body, Projection, Activation, Index>;
};

}  // namespace ctnn
