// SPDX-License-Identifier: MIT
// Trains the reference configurations on Fashion-MNIST and prints one JSON line
// (for compare_baseline.sh). Not a test; timings mean something only on an idle machine.
//   ctnn-bench-fashion DIR minibatch [threads] [epochs]   784-128-64-10, Adam 1e-3, batch 128
//   ctnn-bench-fashion DIR fullbatch [threads] [iters]    784-64-32-10, full-batch GD lr 0.1
//   ctnn-bench-fashion DIR wide [threads] [epochs]        784-256-128-10, Adam, cosine, 20 ep.
//   ctnn-bench-fashion DIR mlp [threads] [epochs]         models::mlp, ctnn-train-mlp's defaults
//   ctnn-bench-fashion DIR cnn [threads] [epochs]         models::cnn, ctnn-train-cnn's defaults
// A fifth argument N trains on the first N training samples only, a short run for callgrind:
//   valgrind --tool=callgrind --toggle-collect='*train_epoch*' ctnn-bench-fashion DIR mlp 1 1 N
// (torch_baseline.py trains the same networks with the same settings for mlp and cnn.)
// "param_hash" is FNV-1a (64 bits) over the final parameters' bytes: builds for different
// -march (x86-64-v3, x86-64-v4, native) must print the same one (the same bits).
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>

#include "ctnn/ctnn.hpp"
#include "ctnn/train/data/idx.hpp"
#include "ctnn/train/data/preprocess.hpp"
#include "ctnn/train/trainer.hpp"
#include "models/cnn.hpp"
#include "models/mlp.hpp"

namespace {

using mlp = ctnn::network<float, ctnn::input<784>, ctnn::dense<128, ctnn::relu>,
                          ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;
using wide = ctnn::network<float, ctnn::input<784>, ctnn::dense<256, ctnn::relu>,
                           ctnn::dense<128, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;
using classic = ctnn::network<float, ctnn::input<784>, ctnn::dense<64, ctnn::relu>,
                              ctnn::dense<32, ctnn::relu>, ctnn::dense<10, ctnn::softmax>>;

template <class Net>
int run(const std::string& mode, const ctnn::train::options& o, const ctnn::train::dataset& train,
        const ctnn::train::dataset& test) {
  ctnn::train::trainer<Net> t(o);
  auto p = std::make_unique<typename Net::parameters>();
  t.initialise(*p);
  double seconds = 0, loss = 0;
  for (std::size_t e = 0; e < o.epochs; ++e) {
    const auto r = t.train_epoch(*p, train, {});
    seconds += r.seconds;
    loss = r.train_loss;
    if (r.diverged) {
      std::fprintf(stderr, "diverged at epoch %zu\n", e + 1);
      return 1;
    }
  }
  const auto ev = t.evaluate(*p, test);
  std::uint64_t hash = 0xcbf29ce484222325u;  // FNV-1a
  for (const auto v : p->values) {
    for (const unsigned char byte : std::bit_cast<std::array<unsigned char, sizeof v>>(v)) {
      hash = (hash ^ byte) * 0x100000001b3u;
    }
  }
  // Multiply-accumulates per sample: forward, grad_W, and grad_x for layers ≥ 2. A layer's
  // forward MACs are its weights times the output positions that share them
  // (layer size / biases: 1 for dense, H·W for conv2d).
  double macs = 0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((macs += Net::template layer<I + 1>::bias_count == 0
                  ? 0.0
                  : double(Net::template layer<I + 1>::weight_count) *
                        double(Net::template layer_size<I + 1>) /
                        double(Net::template layer<I + 1>::bias_count) * (I == 0 ? 2 : 3)),
     ...);
  }
  (std::make_index_sequence<Net::layer_count>{});
  const double samples = double(train.size()) * double(o.epochs);
  std::printf(
      "{\"tool\":\"ctnn\",\"mode\":\"%s\",\"arch\":\"%s\",\"threads\":%zu,\"epochs\":%zu,"
      "\"batch\":%zu,\"train_seconds\":%.3f,\"seconds_per_epoch\":%.4f,"
      "\"samples_per_second\":%.0f,\"gmac_per_second\":%.2f,\"final_train_loss\":%.5f,"
      "\"test_accuracy\":%.4f,\"param_hash\":\"%016llx\"}\n",
      mode.c_str(), std::string(Net::signature).c_str(), o.threads, o.epochs, o.batch, seconds,
      seconds / double(o.epochs), samples / seconds, samples * macs / seconds * 1e-9, loss,
      ev.accuracy, static_cast<unsigned long long>(hash));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s DIR minibatch|fullbatch|wide|mlp|cnn [threads] [epochs|iterations] "
                 "[samples]\n",
                 argv[0]);
    return 2;
  }
  try {
    const std::string dir = argv[1], mode = argv[2];
    auto train = ctnn::train::load_mnist_dir(dir, "train");
    auto test = ctnn::train::load_mnist_dir(dir, "t10k");
    if (argc > 5) {
      const std::size_t n = std::strtoul(argv[5], nullptr, 10);
      if (n > 0 && n < train.size()) {
        train.x.resize(n * train.features);
        train.y.resize(n);
      }
    }
    ctnn::train::scale_pixels(train);
    ctnn::train::scale_pixels(test);
    ctnn::train::options o;
    o.threads = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2;
    if (mode == "minibatch") {
      o.epochs = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 10;
      o.optimizer = ctnn::train::optimizer_kind::adam;
      o.lr = 1e-3;
      o.batch = 128;
      o.init = ctnn::train::init_scheme::xavier;  // PyTorch's Linear default is uniform too
      return run<mlp>(mode, o, train, test);
    }
    if (mode == "wide") {  // the "best MLP in 5 minutes" attempt
      o.epochs = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 20;
      o.optimizer = ctnn::train::optimizer_kind::adam;
      o.lr = 1e-3;
      o.batch = 128;
      o.schedule = ctnn::train::schedule_kind::cosine;
      o.min_lr = 1e-5;
      o.init = ctnn::train::init_scheme::he;
      return run<wide>(mode, o, train, test);
    }
    if (mode == "mlp") {  // ctnn-train-mlp's defaults (options{}: Adam 1e-3, batch 128, He)
      o.epochs = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 10;
      return run<models::mlp>(mode, o, train, test);
    }
    if (mode == "cnn") {  // ctnn-train-cnn's defaults (host_tools/CMakeLists.txt)
      o.epochs = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 30;
      o.lr = 0.003;
      o.batch = 64;
      o.schedule = ctnn::train::schedule_kind::cosine;
      o.weight_decay = 0.0005;
      return run<models::cnn>(mode, o, train, test);
    }
    if (mode == "fullbatch") {
      o.epochs = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 800;
      o.optimizer = ctnn::train::optimizer_kind::gd;
      o.lr = 0.1;
      o.batch = 0;
      o.init = ctnn::train::init_scheme::lecun;  // the notebook's N(0,1)·sqrt(1/n_in)
      o.bias = ctnn::train::bias_init::normal;   // and N(0,1) biases
      return run<classic>(mode, o, train, test);
    }
    std::fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
