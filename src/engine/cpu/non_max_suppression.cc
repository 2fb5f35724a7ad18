// NonMaxSuppression (opset 10..21): per batch and class, greedily keeps the highest-scoring
// boxes whose IoU with every kept box is at most iou_threshold, up to
// max_output_boxes_per_class, skipping scores not above score_threshold. Boxes are
// [y1, x1, y2, x2] (either corner order) or, with center_point_box = 1, [x_c, y_c, w, h].
// Output: [num_selected, 3] int64 rows (batch, class, box). float32 boxes and scores.
#include <algorithm>
#include <numeric>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Box {
  float y_min, x_min, y_max, x_max;
};

Box to_box(const float* b, bool center) {
  if (center) {
    const float xc = b[0], yc = b[1], hw = b[2] / 2, hh = b[3] / 2;
    return {yc - hh, xc - hw, yc + hh, xc + hw};
  }
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]), std::max(b[1], b[3])};
}

bool suppress(const Box& a, const Box& b, float iou_threshold) {
  const float ix0 = std::max(a.x_min, b.x_min), ix1 = std::min(a.x_max, b.x_max);
  if (ix1 <= ix0) return false;
  const float iy0 = std::max(a.y_min, b.y_min), iy1 = std::min(a.y_max, b.y_max);
  if (iy1 <= iy0) return false;
  const float inter = (ix1 - ix0) * (iy1 - iy0);
  const float area_a = (a.x_max - a.x_min) * (a.y_max - a.y_min);
  const float area_b = (b.x_max - b.x_min) * (b.y_max - b.y_min);
  const float uni = area_a + area_b - inter;
  if (area_a <= 0 || area_b <= 0 || uni <= 0) return false;
  return inter / uni > iou_threshold;
}

class NmsKernel final : public exec::Kernel {
 public:
  explicit NmsKernel(bool center) : center_(center) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& boxes = *inputs[0];
    const Tensor& scores = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(boxes, 0, "NonMaxSuppression", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(scores, 1, "NonMaxSuppression", {DataType::kFloat32}));
    if (boxes.rank() != 3 || boxes.shape()[2] != 4 || scores.rank() != 3 ||
        scores.shape()[0] != boxes.shape()[0] || scores.shape()[2] != boxes.shape()[1]) {
      return invalid_argument("boxes must be [B, N, 4] and scores [B, C, N], got " +
                              shape_to_string(boxes.shape()) + " and " +
                              shape_to_string(scores.shape()));
    }
    int64_t max_out = 0;
    float iou_threshold = 0.0f, score_threshold = 0.0f;
    bool has_score_threshold = false;
    if (inputs.size() > 2 && inputs[2] && inputs[2]->num_elements() > 0) {
      RETURN_IF_ERROR(exec::check_dtype(*inputs[2], 2, "NonMaxSuppression", {DataType::kInt64}));
      max_out = inputs[2]->data<int64_t>()[0];
    }
    if (inputs.size() > 3 && inputs[3] && inputs[3]->num_elements() > 0) {
      RETURN_IF_ERROR(exec::check_dtype(*inputs[3], 3, "NonMaxSuppression", {DataType::kFloat32}));
      iou_threshold = inputs[3]->data<float>()[0];
    }
    if (inputs.size() > 4 && inputs[4] && inputs[4]->num_elements() > 0) {
      RETURN_IF_ERROR(exec::check_dtype(*inputs[4], 4, "NonMaxSuppression", {DataType::kFloat32}));
      score_threshold = inputs[4]->data<float>()[0];
      has_score_threshold = true;
    }
    if (iou_threshold < 0.0f || iou_threshold > 1.0f) {
      return invalid_argument("iou_threshold must be in [0, 1]");
    }
    const int64_t nb = boxes.shape()[0], nbox = boxes.shape()[1], nc = scores.shape()[1];
    std::vector<int64_t> selected;
    std::vector<int64_t> order;
    std::vector<int64_t> kept;
    for (int64_t b = 0; b < nb && max_out > 0; ++b) {
      const float* bx = boxes.data<float>() + b * nbox * 4;
      for (int64_t c = 0; c < nc; ++c) {
        const float* sc = scores.data<float>() + (b * nc + c) * nbox;
        order.clear();
        for (int64_t i = 0; i < nbox; ++i) {
          if (!has_score_threshold || sc[i] > score_threshold) order.push_back(i);
        }
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t x, int64_t y) { return sc[x] > sc[y]; });
        kept.clear();
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          const Box bi = to_box(bx + i * 4, center_);
          bool drop = false;
          for (int64_t k : kept) {
            if (suppress(to_box(bx + k * 4, center_), bi, iou_threshold)) {
              drop = true;
              break;
            }
          }
          if (!drop) {
            kept.push_back(i);
            selected.insert(selected.end(), {b, c, i});
          }
        }
      }
    }
    const int64_t rows = static_cast<int64_t>(selected.size() / 3);
    outputs[0] = Tensor::from_vector<int64_t>({rows, 3}, selected);
    return Status::ok_status();
  }

 private:
  bool center_;
};

Result<std::unique_ptr<exec::Kernel>> make_nms(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 5));
  RETURN_IF_ERROR(exec::check_attributes(node, {"center_point_box"}));
  ASSIGN_OR_RETURN(int64_t center, node.attributes.get_int("center_point_box", 0));
  if (center != 0 && center != 1) return invalid_argument("center_point_box must be 0 or 1");
  return exec::make_kernel<NmsKernel>(center == 1);
}

MH_REGISTER_CPU_KERNEL(NonMaxSuppression, 10, exec::kMaxOpset, make_nms);

}  // namespace
}  // namespace modelhost::engine::cpu
