// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// Writing a file so that a crash never leaves a torn one: checkpoints, histories,
/// submissions, reports and generated headers all go through here. Host only (POSIX).
#include <dirent.h>
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
#include "ctnn/train/io/file_checks.hpp"

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

/// The process's umask (read without changing it where /proc allows).
inline mode_t current_umask() noexcept {
  if (const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC); fd >= 0) {
    char text[4096];
    const ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n > 0) {
      text[n] = '\0';
      if (const char* u = std::strstr(text, "Umask:"))
        return static_cast<mode_t>(std::strtoul(u + 6, nullptr, 8)) & 0777;
    }
  }
  const mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

/// Removes `dir/.<file>.tmp-XXXXXX` files: temporaries of a writer killed mid-write.
inline void remove_stale_temporaries(const std::filesystem::path& dir, const std::string& file) {
  const std::string prefix = "." + file + ".tmp-";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n = e->d_name;
    if (n.size() == prefix.size() + 6 && n.substr(0, prefix.size()) == prefix)
      ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

}  // namespace detail

/// Replaces `path` by `n` bytes atomically: a temporary file in the same directory, write,
/// fsync, rename over `path`, fsync of the directory. At any moment `path` holds either
/// the old contents or the new ones.
/// - A symlink is written through: its target is replaced, the link stays.
/// - A path naming anything but a regular file (directory, FIFO, socket, device) is
///   refused; nothing is renamed over it.
/// - A replaced file keeps its permission bits; a new one gets 0666 minus the umask.
/// - Temporaries left by a killed writer of the same file are removed.
/// Throws data_error naming `path`, with the OS's reason, on failure; the temporary file is
/// then removed and `path` is untouched.
inline void write_file_atomically(const std::filesystem::path& path, const void* data,
                                  std::size_t n) {
  const std::string name = path.string();
  const std::filesystem::path target = resolve_symlinks(path);
  mode_t mode = 0666 & ~detail::current_umask();
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw data_error(name, "is a directory; give a file name");
    if (!S_ISREG(st.st_mode))
      throw data_error(name, std::string("is ") + file_kind(st.st_mode) +
                                 ", not a regular file: refusing to replace it");
    mode = st.st_mode & 07777;
  }
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  const std::string file = target.filename().string();
  std::string temp = (dir / ("." + file + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0)
    throw data_error(name, std::string("cannot create a temporary file in ") + dir.string() + ": " +
                               std::strerror(errno));
  ::fchmod(fd, mode);
  int error = detail::write_all(fd, data, n) && ::fsync(fd) == 0 ? 0 : errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(temp.c_str());
    throw data_error(name, std::string("write failed: ") + std::strerror(error));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp.c_str());
    throw data_error(name, std::string("cannot rename the temporary file: ") + std::strerror(e));
  }
  detail::remove_stale_temporaries(dir, file);
  // The rename is durable only once the directory entry is.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

inline void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  write_file_atomically(path, text.data(), text.size());
}

}  // namespace ctnn::train
