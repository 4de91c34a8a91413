// SPDX-License-Identifier: MIT
#pragma once
#include "ctnn/batch_norm.hpp"
#include "ctnn/ctnn.hpp"
#include "ctnn/folded.hpp"

namespace ctnn_test {
/// A model with batch_norm layers: one folds into a conv, one into a depthwise conv, one
/// becomes a scale_shift (after a pool); exported folded.
using export_bn_model =
    ctnn::network<float, ctnn::input<6, 6, 2>, ctnn::conv2d<4, 3, 3, ctnn::identity, 1, ctnn::same>,
                  ctnn::batch_norm<ctnn::relu>, ctnn::depthwise_conv2d<3, 3>,
                  ctnn::batch_norm<ctnn::relu>, ctnn::max_pool2d<2, 2>, ctnn::batch_norm<>,
                  ctnn::flatten, ctnn::dense<3, ctnn::softmax>>;
/// batch_norm layers only inside residual blocks (the signature lists them inside
/// "residual(…)"): still exported folded, each body folded as a network of its own.
using export_block_bn_model = ctnn::network<
    float, ctnn::input<4, 4, 2>,
    ctnn::residual<ctnn::block<
        ctnn::conv2d<2, 3, 3, ctnn::identity, 1, ctnn::same>, ctnn::batch_norm<ctnn::relu>,
        ctnn::conv2d<2, 3, 3, ctnn::identity, 1, ctnn::same>, ctnn::batch_norm<>>>,
    ctnn::residual<ctnn::block<ctnn::depthwise_conv2d<3, 3, ctnn::identity, 2, ctnn::same>,
                               ctnn::batch_norm<ctnn::relu>, ctnn::conv2d<4, 1, 1>>,
                   ctnn::conv2d<4, 1, 1, ctnn::identity, 2>>,
    ctnn::global_avg_pool, ctnn::dense<3, ctnn::softmax>>;
}  // namespace ctnn_test
