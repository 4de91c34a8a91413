// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A network whose architecture is a type.
///
/// @code
/// using mlp = ctnn::network<float,
///     ctnn::input<784>,
///     ctnn::dense<128, ctnn::relu>,
///     ctnn::dense<10, ctnn::softmax>>;
/// constexpr mlp::parameters weights = {/* generated */};
/// std::array<float, 10> p = mlp::forward(weights, x);
/// @endcode
///
/// An optional numeric mode may follow the scalar type: `network<float, ctnn::unfused,
/// …>`; the default is `ctnn::fused` (see numerics.hpp for both contracts).
///
/// Guarantees: forward/predict are constexpr and noexcept, never allocate, need no RTTI,
/// and give the same bits in constant evaluation and at run time on every supported
/// target (given -ffp-contract=off). RAM: `activation_bytes` of workspace (two ping-pong
/// buffers: layers 1, 3, 5, … write the first, sized to their largest output; layers
/// 2, 4, … the second; the input is read in place; the last layer writes the result),
/// plus the largest `scratch_size` a layer declares after them (a residual block's body
/// buffers and projection output, residual.hpp), shared by all layers.
#include <array>
#include <boost/hana/append.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ctnn/detail/argmax.hpp"
#include "ctnn/detail/checks.hpp"
#include "ctnn/detail/fixed_string.hpp"
#include "ctnn/input.hpp"
#include "ctnn/layer.hpp"
#include "ctnn/numerics.hpp"
#include "ctnn/parameters.hpp"
#include "ctnn/shape.hpp"

namespace ctnn {
namespace detail {
namespace hana = boost::hana;

/// Binds the specs left to right, threading the shape through: a hana::tuple of
/// hana::type<bound layer>.
template <class T, class Mode, class InShape, class... Specs>
constexpr auto bind_layers() {
  auto step = [](auto state, auto spec) {
    using previous_shape = typename decltype(+hana::first(state))::type;
    using spec_type = typename decltype(spec)::type;
    constexpr std::size_t index = decltype(hana::length(hana::second(state)))::value + 1;
    static_assert(check_layer_spec<index, spec_type, layer_spec<spec_type>>::value);
    using bound = typename spec_type::template bind<T, Mode, previous_shape, index>;
    return hana::make_pair(hana::type_c<typename bound::output_shape>,
                           hana::append(hana::second(state), hana::type_c<bound>));
  };
  return hana::second(hana::fold_left(
      hana::tuple_t<Specs...>, hana::make_pair(hana::type_c<InShape>, hana::make_tuple()), step));
}

template <class T>
constexpr auto scalar_name() noexcept {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "ctnn: the scalar type must be float or double");
  if constexpr (std::is_same_v<T, float>)
    return fixed_string("f32");
  else
    return fixed_string("f64");
}

template <class S>
constexpr auto shape_name() noexcept {
  return to_fixed_string<S::height>() + "x" + to_fixed_string<S::width>() + "x" +
         to_fixed_string<S::channels>();
}

template <class First, class... Rest>
struct first_entry {
  using type = First;
};

}  // namespace detail

template <class T, class Mode, class... Entries>
class basic_network;

/// The network of `Input` followed by `Specs`, computing in T with numeric mode Mode.
template <class T, class Mode, class Input, class... Specs>
class basic_network<T, Mode, Input, Specs...> {
  static_assert(detail::check_network_input<detail::is_input<Input>, Input>::value);
  static_assert(sizeof...(Specs) > 0, "ctnn: a network needs at least one layer after its input");
  static_assert(numeric_mode<Mode>, "ctnn: the numeric mode must be ctnn::fused or ctnn::unfused");

  using layer_list = decltype(detail::bind_layers<T, Mode, typename Input::shape, Specs...>());

 public:
  using scalar = T;
  using numerics = Mode;

  /// Number of layers after the input.
  static constexpr std::size_t layer_count = sizeof...(Specs);

  /// Layer I (1-based; layer 0 is the input) as a bound layer (ctnn::bound_layer).
  template <std::size_t I>
  requires(I >= 1 && I <= layer_count) using layer =
      typename decltype(+boost::hana::at_c<I - 1>(layer_list{}))::type;

  using input_shape = typename Input::shape;
  using output_shape = typename layer<layer_count>::output_shape;
  static constexpr std::size_t input_size = input_shape::size;
  static constexpr std::size_t output_size = output_shape::size;

  /// Output size of layer I; layer 0 is the input.
  template <std::size_t I>
  static constexpr std::size_t layer_size = [] {
    if constexpr (I == 0)
      return input_size;
    else
      return layer<I>::output_shape::size;
  }();

 private:
  template <std::size_t... I>
  static constexpr std::size_t sum_counts(std::index_sequence<I...>) noexcept {
    return (std::size_t{0} + ... + layer<I + 1>::parameter_count);
  }
  /// Largest output among layers First, First+2, … (0 if none).
  template <std::size_t First>
  static constexpr std::size_t max_every_other() noexcept {
    std::size_t m = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((m = ((I + 1) % 2 == First % 2 && layer_size<I + 1> > m) ? layer_size<I + 1> : m), ...);
    }
    (std::make_index_sequence<layer_count>{});
    return m;
  }

 public:
  /// Where layer I's parameters start in the flat parameter array.
  template <std::size_t I>
  requires(I >= 1 && I <= layer_count) static constexpr std::size_t parameter_offset =
      sum_counts(std::make_index_sequence<I - 1>{});

  static constexpr std::size_t parameter_count =
      sum_counts(std::make_index_sequence<layer_count>{});
  static constexpr std::size_t parameter_bytes = parameter_count * sizeof(T);

  /// Ping-pong buffer sizes (in scalars), the layers' shared scratch and the whole
  /// workspace a forward pass needs.
  static constexpr std::size_t odd_buffer_size = max_every_other<1>();
  static constexpr std::size_t even_buffer_size = max_every_other<2>();
  /// The largest scratch a layer needs (residual blocks; 0 for plain layers).
  static constexpr std::size_t scratch_size = [] {
    std::size_t m = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((m = detail::scratch_size_of<layer<I + 1>> > m ? detail::scratch_size_of<layer<I + 1>> : m),
       ...);
    }
    (std::make_index_sequence<layer_count>{});
    return m;
  }();
  static constexpr std::size_t activation_size = odd_buffer_size + even_buffer_size + scratch_size;
  static constexpr std::size_t activation_bytes = activation_size * sizeof(T);

  using parameters = ctnn::parameters<basic_network>;
  using input = std::array<T, input_size>;
  using output = std::array<T, output_size>;
  /// Caller-owned scratch memory for forward(); e.g. a static in firmware (.bss).
  using workspace = std::array<T, activation_size>;

 private:
  static constexpr auto signature_storage = [] {
    const auto head = detail::fixed_string("ctnn1|") + detail::scalar_name<T>() + "|" + Mode::name +
                      "|in(" + detail::shape_name<input_shape>() + ")";
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (head + ... + ("|" + layer<I + 1>::name));
    }
    (std::make_index_sequence<layer_count>{});
  }();

  /// Runs layers 1..L; `ws` holds the two ping-pong buffers, `y` receives the output.
  template <std::size_t... I>
  static constexpr void run(const T* p, const T* x, T* ws, T* y,
                            std::index_sequence<I...>) noexcept {
    (run_layer<I + 1>(p, x, ws, y), ...);
  }
  template <std::size_t I>
  static constexpr void run_layer(const T* p, const T* x, T* ws, T* y) noexcept {
    T* const odd = ws;
    T* const even = ws + odd_buffer_size;
    const T* in = I == 1 ? x : (I % 2 == 0 ? odd : even);
    T* out = I == layer_count ? y : (I % 2 == 1 ? odd : even);
    detail::forward_layer<layer<I>>(p + parameter_offset<I>, in, out,
                                    ws + odd_buffer_size + even_buffer_size);
  }

 public:
  /// The architecture signature (frozen format): "ctnn1|<f32|f64>|<fused|unfused>|
  /// in(HxWxC)|<layer>|<layer>…", each layer as e.g. "dense(128,relu)". Checkpoints and
  /// generated headers carry it; equal signatures mean interchangeable parameters.
  static constexpr std::string_view signature = signature_storage.view();
  /// FNV-1a 64 of `signature`.
  static constexpr std::uint64_t signature_hash = detail::fnv1a64(signature);

  /// The network's output for one sample, using `ws` as scratch memory.
  static constexpr output forward(const parameters& p, const input& x, workspace& ws) noexcept {
    output y;
    run(p.values.data(), x.data(), ws.data(), y.data(), std::make_index_sequence<layer_count>{});
    return y;
  }

  /// The network's output for one sample (workspace on the stack).
  static constexpr output forward(const parameters& p, const input& x) noexcept {
    workspace ws;
    return forward(p, x, ws);
  }

  /// Index of the largest output (the first one on ties): the predicted class, using `ws`
  /// as scratch memory (firmware: a static workspace instead of activation_bytes of stack).
  static constexpr std::size_t predict(const parameters& p, const input& x,
                                       workspace& ws) noexcept {
    return argmax(forward(p, x, ws));
  }

  /// Index of the largest output (the first one on ties), workspace on the stack.
  static constexpr std::size_t predict(const parameters& p, const input& x) noexcept {
    workspace ws;
    return predict(p, x, ws);
  }

  /// Index of the largest value of y (the first one on ties).
  static constexpr std::size_t argmax(const output& y) noexcept { return detail::argmax(y); }

  /// Raw forward over pointers, for batched host code that keeps samples contiguous.
  static constexpr void forward_raw(const T* p, const T* x, T* ws, T* y) noexcept {
    run(p, x, ws, y, std::make_index_sequence<layer_count>{});
  }

  // Misuse gets a sentence, not an overload-resolution dump.
  template <class Other>
  requires(!std::is_same_v<Other, basic_network>) static constexpr output
      forward(const ctnn::parameters<Other>&, const input&) noexcept {
    static_assert(detail::check_parameters_architecture<basic_network, Other>::value);
    return {};
  }
  template <std::size_t N>
  requires(N != input_size) static constexpr output
      forward(const parameters&, const std::array<T, N>&) noexcept {
    static_assert(detail::check_input_size<input_size, N>::value);
    return {};
  }
};

template <class T, class Mode>
class basic_network<T, Mode> {
  static_assert(detail::check_network_input<sizeof(T) == 0, basic_network>::value);
};

namespace detail {
template <class T, class... Entries>
struct make_network {
  using type = basic_network<T, fused, Entries...>;
};
template <class T, numeric_mode Mode, class... Entries>
struct make_network<T, Mode, Entries...> {
  using type = basic_network<T, Mode, Entries...>;
};
}  // namespace detail

/// `network<Scalar, [Mode,] input<…>, Layers…>`: see the file comment.
template <class T, class... Entries>
using network = typename detail::make_network<T, Entries...>::type;

}  // namespace ctnn
