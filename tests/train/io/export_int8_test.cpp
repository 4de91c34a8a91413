// SPDX-License-Identifier: MIT
// export_int8.hpp: the generated header includes what its `model` alias names.
#include "ctnn/train/io/export_int8.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ctnn/ctnn.hpp"

namespace {

using net = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::relu>>;

std::string header_for(const std::string& model_type) {
  auto q = std::make_unique<ctnn::quantized<net>::parameters>();
  ctnn::train::int8_export_options o;
  o.model_header = "models/tiny.hpp";
  o.model_type = model_type;
  o.name_space = "models::tiny_int8_weights";
  o.source_name = "tiny.ckpt";
  o.program = "export_int8_test";
  return ctnn::train::export_int8_header<net>(*q, ctnn::train::quantize_report{}, o);
}

TEST(export_int8, folded_model_includes_folded_header) {
  const std::string h = header_for("ctnn::folded<models::tiny>");
  EXPECT_NE(h.find("using model = ctnn::quantized<ctnn::folded<models::tiny>>;"),
            std::string::npos);
  const auto folded = h.find("#include \"ctnn/folded.hpp\"\n");
  ASSERT_NE(folded, std::string::npos);
  EXPECT_LT(folded, h.find("#include \"models/tiny.hpp\"\n"));
}

TEST(export_int8, plain_model_does_not_include_folded_header) {
  const std::string h = header_for("models::tiny");
  EXPECT_EQ(h.find("ctnn/folded.hpp"), std::string::npos);
  EXPECT_NE(h.find("#include \"models/tiny.hpp\"\n"), std::string::npos);
}

}  // namespace
