// SPDX-License-Identifier: MIT
#pragma once

/// @file
/// What every host tool checks about the paths it is given, before and while using them.
/// Host only (POSIX).
///
/// - Inputs must be regular files (after following symlinks): a directory, FIFO, socket or
///   device is refused at once, never opened for reading (a FIFO would block forever,
///   /dev/zero would never end). open_input() holds the file open; its size is the bound
///   of every read.
/// - Outputs are regular files or do not exist yet: check_output() refuses the other kinds
///   and probes that the directory can take the temporary file, so a run fails before its
///   work, not after. Symlinks are followed (resolve_symlinks): the target is written.
/// - same_file() tells whether two paths name one file (inode, or the same resolved path
///   for files that do not exist yet), so an output never overwrites an input.
/// Every failure is a data_error naming the path.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ctnn/train/data_error.hpp"

namespace ctnn::train {

/// "a directory", "a FIFO (named pipe)", … for a file type that is not a regular file.
inline const char* file_kind(mode_t mode) noexcept {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

/// `path` with every symlink in its last component followed (the target may not exist).
/// Intermediate directories are left to the OS. Throws data_error on a loop.
inline std::filesystem::path resolve_symlinks(const std::filesystem::path& path) {
  std::filesystem::path p = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::vector<char> target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 2);
    const ssize_t n = ::readlink(p.c_str(), target.data(), target.size() - 1);
    if (n < 0) return p;
    const std::filesystem::path t(std::string(target.data(), static_cast<std::size_t>(n)));
    p = t.is_absolute() ? t : p.parent_path() / t;
  }
  throw data_error(path.string(), "too many levels of symbolic links");
}

/// An input file held open for reading; only regular files are accepted.
class input_file {
 public:
  /// Opens `path`; data_error ("no such file", "is a directory", "is a FIFO (named
  /// pipe), not a regular file", …) unless it is a readable regular file.
  explicit input_file(const std::filesystem::path& path) : name_(path.string()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) throw data_error(name_, "no such file");
      throw data_error(name_, std::string("cannot open: ") + std::strerror(errno));
    }
    refuse_kind(st.st_mode);
    // O_NONBLOCK: should the path be swapped for a FIFO after the stat, open still returns.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd_ < 0) throw data_error(name_, std::string("cannot open: ") + std::strerror(errno));
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      refuse_kind(st.st_mode);
      throw data_error(name_, "cannot open: not a regular file");
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;
  ~input_file() { ::close(fd_); }

  int fd() const noexcept { return fd_; }
  /// The size when opened: readers never read more than this.
  std::uint64_t size() const noexcept { return size_; }
  const std::string& name() const noexcept { return name_; }

  /// Reads up to `n` bytes (fewer only at the end of the file); data_error on I/O errors.
  std::size_t read(void* out, std::size_t n) const {
    auto* p = static_cast<unsigned char*>(out);
    std::size_t done = 0;
    while (done < n) {
      const ssize_t r = ::read(fd_, p + done, n - done);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw data_error(name_, std::string("read error: ") + std::strerror(errno));
      if (r == 0) break;
      done += static_cast<std::size_t>(r);
    }
    return done;
  }

  /// The whole file; data_error if it is larger than `limit` bytes.
  std::vector<unsigned char> read_all(std::uint64_t limit) const {
    if (size_ > limit)
      throw data_error(name_, "is " + std::to_string(size_) + " bytes, more than the " +
                                  std::to_string(limit) + " this reader accepts");
    std::vector<unsigned char> bytes(static_cast<std::size_t>(size_));
    bytes.resize(read(bytes.data(), bytes.size()));  // a file that shrank: its real size
    return bytes;
  }

 private:
  void refuse_kind(mode_t mode) const {
    if (S_ISDIR(mode)) throw data_error(name_, "is a directory");
    if (!S_ISREG(mode))
      throw data_error(name_, std::string("is ") + file_kind(mode) + ", not a regular file");
  }

  std::string name_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// Throws data_error unless `path` can be written as a file by write_file_atomically():
/// it does not exist or is a regular file (a symlink counts as its target), and a
/// temporary file can be created beside it. Called before a run's work starts.
inline void check_output(const std::filesystem::path& path) {
  const std::string name = path.string();
  if (name.empty()) throw data_error("\"\"", "empty output file name");
  const std::filesystem::path target = resolve_symlinks(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw data_error(name, "is a directory; give a file name");
    if (!S_ISREG(st.st_mode))
      throw data_error(name, std::string("is ") + file_kind(st.st_mode) +
                                 ", not a regular file: refusing to replace it");
  }
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string probe = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    throw data_error(name, std::string("cannot create a temporary file in ") + dir.string() + ": " +
                               std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

/// True if `a` and `b` name the same file: the same inode when both exist, else the same
/// absolute path once symlinks are followed.
inline bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa {
  }, sb{};
  const bool ea = ::stat(a.c_str(), &sa) == 0, eb = ::stat(b.c_str(), &sb) == 0;
  if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (ea != eb) return false;
  std::error_code e1, e2;
  const auto ca = std::filesystem::weakly_canonical(resolve_symlinks(a), e1);
  const auto cb = std::filesystem::weakly_canonical(resolve_symlinks(b), e2);
  return !e1 && !e2 && ca == cb;
}

/// A file a tool reads or writes, with the option that named it (for messages).
struct named_file {
  std::string option;  ///< e.g. "--out"
  std::filesystem::path path;
};

/// Refuses (data_error naming the output) any output that is the same file as an input or
/// as another output. `allowed` pairs (output option, input option) may share a file, e.g.
/// {"--out", "--resume"}: continuing a run in place.
inline void check_distinct(const std::vector<named_file>& inputs,
                           const std::vector<named_file>& outputs,
                           const std::vector<std::pair<std::string, std::string>>& allowed = {}) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const named_file& o = outputs[i];
    for (const named_file& in : inputs) {
      bool ok = false;
      for (const auto& [out_option, in_option] : allowed)
        ok = ok || (out_option == o.option && in_option == in.option);
      if (!ok && same_file(o.path, in.path))
        throw data_error(o.path.string(), "is also the input " + in.option + " " +
                                              in.path.string() + "; refusing to overwrite it");
    }
    for (std::size_t j = 0; j < i; ++j)
      if (same_file(o.path, outputs[j].path))
        throw data_error(o.path.string(), o.option + " and " + outputs[j].option +
                                              " name the same file; give each its own");
  }
}

}  // namespace ctnn::train
