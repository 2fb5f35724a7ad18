// Unique (opset 11+): the distinct elements of X (flattened, without `axis`) or the distinct
// slices of X along `axis`, sorted ascending (slices lexicographically) when `sorted` = 1 or in
// order of first occurrence otherwise. Optional outputs: the index of each unique item's first
// occurrence, the inverse indices (for each input item, its position in Y) and the counts, all
// int64. Every dtype; float16 / bfloat16 compare as float32.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
auto comparable(Storage<T> v) {
  if constexpr (std::is_same_v<T, Half>) {
    return half_bits_to_float(v);
  } else if constexpr (std::is_same_v<T, BFloat>) {
    return bf16_bits_to_float(v);
  } else {
    return v;
  }
}

// Slices of `n` items along the middle dim of [outer, n, inner]: an item is compared element by
// element in (outer, inner) order.
struct Slices {
  int64_t outer = 1, n = 1, inner = 1;
};

// The item order sorted ascending (stable) and, per sorted position, whether it equals the
// previous one.
template <typename T>
void sort_items(const Tensor& x, const Slices& s, std::vector<int64_t>& order,
                std::vector<bool>& same_as_prev) {
  const Storage<T>* p = x.data<Storage<T>>();
  auto cmp = [&](int64_t a, int64_t b) -> int {
    for (int64_t o = 0; o < s.outer; ++o) {
      const Storage<T>* pa = p + (o * s.n + a) * s.inner;
      const Storage<T>* pb = p + (o * s.n + b) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i) {
        const auto va = comparable<T>(pa[i]);
        const auto vb = comparable<T>(pb[i]);
        if (va < vb) return -1;
        if (vb < va) return 1;
      }
    }
    return 0;
  };
  order.resize(static_cast<size_t>(s.n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cmp(a, b) < 0; });
  same_as_prev.assign(order.size(), false);
  for (size_t k = 1; k < order.size(); ++k) same_as_prev[k] = cmp(order[k - 1], order[k]) == 0;
}

class UniqueKernel final : public exec::Kernel {
 public:
  UniqueKernel(std::optional<int64_t> axis, bool sorted) : axis_(axis), sorted_(sorted) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    Slices s;
    int64_t axis = 0;
    if (axis_) {
      if (x.rank() == 0) return invalid_argument("Unique with an axis needs an input of rank >= 1");
      ASSIGN_OR_RETURN(axis, exec::normalize_axis(*axis_, x.rank()));
      for (int64_t i = 0; i < x.rank(); ++i) {
        const int64_t d = x.shape()[static_cast<size_t>(i)];
        if (i < axis) {
          s.outer *= d;
        } else if (i == axis) {
          s.n = d;
        } else {
          s.inner *= d;
        }
      }
    } else {
      s.n = x.num_elements();
    }
    std::vector<int64_t> order;
    std::vector<bool> same;
    RETURN_IF_ERROR(visit_dtype(
        x.dtype(),
        [&]<typename T>() -> Status {
          sort_items<T>(x, s, order, same);
          return Status::ok_status();
        },
        [&]() -> Status { return invalid_argument("Unique: unsupported input dtype"); }));

    // Groups of equal items in sorted order: the first occurrence (smallest index, since the sort
    // is stable), the count, and each item's group.
    std::vector<int64_t> first, count, group_of(static_cast<size_t>(s.n));
    for (size_t k = 0; k < order.size(); ++k) {
      if (k == 0 || !same[k]) {
        first.push_back(order[k]);
        count.push_back(0);
      }
      ++count.back();
      group_of[static_cast<size_t>(order[k])] = static_cast<int64_t>(first.size()) - 1;
    }
    // Position of each group in Y.
    const size_t u = first.size();
    std::vector<int64_t> rank_of(u);
    std::iota(rank_of.begin(), rank_of.end(), 0);
    if (!sorted_) {
      std::vector<int64_t> by_first(u);
      std::iota(by_first.begin(), by_first.end(), 0);
      std::sort(by_first.begin(), by_first.end(), [&](int64_t a, int64_t b) {
        return first[static_cast<size_t>(a)] < first[static_cast<size_t>(b)];
      });
      for (size_t r = 0; r < u; ++r)
        rank_of[static_cast<size_t>(by_first[r])] = static_cast<int64_t>(r);
    }
    std::vector<int64_t> group_at(u);
    for (size_t g = 0; g < u; ++g)
      group_at[static_cast<size_t>(rank_of[g])] = static_cast<int64_t>(g);

    Shape y_shape;
    if (axis_) {
      y_shape = x.shape();
      y_shape[static_cast<size_t>(axis)] = static_cast<int64_t>(u);
    } else {
      y_shape = {static_cast<int64_t>(u)};
    }
    Tensor y = Tensor::allocate(x.dtype(), y_shape);
    const size_t elem = dtype_size(x.dtype());
    const auto* src = static_cast<const uint8_t*>(x.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    const size_t row = static_cast<size_t>(s.inner) * elem;
    for (int64_t o = 0; o < s.outer; ++o) {
      for (size_t r = 0; r < u; ++r) {
        const int64_t item = first[static_cast<size_t>(group_at[r])];
        if (row > 0) {
          std::memcpy(dst + (static_cast<size_t>(o) * u + r) * row,
                      src + static_cast<size_t>(o * s.n + item) * row, row);
        }
      }
    }
    outputs[0] = std::move(y);
    auto int_tensor = [](const std::vector<int64_t>& v) {
      return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
    };
    if (outputs.size() > 1) {
      std::vector<int64_t> indices(u);
      for (size_t r = 0; r < u; ++r) indices[r] = first[static_cast<size_t>(group_at[r])];
      outputs[1] = int_tensor(indices);
    }
    if (outputs.size() > 2) {
      std::vector<int64_t> inverse(static_cast<size_t>(s.n));
      for (size_t i = 0; i < inverse.size(); ++i) {
        inverse[i] = rank_of[static_cast<size_t>(group_of[i])];
      }
      outputs[2] = int_tensor(inverse);
    }
    if (outputs.size() > 3) {
      std::vector<int64_t> counts(u);
      for (size_t r = 0; r < u; ++r) counts[r] = count[static_cast<size_t>(group_at[r])];
      outputs[3] = int_tensor(counts);
    }
    return Status::ok_status();
  }

 private:
  std::optional<int64_t> axis_;
  bool sorted_;
};

Result<std::unique_ptr<exec::Kernel>> make_unique_kernel(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1, 4));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "sorted"}));
  std::optional<int64_t> axis;
  if (node.attributes.has("axis")) {
    ASSIGN_OR_RETURN(int64_t a, node.attributes.get_int("axis", 0));
    axis = a;
  }
  ASSIGN_OR_RETURN(int64_t sorted, node.attributes.get_int("sorted", 1));
  if (sorted != 0 && sorted != 1) {
    return invalid_argument("sorted must be 0 or 1, got " + std::to_string(sorted));
  }
  return exec::make_kernel<UniqueKernel>(axis, sorted == 1);
}

MH_REGISTER_CPU_KERNEL(Unique, 11, exec::kMaxOpset, make_unique_kernel);

}  // namespace
}  // namespace modelhost::engine::cpu
