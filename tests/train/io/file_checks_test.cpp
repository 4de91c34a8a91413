// SPDX-License-Identifier: MIT
// include/ctnn/train/io/file_checks.hpp and the writers and readers built on it (issue 11):
// kinds of files refused, symlinks written through, umask, RLIMIT_FSIZE, same-file
// detection, bounded gzip reads, checkpoint content validation, escaped messages.
#include "ctnn/train/io/file_checks.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/data/csv.hpp"
#include "ctnn/train/data/idx.hpp"
#include "ctnn/train/io/atomic_file.hpp"
#include "ctnn/train/io/checkpoint.hpp"
#include "test_files.hpp"

namespace {

using ctnn::train::data_error;
using ctnn_test::scratch_dir;
using small = ctnn::network<float, ctnn::input<3>, ctnn::dense<2, ctnn::relu>>;

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const data_error& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(file_checks, inputs_must_be_regular_files) {
  scratch_dir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  std::filesystem::create_directory(dir / "sub");
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::input_file f(dir / "fifo"); }),
                       "is a FIFO (named pipe), not a regular file"));
  EXPECT_TRUE(
      contains(error_of([&] { ctnn::train::input_file f(dir / "sub"); }), "is a directory"));
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::read_kaggle_csv(dir / "fifo"); }), "FIFO"));
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::read_idx_labels(dir / "fifo"); }), "FIFO"));
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::read_checkpoint(dir / "fifo"); }), "FIFO"));
  std::filesystem::create_symlink("/dev/zero", dir / "zero");  // stat()ed, never read
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::read_idx_images(dir / "zero"); }),
                       "is a character device"));
}

TEST(file_checks, outputs_refuse_other_kinds_and_write_through_symlinks) {
  scratch_dir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::write_file_atomically(dir / "fifo", "x"); }),
                       "refusing to replace it"));
  EXPECT_TRUE(std::filesystem::is_fifo(dir / "fifo"));
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  const std::string sock = (dir / "s").string();
  if (sock.size() < sizeof a.sun_path) {
    std::strcpy(a.sun_path, sock.c_str());
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_TRUE(contains(error_of([&] { ctnn::train::check_output(dir / "s"); }), "is a socket"));
  }
  ::close(s);
  if (::geteuid() == 0) {
    ASSERT_EQ(::mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
    EXPECT_TRUE(contains(error_of([&] { ctnn::train::write_file_atomically(dir / "null", "x"); }),
                         "is a character device"));
    EXPECT_TRUE(std::filesystem::is_character_file(dir / "null"));
  } else {
    std::printf("not root: device-node case skipped\n");
  }
  std::filesystem::create_directory(dir / "d");
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::check_output(dir / "d"); }), "is a directory"));
  // Symlink chain: the final target is replaced, both links stay.
  std::filesystem::create_symlink("b", dir / "a");
  std::filesystem::create_symlink("t.txt", dir / "b");
  ctnn::train::write_file_atomically(dir / "a", "new");
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "a"));
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "b"));
  EXPECT_EQ(ctnn_test::read_bytes(dir / "t.txt").size(), 3u);
}

TEST(file_checks, umask_kept_modes_and_stale_temporaries) {
  scratch_dir dir;
  const mode_t old = ::umask(027);
  ctnn::train::write_file_atomically(dir / "f", "x");
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ::chmod((dir / "f").c_str(), 0600);  // a replaced file keeps its mode
  ctnn_test::write_text(dir / ".f.tmp-Zz0912", "stale");
  ctnn::train::write_file_atomically(dir / "f", "y");
  ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(dir / ".f.tmp-Zz0912"));
}

TEST(file_checks, full_disk_keeps_the_old_file_and_names_the_reason) {
  scratch_dir dir;
  ctnn::train::write_file_atomically(dir / "f", "old");
  const auto saved = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{}, lim{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  const std::string e =
      error_of([&] { ctnn::train::write_file_atomically(dir / "f", std::string(4096, 'x')); });
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, saved);
  EXPECT_TRUE(contains(e, "write failed: File too large")) << e;
  EXPECT_EQ(ctnn_test::read_bytes(dir / "f").size(), 3u);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& x : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u) << "a temporary file was left";
}

TEST(file_checks, same_file_through_links_and_before_creation) {
  scratch_dir dir;
  ctnn_test::write_text(dir / "in.csv", "x");
  std::filesystem::create_symlink("in.csv", dir / "alias");
  std::filesystem::create_hard_link(dir / "in.csv", dir / "hard");
  EXPECT_TRUE(ctnn::train::same_file(dir / "alias", dir / "in.csv"));
  EXPECT_TRUE(ctnn::train::same_file(dir / "hard", dir / "in.csv"));
  EXPECT_TRUE(ctnn::train::same_file(dir / "new", dir / "." / "new"));
  EXPECT_FALSE(ctnn::train::same_file(dir / "new", dir / "other"));
  EXPECT_TRUE(contains(
      error_of([&] {
        ctnn::train::check_distinct({{"--csv", dir / "in.csv"}}, {{"--history", dir / "alias"}});
      }),
      "is also the input --csv"));
  EXPECT_EQ(error_of([&] {
              ctnn::train::check_distinct({{"--resume", dir / "in.csv"}},
                                          {{"--out", dir / "in.csv"}}, {{"--out", "--resume"}});
            }),
            "no error");
}

TEST(file_checks, gzip_reads_stop_at_the_declared_size) {
  scratch_dir dir;
  // 3 labels declared, 64 MiB of zeros after them: refused after one extra byte.
  std::vector<unsigned char> bomb = ctnn_test::idx1({1, 2, 3});
  bomb.resize(bomb.size() + (std::size_t{64} << 20), 0);
  ctnn_test::write_gz(dir / "l.gz", bomb);
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::read_idx_labels(dir / "l.gz"); }),
                       "trailing data: more than the 3 labels the header declares"));
  // A header claiming more than the compressed file could ever hold allocates nothing.
  ctnn_test::write_gz(dir / "big.gz", ctnn_test::idx3(0xffffffu, 0xffff, 0xffff, {1, 2, 3}));
  const std::string big = error_of([&] { ctnn::train::read_idx_images(dir / "big.gz"); });
  EXPECT_TRUE(contains(big, "truncated")) << big;
  // Trailing garbage after the member; two members are one stream.
  const std::vector<unsigned char> labels = ctnn_test::idx1({1, 2, 3});
  ctnn_test::write_gz(dir / "a.gz", {labels.begin(), labels.begin() + 5});
  ctnn_test::write_gz(dir / "b.gz", {labels.begin() + 5, labels.end()});
  auto two = ctnn_test::read_bytes(dir / "a.gz");
  const auto b = ctnn_test::read_bytes(dir / "b.gz");
  two.insert(two.end(), b.begin(), b.end());
  ctnn_test::write_bytes(dir / "two.gz", two);
  EXPECT_EQ(ctnn::train::read_idx_labels(dir / "two.gz").size(), 3u);
  two.push_back('x');
  ctnn_test::write_bytes(dir / "junk.gz", two);
  EXPECT_TRUE(contains(error_of([&] { ctnn::train::read_idx_labels(dir / "junk.gz"); }),
                       "trailing garbage after the gzip data"));
}

TEST(file_checks, checkpoint_contents_are_validated_after_the_crc) {
  small::parameters p{};
  for (std::size_t i = 0; i < small::parameter_count; ++i) p.values[i] = 0.25f * i;
  const auto good = ctnn::train::parameters_checkpoint<small>(p, R"({"dataset":"x"})");
  ctnn::train::validate_checkpoint(good, "c");
  auto problem = [&](auto change) {
    auto c = good;
    change(c);
    return error_of([&] { ctnn::train::validate_checkpoint(c, "c"); });
  };
  EXPECT_TRUE(contains(problem([](auto& c) {
                         const float nan = NAN;
                         std::memcpy(c.parameters.data() + 4, &nan, 4);
                       }),
                       "parameter 1 is not finite"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.optimizer = 7; }), "unknown optimiser kind 7"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.optimizer = 3; }), "stores 2 moment vectors"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.epoch = 2000000; }), "epoch count"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.epoch = 5; }), "step count 0 does not fit 5"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.signature = "a\nb"; }), "invalid signature"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.metadata = "[1]"; }), "not a JSON object"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.metadata = R"({"lr":-1})"; }), "'lr'"));
  EXPECT_TRUE(
      contains(problem([](auto& c) { c.metadata = R"({"test_accuracy":2})"; }), "'test_accuracy'"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.metadata = R"({"history":[{"epoch":-3}]})"; }),
                       "'history'"));
  EXPECT_TRUE(
      contains(problem([](auto& c) { c.metadata = std::string(100, '['); }), "not valid JSON"));
}

TEST(file_checks, messages_escape_control_bytes_and_truncate) {
  const data_error e(std::string("a\x1b[31m\xff") + "b", std::string(5000, 'x'));
  const std::string w = e.what();
  EXPECT_EQ(w.find('\x1b'), std::string::npos);
  EXPECT_TRUE(contains(w, "a\\x1b[31m\\xffb: ")) << w;
  EXPECT_LT(w.size(), 1200u);
  EXPECT_TRUE(contains(w, "(5000 bytes)"));
  EXPECT_EQ(ctnn::train::printable("Größe ✓"), "Größe ✓");  // valid UTF-8 stays
}

}  // namespace
