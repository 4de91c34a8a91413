// SPDX-License-Identifier: MIT
#pragma once

// Shared by the fuzz targets: an in-memory file with a path (the IDX and CSV readers only
// take paths), and the rule that a reader may only fail with ctnn::train::data_error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "ctnn/train/data_error.hpp"

namespace ctnn_fuzz {

/// A memfd reached through /proc/self/fd/N: readers open it by name like a file, but no
/// byte touches the disk and nothing is left behind. Created once, rewritten per input.
class memory_file {
 public:
  explicit memory_file(const char* name) : fd_(::memfd_create(name, 0)) {
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  memory_file(const memory_file&) = delete;
  memory_file& operator=(const memory_file&) = delete;
  ~memory_file() { ::close(fd_); }

  /// Replaces the file's contents with data[0, n).
  const std::string& hold(const std::uint8_t* data, std::size_t n) {
    if (::ftruncate(fd_, 0) != 0) std::abort();
    std::size_t done = 0;
    while (done < n) {
      const ssize_t w = ::pwrite(fd_, data + done, n - done, static_cast<off_t>(done));
      if (w <= 0) std::abort();
      done += static_cast<std::size_t>(w);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

/// Runs `f`; data_error (the readers' documented failure) is fine, any other exception is a
/// finding: printed and turned into an abort so libFuzzer records the input.
template <class F>
void expect_only_data_error(F&& f) {
  try {
    f();
  } catch (const ctnn::train::data_error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: unexpected exception (not data_error): %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: unexpected non-standard exception\n");
    std::abort();
  }
}

/// Aborts with `what` unless `condition` holds (a property the harness checks).
inline void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz: property violated: %s\n", what);
    std::abort();
  }
}

}  // namespace ctnn_fuzz
