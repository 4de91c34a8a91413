// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// A fixed set of worker threads that run one function on every thread and wait for all:
/// the trainer's two phases per step (shards, then reduction and update). Workers spin
/// briefly, then sleep on std::atomic::wait (a futex on Linux), so a step costs
/// microseconds of synchronisation. Host only.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace ctnn::train::detail {

class thread_pool {
 public:
  /// `threads` ≥ 1 threads in all, the caller's included.
  explicit thread_pool(std::size_t threads) : size_(threads == 0 ? 1 : threads) {
    for (std::size_t t = 1; t < size_; ++t) workers_.emplace_back([this, t] { work(t); });
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() {
    stop_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& w : workers_) w.join();
  }

  std::size_t size() const noexcept { return size_; }

  /// Calls f(t) for t = 0 … size()−1, t = 0 on the calling thread; returns when all are
  /// done. `f` must not throw.
  void run(const std::function<void(std::size_t)>& f) {
    if (size_ == 1) return f(0);
    task_ = &f;
    pending_.store(size_ - 1);
    generation_.fetch_add(1);
    generation_.notify_all();
    f(0);
    for (int spin = 0; pending_.load() != 0; ++spin) {
      if (spin < 4096) continue;
      const std::size_t p = pending_.load();
      if (p != 0) pending_.wait(p);
    }
  }

 private:
  void work(std::size_t t) {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t g;
      for (int spin = 0; (g = generation_.load()) == seen; ++spin)
        if (spin >= 4096) generation_.wait(seen);
      seen = g;
      if (stop_.load()) return;
      (*task_)(t);
      if (pending_.fetch_sub(1) == 1) pending_.notify_one();
    }
  }

  std::size_t size_;
  std::vector<std::thread> workers_;
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace ctnn::train::detail
