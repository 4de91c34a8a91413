// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The static_asserts a user can trigger. Each sits in its own class template whose
/// arguments are the 1-based layer index and the sizes involved, so the compiler's
/// "in instantiation of …" line shows them next to the sentence. The sentences are part
/// of the interface: compile-fail tests match them.
#include <cstddef>

namespace ctnn::detail {

template <std::size_t Layer, std::size_t Outputs>
struct check_layer_outputs {
  static_assert(Outputs > 0,
                "ctnn: a layer must produce at least one output, but this layer "
                "has size 0 (Layer and Outputs: this check's template arguments)");
  static constexpr bool value = true;
};

template <std::size_t Layer, class NotAnActivation, bool IsActivation>
struct check_activation {
  static_assert(IsActivation,
                "ctnn: the activation argument of this layer is not an activation; use "
                "identity, relu, leaky_relu<Num, Den>, sigmoid, tanh or softmax");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t Height, std::size_t Width, std::size_t Channels>
struct check_vector_input {
  static_assert(Height == 1 && Width == 1,
                "ctnn: a dense layer needs a vector input, but the previous layer produces "
                "a Height x Width x Channels image; insert ctnn::flatten before it");
  static constexpr bool value = true;
};

template <bool HasInput, class FirstEntry>
struct check_network_input {
  static_assert(HasInput,
                "ctnn: a network must start with ctnn::input<...> (the shape of one "
                "sample), but its first layer argument is FirstEntry");
  static constexpr bool value = true;
};

template <std::size_t Layer, class NotALayer, bool IsLayer>
struct check_layer_spec {
  static_assert(IsLayer,
                "ctnn: this network argument is not a layer (dense<...>, conv2d<...>, "
                "max_pool2d<...>, avg_pool2d<...>, flatten)");
  static constexpr bool value = true;
};

template <std::size_t Expected, std::size_t Given>
struct check_input_size {
  static_assert(Expected == Given,
                "ctnn: forward() was given an input array of the wrong size: "
                "the network expects Expected values, the array holds Given");
  static constexpr bool value = true;
};

template <class Expected, class Given>
struct check_parameters_architecture {
  static_assert(sizeof(Expected) == 0,
                "ctnn: these parameters were made for another architecture (Given), not for "
                "this network (Expected): layer sizes, activations, scalar type or numeric "
                "mode differ");
  static constexpr bool value = true;
};

/// Used by generated weights headers (ctnn-export) to bind their values to the model type.
template <class Model, bool SignatureMatches>
struct check_weights_signature {
  static_assert(SignatureMatches,
                "ctnn: this weights header was exported for another architecture than Model "
                "(layer sizes, activations, scalar type or numeric mode differ); re-export it "
                "from a checkpoint trained for Model");
  static constexpr bool value = true;
};

}  // namespace ctnn::detail
