// SPDX-License-Identifier: MIT
// The inference entry point: the only code that touches the network's workspace.
#include "src/model.hpp"

namespace fw {
namespace {
/// The forward pass's scratch memory (activation_bytes): static, so it is in .bss and
/// counted by the RAM check, never on the heap.
model::workspace workspace;
}  // namespace

[[gnu::noinline]] void infer(const model::input& x, model::output& y) noexcept {
  y = model::forward(selected::weights, x, workspace);
}

}  // namespace fw
