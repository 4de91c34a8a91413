// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Losses and their gradient with respect to the last layer's pre-activation z. Host only.
///
/// - cross_entropy: softmax output; L = log Σ e^z − z_y (from the logits, so it never
///   takes log 0); dL/dz = a − onehot(y) (the fused gradient).
/// - binary_cross_entropy: one sigmoid output, target y = label ∈ {0, 1};
///   L = max(z, 0) − z·y + log(1 + e^−|z|) (stable for any z); dL/dz = a − y.
/// - mean_squared_error: any output activation; target onehot(y) for N > 1 outputs, the
///   label itself for one output, or a regression set's float target vector (N values);
///   L = (1/N) Σ (a − t)²; dL/da = 2(a − t)/N, then the activation's backward (a
///   Jacobian–vector product for softmax). Only MSE trains on target vectors.
/// Other pairings are compile errors with a sentence (check_loss). Loss values are
/// computed in double with ctnn's own exp/log, so they are reproducible too.
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ctnn/activation.hpp"
#include "ctnn/detail/math.hpp"
#include "ctnn/train/rng.hpp"

namespace ctnn::train {

struct cross_entropy {
  static constexpr const char* name = "cross_entropy";
};
struct binary_cross_entropy {
  static constexpr const char* name = "binary_cross_entropy";
};
struct mean_squared_error {
  static constexpr const char* name = "mean_squared_error";
};

namespace detail {

template <class Net>
using output_activation = typename Net::template layer<Net::layer_count>::activation;

template <class Loss, class OutputActivation, bool SoftmaxOutput>
struct check_cross_entropy {
  static_assert(SoftmaxOutput,
                "ctnn: cross_entropy needs a softmax output layer (its gradient is the fused "
                "A - Y); use mean_squared_error with other output activations");
  static constexpr bool value = true;
};

template <class Loss, class OutputActivation, std::size_t Outputs, bool SigmoidOutput>
struct check_binary_cross_entropy {
  static_assert(SigmoidOutput && Outputs == 1,
                "ctnn: binary_cross_entropy needs exactly one sigmoid output (the probability "
                "of class 1); use cross_entropy with a softmax output for several classes");
  static constexpr bool value = true;
};

template <class NotALoss, bool IsLoss>
struct check_loss_kind {
  static_assert(IsLoss,
                "ctnn: the trainer's loss must be cross_entropy, binary_cross_entropy "
                "or mean_squared_error");
  static constexpr bool value = true;
};

/// True if Loss may train Net; otherwise a static_assert with a sentence fires.
template <class Net, class Loss>
constexpr bool check_loss() {
  using act = output_activation<Net>;
  if constexpr (std::is_same_v<Loss, cross_entropy>) {
    return check_cross_entropy<Loss, act, std::is_same_v<act, softmax>>::value;
  } else if constexpr (std::is_same_v<Loss, binary_cross_entropy>) {
    return check_binary_cross_entropy<Loss, act, Net::output_size,
                                      std::is_same_v<act, sigmoid>>::value;
  } else {
    return check_loss_kind<Loss, std::is_same_v<Loss, mean_squared_error>>::value;
  }
}

template <class Net>
struct default_loss_of {
  using act = output_activation<Net>;
  using type =
      std::conditional_t<std::is_same_v<act, softmax>, cross_entropy,
                         std::conditional_t<std::is_same_v<act, sigmoid> && Net::output_size == 1,
                                            binary_cross_entropy, mean_squared_error>>;
};

/// log(1 + e^-|z|) and friends need exp; ctnn's own, in double.
inline double exp_d(double x) noexcept {
  return ctnn::detail::exp(x);
}

/// MSE target for output o.
inline double mse_target(std::size_t n, std::size_t o, std::uint32_t label) noexcept {
  return n == 1 ? static_cast<double>(label) : (o == label ? 1.0 : 0.0);
}

}  // namespace detail

/// softmax → cross_entropy; one sigmoid output → binary_cross_entropy; else MSE.
template <class Net>
using default_loss = typename detail::default_loss_of<Net>::type;

/// The loss operations for network Net (output activation and size fixed).
template <class Net, class Loss>
struct loss_ops {
  static_assert(detail::check_loss<Net, Loss>());
  using T = typename Net::scalar;
  using act = detail::output_activation<Net>;
  static constexpr std::size_t n = Net::output_size;

  /// Training loss of one sample from the last layer's z (and a = act(z)).
  static double value(const T* z, const T* a, std::uint32_t label) noexcept {
    if constexpr (std::is_same_v<Loss, cross_entropy>) {
      double m = z[0];
      for (std::size_t i = 1; i < n; ++i) m = z[i] > m ? z[i] : m;
      double s = 0;
      for (std::size_t i = 0; i < n; ++i) s += detail::exp_d(double(z[i]) - m);
      return m + detail::log(s) - double(z[label]);
    } else if constexpr (std::is_same_v<Loss, binary_cross_entropy>) {
      const double x = z[0];
      const double ax = x < 0 ? -x : x;
      return (x > 0 ? x : 0.0) - x * double(label) + detail::log(1.0 + detail::exp_d(-ax));
    } else {
      (void)z;
      double s = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double d = double(a[i]) - detail::mse_target(n, i, label);
        s += d * d;
      }
      return s / double(n);
    }
  }

  /// Loss of one sample from the network's output a only (evaluation with Net::forward).
  static double value_from_output(const T* a, std::uint32_t label) noexcept {
    constexpr double tiny = 1e-300;
    if constexpr (std::is_same_v<Loss, cross_entropy>) {
      const double p = a[label];
      return -detail::log(p > tiny ? p : tiny);
    } else if constexpr (std::is_same_v<Loss, binary_cross_entropy>) {
      const double p = label ? double(a[0]) : 1.0 - double(a[0]);
      return -detail::log(p > tiny ? p : tiny);
    } else {
      return value(a, a, label);
    }
  }

  /// dL/dz for one sample into grad_z (n values). `scratch` holds n values (MSE only).
  static void gradient(const T* z, const T* a, std::uint32_t label, T* grad_z,
                       T* scratch) noexcept {
    if constexpr (std::is_same_v<Loss, cross_entropy>) {
      (void)z, (void)scratch;
      for (std::size_t i = 0; i < n; ++i) grad_z[i] = a[i];
      grad_z[label] -= T(1);
    } else if constexpr (std::is_same_v<Loss, binary_cross_entropy>) {
      (void)z, (void)scratch;
      grad_z[0] = a[0] - T(label);
    } else {
      for (std::size_t i = 0; i < n; ++i)
        scratch[i] = T(2) * (a[i] - T(detail::mse_target(n, i, label))) / T(n);
      act::backward(z, a, scratch, grad_z, n);
    }
  }

  /// MSE of one sample's output `a` against its target vector `t` (n values): regression.
  static double value_target(const T* a, const float* t) noexcept {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = double(a[i]) - double(t[i]);
      s += d * d;
    }
    return s / double(n);
  }

  /// dL/dz of the MSE against the target vector `t` into grad_z; `scratch` holds n values.
  static void gradient_target(const T* z, const T* a, const float* t, T* grad_z,
                              T* scratch) noexcept {
    for (std::size_t i = 0; i < n; ++i) scratch[i] = T(2) * (a[i] - T(t[i])) / T(n);
    act::backward(z, a, scratch, grad_z, n);
  }

  /// The predicted class from the network's output.
  static std::uint32_t predict(const T* a) noexcept {
    if constexpr (n == 1) {
      return a[0] >= T(0.5) ? 1u : 0u;
    } else {
      std::size_t best = 0;
      for (std::size_t i = 1; i < n; ++i)
        if (a[i] > a[best]) best = i;
      return static_cast<std::uint32_t>(best);
    }
  }
};

}  // namespace ctnn::train
