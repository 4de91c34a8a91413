// SPDX-License-Identifier: MIT
#include "lower.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "ctnn/train/data_error.hpp"

namespace ctnn::import {

#if __has_include("ctnn/depthwise_conv2d.hpp")
const bool have_depthwise = true;
#else
const bool have_depthwise = false;
#endif
#if __has_include("ctnn/batch_norm.hpp")
const bool have_batch_norm = true;
#else
const bool have_batch_norm = false;
#endif
#if __has_include("ctnn/global_avg_pool.hpp")
const bool have_global_avg_pool = true;
#else
const bool have_global_avg_pool = false;
#endif

namespace {

using ctnn::train::data_error;

constexpr const char* supported_ops =
    "Gemm, MatMul, Add (a bias after Gemm/MatMul), Conv, MaxPool, AveragePool, "
    "GlobalAveragePool, GlobalMaxPool, Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Flatten, "
    "Reshape to [N, -1], Pad (all zero), Dropout, Identity, BatchNormalization, Add (residual "
    "blocks)";

std::string dims_text(const std::vector<std::int64_t>& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

/// TensorFlow's 'same' padding along one axis: (before, after).
std::pair<std::int64_t, std::int64_t> tf_same(std::int64_t in, std::int64_t k, std::int64_t s) {
  const std::int64_t out = (in + s - 1) / s;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * s + k - in, 0);
  return {total / 2, total - total / 2};
}

/// The tensor flowing along the chain: an image (C×H×W in ONNX, H×W×C in ctnn) or a vector.
struct flow {
  std::string name;
  bool image = false;
  std::size_t c = 1, h = 1, w = 1;  // image
  std::size_t n = 0;                // vector
  std::size_t size() const { return image ? c * h * w : n; }
  std::string text() const {
    return image ? "[N, " + std::to_string(c) + ", " + std::to_string(h) + ", " +
                       std::to_string(w) + "]"
                 : "[N, " + std::to_string(n) + "]";
  }
};

class lowerer {
 public:
  explicit lowerer(const graph& g) : g_(g) {}

  model run() {
    read_input();
    for (std::size_t i = 0; i < g_.nodes.size(); ++i)
      for (const auto& in : g_.nodes[i].inputs)
        if (!in.empty()) consumers_[in].push_back(i);
    if (g_.outputs.size() != 1)
      throw data_error(g_.file, "has " + std::to_string(g_.outputs.size()) +
                                    " graph outputs; a ctnn network has one");
    walk(nullptr);
    for (std::size_t i = 0; i < g_.nodes.size(); ++i)
      if (!visited_.count(i))
        throw data_error(g_.file,
                         g_.nodes[i].label() + " is not on the chain from the input to the output");
    check_output(g_.outputs[0]);
    if (m_.layers.empty())
      throw data_error(g_.file, "has no layer ctnn can run (every node was dropped)");
    return std::move(m_);
  }

 private:
  /// Lowers nodes along the chain from cur_ to the graph's output, or, for a residual
  /// block's body, up to (not including) the node `until`.
  void walk(const node* until) {
    const std::string& output = g_.outputs[0].name;
    while (until != nullptr || cur_.name != output) {
      const auto it = consumers_.find(cur_.name);
      if (it == consumers_.end() || it->second.empty())
        throw data_error(
            g_.file, "tensor '" + cur_.name + "'" + producer_text() +
                         (until ? " feeds no node and never reaches " + until->label()
                                : " feeds no node and is not the graph's output '" + output + "'"));
      if (it->second.size() == 2 && it->second[0] != it->second[1]) {
        residual(it->second[0], it->second[1]);
        continue;
      }
      if (it->second.size() > 1)
        throw data_error(g_.file, g_.nodes[it->second[0]].label() + " and " +
                                      g_.nodes[it->second[1]].label() + " both read '" + cur_.name +
                                      "': ctnn imports chains only (no branches but residual "
                                      "blocks x + f(x))");
      const node& n = g_.nodes[it->second[0]];
      if (&n == until) return;
      if (!visited_.insert(it->second[0]).second)
        throw data_error(g_.file, n.label() + ": the graph has a cycle");
      lower_node(n);
      producer_ = &n;
    }
  }

  /// The only node reading `tensor`, or null.
  const node* sole_consumer(const std::string& tensor) const {
    const auto it = consumers_.find(tensor);
    return it == consumers_.end() || it->second.size() != 1 ? nullptr : &g_.nodes[it->second[0]];
  }

  /// cur_ feeds nodes a and b: a residual block y = act(skip(x) + f(x)), where one of them
  /// is the Add (skip = x) or a 1×1 Conv whose only reader is the Add (the projection),
  /// and the other starts the body f, a chain ending at the same Add.
  void residual(std::size_t a, std::size_t b) {
    const node& na = g_.nodes[a];
    const node& nb = g_.nodes[b];
    const auto refuse = [&] {
      throw data_error(g_.file, na.label() + " and " + nb.label() + " both read '" + cur_.name +
                                    "': ctnn imports chains and residual blocks only (x + f(x) "
                                    "or proj(x) + f(x), proj a 1x1 Conv, f a chain)");
    };
    const auto is_add = [](const node& n) { return n.op_type == "Add" && n.inputs.size() == 2; };
    const auto projection_add = [&](const node& n) -> const node* {
      if (n.op_type != "Conv" || n.outputs.empty()) return nullptr;
      const node* add = sole_consumer(n.outputs[0]);
      return add != nullptr && is_add(*add) ? add : nullptr;
    };
    const node *add = nullptr, *proj = nullptr, *first = nullptr;
    if (is_add(na) != is_add(nb)) {  // skip = input
      add = is_add(na) ? &na : &nb;
      first = is_add(na) ? &nb : &na;
    } else {
      const node* pa = projection_add(na);
      const node* pb = projection_add(nb);
      if (pa && pb && pa == pb) {  // two Convs straight into the Add: the skip is its 2nd input
        proj = pa->inputs[1] == nb.outputs[0] ? &nb : &na;
      } else if (pa || pb) {
        proj = pa ? &na : &nb;
      } else {
        refuse();
      }
      add = projection_add(*proj);
      first = proj == &na ? &nb : &na;
    }
    const std::size_t add_index = static_cast<std::size_t>(add - g_.nodes.data());
    const flow in = cur_;
    if (perm_.image) fail(*first, "a residual block directly after a Flatten is not supported");

    // The body: a chain from `first` to the Add, lowered as if it were a network.
    const std::size_t start = m_.layers.size();
    open_ = -1;  // x also feeds the skip: nothing in the body may change the layer before
    open_direct_ = through_pool_ = bias_foldable_ = false;
    visited_.insert(static_cast<std::size_t>(first - g_.nodes.data()));
    lower_node(*first);
    producer_ = first;
    walk(add);
    if (m_.layers.size() == start)
      fail(*add, "its residual body has no layer (x + x is not a residual block)");
    const flow body_out = cur_;
    const std::string body_tensor = cur_.name;
    std::vector<layer> body(
        std::make_move_iterator(m_.layers.begin() + static_cast<std::ptrdiff_t>(start)),
        std::make_move_iterator(m_.layers.end()));
    m_.layers.resize(start);

    std::vector<layer> projection;
    std::string skip_tensor = in.name;
    if (proj != nullptr) {
      cur_ = in;
      visited_.insert(static_cast<std::size_t>(proj - g_.nodes.data()));
      conv(*proj);
      projection.push_back(std::move(m_.layers.back()));
      m_.layers.pop_back();
      skip_tensor = proj->outputs[0];
      const layer& p = projection.back();
      if (p.kernel_h != 1 || p.kernel_w != 1 || p.same)
        fail(*proj,
             "the skip's projection must be a 1x1 Conv without padding (ctnn's "
             "residual projection)");
    }
    const std::string want = body_out.text();
    const bool same_shape = proj != nullptr
                                ? cur_.image == body_out.image && cur_.size() == body_out.size() &&
                                      cur_.c == body_out.c && cur_.h == body_out.h
                                : in.image == body_out.image && in.size() == body_out.size() &&
                                      in.c == body_out.c && in.h == body_out.h;
    if (!same_shape)
      fail(*add, "adds the skip " + (proj ? cur_.text() : in.text()) + " to the body's " + want +
                     ": a residual block needs equal shapes (a 1x1 strided Conv on the skip "
                     "can match them)");
    const bool ordered = (add->inputs[0] == skip_tensor && add->inputs[1] == body_tensor) ||
                         (add->inputs[1] == skip_tensor && add->inputs[0] == body_tensor);
    if (!ordered)
      fail(*add,
           "does not add the block's skip '" + skip_tensor + "' and body '" + body_tensor + "'");
    visited_.insert(add_index);

    layer l;
    l.what = layer::kind::residual;
    for (const auto& part : {&body, &projection})
      for (const auto& x : *part) {
        l.parameters.insert(l.parameters.end(), x.parameters.begin(), x.parameters.end());
        l.sources.insert(l.sources.end(), x.sources.begin(), x.sources.end());
      }
    l.sources.push_back(add->name);
    l.body = std::move(body);
    l.projection = std::move(projection);
    open_layer(std::move(l));
    cur_ = body_out;
    cur_.name = add->outputs.empty() ? "" : add->outputs[0];
    if (cur_.name.empty()) fail(*add, "has no output");
    producer_ = add;
    bias_foldable_ = false;
  }

  [[noreturn]] void fail(const node& n, const std::string& what) const {
    throw data_error(g_.file, n.label() + ": " + what);
  }

  std::string producer_text() const {
    return producer_ ? " (output of " + producer_->label() + ")" : " (the graph's input)";
  }

  void read_input() {
    if (g_.inputs.size() != 1) {
      std::string names;
      for (const auto& v : g_.inputs) names += (names.empty() ? "'" : ", '") + v.name + "'";
      throw data_error(g_.file, "has " + std::to_string(g_.inputs.size()) + " graph inputs" +
                                    (names.empty() ? "" : " (" + names + ")") +
                                    "; a ctnn network has one");
    }
    const value_info& v = g_.inputs[0];
    const std::string what = "input '" + v.name + "'";
    if (v.elem_type != 1)
      throw data_error(g_.file, what + " has element type " + std::to_string(v.elem_type) +
                                    "; ctnn-import needs float32");
    if (!v.has_shape || (v.dims.size() != 2 && v.dims.size() != 4))
      throw data_error(g_.file, what + " has " +
                                    (v.has_shape ? "rank " + std::to_string(v.dims.size())
                                                 : std::string("no shape")) +
                                    "; ctnn-import needs [N, features] or [N, C, H, W]");
    for (std::size_t i = 1; i < v.dims.size(); ++i) {
      if (v.dims[i] < 0)
        throw data_error(g_.file,
                         what + " has a dynamic dimension " + std::to_string(i) +
                             (v.dim_names[i].empty() ? "" : " ('" + v.dim_names[i] + "')") +
                             ": ctnn needs static shapes (only the batch, dimension 0, "
                             "may be dynamic)");
      if (v.dims[i] == 0 || v.dims[i] > 65536)
        throw data_error(g_.file, what + " has dimension " + std::to_string(i) + " = " +
                                      std::to_string(v.dims[i]) + " (outside 1..65536)");
    }
    if (v.dims[0] == 0) throw data_error(g_.file, what + " has a batch dimension of 0");
    cur_.name = v.name;
    m_.input_name = v.name;
    if (v.dims.size() == 2) {
      cur_.n = static_cast<std::size_t>(v.dims[1]);
      m_.channels = cur_.n;
    } else {
      cur_.image = true;
      cur_.c = static_cast<std::size_t>(v.dims[1]);
      cur_.h = static_cast<std::size_t>(v.dims[2]);
      cur_.w = static_cast<std::size_t>(v.dims[3]);
      m_.vector_input = false;
      m_.channels = cur_.c;
      m_.height = cur_.h;
      m_.width = cur_.w;
    }
    if (cur_.size() > (std::size_t{1} << 24))
      throw data_error(g_.file, what + " has " + std::to_string(cur_.size()) +
                                    " values per sample; more than ctnn-import accepts (2^24)");
  }

  void check_output(const value_info& v) const {
    if (!v.has_shape || v.dims.empty()) return;
    std::vector<std::int64_t> want;
    if (cur_.image)
      want = {static_cast<std::int64_t>(cur_.c), static_cast<std::int64_t>(cur_.h),
              static_cast<std::int64_t>(cur_.w)};
    else
      want = {static_cast<std::int64_t>(cur_.n)};
    bool ok = v.dims.size() == want.size() + 1;
    for (std::size_t i = 0; ok && i < want.size(); ++i)
      ok = v.dims[i + 1] < 0 || v.dims[i + 1] == want[i];
    if (!ok)
      throw data_error(g_.file, "the graph's output '" + v.name + "' is declared " +
                                    dims_text(v.dims) + " but the layers compute " + cur_.text());
  }

  /// Input i of n, which must be a constant (initializer or Constant node).
  const tensor& constant(const node& n, std::size_t i, const char* role) const {
    if (i >= n.inputs.size() || n.inputs[i].empty()) fail(n, std::string("has no ") + role);
    const auto it = g_.constants.find(n.inputs[i]);
    if (it == g_.constants.end())
      fail(n, std::string("its ") + role + " '" + n.inputs[i] +
                  "' is not an initializer: ctnn imports chains whose weights are constants");
    const std::string r = role;
    if (!it->second.is_float && r != "shape" && r != "pads")
      fail(n, std::string("its ") + role + " '" + n.inputs[i] + "' is not float32");
    return it->second;
  }

  /// The chain's tensor must be input 0 (the others are constants).
  void expect_chain_input(const node& n) const {
    if (n.inputs.empty() || n.inputs[0] != cur_.name)
      fail(n, "the chain's tensor '" + cur_.name + "' must be its first input");
    for (std::size_t i = 1; i < n.inputs.size(); ++i)
      if (!n.inputs[i].empty() && !g_.constants.count(n.inputs[i]))
        fail(n, "input '" + n.inputs[i] + "' is neither the chain's tensor nor a constant");
  }

  void need_vector(const node& n) const {
    if (cur_.image)
      fail(n, "needs a flattened input but gets the image " + cur_.text() +
                  " (add a Flatten before it)");
  }
  void need_image(const node& n) const {
    if (!cur_.image) fail(n, "needs an image [N, C, H, W] but gets " + cur_.text());
  }

  void advance(const node& n) {
    if (n.outputs.empty() || n.outputs[0].empty()) fail(n, "has no output");
    cur_.name = n.outputs[0];
  }

  void lower_node(const node& n) {
    if (!n.domain.empty() && n.domain != "ai.onnx")
      fail(n, "operator of domain '" + n.domain +
                  "' is not supported (supported: " + supported_ops + ")");
    const std::string& op = n.op_type;
    const bool after_affine = bias_foldable_;
    bias_foldable_ = false;
    if (op == "Gemm")
      gemm(n);
    else if (op == "MatMul")
      matmul(n);
    else if (op == "Add")
      add(n, after_affine);
    else if (op == "Conv")
      conv(n);
    else if (op == "MaxPool" || op == "AveragePool")
      pool(n, op == "MaxPool");
    else if (op == "GlobalAveragePool" || op == "GlobalMaxPool")
      global_pool(n, op == "GlobalMaxPool");
    else if (op == "Flatten")
      flatten(n, n.int_attr("axis", 1));
    else if (op == "Reshape")
      reshape(n);
    else if (op == "Relu")
      activation(n, "relu", "ctnn::relu", true);
    else if (op == "Sigmoid")
      activation(n, "sigmoid", "ctnn::sigmoid", true);
    else if (op == "Tanh")
      activation(n, "tanh", "ctnn::tanh", true);
    else if (op == "LeakyRelu")
      leaky_relu(n);
    else if (op == "Softmax")
      softmax(n);
    else if (op == "Pad")
      pad(n, after_affine);
    else if (op == "BatchNormalization")
      batch_norm(n, after_affine);
    else if (op == "Dropout" || op == "Identity") {
      expect_chain_input(n);
      m_.notes.push_back(n.label() + " dropped (inference)");
      advance(n);
      bias_foldable_ = after_affine;
    } else {
      fail(n,
           "operator not supported by ctnn-import (supported: " + std::string(supported_ops) + ")");
    }
  }

  /// Appends a dense layer from an input-major W[In][Out] in ONNX's feature order.
  void add_dense(const node& n, std::vector<float> w, std::vector<float> b) {
    const std::size_t in = cur_.n, out = b.size();
    if (perm_.image) {  // rows in CHW order → HWC order
      std::vector<float> p(w.size());
      const std::size_t C = perm_.c, H = perm_.h, W = perm_.w;
      for (std::size_t h = 0; h < H; ++h)
        for (std::size_t x = 0; x < W; ++x)
          for (std::size_t c = 0; c < C; ++c) {
            const std::size_t ctnn_row = (h * W + x) * C + c, onnx_row = (c * H + h) * W + x;
            std::copy_n(w.begin() + static_cast<std::ptrdiff_t>(onnx_row * out), out,
                        p.begin() + static_cast<std::ptrdiff_t>(ctnn_row * out));
          }
      w = std::move(p);
      m_.notes.push_back(n.label() + ": rows reordered from CHW to HWC flattening (" +
                         std::to_string(C) + "x" + std::to_string(H) + "x" + std::to_string(W) +
                         ")");
      perm_ = flow{};
    }
    (void)in;
    layer l;
    l.what = layer::kind::dense;
    l.units = out;
    l.parameters = std::move(w);
    l.parameters.insert(l.parameters.end(), b.begin(), b.end());
    l.sources.push_back(n.name);
    open_layer(std::move(l));
    cur_.n = out;
    bias_foldable_ = true;
    advance(n);
  }

  void open_layer(layer l) {
    m_.layers.push_back(std::move(l));
    open_ = static_cast<std::ptrdiff_t>(m_.layers.size()) - 1;
    open_direct_ = true;
    through_pool_ = false;
  }

  std::vector<float> bias_from(const node& n, std::size_t i, std::size_t count) const {
    if (i >= n.inputs.size() || n.inputs[i].empty()) return std::vector<float>(count, 0.0f);
    const tensor& c = constant(n, i, "bias");
    if (c.size() == count) return c.floats;
    if (c.size() == 1) return std::vector<float>(count, c.floats[0]);
    fail(n, "its bias '" + n.inputs[i] + "' is " + dims_text(c.dims) + " but the layer has " +
                std::to_string(count) + " outputs (mismatched initializer shape)");
  }

  void gemm(const node& n) {
    expect_chain_input(n);
    need_vector(n);
    if (n.int_attr("transA", 0) != 0) fail(n, "transA=1 is not supported");
    if (n.float_attr("alpha", 1.0f) != 1.0f) fail(n, "alpha != 1 is not supported");
    if (n.inputs.size() > 2 && !n.inputs[2].empty() && n.float_attr("beta", 1.0f) != 1.0f)
      fail(n, "beta != 1 is not supported");
    const tensor& b = constant(n, 1, "weight B");
    const bool trans = n.int_attr("transB", 0) != 0;
    if (b.dims.size() != 2) fail(n, "its weight B is " + dims_text(b.dims) + ", not a matrix");
    const auto in = static_cast<std::size_t>(trans ? b.dims[1] : b.dims[0]);
    const auto out = static_cast<std::size_t>(trans ? b.dims[0] : b.dims[1]);
    if (in != cur_.n || out == 0)
      fail(n, "its weight B is " + dims_text(b.dims) + (trans ? " (transB=1)" : "") +
                  " but its input has " + std::to_string(cur_.n) +
                  " features (mismatched initializer shape)");
    std::vector<float> w(in * out);
    for (std::size_t i = 0; i < in; ++i)
      for (std::size_t o = 0; o < out; ++o)
        w[i * out + o] = trans ? b.floats[o * in + i] : b.floats[i * out + o];
    add_dense(n, std::move(w), bias_from(n, 2, out));
  }

  void matmul(const node& n) {
    expect_chain_input(n);
    need_vector(n);
    const tensor& b = constant(n, 1, "weight B");
    if (b.dims.size() != 2 || static_cast<std::size_t>(b.dims[0]) != cur_.n || b.dims[1] == 0)
      fail(n, "its weight B is " + dims_text(b.dims) + " but its input has " +
                  std::to_string(cur_.n) + " features (mismatched initializer shape)");
    add_dense(n, b.floats, std::vector<float>(static_cast<std::size_t>(b.dims[1]), 0.0f));
  }

  /// Add: only a constant bias right after Gemm or MatMul (PyTorch's Linear on some
  /// exporters is MatMul + Add).
  void add(const node& n, bool after_affine) {
    if (n.inputs.size() != 2) fail(n, "must have two inputs");
    const std::size_t mine = n.inputs[0] == cur_.name ? 0 : 1;
    const std::size_t other = 1 - mine;
    if (n.inputs[mine] != cur_.name || !g_.constants.count(n.inputs[other]))
      fail(n, "adds two computed tensors (a residual block): not supported; ctnn imports chains");
    if (!after_affine)
      fail(n, "adds a constant that is not a bias right after Gemm or MatMul: not supported");
    layer& l = m_.layers.back();
    const std::vector<float> add = bias_from(n, other, l.units);
    const std::size_t base = l.parameters.size() - l.units;
    for (std::size_t o = 0; o < l.units; ++o) l.parameters[base + o] += add[o];
    l.sources.push_back(n.name);
    advance(n);
  }

  void conv(const node& n) {
    expect_chain_input(n);
    need_image(n);
    const tensor& wt = constant(n, 1, "weight W");
    if (wt.dims.size() != 4)
      fail(n, "only 2-D convolutions are supported (its weight is " + dims_text(wt.dims) + ")");
    const auto F = static_cast<std::size_t>(wt.dims[0]), Cg = static_cast<std::size_t>(wt.dims[1]),
               KH = static_cast<std::size_t>(wt.dims[2]), KW = static_cast<std::size_t>(wt.dims[3]);
    const std::int64_t group = n.int_attr("group", 1);
    const bool depthwise =
        group != 1 && group == static_cast<std::int64_t>(cur_.c) && Cg == 1 && F % cur_.c == 0;
    if (depthwise && !have_depthwise)
      fail(n, "group=" + std::to_string(group) +
                  " (depthwise) needs ctnn::depthwise_conv2d, which this ctnn does not have");
    if (group != 1 && !depthwise)
      fail(n, "group=" + std::to_string(group) +
                  ": grouped convolutions other than depthwise "
                  "(group = input channels) are not supported");
    if ((!depthwise && Cg != cur_.c) || F == 0 || KH == 0 || KW == 0)
      fail(n, "its weight W is " + dims_text(wt.dims) + " but its input has " +
                  std::to_string(cur_.c) + " channels (mismatched initializer shape)");
    const auto ks = n.ints_attr("kernel_shape", {wt.dims[2], wt.dims[3]});
    if (ks != std::vector<std::int64_t>{wt.dims[2], wt.dims[3]})
      fail(n, "kernel_shape " + dims_text(ks) + " does not match its weight " + dims_text(wt.dims));
    for (const auto d : n.ints_attr("dilations", {1, 1}))
      if (d != 1) fail(n, "dilations other than 1 are not supported");
    const std::size_t s = stride_of(n);
    const bool same = conv_padding(n, KH, KW, s);
    std::size_t oh, ow;
    if (same) {
      oh = (cur_.h + s - 1) / s;
      ow = (cur_.w + s - 1) / s;
    } else {
      if (KH > cur_.h || KW > cur_.w)
        fail(n, "its " + std::to_string(KH) + "x" + std::to_string(KW) +
                    " kernel is larger than its " + std::to_string(cur_.h) + "x" +
                    std::to_string(cur_.w) + " input");
      oh = (cur_.h - KH) / s + 1;
      ow = (cur_.w - KW) / s + 1;
    }
    layer l;
    l.what = depthwise ? layer::kind::depthwise_conv2d : layer::kind::conv2d;
    l.units = depthwise ? F / cur_.c : F;
    l.kernel_h = KH;
    l.kernel_w = KW;
    l.stride = s;
    l.same = same;
    l.parameters.resize(KH * KW * Cg * F);
    if (depthwise) {  // [C·M][1][KH][KW] → W[KH][KW][C·M]
      for (std::size_t o = 0; o < F; ++o)
        for (std::size_t kh = 0; kh < KH; ++kh)
          for (std::size_t kw = 0; kw < KW; ++kw)
            l.parameters[(kh * KW + kw) * F + o] = wt.floats[(o * KH + kh) * KW + kw];
    } else {  // [F][C][KH][KW] → W[KH][KW][C][F]
      for (std::size_t f = 0; f < F; ++f)
        for (std::size_t c = 0; c < Cg; ++c)
          for (std::size_t kh = 0; kh < KH; ++kh)
            for (std::size_t kw = 0; kw < KW; ++kw)
              l.parameters[((kh * KW + kw) * Cg + c) * F + f] =
                  wt.floats[((f * Cg + c) * KH + kh) * KW + kw];
    }
    const auto b = bias_from(n, 2, F);
    l.parameters.insert(l.parameters.end(), b.begin(), b.end());
    l.sources.push_back(n.name);
    open_layer(std::move(l));
    cur_.c = F;
    cur_.h = oh;
    cur_.w = ow;
    advance(n);
  }

  std::size_t stride_of(const node& n) const {
    const auto st = n.ints_attr("strides", {1, 1});
    if (st.size() != 2 || st[0] != st[1] || st[0] < 1 || st[0] > 65536)
      fail(n, "strides " + dims_text(st) + ": ctnn needs one stride ≥ 1 for both axes");
    return static_cast<std::size_t>(st[0]);
  }

  /// true for TensorFlow 'same', false for valid; anything else fails.
  bool conv_padding(const node& n, std::size_t kh, std::size_t kw, std::size_t s) const {
    const auto [t, b] = tf_same(static_cast<std::int64_t>(cur_.h), static_cast<std::int64_t>(kh),
                                static_cast<std::int64_t>(s));
    const auto [l, r] = tf_same(static_cast<std::int64_t>(cur_.w), static_cast<std::int64_t>(kw),
                                static_cast<std::int64_t>(s));
    const std::vector<std::int64_t> same{t, l, b, r};
    const std::string autopad = n.string_attr("auto_pad", "NOTSET");
    if (autopad == "VALID") return false;
    if (autopad == "SAME_UPPER") return true;
    if (autopad == "SAME_LOWER") {
      if (t == b && l == r) return true;
      fail(n,
           "auto_pad SAME_LOWER puts the odd padding row/column top/left; ctnn's 'same' "
           "puts it bottom/right");
    }
    if (autopad != "NOTSET") fail(n, "unknown auto_pad '" + autopad + "'");
    const auto pads = n.ints_attr("pads", {0, 0, 0, 0});
    if (pads == std::vector<std::int64_t>{0, 0, 0, 0}) return false;
    if (pads == same) return true;
    fail(n, "pads " + dims_text(pads) + " (top, left, bottom, right) are neither 0 (valid) nor " +
                "TensorFlow's 'same' for this input and stride " + dims_text(same) +
                "; ctnn supports those two");
  }

  void pool(const node& n, bool max) {
    expect_chain_input(n);
    need_image(n);
    const auto ks = n.ints_attr("kernel_shape", {});
    if (ks.size() != 2 || ks[0] < 1 || ks[1] < 1)
      fail(n, "kernel_shape " + dims_text(ks) + ": a 2-D window is needed");
    const std::size_t s = stride_of(n);
    const std::string autopad = n.string_attr("auto_pad", "NOTSET");
    if (autopad != "NOTSET" && autopad != "VALID")
      fail(n, "auto_pad " + autopad + ": ctnn's pooling has no padding");
    for (const auto p : n.ints_attr("pads", {0, 0, 0, 0}))
      if (p != 0) fail(n, "pads other than 0 are not supported (ctnn's pooling has no padding)");
    for (const auto d : n.ints_attr("dilations", {1, 1}))
      if (d != 1) fail(n, "dilations other than 1 are not supported");
    const auto KH = static_cast<std::size_t>(ks[0]), KW = static_cast<std::size_t>(ks[1]);
    if (KH > cur_.h || KW > cur_.w)
      fail(n, "its " + std::to_string(KH) + "x" + std::to_string(KW) +
                  " window is larger than its " + std::to_string(cur_.h) + "x" +
                  std::to_string(cur_.w) + " input");
    const std::size_t oh = (cur_.h - KH) / s + 1, ow = (cur_.w - KW) / s + 1;
    if (n.int_attr("ceil_mode", 0) != 0 &&
        ((cur_.h - KH + s - 1) / s + 1 != oh || (cur_.w - KW + s - 1) / s + 1 != ow))
      fail(n, "ceil_mode=1 changes the output size here; ctnn's pooling rounds down");
    add_pool(n, max, KH, KW, s, oh, ow);
  }

  void global_pool(const node& n, bool max) {
    expect_chain_input(n);
    need_image(n);
    if (!max && have_global_avg_pool) {
      layer l;
      l.what = layer::kind::global_avg_pool;
      l.sources.push_back(n.name);
      m_.layers.push_back(std::move(l));
      open_ = -1;
      open_direct_ = false;
      cur_.image = false;  // ctnn's global_avg_pool yields a vector: a Flatten after it is a no-op
      cur_.n = cur_.c;
      advance(n);
      return;
    }
    m_.notes.push_back(n.label() + " imported as a pooling window over the whole " +
                       std::to_string(cur_.h) + "x" + std::to_string(cur_.w) + " input");
    add_pool(n, max, cur_.h, cur_.w, 1, 1, 1);
  }

  void add_pool(const node& n, bool max, std::size_t kh, std::size_t kw, std::size_t s,
                std::size_t oh, std::size_t ow) {
    layer l;
    l.what = max ? layer::kind::max_pool2d : layer::kind::avg_pool2d;
    l.kernel_h = kh;
    l.kernel_w = kw;
    l.stride = s;
    l.sources.push_back(n.name);
    m_.layers.push_back(std::move(l));
    if (max) {
      through_pool_ = true;
    } else {
      open_ = -1;  // an activation does not commute with an average
    }
    open_direct_ = false;
    cur_.h = oh;
    cur_.w = ow;
    advance(n);
  }

  void flatten(const node& n, std::int64_t axis) {
    expect_chain_input(n);
    if (!cur_.image) {
      if (axis != 1 && axis != -1) fail(n, "axis " + std::to_string(axis) + " is not supported");
      m_.notes.push_back(n.label() + " dropped (its input is already [N, features])");
      advance(n);
      return;
    }
    if (axis != 1)
      fail(n,
           "axis " + std::to_string(axis) + ": only a flatten to [N, C*H*W] (axis 1) is supported");
    if (cur_.c > 1 && cur_.h * cur_.w > 1) perm_ = cur_;
    layer l;
    l.what = layer::kind::flatten;
    l.sources.push_back(n.name);
    m_.layers.push_back(std::move(l));
    open_direct_ = false;
    const std::size_t size = cur_.size();
    cur_.image = false;
    cur_.n = size;
    advance(n);
  }

  void reshape(const node& n) {
    const tensor& shape = constant(n, 1, "shape");
    if (shape.is_float) fail(n, "its shape is not int64");
    if (shape.dims.size() != 1) fail(n, "its shape is not a list of sizes");
    const auto& s = shape.ints;
    const auto total = static_cast<std::int64_t>(cur_.size());
    const bool batch_ok =
        s.size() == 2 && (s[0] == 0 || s[0] == 1 || (s[0] == -1 && s[1] == total));
    if (!batch_ok || (s[1] != -1 && s[1] != total))
      fail(n, "reshape to " + dims_text(s) + " is not a flatten to [N, " + std::to_string(total) +
                  "] (supported: [N, -1], [0, -1], [-1, " + std::to_string(total) + "])");
    flatten(n, 1);
  }

  /// BatchNormalization (inference): folded into the Conv, Gemm or MatMul right before it,
  /// per output channel o: s = scale[o] / sqrt(var[o] + epsilon), W'[…][o] = W[…][o]·s,
  /// b'[o] = (b[o] − mean[o])·s + B[o], computed in double and rounded once to float.
  void batch_norm(const node& n, bool after_affine) {
    expect_chain_input(n);
    if (n.int_attr("training_mode", 0) != 0)
      fail(n, "training_mode=1: export the model in eval mode (model.eval())");
    for (std::size_t i = 1; i < n.outputs.size(); ++i)
      if (!n.outputs[i].empty())
        fail(n,
             "has running-statistics outputs (a training-mode export): export after model.eval()");
    const bool foldable = open_ >= 0 && open_direct_ &&
                          m_.layers[static_cast<std::size_t>(open_)].activation == "identity" &&
                          m_.layers[static_cast<std::size_t>(open_)].units != 0;
    if (!foldable && !have_batch_norm)
      fail(n,
           "nothing to fold it into: ctnn folds a BatchNormalization into the Conv, Gemm or "
           "MatMul directly before it (before any activation, pooling or flatten), and has no "
           "batch-norm layer");
    const std::size_t channels = cur_.image ? cur_.c : cur_.n;
    const char* roles[4] = {"scale", "bias B", "mean", "variance"};
    std::vector<const tensor*> t(4);
    for (std::size_t i = 0; i < 4; ++i) {
      t[i] = &constant(n, i + 1, roles[i]);
      if (t[i]->size() != channels)
        fail(n, std::string("its ") + roles[i] + " '" + n.inputs[i + 1] + "' is " +
                    dims_text(t[i]->dims) + " but its input has " + std::to_string(channels) +
                    " channels (mismatched initializer shape)");
    }
    const double eps = static_cast<double>(n.float_attr("epsilon", 1e-5f));
    if (!foldable) {  // ctnn::batch_norm<act>: γ, β, μ, σ² as they are (ε fixed at 1e-5)
      if (perm_.image)
        fail(n,
             "a BatchNormalization between a Flatten and the dense layer after it is not "
             "supported");
      layer bn;
      bn.what = layer::kind::batch_norm;
      for (std::size_t i = 0; i < 4; ++i)
        bn.parameters.insert(bn.parameters.end(), t[i]->floats.begin(), t[i]->floats.end());
      if (static_cast<float>(eps) != 1e-5f) {  // σ² + ε = (σ² + ε − 1e-5) + 1e-5
        for (std::size_t o = 0; o < channels; ++o) {
          float& v = bn.parameters[3 * channels + o];
          v = static_cast<float>(static_cast<double>(v) + eps - static_cast<double>(1e-5f));
          if (!(v >= 0)) fail(n, "epsilon " + std::to_string(eps) + " cannot be expressed");
        }
        m_.notes.push_back(n.label() + ": epsilon " + std::to_string(eps) +
                           " moved into the running variance (ctnn's batch_norm has 1e-5)");
      }
      bn.sources.push_back(n.name);
      open_layer(std::move(bn));
      advance(n);
      return;
    }
    layer& l = m_.layers[static_cast<std::size_t>(open_)];
    std::vector<double> scale(channels);
    for (std::size_t o = 0; o < channels; ++o) {
      const double var = static_cast<double>(t[3]->floats[o]);
      if (!(var + eps > 0))
        fail(n, "variance + epsilon of channel " + std::to_string(o) + " is not positive");
      scale[o] = static_cast<double>(t[0]->floats[o]) / std::sqrt(var + eps);
    }
    const std::size_t outs = channels, weights = l.parameters.size() - outs;
    if (weights % outs != 0) fail(n, "cannot be folded into " + l.sources.front());
    for (std::size_t i = 0; i < weights; ++i)  // every float layout is output-fastest
      l.parameters[i] = static_cast<float>(static_cast<double>(l.parameters[i]) * scale[i % outs]);
    for (std::size_t o = 0; o < outs; ++o) {
      float& b = l.parameters[weights + o];
      b = static_cast<float>((static_cast<double>(b) - static_cast<double>(t[2]->floats[o])) *
                                 scale[o] +
                             static_cast<double>(t[1]->floats[o]));
    }
    l.sources.push_back(n.name);
    m_.notes.push_back(n.label() + " folded into '" + l.sources.front() +
                       "' (weights and bias scaled per output channel)");
    advance(n);
    bias_foldable_ = after_affine;
  }

  /// Pad: only all-zero pads (PyTorch's avg_pool2d export adds one), which is dropped.
  void pad(const node& n, bool after_affine) {
    expect_chain_input(n);
    std::vector<std::int64_t> pads = n.ints_attr("pads", {});
    if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
      const tensor& t = constant(n, 1, "pads");
      if (t.is_float) fail(n, "its pads are not int64");
      pads = t.ints;
    }
    for (const auto p : pads)
      if (p != 0)
        fail(n, "pads " + dims_text(pads) + ": only an all-zero Pad (a no-op) is supported");
    m_.notes.push_back(n.label() + " dropped (all pads are 0)");
    advance(n);
    bias_foldable_ = after_affine;
  }

  void activation(const node& n, const std::string& sig, const std::string& cxx, bool monotone) {
    expect_chain_input(n);
    if (open_ < 0)
      fail(n,
           "an activation must follow Gemm, MatMul or Conv (ctnn attaches activations to "
           "layers; it can move one before Flatten or, if monotone, MaxPool, not further)");
    layer& l = m_.layers[static_cast<std::size_t>(open_)];
    if (l.activation != "identity")
      fail(n, "a second activation after " + l.activation + " on the same layer is not supported");
    if (through_pool_ && !monotone)
      fail(n, "a non-monotone activation after MaxPool cannot be moved before it");
    l.activation = sig;
    l.activation_cxx = cxx;
    l.sources.push_back(n.name);
    if (!open_direct_)
      m_.notes.push_back(n.label() + " applied by the layer from '" + l.sources.front() +
                         "', before the Flatten/MaxPool that follow it (same result)");
    advance(n);
  }

  void leaky_relu(const node& n) {
    const float alpha = n.float_attr("alpha", 0.01f);
    long long num = 0, den = 1;
    if (!exact_ratio(alpha, num, den))
      fail(n, "alpha " + std::to_string(alpha) +
                  " is not a ratio Num/Den (Den <= 10000) that float division reproduces "
                  "exactly; ctnn's leaky_relu<Num, Den> needs one");
    activation(n, "leaky_relu(" + std::to_string(num) + "/" + std::to_string(den) + ")",
               "ctnn::leaky_relu<" + std::to_string(num) + ", " + std::to_string(den) + ">",
               num >= 0);
  }

  void softmax(const node& n) {
    expect_chain_input(n);
    const std::int64_t axis = n.int_attr("axis", g_.opset >= 13 ? -1 : 1);
    if (cur_.image)
      fail(n, "softmax over an image is not supported (ctnn's follows a dense layer)");
    if (axis != 1 && axis != -1) fail(n, "axis " + std::to_string(axis) + " is not the last axis");
    if (open_ < 0 || !open_direct_ ||
        m_.layers[static_cast<std::size_t>(open_)].what != layer::kind::dense)
      fail(n,
           "Softmax must directly follow Gemm or MatMul (ctnn's softmax is a dense layer's "
           "activation)");
    activation(n, "softmax", "ctnn::softmax", false);
  }

  const graph& g_;
  model m_;
  flow cur_;
  flow perm_;                   ///< image whose flattening the next dense layer must undo
  std::ptrdiff_t open_ = -1;    ///< layer that can still take an activation
  bool open_direct_ = false;    ///< nothing between that layer and the chain's tensor
  bool through_pool_ = false;   ///< a max pool lies between them
  bool bias_foldable_ = false;  ///< the last node was Gemm/MatMul: an Add may be its bias
  const node* producer_ = nullptr;
  std::map<std::string, std::vector<std::size_t>> consumers_;
  std::set<std::size_t> visited_;
};

}  // namespace

bool exact_ratio(float alpha, long long& num, long long& den, long long max_den) {
  if (!std::isfinite(alpha) || std::fabs(alpha) > 1e6f) return false;
  for (long long d = 1; d <= max_den; ++d) {
    const long long n = std::llround(static_cast<double>(alpha) * static_cast<double>(d));
    if (static_cast<float>(n) / static_cast<float>(d) == alpha) {
      num = n;
      den = d;
      return true;
    }
  }
  return false;
}

std::string layer::cxx() const {
  const auto u = [](std::size_t v) { return std::to_string(v); };
  switch (what) {
    case kind::dense:
      return "ctnn::dense<" + u(units) + ", " + activation_cxx + ">";
    case kind::conv2d:
      return "ctnn::conv2d<" + u(units) + ", " + u(kernel_h) + ", " + u(kernel_w) + ", " +
             activation_cxx + ", " + u(stride) + ", " + (same ? "ctnn::same" : "ctnn::valid") + ">";
    case kind::depthwise_conv2d:
      return "ctnn::depthwise_conv2d<" + u(kernel_h) + ", " + u(kernel_w) + ", " + activation_cxx +
             ", " + u(stride) + ", " + (same ? "ctnn::same" : "ctnn::valid") + ", " + u(units) +
             ">";
    case kind::global_avg_pool:
      return "ctnn::global_avg_pool";
    case kind::max_pool2d:
    case kind::avg_pool2d:
      return std::string(what == kind::max_pool2d ? "ctnn::max_pool2d<" : "ctnn::avg_pool2d<") +
             u(kernel_h) + ", " + u(kernel_w) + ", " + u(stride) + ">";
    case kind::flatten:
      return "ctnn::flatten";
    case kind::batch_norm:
      return "ctnn::batch_norm<" + activation_cxx + ">";
    case kind::residual: {
      std::string r = "ctnn::residual<ctnn::block<";
      for (std::size_t i = 0; i < body.size(); ++i) r += (i ? ", " : "") + body[i].cxx();
      return r + ">, " + (projection.empty() ? "ctnn::no_projection" : projection[0].cxx()) + ", " +
             activation_cxx + ">";
    }
  }
  return "";
}

std::string layer::signature() const {
  const auto u = [](std::size_t v) { return std::to_string(v); };
  switch (what) {
    case kind::dense:
      return "dense(" + u(units) + "," + activation + ")";
    case kind::conv2d:
      return "conv2d(" + u(units) + "," + u(kernel_h) + "x" + u(kernel_w) + ",s" + u(stride) + "," +
             (same ? "same" : "valid") + "," + activation + ")";
    case kind::depthwise_conv2d:
      return "depthwise_conv2d(" + u(kernel_h) + "x" + u(kernel_w) + ",s" + u(stride) + "," +
             (same ? "same" : "valid") + ",m" + u(units) + "," + activation + ")";
    case kind::global_avg_pool:
      return "global_avg_pool";
    case kind::max_pool2d:
    case kind::avg_pool2d:
      return std::string(what == kind::max_pool2d ? "max_pool2d(" : "avg_pool2d(") + u(kernel_h) +
             "x" + u(kernel_w) + ",s" + u(stride) + ")";
    case kind::flatten:
      return "flatten";
    case kind::batch_norm:
      return "batch_norm(" + activation + ")";
    case kind::residual: {
      std::string r = "residual(";
      for (std::size_t i = 0; i < body.size(); ++i) r += (i ? ";" : "") + body[i].signature();
      return r + ",skip=" + (projection.empty() ? "input" : projection[0].signature()) + "," +
             activation + ")";
    }
  }
  return "";
}

std::size_t model::parameter_count() const {
  std::size_t n = 0;
  for (const auto& l : layers) n += l.parameters.size();
  return n;
}

std::string model::input_cxx() const {
  if (vector_input) return "ctnn::input<" + std::to_string(channels) + ">";
  return "ctnn::input<" + std::to_string(height) + ", " + std::to_string(width) + ", " +
         std::to_string(channels) + ">";
}

namespace {
bool any_batch_norm(const std::vector<layer>& layers) {
  for (const auto& l : layers)
    if (l.what == layer::kind::batch_norm || any_batch_norm(l.body) || any_batch_norm(l.projection))
      return true;
  return false;
}
}  // namespace

bool has_batch_norm(const model& m) {
  return any_batch_norm(m.layers);
}

model lower(const graph& g) {
  return lowerer(g).run();
}

}  // namespace ctnn::import
