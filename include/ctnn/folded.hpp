// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Folding batch normalisation for inference: `ctnn::folded<Net>` is Net without its
/// batch_norm layers, and `ctnn::fold<Net>(p, out)` maps Net's parameters to it.
///
/// @code
/// using net = ctnn::network<float, ctnn::input<28, 28>,
///     ctnn::conv2d<32, 3, 3>, ctnn::batch_norm<ctnn::relu>, ...>;
/// using device = ctnn::folded<net>;  // conv2d<32, 3, 3, relu>, ...
/// ctnn::fold<net>(trained, *device_params);
/// @endcode
///
/// The type function (left to right): a batch_norm<A> right after a dense, conv2d or
/// depthwise_conv2d whose activation is identity disappears, and that layer takes the
/// activation A (a chain of batch_norm<identity> folds into the same layer); any other
/// batch_norm<A> becomes scale_shift<A> (scale_shift.hpp). A residual block's body is
/// folded by the same rule, as a network of its own (ResNet's conv → batch_norm → relu
/// becomes conv<relu>; a batch_norm right after a block becomes a scale_shift). Every other
/// layer is kept as it is; scalar type, numeric mode and input are Net's.
///
/// The values (a block's: its folded body's, then its projection's unchanged), with
/// scale[c] and shift[c] computed as batch_norm's inference forward pass
/// does (batch_norm.hpp): a folded layer's weights W[…][o] (every layer kind that folds
/// stores its weights output-channel fastest) become W[…][o]·scale[o] (one rounding) and
/// its biases b[o] become mac(b[o], scale[o], shift[o]) (Net's numeric mode); a
/// scale_shift gets scale[c] and shift[c], so it computes exactly the bits of the
/// batch_norm it replaces. Folded and unfolded forward passes agree up to rounding: the
/// rounding of W·scale and of the bias, and the different order of the operations (the
/// tests bound the difference).
#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "ctnn/activation.hpp"
#include "ctnn/batch_norm.hpp"
#include "ctnn/conv2d.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/depthwise_conv2d.hpp"
#include "ctnn/detail/simd.hpp"
#include "ctnn/network.hpp"
#include "ctnn/parameters.hpp"
#include "ctnn/residual.hpp"
#include "ctnn/scale_shift.hpp"

namespace ctnn {
namespace detail {

/// `type`: Spec with activation A, for the layer kinds a batch_norm folds into when their
/// activation is identity.
template <class Spec, class A>
struct with_activation {};
template <std::size_t Out, class A>
struct with_activation<dense<Out, identity>, A> {
  using type = dense<Out, A>;
};
template <std::size_t F, std::size_t KH, std::size_t KW, std::size_t S, class P, class A>
struct with_activation<conv2d<F, KH, KW, identity, S, P>, A> {
  using type = conv2d<F, KH, KW, A, S, P>;
};
template <std::size_t KH, std::size_t KW, std::size_t S, class P, std::size_t M, class A>
struct with_activation<depthwise_conv2d<KH, KW, identity, S, P, M>, A> {
  using type = depthwise_conv2d<KH, KW, A, S, P, M>;
};

/// A batch_norm can fold into this spec.
template <class Spec>
concept folds_batch_norm = requires {
  typename with_activation<Spec, identity>::type;
};

template <class Spec>
inline constexpr bool is_batch_norm_spec = false;
template <class A>
inline constexpr bool is_batch_norm_spec<batch_norm<A>> = true;

template <class... S>
struct spec_list {};

/// Folds Rest into Done, with Pending the last spec kept so far (void: none yet).
template <class Done, class Pending, class... Rest>
struct fold_specs;

/// A kept spec with the batch_norms inside it folded: a residual block's body.
template <class S>
struct fold_inner {
  using type = S;
};
template <class... L, class P, class A>
struct fold_inner<residual<block<L...>, P, A>> {
  template <class List>
  struct make;
  template <class... F>
  struct make<spec_list<F...>> {
    using type = residual<block<F...>, P, A>;
  };
  using type = typename make<typename fold_specs<spec_list<>, void, L...>::type>::type;
};
template <class... D, class P>
struct fold_specs<spec_list<D...>, P> {
  using type = std::conditional_t<std::is_void_v<P>, spec_list<D...>, spec_list<D..., P>>;
};
/// The batch_norm<A> after P: folded into P, or a scale_shift<A> after P (if any).
template <bool Folds, class Done, class P, class A, class... R>
struct fold_batch_norm;
template <class... D, class P, class A, class... R>
struct fold_batch_norm<true, spec_list<D...>, P, A, R...> {
  using type =
      typename fold_specs<spec_list<D...>, typename with_activation<P, A>::type, R...>::type;
};
template <class... D, class P, class A, class... R>
struct fold_batch_norm<false, spec_list<D...>, P, A, R...> {
  using type =
      typename std::conditional_t<std::is_void_v<P>,
                                  fold_specs<spec_list<D...>, scale_shift<A>, R...>,
                                  fold_specs<spec_list<D..., P>, scale_shift<A>, R...>>::type;
};
template <class... D, class P, class A, class... R>
struct fold_specs<spec_list<D...>, P, batch_norm<A>, R...> {
  using type = typename fold_batch_norm<folds_batch_norm<P>, spec_list<D...>, P, A, R...>::type;
};
template <class... D, class P, class S, class... R>
requires(!is_batch_norm_spec<S>) struct fold_specs<spec_list<D...>, P, S, R...> {
  using kept = typename fold_inner<S>::type;
  using type =
      typename std::conditional_t<std::is_void_v<P>, fold_specs<spec_list<D...>, kept, R...>,
                                  fold_specs<spec_list<D..., P>, kept, R...>>::type;
};

template <class Net>
struct folded_network;
template <class T, class Mode, class Input, class... Specs>
struct folded_network<basic_network<T, Mode, Input, Specs...>> {
  template <class List>
  struct make;
  template <class... S>
  struct make<spec_list<S...>> {
    using type = basic_network<T, Mode, Input, S...>;
  };
  using type = typename make<typename fold_specs<spec_list<>, void, Specs...>::type>::type;

  /// For each layer (1-based; [0] unused): true if it is a batch_norm that folds into the
  /// layer before it.
  static constexpr std::array<bool, sizeof...(Specs) + 1> is_bn = {false,
                                                                   is_batch_norm_spec<Specs>...};
  static constexpr auto folds_into_previous = [] {
    constexpr bool foldable[] = {false, folds_batch_norm<Specs>...};
    constexpr bool identity_bn[] = {false, std::is_same_v<Specs, batch_norm<identity>>...};
    std::array<bool, sizeof...(Specs) + 1> r{};
    bool pending = false;  // the last kept layer can take a batch_norm
    for (std::size_t i = 1; i <= sizeof...(Specs); ++i) {
      if (is_bn[i]) {
        r[i] = pending;
        pending = pending && identity_bn[i];
      } else {
        pending = foldable[i];
      }
    }
    return r;
  }();
};

}  // namespace detail

/// Net with every batch_norm folded (see the file comment). Net itself if it has none.
template <class Net>
using folded = typename detail::folded_network<Net>::type;

namespace detail {

/// fold() on raw slices: Net's parameters `in` to folded<Net>'s `o`.
template <class Net>
constexpr void fold_into(const typename Net::scalar* in, typename Net::scalar* o) noexcept {
  using T = typename Net::scalar;
  using Mode = typename Net::numerics;
  using info = folded_network<Net>;
  T* last = nullptr;             // the last layer written to `o`
  std::size_t last_weights = 0;  // its weight count
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template layer<I + 1>;
          const T* src = in + Net::template parameter_offset<I + 1>;
          if constexpr (info::is_bn[I + 1]) {
            constexpr std::size_t C = L::channels;
            if (info::folds_into_previous[I + 1]) {
              for (std::size_t c = 0; c < C; ++c) {
                T scale{}, shift{};
                L::scale_shift(src, c, scale, shift);
                for (std::size_t k = c; k < last_weights; k += C) last[k] = last[k] * scale;
                last[last_weights + c] = mac<Mode>(last[last_weights + c], scale, shift);
              }
            } else {
              for (std::size_t c = 0; c < C; ++c) L::scale_shift(src, c, o[c], o[C + c]);
              last = o;
              last_weights = 0;
              o += 2 * C;
            }
          } else if constexpr (requires { typename L::body; }) {
            // A residual block: its folded body, then its projection as it is. Nothing
            // folds into a block.
            using body = typename L::body;
            fold_into<body>(src, o);
            o += folded<body>::parameter_count;
            for (std::size_t k = 0; k < L::projection_parameter_count; ++k)
              o[k] = src[L::body_parameter_count + k];
            o += L::projection_parameter_count;
            last = nullptr;
            last_weights = 0;
          } else {
            for (std::size_t k = 0; k < L::parameter_count; ++k) o[k] = src[k];
            last = o;
            last_weights = L::weight_count;
            o += L::parameter_count;
          }
        }(),
        ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
}

}  // namespace detail

/// Writes the parameters of folded<Net> computed from Net's parameters `p` into `out`.
/// constexpr, noexcept, no heap (both arrays are the caller's; on a host, heap-allocate
/// them as any parameters object).
template <class Net>
constexpr void fold(const parameters<Net>& p, parameters<folded<Net>>& out) noexcept {
  detail::fold_into<Net>(p.values.data(), out.values.data());
}

}  // namespace ctnn
