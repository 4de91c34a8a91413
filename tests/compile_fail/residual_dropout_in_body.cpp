// SPDX-License-Identifier: MIT
// Compile-fail case for train/residual_gradient.hpp: a residual block whose body holds a
// dropout layer cannot be trained (the block's backward pass is per sample and
// deterministic). The twin trains the same block without the dropout.
#include "ctnn/ctnn.hpp"
#include "ctnn/train/dense_gradient.hpp"
#include "ctnn/train/dropout_gradient.hpp"
#include "ctnn/train/residual_gradient.hpp"

#if defined(CTNN_COMPILE_FAIL_TWIN)
using block = ctnn::residual<ctnn::block<ctnn::dense<4, ctnn::relu>, ctnn::dense<4>>>;
#else
using block =
    ctnn::residual<ctnn::block<ctnn::dense<4, ctnn::relu>, ctnn::dropout<1, 4>, ctnn::dense<4>>>;
#endif
using net = ctnn::network<float, ctnn::input<4>, block>;

int main() { return static_cast<int>(ctnn::train::layer_gradient<net::layer<1>>::state_size); }
