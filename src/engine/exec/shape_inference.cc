// See shape_inference.h.
#include "engine/exec/shape_inference.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

namespace modelhost::engine::exec {
namespace {

SymDim dim(int64_t v) { return SymDim{v, ""}; }

// Markers for negative numbers among the values of an integer tensor that feeds a shape (a
// Reshape target's -1): they are not dims, so known() is false for them.
const std::string kMinusOne = "<-1>";
const std::string kNegative = "<negative>";

// Attribute values, the default where absent or malformed (the kernels' factories refuse those).
std::vector<int64_t> ints_attr(const ir::Node& n, const char* name) {
  auto v = n.attributes.get_ints(name, {});
  return v.ok() ? *v : std::vector<int64_t>();
}
std::string string_attr(const ir::Node& n, const char* name, const char* def) {
  auto v = n.attributes.get_string(name, def);
  return v.ok() ? *v : def;
}

// The op types whose output 0 has input 0's shape.
const std::set<std::string>& same_shape_ops() {
  static const std::set<std::string> ops = {"Abs",
                                            "Acos",
                                            "Acosh",
                                            "Asin",
                                            "Asinh",
                                            "Atan",
                                            "Atanh",
                                            "BatchNormalization",
                                            "BitwiseNot",
                                            "Cast",
                                            "CastLike",
                                            "Ceil",
                                            "Celu",
                                            "Clip",
                                            "Cos",
                                            "Cosh",
                                            "CumSum",
                                            "DequantizeLinear",
                                            "Dropout",
                                            "Elu",
                                            "Erf",
                                            "Exp",
                                            "Floor",
                                            "Gelu",
                                            "GroupNormalization",
                                            "HardSigmoid",
                                            "HardSwish",
                                            "Hardmax",
                                            "Identity",
                                            "InstanceNormalization",
                                            "IsInf",
                                            "IsNaN",
                                            "LayerNormalization",
                                            "LeakyRelu",
                                            "Log",
                                            "LogSoftmax",
                                            "LpNormalization",
                                            "LRN",
                                            "MeanVarianceNormalization",
                                            "Mish",
                                            "Neg",
                                            "Not",
                                            "QuantizeLinear",
                                            "Reciprocal",
                                            "Relu",
                                            "Round",
                                            "Selu",
                                            "Shrink",
                                            "Sigmoid",
                                            "Sign",
                                            "Sin",
                                            "Sinh",
                                            "Softmax",
                                            "Softplus",
                                            "Softsign",
                                            "Sqrt",
                                            "Tan",
                                            "Tanh",
                                            "ThresholdedRelu"};
  return ops;
}

// The op types whose inputs broadcast together (numpy rules) into output 0.
const std::set<std::string>& broadcast_ops() {
  static const std::set<std::string> ops = {
      "Add",        "And",         "BitShift", "BitwiseAnd", "BitwiseOr",
      "BitwiseXor", "Div",         "Equal",    "Greater",    "GreaterOrEqual",
      "Less",       "LessOrEqual", "Max",      "Mean",       "Min",
      "Mod",        "Mul",         "Or",       "Pow",        "PRelu",
      "Sub",        "Sum",         "Where",    "Xor"};
  return ops;
}

Status shape_error(const std::string& what) { return invalid_argument(what); }

Result<SymShape> broadcast(const SymShape& a, const SymShape& b) {
  const size_t r = std::max(a.size(), b.size());
  SymShape out(r);
  for (size_t i = 0; i < r; ++i) {
    const SymDim da = i < r - a.size() ? dim(1) : a[i - (r - a.size())];
    const SymDim db = i < r - b.size() ? dim(1) : b[i - (r - b.size())];
    if (da.known() && db.known()) {
      if (da.value != db.value && da.value != 1 && db.value != 1) {
        return shape_error("shapes " + sym_shape_to_string(a) + " and " + sym_shape_to_string(b) +
                           " cannot be broadcast together");
      }
      out[i] = da.value == 1 ? db : da;
    } else if (da.known()) {
      out[i] = da.value == 1 ? db : da;
    } else if (db.known()) {
      out[i] = db.value == 1 ? da : db;
    } else {
      out[i] = da == db ? da : SymDim{};
    }
  }
  return out;
}

// The dim both a and b must be (one known or both the same symbol), or an error when two known
// values differ.
Result<SymDim> unify(const SymDim& a, const SymDim& b, const std::string& what) {
  if (a.known() && b.known() && a.value != b.value) {
    return shape_error(what + " differ: " + std::to_string(a.value) + " and " +
                       std::to_string(b.value));
  }
  if (a.known()) return a;
  if (b.known()) return b;
  return a == b ? a : SymDim{};
}

std::optional<int64_t> product(const SymShape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) {
    if (!s[i].known()) return std::nullopt;
    p *= s[i].value;
  }
  return p;
}

Result<int64_t> axis_in(int64_t axis, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    return shape_error("axis " + std::to_string(axis) + " is out of range for rank " +
                       std::to_string(r));
  }
  return axis < 0 ? axis + r : axis;
}

class Inference {
 public:
  Inference(const ir::Graph& graph,
            const std::map<std::string, std::vector<std::string>>& dim_params)
      : graph_(graph) {
    for (const auto& [name, t] : graph.initializers) {
      constants_[name] = &t;
      shapes_[name] = known_shape(t.shape());
    }
    for (const ir::Value& v : graph.inputs) {
      if (!v.has_shape) continue;
      SymShape s;
      auto params = dim_params.find(v.name);
      for (size_t i = 0; i < v.shape.size(); ++i) {
        SymDim d{v.shape[i], ""};
        if (d.value < 0 && params != dim_params.end() && i < params->second.size()) {
          d.param = params->second[i];
        }
        s.push_back(d);
      }
      shapes_[v.name] = s;
    }
  }

  Result<std::map<std::string, SymShape>> run() {
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      const ir::Node& n = graph_.nodes[i];
      outs_.assign(n.outputs.size(), std::nullopt);
      Status st = infer(n);
      if (!st.ok()) return st.with_context(ir::describe_node(n, i));
      for (size_t k = 0; k < n.outputs.size(); ++k) {
        if (!n.outputs[k].empty() && outs_[k]) shapes_[n.outputs[k]] = *outs_[k];
      }
      track_values(n);
      if (n.op_type == "Constant" && n.domain.empty() && !n.outputs.empty()) {
        auto t = n.attributes.get_tensor("value");
        if (t.ok()) constant_nodes_[n.outputs[0]] = std::move(t).value();
      }
    }
    return shapes_;
  }

 private:
  static SymShape known_shape(const Shape& s) {
    SymShape out;
    for (int64_t d : s) out.push_back(dim(d));
    return out;
  }

  const SymShape* in(const ir::Node& n, size_t i) const {
    if (i >= n.inputs.size() || n.inputs[i].empty()) return nullptr;
    auto it = shapes_.find(n.inputs[i]);
    return it == shapes_.end() ? nullptr : &it->second;
  }

  // Input i's values when it is a constant integer tensor.
  std::optional<std::vector<int64_t>> ints(const ir::Node& n, size_t i) const {
    if (i >= n.inputs.size() || n.inputs[i].empty()) return std::nullopt;
    const Tensor* t = nullptr;
    if (auto c = constants_.find(n.inputs[i]); c != constants_.end()) t = c->second;
    if (auto c = constant_nodes_.find(n.inputs[i]); c != constant_nodes_.end()) t = &c->second;
    if (t == nullptr) {
      auto v = values_.find(n.inputs[i]);
      if (v == values_.end()) return std::nullopt;
      std::vector<int64_t> out;
      for (const SymDim& d : v->second) {
        if (!d.known()) return std::nullopt;
        out.push_back(d.value);
      }
      return out;
    }
    if (t->dtype() == DataType::kInt64) return t->to_vector<int64_t>();
    if (t->dtype() == DataType::kInt32) {
      std::vector<int64_t> v;
      for (int32_t x : t->to_vector<int32_t>()) v.push_back(x);
      return v;
    }
    return std::nullopt;
  }

  // Input i's values as dims: a constant integer tensor's numbers, or a small integer tensor
  // computed from shapes (Shape -> Gather -> Concat chains), whose elements may be symbols.
  std::optional<SymShape> sym_values(const ir::Node& n, size_t i) const {
    if (auto v = ints(n, i)) {
      SymShape out;
      for (int64_t x : *v) {
        out.push_back(x >= 0 ? dim(x) : SymDim{x, x == -1 ? kMinusOne : kNegative});
      }
      return out;
    }
    if (i >= n.inputs.size()) return std::nullopt;
    auto it = values_.find(n.inputs[i]);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

  // Records the values of n's output 0 when it is a small integer tensor computed from shapes.
  void track_values(const ir::Node& n) {
    if (!n.domain.empty() || n.outputs.empty() || n.outputs[0].empty()) return;
    const std::string& op = n.op_type;
    std::optional<SymShape> v;
    if (op == "Shape") {
      if (const SymShape* x = in(n, 0)) {
        const auto r = static_cast<int64_t>(x->size());
        int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", r);
        start = std::clamp(start < 0 ? start + r : start, int64_t{0}, r);
        end = std::clamp(end < 0 ? end + r : end, start, r);
        v = SymShape(x->begin() + start, x->begin() + end);
      }
    } else if (op == "Identity" || op == "Cast" || op == "Unsqueeze" || op == "Squeeze") {
      v = sym_values(n, 0);
    } else if (op == "Gather") {
      auto data = sym_values(n, 0);
      auto idx = ints(n, 1);
      if (data && idx && attr_int(n, "axis", 0) == 0) {
        v = SymShape();
        const auto len = static_cast<int64_t>(data->size());
        for (int64_t k : *idx) {
          if (k < 0) k += len;
          if (k < 0 || k >= len) return;
          v->push_back((*data)[static_cast<size_t>(k)]);
        }
      }
    } else if (op == "Concat") {
      v = SymShape();
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        auto part = sym_values(n, i);
        if (!part) return;
        v->insert(v->end(), part->begin(), part->end());
      }
    } else if (op == "Slice" && n.opset >= 10) {
      auto data = sym_values(n, 0);
      auto starts = ints(n, 1), ends = ints(n, 2);
      const bool plain =
          (n.inputs.size() < 4 || n.inputs[3].empty() || ints(n, 3) == std::vector<int64_t>{0}) &&
          (n.inputs.size() < 5 || n.inputs[4].empty() || ints(n, 4) == std::vector<int64_t>{1});
      if (data && starts && ends && starts->size() == 1 && ends->size() == 1 && plain) {
        const auto len = static_cast<int64_t>(data->size());
        int64_t b = (*starts)[0], e = (*ends)[0];
        b = std::clamp<int64_t>(b < 0 ? b + len : b, 0, len);
        e = std::clamp<int64_t>(e < 0 ? e + len : e, b, len);
        v = SymShape(data->begin() + b, data->begin() + e);
      }
    } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      auto a = sym_values(n, 0), b = sym_values(n, 1);
      if (!a || !b || (a->size() != b->size() && a->size() != 1 && b->size() != 1)) return;
      v = SymShape();
      for (size_t k = 0; k < std::max(a->size(), b->size()); ++k) {
        const SymDim x = (*a)[a->size() == 1 ? 0 : k], y = (*b)[b->size() == 1 ? 0 : k];
        if (x.known() && y.known()) {
          if (op == "Div" && y.value == 0) return;
          v->push_back(dim(op == "Add"   ? x.value + y.value
                           : op == "Sub" ? x.value - y.value
                           : op == "Mul" ? x.value * y.value
                                         : x.value / y.value));
        } else if ((op == "Mul" || op == "Div") && y.known() && y.value == 1) {
          v->push_back(x);
        } else if ((op == "Add" || op == "Sub") && y.known() && y.value == 0) {
          v->push_back(x);
        } else if (op == "Mul" && x.known() && x.value == 1) {
          v->push_back(y);
        } else if (op == "Add" && x.known() && x.value == 0) {
          v->push_back(y);
        } else {
          v->push_back(SymDim{});
        }
      }
    }
    if (v && v->size() <= 64) values_[n.outputs[0]] = std::move(*v);
  }

  // An attribute list (before `opset_input`) or a constant input (from it on).
  std::optional<std::vector<int64_t>> attr_or_input(const ir::Node& n, const char* attr,
                                                    int64_t opset_input, size_t input) const {
    if (n.opset < opset_input) {
      auto v = n.attributes.get_ints(attr, {});
      if (!v.ok() || !n.attributes.has(attr)) return std::nullopt;
      return *v;
    }
    return ints(n, input);
  }

  int64_t attr_int(const ir::Node& n, const char* name, int64_t def) const {
    auto v = n.attributes.get_int(name, def);
    return v.ok() ? *v : def;
  }

  void set(size_t k, SymShape s) {
    if (k < outs_.size()) outs_[k] = std::move(s);
  }

  Status infer(const ir::Node& n) {
    if (!n.domain.empty()) return Status::ok_status();
    const std::string& op = n.op_type;
    const SymShape* x = in(n, 0);
    if (same_shape_ops().count(op)) {
      if (x) {
        set(0, *x);
        if (op == "Dropout") set(1, *x);
      }
      return Status::ok_status();
    }
    if (broadcast_ops().count(op)) {
      std::optional<SymShape> acc;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const SymShape* s = in(n, i);
        if (s == nullptr) return Status::ok_status();
        if (!acc) {
          acc = *s;
        } else {
          ASSIGN_OR_RETURN(acc, broadcast(*acc, *s));
        }
      }
      if (acc) set(0, *acc);
      return Status::ok_status();
    }
    if (op == "MatMul" || op == "MatMulInteger") return matmul(n);
    if (op == "Gemm") return gemm(n);
    if (op == "Conv") return window(n, /*conv=*/true);
    if (op == "MaxPool" || op == "AveragePool" || op == "LpPool") return window(n, false);
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool" || op == "GlobalLpPool") {
      if (x && x->size() >= 2) {
        SymShape s = *x;
        for (size_t i = 2; i < s.size(); ++i) s[i] = dim(1);
        set(0, s);
      }
      return Status::ok_status();
    }
    if (op == "Flatten") return flatten(n);
    if (op == "Reshape") return reshape(n);
    if (op == "Transpose") return transpose(n);
    if (op == "Squeeze" || op == "Unsqueeze") return squeeze(n, op == "Unsqueeze");
    if (op == "Concat") return concat(n);
    if (op == "Gather") return gather(n);
    if (op == "Shape") {
      if (x) {
        const auto r = static_cast<int64_t>(x->size());
        int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", r);
        start = std::clamp(start < 0 ? start + r : start, int64_t{0}, r);
        end = std::clamp(end < 0 ? end + r : end, int64_t{0}, r);
        set(0, {dim(std::max<int64_t>(0, end - start))});
      }
      return Status::ok_status();
    }
    if (op == "Size") {
      set(0, {});
      return Status::ok_status();
    }
    if (op == "Slice") return slice(n);
    if (op == "Split") return split(n);
    if (op.starts_with("Reduce")) return reduce(n);
    if (op == "ArgMax" || op == "ArgMin") {
      if (!x) return Status::ok_status();
      ASSIGN_OR_RETURN(const int64_t axis, axis_in(attr_int(n, "axis", 0), x->size()));
      SymShape s = *x;
      if (attr_int(n, "keepdims", 1)) {
        s[static_cast<size_t>(axis)] = dim(1);
      } else {
        s.erase(s.begin() + axis);
      }
      set(0, s);
      return Status::ok_status();
    }
    if (op == "Expand") {
      auto target = sym_values(n, 1);
      if (x && target) {
        ASSIGN_OR_RETURN(SymShape s, broadcast(*x, *target));
        set(0, s);
      }
      return Status::ok_status();
    }
    if (op == "ConstantOfShape") {
      if (auto target = sym_values(n, 0)) set(0, *target);
      return Status::ok_status();
    }
    if (op == "Constant") {
      auto t = n.attributes.get_tensor("value");
      if (t.ok()) set(0, known_shape(t->shape()));
      return Status::ok_status();
    }
    if (op == "Range") {
      // [ceil((limit - start) / delta)]; Range(0, n, 1) over a named n has n elements.
      auto start = sym_values(n, 0), limit = sym_values(n, 1), delta = sym_values(n, 2);
      SymDim len;
      if (start && limit && delta && start->size() == 1 && limit->size() == 1 &&
          delta->size() == 1) {
        const SymDim b = (*start)[0], e = (*limit)[0], d = (*delta)[0];
        if (b.known() && e.known() && d.known() && d.value != 0) {
          len = dim(std::max<int64_t>(
              0, (e.value - b.value + d.value - (d.value > 0 ? 1 : -1)) / d.value));
        } else if (b.known() && b.value == 0 && d.known() && d.value == 1 && !e.param.empty() &&
                   e.param != kMinusOne && e.param != kNegative) {
          len = e;
        }
      }
      set(0, {len});
      return Status::ok_status();
    }
    if (op == "Tile") {
      auto reps = ints(n, 1);
      if (x && reps && reps->size() == x->size()) {
        SymShape s = *x;
        for (size_t i = 0; i < s.size(); ++i) {
          s[i] = s[i].known() ? dim(s[i].value * (*reps)[i]) : ((*reps)[i] == 1 ? s[i] : SymDim{});
        }
        set(0, s);
      }
      return Status::ok_status();
    }
    if (op == "TopK") {
      auto k = ints(n, 1);
      if (x && !x->empty()) {
        ASSIGN_OR_RETURN(const int64_t axis, axis_in(attr_int(n, "axis", -1), x->size()));
        SymShape s = *x;
        s[static_cast<size_t>(axis)] = k && k->size() == 1 ? dim((*k)[0]) : SymDim{};
        set(0, s);
        set(1, s);
      }
      return Status::ok_status();
    }
    return Status::ok_status();  // no rule: the outputs' shapes are left to run time
  }

  Status matmul(const ir::Node& n) {
    const SymShape* a = in(n, 0);
    const SymShape* b = in(n, 1);
    if (!a || !b || a->empty() || b->empty()) return Status::ok_status();
    const SymDim ka = a->back();
    const SymDim kb = b->size() == 1 ? (*b)[0] : (*b)[b->size() - 2];
    if (ka.known() && kb.known() && ka.value != kb.value) {
      return shape_error("inner dimensions differ: " + sym_shape_to_string(*a) + " x " +
                         sym_shape_to_string(*b));
    }
    const SymShape batch_a(a->begin(), a->end() - std::min<size_t>(a->size(), 2));
    const SymShape batch_b(b->begin(), b->end() - std::min<size_t>(b->size(), 2));
    ASSIGN_OR_RETURN(SymShape s, broadcast(batch_a, batch_b));
    if (a->size() >= 2) s.push_back((*a)[a->size() - 2]);
    if (b->size() >= 2) s.push_back(b->back());
    set(0, s);
    return Status::ok_status();
  }

  Status gemm(const ir::Node& n) {
    const SymShape* a = in(n, 0);
    const SymShape* b = in(n, 1);
    if (!a || !b || a->size() != 2 || b->size() != 2) return Status::ok_status();
    const bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
    const SymDim m = (*a)[ta ? 1 : 0], ka = (*a)[ta ? 0 : 1];
    const SymDim kb = (*b)[tb ? 1 : 0], nn = (*b)[tb ? 0 : 1];
    if (ka.known() && kb.known() && ka.value != kb.value) {
      return shape_error("inner dimensions differ: A " + sym_shape_to_string(*a) + ", B " +
                         sym_shape_to_string(*b) + " (transA " + std::to_string(ta) + ", transB " +
                         std::to_string(tb) + ")");
    }
    set(0, {m, nn});
    return Status::ok_status();
  }

  // Conv and the windowed pools: [N, C or M, spatial...], spatial from the window attributes.
  Status window(const ir::Node& n, bool conv) {
    const SymShape* x = in(n, 0);
    if (!x || x->size() < 3) return Status::ok_status();
    const size_t nd = x->size() - 2;
    const SymShape* w = conv ? in(n, 1) : nullptr;
    SymShape s = {(*x)[0], (*x)[1]};
    std::vector<int64_t> kernel = ints_attr(n, "kernel_shape");
    if (conv) {
      if (!w || w->size() != x->size()) return Status::ok_status();
      const int64_t group = attr_int(n, "group", 1);
      if ((*x)[1].known() && (*w)[1].known() && (*x)[1].value != (*w)[1].value * group) {
        return shape_error("input has " + std::to_string((*x)[1].value) + " channels, the weight " +
                           sym_shape_to_string(*w) + " with group " + std::to_string(group) +
                           " expects " + std::to_string((*w)[1].value * group));
      }
      s[1] = (*w)[0];
      if (kernel.empty()) {
        for (size_t i = 0; i < nd; ++i) kernel.push_back((*w)[2 + i].value);  // -1 if unknown
      }
    }
    if (kernel.size() != nd) return Status::ok_status();
    const auto strides = ints_attr(n, "strides");
    const auto dilations = ints_attr(n, "dilations");
    const auto pads = ints_attr(n, "pads");
    const std::string auto_pad = string_attr(n, "auto_pad", "NOTSET");
    const bool ceil_mode = !conv && attr_int(n, "ceil_mode", 0) != 0;
    for (size_t i = 0; i < nd; ++i) {
      const SymDim in_dim = (*x)[2 + i];
      const int64_t k = kernel[i];
      if (!in_dim.known() || k < 0) {
        s.push_back(SymDim{});
        continue;
      }
      const int64_t st = i < strides.size() ? strides[i] : 1;
      const int64_t dl = i < dilations.size() ? dilations[i] : 1;
      const int64_t win = (k - 1) * dl + 1;
      int64_t out;
      if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        out = (in_dim.value + st - 1) / st;
      } else {
        const int64_t pb = auto_pad == "VALID" || pads.size() != 2 * nd ? 0 : pads[i];
        const int64_t pe = auto_pad == "VALID" || pads.size() != 2 * nd ? 0 : pads[nd + i];
        const int64_t span = in_dim.value + pb + pe - win;
        if (span < 0) {
          return shape_error("the window (" + std::to_string(win) +
                             ") is larger than the padded input (" +
                             std::to_string(in_dim.value + pb + pe) + ")");
        }
        out = ceil_mode ? (span + st - 1) / st + 1 : span / st + 1;
        if (ceil_mode && (out - 1) * st >= in_dim.value + pb) --out;
      }
      s.push_back(dim(out));
    }
    set(0, s);
    if (!conv) set(1, s);  // MaxPool's indices
    return Status::ok_status();
  }

  Status flatten(const ir::Node& n) {
    const SymShape* x = in(n, 0);
    if (!x) return Status::ok_status();
    int64_t axis = attr_int(n, "axis", 1);
    const auto r = static_cast<int64_t>(x->size());
    if (axis < -r || axis > r) return shape_error("axis " + std::to_string(axis) + " out of range");
    if (axis < 0) axis += r;
    auto part = [&](size_t b, size_t e) {
      auto p = product(*x, b, e);
      if (p) return dim(*p);
      if (e - b == 1) return (*x)[b];
      return SymDim{};
    };
    set(0, {part(0, static_cast<size_t>(axis)), part(static_cast<size_t>(axis), x->size())});
    return Status::ok_status();
  }

  Status reshape(const ir::Node& n) {
    const SymShape* x = in(n, 0);
    const auto target = sym_values(n, 1);
    if (!target) {
      const SymShape* ts = in(n, 1);
      if (ts && ts->size() == 1 && (*ts)[0].known()) {
        set(0, SymShape(static_cast<size_t>((*ts)[0].value)));
      }
      return Status::ok_status();
    }
    const std::string target_str = sym_shape_to_string(*target);
    const bool allowzero = attr_int(n, "allowzero", 0) != 0;
    SymShape s;
    int64_t infer_at = -1;
    for (size_t i = 0; i < target->size(); ++i) {
      const SymDim& t = (*target)[i];
      if (t.param == kNegative) return shape_error("shape " + target_str + " has a negative dim");
      if (t.known() && t.value == 0 && !allowzero) {
        if (x && i < x->size()) {
          s.push_back((*x)[i]);
        } else if (x) {
          return shape_error("shape " + target_str + " copies dim " + std::to_string(i) +
                             " of an input of rank " + std::to_string(x->size()));
        } else {
          s.push_back(SymDim{});
        }
      } else if (t.param == kMinusOne) {
        if (infer_at >= 0) return shape_error("shape " + target_str + " has two -1");
        infer_at = static_cast<int64_t>(i);
        s.push_back(SymDim{});
      } else {
        s.push_back(t);
      }
    }
    if (!x) {
      set(0, s);
      return Status::ok_status();
    }
    // Element counts, symbols cancelled: what is left on each side must be plain numbers.
    std::multiset<std::string> symbols;
    int64_t in_known = 1;
    bool in_ok = true;
    for (const SymDim& d : *x) {
      if (d.known()) {
        in_known *= d.value;
      } else if (!d.param.empty()) {
        symbols.insert(d.param);
      } else {
        in_ok = false;
      }
    }
    int64_t out_known = 1;
    bool out_ok = in_ok;
    for (size_t i = 0; i < s.size() && out_ok; ++i) {
      if (static_cast<int64_t>(i) == infer_at) continue;
      if (s[i].known()) {
        out_known *= s[i].value;
      } else if (auto it = symbols.find(s[i].param); !s[i].param.empty() && it != symbols.end()) {
        symbols.erase(it);
      } else {
        out_ok = false;
      }
    }
    if (out_ok && infer_at >= 0 && symbols.size() == 1 && in_known == out_known) {
      // The -1 takes the one named dim left over: [batch,sequence,768] -> [batch,-1,12,64].
      s[static_cast<size_t>(infer_at)] = SymDim{-1, *symbols.begin()};
    } else if (out_ok && symbols.empty()) {
      if (infer_at >= 0 && out_known > 0) {
        if (in_known % out_known != 0) {
          return shape_error("cannot reshape " + sym_shape_to_string(*x) + " to " + target_str);
        }
        s[static_cast<size_t>(infer_at)] = dim(in_known / out_known);
      } else if (infer_at < 0 && in_known != out_known) {
        return shape_error("cannot reshape " + sym_shape_to_string(*x) + " to " + target_str +
                           ": the element counts differ");
      }
    }
    set(0, s);
    return Status::ok_status();
  }

  Status transpose(const ir::Node& n) {
    const SymShape* x = in(n, 0);
    if (!x) return Status::ok_status();
    std::vector<int64_t> perm = ints_attr(n, "perm");
    if (perm.empty()) {
      for (size_t i = x->size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    }
    if (perm.size() != x->size()) {
      return shape_error("perm has " + std::to_string(perm.size()) + " entries for rank " +
                         std::to_string(x->size()));
    }
    SymShape s;
    for (int64_t p : perm) {
      ASSIGN_OR_RETURN(const int64_t a, axis_in(p, x->size()));
      s.push_back((*x)[static_cast<size_t>(a)]);
    }
    set(0, s);
    return Status::ok_status();
  }

  Status squeeze(const ir::Node& n, bool unsqueeze) {
    const SymShape* x = in(n, 0);
    if (!x) return Status::ok_status();
    auto axes = attr_or_input(n, "axes", 13, 1);
    if (unsqueeze) {
      if (!axes) return Status::ok_status();
      const size_t r = x->size() + axes->size();
      std::vector<bool> inserted(r, false);
      for (int64_t a : *axes) {
        ASSIGN_OR_RETURN(const int64_t k, axis_in(a, r));
        inserted[static_cast<size_t>(k)] = true;
      }
      SymShape s;
      size_t j = 0;
      for (size_t i = 0; i < r; ++i) s.push_back(inserted[i] ? dim(1) : (*x)[j++]);
      set(0, s);
      return Status::ok_status();
    }
    std::vector<bool> drop(x->size(), false);
    if (!axes || axes->empty()) {
      if (n.inputs.size() > 1 && !n.inputs[1].empty() && !axes) return Status::ok_status();
      for (size_t i = 0; i < x->size(); ++i) {
        if (!(*x)[i].known()) return Status::ok_status();  // rank depends on run-time dims
        drop[i] = (*x)[i].value == 1;
      }
    } else {
      for (int64_t a : *axes) {
        ASSIGN_OR_RETURN(const int64_t k, axis_in(a, x->size()));
        drop[static_cast<size_t>(k)] = true;
      }
    }
    SymShape s;
    for (size_t i = 0; i < x->size(); ++i) {
      if (!drop[i]) s.push_back((*x)[i]);
    }
    set(0, s);
    return Status::ok_status();
  }

  Status concat(const ir::Node& n) {
    std::vector<const SymShape*> parts;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const SymShape* s = in(n, i);
      if (!s) return Status::ok_status();
      parts.push_back(s);
    }
    if (parts.empty()) return Status::ok_status();
    SymShape s = *parts[0];
    ASSIGN_OR_RETURN(const int64_t axis, axis_in(attr_int(n, "axis", 0), s.size()));
    for (size_t p = 1; p < parts.size(); ++p) {
      if (parts[p]->size() != s.size()) {
        return shape_error("inputs have ranks " + std::to_string(s.size()) + " and " +
                           std::to_string(parts[p]->size()));
      }
      for (size_t i = 0; i < s.size(); ++i) {
        if (static_cast<int64_t>(i) == axis) {
          s[i] = s[i].known() && (*parts[p])[i].known() ? dim(s[i].value + (*parts[p])[i].value)
                                                        : SymDim{};
        } else {
          ASSIGN_OR_RETURN(
              s[i], unify(s[i], (*parts[p])[i], "dims " + std::to_string(i) + " of the inputs"));
        }
      }
    }
    set(0, s);
    return Status::ok_status();
  }

  Status gather(const ir::Node& n) {
    const SymShape* x = in(n, 0);
    const SymShape* idx = in(n, 1);
    if (!x || !idx || x->empty()) return Status::ok_status();
    ASSIGN_OR_RETURN(const int64_t axis, axis_in(attr_int(n, "axis", 0), x->size()));
    SymShape s(x->begin(), x->begin() + axis);
    s.insert(s.end(), idx->begin(), idx->end());
    s.insert(s.end(), x->begin() + axis + 1, x->end());
    set(0, s);
    return Status::ok_status();
  }

  Status slice(const ir::Node& n) {
    const SymShape* x = in(n, 0);
    if (!x) return Status::ok_status();
    const bool attrs = n.opset < 10;
    auto starts = attrs ? attr_or_input(n, "starts", 10, 0) : ints(n, 1);
    auto ends = attrs ? attr_or_input(n, "ends", 10, 0) : ints(n, 2);
    std::optional<std::vector<int64_t>> axes = attrs ? attr_or_input(n, "axes", 10, 0) : ints(n, 3);
    std::optional<std::vector<int64_t>> steps = attrs ? std::nullopt : ints(n, 4);
    const bool axes_given =
        attrs ? n.attributes.has("axes") : n.inputs.size() > 3 && !n.inputs[3].empty();
    const bool steps_given = !attrs && n.inputs.size() > 4 && !n.inputs[4].empty();
    SymShape s = *x;
    if (!starts || !ends || (axes_given && !axes) || (steps_given && !steps)) {
      // Which axes change is not known: only their count of dims is.
      if (axes) {
        // x[0:end] with `end` a named dim (a position-id buffer cut to the sequence length)
        // is taken to have that length: exporters cut buffers sized for the longest input.
        const auto sym_ends = attrs ? std::nullopt : sym_values(n, 2);
        const bool from_zero =
            starts && std::all_of(starts->begin(), starts->end(), [](int64_t v) { return v == 0; });
        const bool unit_steps =
            !steps_given ||
            (steps && std::all_of(steps->begin(), steps->end(), [](int64_t v) { return v == 1; }));
        for (size_t j = 0; j < axes->size(); ++j) {
          ASSIGN_OR_RETURN(const int64_t k, axis_in((*axes)[j], s.size()));
          const bool named_end =
              sym_ends && j < sym_ends->size() && !(*sym_ends)[j].param.empty() &&
              (*sym_ends)[j].param != kMinusOne && (*sym_ends)[j].param != kNegative;
          s[static_cast<size_t>(k)] =
              from_zero && unit_steps && named_end ? (*sym_ends)[j] : SymDim{};
        }
      } else {
        for (SymDim& d : s) d = SymDim{};
      }
      set(0, s);
      return Status::ok_status();
    }
    if (!axes_given) {
      axes = std::vector<int64_t>();
      for (size_t i = 0; i < starts->size(); ++i) axes->push_back(static_cast<int64_t>(i));
    }
    if (starts->size() != ends->size() || axes->size() != starts->size() ||
        (steps && steps->size() != starts->size())) {
      return shape_error("starts, ends, axes and steps have different lengths");
    }
    for (size_t j = 0; j < axes->size(); ++j) {
      ASSIGN_OR_RETURN(const int64_t k, axis_in((*axes)[j], s.size()));
      SymDim& d = s[static_cast<size_t>(k)];
      const int64_t step = steps ? (*steps)[j] : 1;
      if (step == 0) return shape_error("slice step is 0");
      if (!d.known()) {
        d = SymDim{};
        continue;
      }
      const int64_t len = d.value;
      int64_t b = (*starts)[j], e = (*ends)[j];
      if (b < 0) b += len;
      if (e < 0) e += len;
      if (step > 0) {
        b = std::clamp<int64_t>(b, 0, len);
        e = std::clamp<int64_t>(e, 0, len);
        d = dim(std::max<int64_t>(0, (e - b + step - 1) / step));
      } else {
        b = std::clamp<int64_t>(b, 0, len - 1);
        e = std::clamp<int64_t>(e, -1, len - 1);
        d = dim(std::max<int64_t>(0, (b - e + (-step) - 1) / (-step)));
      }
    }
    set(0, s);
    return Status::ok_status();
  }

  Status split(const ir::Node& n) {
    const SymShape* x = in(n, 0);
    if (!x || x->empty()) return Status::ok_status();
    ASSIGN_OR_RETURN(const int64_t axis, axis_in(attr_int(n, "axis", 0), x->size()));
    auto sizes = attr_or_input(n, "split", 13, 1);
    const bool sizes_given =
        n.opset < 13 ? n.attributes.has("split") : n.inputs.size() > 1 && !n.inputs[1].empty();
    const SymDim whole = (*x)[static_cast<size_t>(axis)];
    const auto outs = static_cast<int64_t>(n.outputs.size());
    for (int64_t k = 0; k < outs; ++k) {
      SymShape s = *x;
      SymDim& d = s[static_cast<size_t>(axis)];
      if (sizes && sizes->size() == n.outputs.size()) {
        d = dim((*sizes)[static_cast<size_t>(k)]);
      } else if (!sizes_given && whole.known()) {
        const int64_t chunk = (whole.value + outs - 1) / outs;
        d = dim(std::clamp<int64_t>(whole.value - k * chunk, 0, chunk));
      } else {
        d = SymDim{};
      }
      set(static_cast<size_t>(k), s);
    }
    return Status::ok_status();
  }

  Status reduce(const ir::Node& n) {
    const SymShape* x = in(n, 0);
    if (!x) return Status::ok_status();
    const int64_t axes_input_opset = n.op_type == "ReduceSum" ? 13 : 18;
    const bool keep = attr_int(n, "keepdims", 1) != 0;
    auto axes = attr_or_input(n, "axes", axes_input_opset, 1);
    const bool axes_given = n.opset < axes_input_opset
                                ? n.attributes.has("axes")
                                : n.inputs.size() > 1 && !n.inputs[1].empty();
    if (axes_given && !axes) {  // computed at run time
      if (keep) set(0, SymShape(x->size()));
      return Status::ok_status();
    }
    std::vector<bool> reduced(x->size(), false);
    if (!axes || axes->empty()) {
      if (attr_int(n, "noop_with_empty_axes", 0) != 0) {
        set(0, *x);
        return Status::ok_status();
      }
      reduced.assign(x->size(), true);
    } else {
      for (int64_t a : *axes) {
        ASSIGN_OR_RETURN(const int64_t k, axis_in(a, x->size()));
        reduced[static_cast<size_t>(k)] = true;
      }
    }
    SymShape s;
    for (size_t i = 0; i < x->size(); ++i) {
      if (!reduced[i]) {
        s.push_back((*x)[i]);
      } else if (keep) {
        s.push_back(dim(1));
      }
    }
    set(0, s);
    return Status::ok_status();
  }

  const ir::Graph& graph_;
  std::map<std::string, SymShape> shapes_;
  std::map<std::string, const Tensor*> constants_;
  std::map<std::string, Tensor> constant_nodes_;
  std::map<std::string, SymShape> values_;  // see sym_values
  std::vector<std::optional<SymShape>> outs_;
};

}  // namespace

std::string sym_shape_to_string(const SymShape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ",";
    if (shape[i].known() || shape[i].param == kMinusOne || shape[i].param == kNegative) {
      out += std::to_string(shape[i].value);
    } else {
      out += shape[i].param.empty() ? "?" : shape[i].param;
    }
  }
  return out + "]";
}

Result<std::map<std::string, SymShape>> infer_shapes(
    const ir::Graph& graph, const std::map<std::string, std::vector<std::string>>& dim_params) {
  return Inference(graph, dim_params).run();
}

}  // namespace modelhost::engine::exec
