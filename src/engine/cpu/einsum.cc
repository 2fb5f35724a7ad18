// Einsum (opset 12..24): numpy-style equation ("bij,bjk->bik", "...ii->...i", "i,i"), with
// ellipsis broadcasting, repeated subscripts within an operand (diagonals) and the implicit form
// (no "->": the subscripts seen once, alphabetically, after the ellipsis dims).
//
// Each operand is first reduced on its own (diagonals taken, subscripts that nothing else uses
// summed out). Operands are then folded left to right: a pair becomes one batched GEMM
// (gemm_core.h) over [batch, left-only, contracted] x [batch, contracted, right-only], and the
// result is permuted into the output order. float32, float64, int32 and int64.
#include <algorithm>
#include <cctype>
#include <map>

#include "engine/cpu/gemm_core.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

// A subscript: a letter's code, or 1000 + i for the i-th ellipsis dim counted from the right.
using Label = int;
constexpr Label kEllipsisBase = 1000;

struct Equation {
  std::vector<std::string> inputs;  // raw subscripts per operand, "..." kept
  std::string output;
  bool explicit_output = false;
};

Result<Equation> parse_equation(const std::string& raw) {
  std::string eq;
  for (char c : raw) {
    if (c != ' ') eq.push_back(c);
  }
  Equation e;
  const size_t arrow = eq.find("->");
  std::string lhs = eq;
  if (arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    e.output = eq.substr(arrow + 2);
    e.explicit_output = true;
  }
  size_t start = 0;
  while (true) {
    const size_t comma = lhs.find(',', start);
    e.inputs.push_back(
        lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto check = [&](const std::string& s) -> Status {
    size_t dots = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s.compare(i, 3, "...") == 0) {
        ++dots;
        i += 2;
      } else if (!std::isalpha(static_cast<unsigned char>(s[i]))) {
        return invalid_argument("equation \"" + raw + "\" has an invalid character '" +
                                std::string(1, s[i]) + "'");
      }
    }
    if (dots > 1) return invalid_argument("equation \"" + raw + "\" repeats \"...\" in a term");
    return Status::ok_status();
  };
  for (const std::string& s : e.inputs) RETURN_IF_ERROR(check(s));
  RETURN_IF_ERROR(check(e.output));
  return e;
}

// The labels of a term for an operand of `rank` dims ("..." expands to the dims it covers).
Result<std::vector<Label>> term_labels(const std::string& term, int64_t rank, int64_t* ell_rank,
                                       bool is_output) {
  std::vector<Label> letters_before, letters_after;
  bool seen = false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term.compare(i, 3, "...") == 0) {
      seen = true;
      i += 2;
      continue;
    }
    (seen ? letters_after : letters_before).push_back(static_cast<unsigned char>(term[i]));
  }
  const int64_t letters = static_cast<int64_t>(letters_before.size() + letters_after.size());
  int64_t ell = 0;
  if (is_output) {
    ell = seen ? *ell_rank : 0;
  } else {
    ell = rank - letters;
    if (ell < 0 || (!seen && ell != 0)) {
      return invalid_argument("term \"" + term + "\" does not match an operand of rank " +
                              std::to_string(rank));
    }
    *ell_rank = std::max(*ell_rank, ell);
  }
  std::vector<Label> out = letters_before;
  for (int64_t i = ell; i-- > 0;) out.push_back(kEllipsisBase + static_cast<int>(i));
  out.insert(out.end(), letters_after.begin(), letters_after.end());
  return out;
}

// A dense operand with one label per dim, labels unique.
template <typename T>
struct Operand {
  std::vector<T> data;
  std::vector<Label> labels;
  Shape dims;
};

// dst[target order] = src, with target labels missing from src broadcast (stride 0).
template <typename T>
std::vector<T> permute(const Operand<T>& src, const std::vector<Label>& labels, const Shape& dims) {
  std::vector<int64_t> src_strides = strides_of(src.dims);
  std::vector<int64_t> strides(labels.size(), 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    for (size_t j = 0; j < src.labels.size(); ++j) {
      if (src.labels[j] == labels[i] && src.dims[j] != 1) strides[i] = src_strides[j];
    }
  }
  const int64_t total = product(dims, 0, dims.size());
  std::vector<T> out(static_cast<size_t>(total));
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t o = 0; o < total; ++o) {
    int64_t off = 0;
    for (size_t d = 0; d < dims.size(); ++d) off += idx[d] * strides[d];
    out[static_cast<size_t>(o)] = src.data[static_cast<size_t>(off)];
    for (size_t d = dims.size(); d-- > 0;) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// Sums out the labels not in `keep` and takes diagonals of repeated labels; the result
// has the kept labels in first-seen order.
template <typename T>
Operand<T> reduce_operand(const std::vector<T>& data, const std::vector<Label>& labels,
                          const Shape& dims, const std::vector<Label>& keep) {
  Operand<T> out;
  std::vector<int64_t> pos_of(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    auto it = std::find(out.labels.begin(), out.labels.end(), labels[i]);
    const bool kept = std::find(keep.begin(), keep.end(), labels[i]) != keep.end();
    if (!kept) {
      pos_of[i] = -1;
      continue;
    }
    if (it == out.labels.end()) {
      out.labels.push_back(labels[i]);
      out.dims.push_back(dims[i]);
      pos_of[i] = static_cast<int64_t>(out.labels.size() - 1);
    } else {
      pos_of[i] = it - out.labels.begin();
    }
  }
  // Fast path: nothing to sum and no diagonal.
  if (out.labels.size() == labels.size()) {
    out.data = data;
    return out;
  }
  // Each input dim adds its index times the stride of its output dim; a repeated label counts
  // once, and its other occurrences must agree (the diagonal).
  const std::vector<int64_t> out_strides = strides_of(out.dims);
  std::vector<int64_t> dim_stride(dims.size(), 0);
  std::vector<std::pair<size_t, size_t>> must_match;
  for (size_t d = 0; d < dims.size(); ++d) {
    size_t first = d;
    for (size_t e = 0; e < d; ++e) {
      if (labels[e] == labels[d]) {
        first = e;
        break;
      }
    }
    if (first != d) {
      must_match.emplace_back(first, d);
    } else if (pos_of[d] >= 0) {
      dim_stride[d] = out_strides[static_cast<size_t>(pos_of[d])];
    }
  }
  out.data.assign(static_cast<size_t>(product(out.dims, 0, out.dims.size())), T(0));
  const int64_t total = product(dims, 0, dims.size());
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t i = 0; i < total; ++i) {
    bool on_diagonal = true;
    for (const auto& [a, b] : must_match) on_diagonal &= idx[a] == idx[b];
    if (on_diagonal) {
      int64_t off = 0;
      for (size_t d = 0; d < dims.size(); ++d) off += idx[d] * dim_stride[d];
      out.data[static_cast<size_t>(off)] += data[static_cast<size_t>(i)];
    }
    for (size_t d = dims.size(); d-- > 0;) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

bool has(const std::vector<Label>& v, Label l) {
  return std::find(v.begin(), v.end(), l) != v.end();
}

// a x b over the labels they share; keeps the labels in `needed`.
template <typename T>
Operand<T> contract(const Operand<T>& a, const Operand<T>& b, const std::vector<Label>& needed,
                    const std::map<Label, int64_t>& size_of, const exec::KernelContext& ctx) {
  std::vector<Label> batch, left, right, sum;
  for (Label l : a.labels) {
    if (has(b.labels, l)) {
      (has(needed, l) ? batch : sum).push_back(l);
    } else {
      left.push_back(l);
    }
  }
  for (Label l : b.labels) {
    if (!has(a.labels, l)) right.push_back(l);
  }
  auto dims_of = [&](const std::vector<Label>& ls) {
    Shape s;
    for (Label l : ls) s.push_back(size_of.at(l));
    return s;
  };
  auto cat = [](std::vector<Label> x, const std::vector<Label>& y) {
    x.insert(x.end(), y.begin(), y.end());
    return x;
  };
  const Shape bd = dims_of(batch), ld = dims_of(left), rd = dims_of(right), sd = dims_of(sum);
  const int64_t nb = product(bd, 0, bd.size()), m = product(ld, 0, ld.size()),
                n = product(rd, 0, rd.size()), k = product(sd, 0, sd.size());
  const std::vector<Label> a_order = cat(cat(batch, left), sum);
  const std::vector<Label> b_order = cat(cat(batch, sum), right);
  Shape a_dims = bd, b_dims = bd;
  a_dims.insert(a_dims.end(), ld.begin(), ld.end());
  a_dims.insert(a_dims.end(), sd.begin(), sd.end());
  b_dims.insert(b_dims.end(), sd.begin(), sd.end());
  b_dims.insert(b_dims.end(), rd.begin(), rd.end());
  const std::vector<T> ap = permute(a, a_order, a_dims);
  const std::vector<T> bp = permute(b, b_order, b_dims);
  Operand<T> out;
  out.labels = cat(cat(batch, left), right);
  out.dims = bd;
  out.dims.insert(out.dims.end(), ld.begin(), ld.end());
  out.dims.insert(out.dims.end(), rd.begin(), rd.end());
  out.data.assign(static_cast<size_t>(nb * m * n), T(0));
  for (int64_t i = 0; i < nb; ++i) {
    gemm_accumulate<T>({m, n, k, false, false}, T(1), ap.data() + i * m * k, bp.data() + i * k * n,
                       out.data.data() + i * m * n, ctx);
  }
  return out;
}

class EinsumKernel final : public exec::Kernel {
 public:
  explicit EinsumKernel(Equation eq) : eq_(std::move(eq)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    if (inputs.size() != eq_.inputs.size()) {
      return invalid_argument("the equation has " + std::to_string(eq_.inputs.size()) +
                              " terms but the node has " + std::to_string(inputs.size()) +
                              " inputs");
    }
    for (size_t i = 1; i < inputs.size(); ++i) {
      RETURN_IF_ERROR(exec::check_same_dtype(*inputs[0], *inputs[i]));
    }
    switch (inputs[0]->dtype()) {
      case DataType::kFloat32:
        return run<float>(ctx, inputs, outputs);
      case DataType::kFloat64:
        return run<double>(ctx, inputs, outputs);
      case DataType::kInt32:
        return run<int32_t>(ctx, inputs, outputs);
      case DataType::kInt64:
        return run<int64_t>(ctx, inputs, outputs);
      default:
        return unimplemented("Einsum supports float32, float64, int32 and int64, got " +
                             std::string(dtype_name(inputs[0]->dtype())));
    }
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
             std::span<Tensor> outputs) const {
    int64_t ell_rank = 0;
    std::vector<std::vector<Label>> labels;
    for (size_t i = 0; i < inputs.size(); ++i) {
      ASSIGN_OR_RETURN(std::vector<Label> l,
                       term_labels(eq_.inputs[i], inputs[i]->rank(), &ell_rank, false));
      labels.push_back(std::move(l));
    }
    // Sizes per label; ellipsis dims and size-1 dims broadcast.
    std::map<Label, int64_t> size_of;
    for (size_t i = 0; i < inputs.size(); ++i) {
      for (size_t d = 0; d < labels[i].size(); ++d) {
        const Label l = labels[i][d];
        const int64_t s = inputs[i]->shape()[d];
        auto it = size_of.find(l);
        if (it == size_of.end() || it->second == 1) {
          size_of[l] = s;
        } else if (s != 1 && s != it->second) {
          return invalid_argument("subscript dims disagree: " + std::to_string(it->second) +
                                  " vs " + std::to_string(s) + " in operand " + std::to_string(i) +
                                  " " + shape_to_string(inputs[i]->shape()));
        }
      }
    }
    std::vector<Label> out_labels;
    if (eq_.explicit_output) {
      ASSIGN_OR_RETURN(out_labels, term_labels(eq_.output, 0, &ell_rank, true));
      for (Label l : out_labels) {
        if (!size_of.count(l)) {
          return invalid_argument("output subscript '" + std::string(1, static_cast<char>(l)) +
                                  "' appears in no input");
        }
      }
    } else {
      for (int64_t i = ell_rank; i-- > 0;)
        out_labels.push_back(kEllipsisBase + static_cast<int>(i));
      std::map<Label, int> count;
      for (const auto& ls : labels) {
        for (Label l : ls) {
          if (l < kEllipsisBase) ++count[l];
        }
      }
      for (const auto& [l, c] : count) {
        if (c == 1) out_labels.push_back(l);
      }
    }
    // Reduce each operand on its own, keeping what the output or another operand uses.
    std::vector<Operand<T>> ops;
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::vector<Label> keep = out_labels;
      for (size_t j = 0; j < inputs.size(); ++j) {
        if (j != i) keep.insert(keep.end(), labels[j].begin(), labels[j].end());
      }
      const T* p = inputs[i]->data<T>();
      ops.push_back(reduce_operand(std::vector<T>(p, p + inputs[i]->num_elements()), labels[i],
                                   inputs[i]->shape(), keep));
    }
    Operand<T> acc = std::move(ops[0]);
    for (size_t i = 1; i < ops.size(); ++i) {
      std::vector<Label> needed = out_labels;
      for (size_t j = i + 1; j < ops.size(); ++j) {
        needed.insert(needed.end(), ops[j].labels.begin(), ops[j].labels.end());
      }
      // Labels of one side only that nothing later needs are summed out first.
      acc = reduce_operand(acc.data, acc.labels, acc.dims, [&] {
        std::vector<Label> k = needed;
        k.insert(k.end(), ops[i].labels.begin(), ops[i].labels.end());
        return k;
      }());
      Operand<T> rhs = reduce_operand(ops[i].data, ops[i].labels, ops[i].dims, [&] {
        std::vector<Label> k = needed;
        k.insert(k.end(), acc.labels.begin(), acc.labels.end());
        return k;
      }());
      acc = contract(acc, rhs, needed, size_of, ctx);
    }
    acc = reduce_operand(acc.data, acc.labels, acc.dims, out_labels);
    Shape out_dims;
    for (Label l : out_labels) out_dims.push_back(size_of.at(l));
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(inputs[0]->dtype(), out_dims));
    const std::vector<T> data = permute(acc, out_labels, out_dims);
    std::copy(data.begin(), data.end(), y.mutable_data<T>());
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

  Equation eq_;
};

Result<std::unique_ptr<exec::Kernel>> make_einsum(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 64));
  RETURN_IF_ERROR(exec::check_attributes(node, {"equation"}));
  if (!node.attributes.has("equation")) return invalid_argument("Einsum needs an equation");
  ASSIGN_OR_RETURN(std::string eq_s, node.attributes.get_string("equation", ""));
  ASSIGN_OR_RETURN(Equation eq, parse_equation(eq_s));
  if (eq.inputs.size() != node.inputs.size()) {
    return invalid_argument("equation \"" + eq_s + "\" has " + std::to_string(eq.inputs.size()) +
                            " terms for " + std::to_string(node.inputs.size()) + " inputs");
  }
  return exec::make_kernel<EinsumKernel>(std::move(eq));
}

MH_REGISTER_CPU_KERNEL(Einsum, 12, exec::kMaxOpset, make_einsum);

}  // namespace
}  // namespace modelhost::engine::cpu
