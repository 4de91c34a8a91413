// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// The static_asserts a user can trigger with ctnn::residual. As in checks.hpp, each sits
/// in a class template whose arguments are the 1-based layer index and the sizes
/// involved, so the compiler's "in instantiation of …" line shows them next to the
/// sentence. The sentences are part of the interface: compile-fail tests match them.
#include <cstddef>

namespace ctnn::detail {

template <std::size_t Layer, class NotABlock, bool IsBlock>
struct check_residual_body {
  static_assert(IsBlock,
                "ctnn: the first argument of ctnn::residual must be ctnn::block<Layers...> (the "
                "layers of the block's body), but this layer's is NotABlock");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t BodyLayers>
struct check_residual_body_size {
  static_assert(BodyLayers > 0,
                "ctnn: the body of a residual block needs at least one layer, but this layer's "
                "ctnn::block<> is empty");
  static constexpr bool value = true;
};

template <std::size_t Layer, class NotAProjection, bool IsProjection>
struct check_residual_projection {
  static_assert(IsProjection,
                "ctnn: the projection of a residual block must be a layer (e.g. conv2d<Filters, "
                "1, 1, identity, Stride>) or ctnn::no_projection, but this layer's is "
                "NotAProjection");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t InHeight, std::size_t InWidth, std::size_t InChannels,
          std::size_t BodyHeight, std::size_t BodyWidth, std::size_t BodyChannels>
struct check_residual_skip_shape {
  static_assert(InHeight == BodyHeight && InWidth == BodyWidth && InChannels == BodyChannels,
                "ctnn: a residual block without a projection adds its input to its body's "
                "output, but this block's input is InHeight x InWidth x InChannels and its body "
                "produces BodyHeight x BodyWidth x BodyChannels; give the block a projection "
                "(e.g. conv2d<BodyChannels, 1, 1, identity, Stride>) or keep the shape");
  static constexpr bool value = true;
};

template <std::size_t Layer, std::size_t ProjectionHeight, std::size_t ProjectionWidth,
          std::size_t ProjectionChannels, std::size_t BodyHeight, std::size_t BodyWidth,
          std::size_t BodyChannels>
struct check_residual_projection_shape {
  static_assert(ProjectionHeight == BodyHeight && ProjectionWidth == BodyWidth &&
                    ProjectionChannels == BodyChannels,
                "ctnn: a residual block adds its projection's output to its body's output, but "
                "this block's projection produces ProjectionHeight x ProjectionWidth x "
                "ProjectionChannels and its body BodyHeight x BodyWidth x BodyChannels");
  static constexpr bool value = true;
};

}  // namespace ctnn::detail
