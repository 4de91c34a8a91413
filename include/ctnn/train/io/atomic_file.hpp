// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Writing a file so that a crash never leaves a torn one: checkpoints, reports and
/// generated headers all go through here. Host only (POSIX).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "ctnn/train/data_error.hpp"

namespace ctnn::train {
namespace detail {

/// Writes all of `data` to `fd`, retrying short writes and EINTR.
inline bool write_all(int fd, const void* data, std::size_t n) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace detail

/// Replaces `path` by `n` bytes atomically: a temporary file in the same directory, write,
/// fsync, rename over `path`, fsync of the directory. At any moment `path` holds either
/// the old contents or the new ones. The new file is readable by everyone (0644).
/// Throws data_error naming `path` on failure; the temporary file is then removed.
inline void write_file_atomically(const std::filesystem::path& path, const void* data,
                                  std::size_t n) {
  const std::string name = path.string();
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0)
    throw data_error(name, std::string("cannot create a temporary file in ") + dir.string() + ": " +
                               std::strerror(errno));
  ::fchmod(fd, 0644);  // mkstemp's 0600 would hide the file from other users
  int error = detail::write_all(fd, data, n) && ::fsync(fd) == 0 ? 0 : errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(temp.c_str());
    throw data_error(name, std::string("write failed: ") + std::strerror(error));
  }
  if (::rename(temp.c_str(), name.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp.c_str());
    throw data_error(name, std::string("cannot rename the temporary file: ") + std::strerror(e));
  }
  // The rename is durable only once the directory entry is.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

inline void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  write_file_atomically(path, text.data(), text.size());
}

}  // namespace ctnn::train
