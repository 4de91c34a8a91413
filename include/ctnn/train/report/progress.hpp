// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Training progress on stderr: on a terminal, one bar redrawn in place (epoch, bar,
/// samples, loss, accuracy, samples/s, ETA); otherwise (a log file, a pipe, CI) one plain
/// line per finished epoch, so logs stay readable. Host only (POSIX isatty).
/// The epoch line's time and rate are the trainer's own measurement of the epoch's training
/// when given (end_epoch's `seconds`), so they equal the history file's: they leave out the
/// one-time buffer setup before the first step and the validation pass after the last.
///
/// @code
/// ctnn::train::progress bar(epochs, train.size());
/// bar.begin_epoch(e);
/// bar.update(done, loss, acc);   // as often as you like: redraws at most 10× a second
/// bar.end_epoch(loss, acc, "val_acc 0.8812");
/// @endcode
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace ctnn::train {

class progress {
 public:
  using clock = std::chrono::steady_clock;

  /// `epochs` total (for the ETA), `samples` per epoch; `first_epoch` > 0 when resuming.
  /// `interactive` defaults to whether stderr is a terminal.
  progress(std::size_t epochs, std::size_t samples, std::size_t first_epoch = 0,
           std::FILE* out = stderr, int interactive = -1)
      : epochs_(epochs),
        samples_(samples),
        first_epoch_(first_epoch),
        out_(out),
        tty_(interactive < 0 ? ::isatty(::fileno(out)) == 1 : interactive != 0),
        start_(clock::now()) {}

  bool interactive() const noexcept { return tty_; }

  /// Starts epoch `epoch` (0-based).
  void begin_epoch(std::size_t epoch) {
    epoch_ = epoch;
    epoch_start_ = clock::now();
    last_draw_ = epoch_start_ - std::chrono::seconds(1);
  }

  /// `done` samples of this epoch processed; running loss and accuracy so far.
  void update(std::size_t done, double loss, double accuracy) {
    if (!tty_) return;
    const auto now = clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < samples_) return;
    last_draw_ = now;
    std::fprintf(out_, "\r%s\x1b[K", line(done, loss, accuracy, now).c_str());
    std::fflush(out_);
  }

  /// Ends the epoch with its final figures; `extra` (e.g. validation) is appended.
  /// `seconds`: the epoch's training time as measured by the trainer (epoch_record::seconds);
  /// negative: the time since begin_epoch().
  void end_epoch(double loss, double accuracy, const std::string& extra = {}, double seconds = -1) {
    const auto now = clock::now();
    if (!(seconds >= 0)) seconds = std::chrono::duration<double>(now - epoch_start_).count();
    char text[160];
    std::snprintf(text, sizeof text, "epoch %zu/%zu  loss %.4f  acc %.4f  %.0f samples/s  %.2f s",
                  epoch_ + 1, epochs_, loss, accuracy,
                  seconds > 0 ? static_cast<double>(samples_) / seconds : 0.0, seconds);
    std::string s = text;
    if (!extra.empty()) s += "  " + extra;
    std::fprintf(out_, tty_ ? "\r%s\x1b[K\n" : "%s\n", s.c_str());
    std::fflush(out_);
  }

  /// A plain line after step `step` of `steps` in this epoch (--log-every), with the
  /// running loss and accuracy of the epoch so far. On a terminal it replaces the bar.
  void step_line(std::size_t step, std::size_t steps, double loss, double accuracy) {
    std::fprintf(out_, tty_ ? "\r%s\x1b[K\n" : "%s\n",
                 step_text(step, steps, loss, accuracy).c_str());
    std::fflush(out_);
  }

  /// The text of step_line (public for tests).
  std::string step_text(std::size_t step, std::size_t steps, double loss, double accuracy) const {
    char text[160];
    std::snprintf(text, sizeof text, "epoch %zu/%zu  step %zu/%zu  loss %.4f  acc %.4f", epoch_ + 1,
                  epochs_, step, steps, loss, accuracy);
    return text;
  }

  /// Seconds still to go, from the rate so far over all epochs of this run.
  double eta_seconds(std::size_t done, clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double finished =
        static_cast<double>((epoch_ - first_epoch_) * samples_ + std::min(done, samples_));
    const double total = static_cast<double>((epochs_ - first_epoch_) * samples_);
    if (finished <= 0 || total <= finished) return 0.0;
    return elapsed / finished * (total - finished);
  }

  /// The bar text, without control characters (public for tests).
  std::string line(std::size_t done, double loss, double accuracy, clock::time_point now) const {
    constexpr int width = 24;
    const double fraction =
        samples_ == 0 ? 1.0 : static_cast<double>(std::min(done, samples_)) / samples_;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < width) bar += '>';
    bar.resize(width, ' ');
    const double seconds = std::chrono::duration<double>(now - epoch_start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    const long eta = static_cast<long>(eta_seconds(done, now) + 0.5);
    char text[200];
    std::snprintf(text, sizeof text,
                  "epoch %zu/%zu [%s] %zu/%zu  loss %.4f  acc %.4f  %.0f samples/s  ETA %ld:%02ld",
                  epoch_ + 1, epochs_, bar.c_str(), done, samples_, loss, accuracy, rate, eta / 60,
                  eta % 60);
    return text;
  }

 private:
  std::size_t epochs_, samples_, first_epoch_;
  std::FILE* out_;
  bool tty_;
  std::size_t epoch_ = 0;
  clock::time_point start_, epoch_start_, last_draw_;
};

}  // namespace ctnn::train
