// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Umbrella header: everything needed to declare and run a network.
#include "ctnn/activation.hpp"
#include "ctnn/batch_norm.hpp"
#include "ctnn/conv2d.hpp"
#include "ctnn/crc32.hpp"
#include "ctnn/dense.hpp"
#include "ctnn/depthwise_conv2d.hpp"
#include "ctnn/dropout.hpp"
#include "ctnn/flatten.hpp"
#include "ctnn/folded.hpp"
#include "ctnn/global_avg_pool.hpp"
#include "ctnn/input.hpp"
#include "ctnn/layer.hpp"
#include "ctnn/network.hpp"
#include "ctnn/numerics.hpp"
#include "ctnn/parameters.hpp"
#include "ctnn/pool2d.hpp"
#include "ctnn/quantization.hpp"
#include "ctnn/quantized.hpp"
#include "ctnn/residual.hpp"
#include "ctnn/scale_shift.hpp"
#include "ctnn/shape.hpp"
