// SPDX-License-Identifier: MIT
// Writes the firmware's committed int8 weights headers from its committed float ones:
// calibration on the first 1,000 Fashion-MNIST training images, comparison on the whole
// test set (host tool; the same path as a trainer's --export-int8).
//
//   ctnn-make-int8-weights <mlp_small|cnn|ds_cnn> <fashion-mnist dir> <out.hpp>
//
// The output depends only on the inputs, so a test can regenerate it and compare it with
// the committed copy.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "ctnn/train/data/idx.hpp"
#include "ctnn/train/data/input_transform.hpp"
#include "ctnn/train/data/preprocess.hpp"
#include "ctnn/train/tools/int8_export.hpp"
#include "models/cnn.hpp"
#include "models/ds_cnn.hpp"
#include "models/mlp_small.hpp"
#include "weights/cnn_weights.hpp"
#include "weights/ds_cnn_weights.hpp"
#include "weights/mlp_small_weights.hpp"

namespace {

template <class Net>
int make(const typename Net::parameters& p, const char* name, const char* dir, const char* out) {
  ctnn::train::dataset train = ctnn::train::load_mnist_dir(dir, "train", 10);
  ctnn::train::dataset test = ctnn::train::load_mnist_dir(dir, "t10k", 10);
  ctnn::train::scale_pixels(train);
  ctnn::train::scale_pixels(test);
  ctnn::tools::int8_export_settings s;
  s.out = out;
  s.model_header = std::string("models/") + name + ".hpp";
  s.model_type = std::string("models::") + name;
  s.name_space = s.model_type + "_int8_weights";
  s.source_name = std::string("weights/") + name + "_weights.hpp";
  s.program = "ctnn-make-int8-weights";
  s.dataset = "fashion-mnist";
  // The float header's input contract (pixel / 255, Fashion-MNIST's classes), as a
  // trainer's --export-int8 writes it: the firmware runs prepare(raw) on either header.
  s.transform = ctnn::train::input_transform::pixels();
  s.class_names = ctnn::train::fashion_mnist_class_names();
  std::printf("%s\n", ctnn::tools::export_int8<Net>(p, train, &test, s).dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(
        stderr,
        "usage: ctnn-make-int8-weights <mlp_small|cnn|ds_cnn> <fashion-mnist dir> <out.hpp>\n");
    return 1;
  }
  try {
    if (std::strcmp(argv[1], "mlp_small") == 0)
      return make<models::mlp_small>(models::mlp_small_weights::weights, argv[1], argv[2], argv[3]);
    if (std::strcmp(argv[1], "cnn") == 0)
      return make<models::cnn>(models::cnn_weights::weights, argv[1], argv[2], argv[3]);
    if (std::strcmp(argv[1], "ds_cnn") == 0)
      return make<models::ds_cnn>(models::ds_cnn_weights::weights, argv[1], argv[2], argv[3]);
    std::fprintf(stderr, "error: unknown model '%s' (mlp_small, cnn, ds_cnn)\n", argv[1]);
    return 1;
  } catch (const ctnn::train::data_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
