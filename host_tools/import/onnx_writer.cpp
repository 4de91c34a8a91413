// SPDX-License-Identifier: MIT
#include "onnx_writer.hpp"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <sstream>
#include <vector>

#include "ctnn/train/data_error.hpp"

namespace ctnn::import {

namespace {

using ctnn::train::data_error;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> r;
  std::string cur;
  int depth = 0;
  for (const char ch : s) {
    if (ch == '(') ++depth;
    if (ch == ')') --depth;
    if (ch == sep && depth == 0) {
      r.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  r.push_back(cur);
  return r;
}

class writer {
 public:
  writer(const ctnn::train::checkpoint_data& c, const std::string& source)
      : c_(c), source_(source) {}

  std::string run() {
    if (c_.scalar_bytes != 4) fail("holds double-precision parameters; ONNX export is float32");
    const auto parts = split(c_.signature, '|');
    if (parts.size() < 4 || parts[0] != "ctnn1" || parts[1] != "f32")
      fail("signature '" + c_.signature + "' is not a float ctnn network's");
    unsigned long h = 0, w = 0, ch = 0;
    if (std::sscanf(parts[3].c_str(), "in(%lux%lux%lu)", &h, &w, &ch) != 3 || !h || !w || !ch)
      fail("signature input '" + parts[3] + "' is not in(HxWxC)");
    image_ = !(h == 1 && w == 1);
    H_ = h, W_ = w, C_ = ch;
    n_ = ch;
    m_.set_ir_version(7);
    m_.set_producer_name("ctnn-to-onnx");
    auto* op = m_.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    g_ = m_.mutable_graph();
    g_->set_name("ctnn");
    cur_ = "x";
    add_value(g_->add_input(), "x",
              image_ ? std::vector<std::size_t>{C_, H_, W_} : std::vector<std::size_t>{n_});
    for (std::size_t i = 4; i < parts.size(); ++i) layer(parts[i], i - 3);
    if (offset_ * 4 != c_.parameters.size())
      fail("its signature's layers hold " + std::to_string(offset_) + " parameters but it stores " +
           std::to_string(c_.parameters.size() / 4));
    // The graph output: rename the last tensor through an Identity.
    node("Identity", {cur_}, "y");
    add_value(g_->add_output(), "y",
              image_ ? std::vector<std::size_t>{C_, H_, W_} : std::vector<std::size_t>{n_});
    return m_.SerializeAsString();
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw data_error(source_, what); }

  void add_value(onnx::ValueInfoProto* v, const std::string& name,
                 const std::vector<std::size_t>& dims) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = t->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (const auto d : dims) shape->add_dim()->set_dim_value(static_cast<std::int64_t>(d));
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& out = "") {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(++count_));
    for (const auto& i : inputs) n->add_input(i);
    cur_ = out.empty() ? "t" + std::to_string(count_) : out;
    n->add_output(cur_);
    return n;
  }

  static void attr(onnx::NodeProto* n, const std::string& name, std::vector<std::int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (const auto x : v) a->add_ints(x);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }

  /// The next `count` parameters.
  std::vector<float> take(std::size_t count) {
    if ((offset_ + count) * 4 > c_.parameters.size())
      fail("stores fewer parameters than its signature's layers need");
    std::vector<float> v(count);
    std::memcpy(v.data(), c_.parameters.data() + offset_ * 4, count * 4);
    offset_ += count;
    return v;
  }

  std::string initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                          const std::vector<float>& v) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (const auto d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    return name;
  }

  void activation(const std::string& act) {
    if (act == "identity") return;
    if (act == "relu")
      node("Relu", {cur_});
    else if (act == "sigmoid")
      node("Sigmoid", {cur_});
    else if (act == "tanh")
      node("Tanh", {cur_});
    else if (act == "softmax")
      attr(node("Softmax", {cur_}), "axis", std::int64_t{1});
    else {
      long long num = 0, den = 0;
      if (std::sscanf(act.c_str(), "leaky_relu(%lld/%lld)", &num, &den) != 2 || den <= 0)
        fail("activation '" + act + "' has no ONNX form here");
      auto* n = node("LeakyRelu", {cur_});
      auto* a = n->add_attribute();
      a->set_name("alpha");
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(static_cast<float>(num) / static_cast<float>(den));  // ctnn's slope
    }
  }

  void layer(const std::string& text, std::size_t index) {
    const auto open = text.find('(');
    const std::string kind = text.substr(0, open);
    const auto args = open == std::string::npos
                          ? std::vector<std::string>{}
                          : split(text.substr(open + 1, text.size() - open - 2), ',');
    const std::string tag = "l" + std::to_string(++layers_);
    const auto i64 = [](std::size_t v) { return static_cast<std::int64_t>(v); };
    if (kind == "dense" && args.size() == 2) {
      const std::size_t out = std::stoul(args[0]);
      const std::size_t in = image_ ? C_ * H_ * W_ : n_;
      if (image_)
        fail("layer " + std::to_string(index) + " (dense) follows an image without flatten");
      std::vector<float> wt = take(in * out);
      if (flat_.size() == 3) {  // rows from ctnn's HWC flattening to ONNX's CHW
        const std::size_t C = flat_[0], H = flat_[1], W = flat_[2];
        std::vector<float> p(wt.size());
        for (std::size_t h = 0; h < H; ++h)
          for (std::size_t x = 0; x < W; ++x)
            for (std::size_t c = 0; c < C; ++c)
              std::memcpy(&p[((c * H + h) * W + x) * out], &wt[((h * W + x) * C + c) * out],
                          out * 4);
        wt = std::move(p);
        flat_.clear();
      }
      const auto b = take(out);
      const auto wn = initializer(tag + ".W", {i64(in), i64(out)}, wt);
      const auto bn = initializer(tag + ".b", {i64(out)}, b);
      node("Gemm", {cur_, wn, bn});
      n_ = out;
      activation(args[1]);
    } else if ((kind == "conv2d" && args.size() == 5) ||
               (kind == "depthwise_conv2d" && args.size() == 5)) {
      if (!image_) fail("layer " + std::to_string(index) + " (" + kind + ") needs an image");
      const bool dw = kind == "depthwise_conv2d";
      unsigned long kh = 0, kw = 0, s = 0, mult = 1;
      const std::string& kernel = dw ? args[0] : args[1];
      if (std::sscanf(kernel.c_str(), "%lux%lu", &kh, &kw) != 2 ||
          std::sscanf((dw ? args[1] : args[2]).c_str(), "s%lu", &s) != 1 ||
          (dw && std::sscanf(args[3].c_str(), "m%lu", &mult) != 1) || !kh || !kw || !s)
        fail("layer '" + text + "' is not understood");
      const bool same = (dw ? args[2] : args[3]) == "same";
      const std::size_t F = dw ? C_ * mult : std::stoul(args[0]);
      const std::size_t Cg = dw ? 1 : C_;
      const auto wt = take(kh * kw * Cg * F);
      const auto b = take(F);
      std::vector<float> o(wt.size());  // W[KH][KW][Cg][F] → [F][Cg][KH][KW]
      for (std::size_t f = 0; f < F; ++f)
        for (std::size_t c = 0; c < Cg; ++c)
          for (std::size_t y = 0; y < kh; ++y)
            for (std::size_t x = 0; x < kw; ++x)
              o[((f * Cg + c) * kh + y) * kw + x] = wt[((y * kw + x) * Cg + c) * F + f];
      const auto wn = initializer(tag + ".W", {i64(F), i64(Cg), i64(kh), i64(kw)}, o);
      const auto bn = initializer(tag + ".b", {i64(F)}, b);
      auto* n = node("Conv", {cur_, wn, bn});
      attr(n, "kernel_shape", {i64(kh), i64(kw)});
      attr(n, "strides", {i64(s), i64(s)});
      if (dw) attr(n, "group", i64(C_));
      std::size_t oh = 0, ow = 0;
      if (same) {
        oh = (H_ + s - 1) / s, ow = (W_ + s - 1) / s;
        const std::size_t th = (oh - 1) * s + kh > H_ ? (oh - 1) * s + kh - H_ : 0;
        const std::size_t tw = (ow - 1) * s + kw > W_ ? (ow - 1) * s + kw - W_ : 0;
        attr(n, "pads", {i64(th / 2), i64(tw / 2), i64(th - th / 2), i64(tw - tw / 2)});
      } else {
        oh = (H_ - kh) / s + 1, ow = (W_ - kw) / s + 1;
      }
      H_ = oh, W_ = ow, C_ = F;
      activation(args[4]);
    } else if ((kind == "max_pool2d" || kind == "avg_pool2d") && args.size() == 2) {
      unsigned long kh = 0, kw = 0, s = 0;
      if (!image_ || std::sscanf(args[0].c_str(), "%lux%lu", &kh, &kw) != 2 ||
          std::sscanf(args[1].c_str(), "s%lu", &s) != 1 || !kh || !kw || !s)
        fail("layer '" + text + "' is not understood");
      auto* n = node(kind == "max_pool2d" ? "MaxPool" : "AveragePool", {cur_});
      attr(n, "kernel_shape", {i64(kh), i64(kw)});
      attr(n, "strides", {i64(s), i64(s)});
      H_ = (H_ - kh) / s + 1, W_ = (W_ - kw) / s + 1;
    } else if (kind == "residual" && args.size() == 3) {  // act(skip(x) + body(x))
      if (!flat_.empty()) fail("a residual block right after a flatten is not supported");
      const std::string in = cur_;
      const bool in_image = image_;
      const std::size_t h = H_, w = W_, c = C_, n = n_;
      for (const auto& part : split(args[0], ';')) layer(part, index);
      const std::string body = cur_;
      const bool body_image = image_;
      const std::size_t bh = H_, bw = W_, bc = C_, bn = n_;
      std::string skip = in;
      if (args[1] != "skip=input") {
        if (args[1].rfind("skip=", 0) != 0) fail("layer '" + text + "' is not understood");
        cur_ = in, image_ = in_image, H_ = h, W_ = w, C_ = c, n_ = n;
        layer(args[1].substr(5), index);
        skip = cur_;
      }
      if (image_ != body_image || (image_ ? H_ != bh || W_ != bw || C_ != bc : n_ != bn))
        fail("layer " + std::to_string(index) + " adds tensors of different shapes");
      node("Add", {skip, body});
      activation(args[2]);
    } else if (kind == "batch_norm" && args.size() == 1) {
      const std::size_t ch = image_ ? C_ : n_;
      const char* part[4] = {".gamma", ".beta", ".mean", ".variance"};
      std::vector<std::string> inputs{cur_};
      for (std::size_t k = 0; k < 4; ++k)
        inputs.push_back(initializer(tag + part[k], {i64(ch)}, take(ch)));
      auto* n = node("BatchNormalization", inputs);
      auto* a = n->add_attribute();
      a->set_name("epsilon");
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(1e-5f);  // batch_norm.hpp's fixed epsilon
      activation(args[0]);
    } else if (kind == "global_avg_pool" && args.empty()) {
      if (!image_) fail("layer " + std::to_string(index) + " (global_avg_pool) needs an image");
      node("GlobalAveragePool", {cur_});
      attr(node("Flatten", {cur_}), "axis", std::int64_t{1});
      image_ = false;
      n_ = C_;
    } else if (kind == "flatten" && args.empty()) {
      if (image_) {
        if (C_ > 1 && H_ * W_ > 1) flat_ = {C_, H_, W_};
        attr(node("Flatten", {cur_}), "axis", std::int64_t{1});
        n_ = C_ * H_ * W_;
        image_ = false;
      }
    } else {
      fail("layer " + std::to_string(index) + " '" + text +
           "' has no ONNX form in ctnn-to-onnx (dense, conv2d, depthwise_conv2d, pools, "
           "global_avg_pool, flatten, batch_norm, residual)");
    }
  }

  const ctnn::train::checkpoint_data& c_;
  std::string source_;
  onnx::ModelProto m_;
  onnx::GraphProto* g_ = nullptr;
  std::string cur_;
  bool image_ = false;
  std::size_t H_ = 1, W_ = 1, C_ = 1, n_ = 0, offset_ = 0, count_ = 0, layers_ = 0;
  std::vector<std::size_t> flat_;
};

}  // namespace

std::string onnx_of_checkpoint(const ctnn::train::checkpoint_data& c, const std::string& source) {
  return writer(c, source).run();
}

}  // namespace ctnn::import
