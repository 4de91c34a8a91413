// SPDX-License-Identifier: MIT
// The inference entry point: the only code that touches the network's workspace.
#include "src/model.hpp"

namespace fw {
namespace {
/// The forward pass's scratch memory (Net::activation_bytes): static, so it is in .bss
/// and counted by the RAM check, never on the heap.
net::workspace workspace;
}  // namespace

[[gnu::noinline]] void infer(const net::input& x, net::output& y) noexcept {
  y = net::forward(selected::weights, x, workspace);
}

}  // namespace fw
