// cuDNN convolution plans against a direct CPU convolution (skipped without a GPU or cuDNN).
#ifdef MODELHOST_HAVE_CUDNN
#include "engine/cuda/conv.h"

#include <gtest/gtest.h>

#include "cuda/cuda_test_util.h"

namespace modelhost::engine::cuda {
namespace {

using testing::random_floats;
using testing::to_device;
using testing::to_host;
using testing::worst_error;

std::vector<float> reference(const ConvShape& sh, const std::vector<float>& x,
                             const std::vector<float>& w, const std::vector<float>& bias,
                             bool relu) {
  const int64_t oh = sh.out_h(), ow = sh.out_w(), cg = sh.c / sh.groups, kg = sh.k / sh.groups;
  std::vector<float> y(sh.n * sh.k * oh * ow);
  for (int64_t n = 0; n < sh.n; ++n) {
    for (int64_t k = 0; k < sh.k; ++k) {
      const int64_t g = k / kg;
      for (int64_t i = 0; i < oh; ++i) {
        for (int64_t j = 0; j < ow; ++j) {
          double acc = bias[k];
          for (int64_t c = 0; c < cg; ++c) {
            for (int64_t r = 0; r < sh.r; ++r) {
              for (int64_t s = 0; s < sh.s; ++s) {
                const int64_t hi = i * sh.stride_h - sh.pad_h + r * sh.dilation_h;
                const int64_t wi = j * sh.stride_w - sh.pad_w + s * sh.dilation_w;
                if (hi < 0 || hi >= sh.h || wi < 0 || wi >= sh.w) continue;
                acc += static_cast<double>(x[((n * sh.c + g * cg + c) * sh.h + hi) * sh.w + wi]) *
                       w[((k * cg + c) * sh.r + r) * sh.s + s];
              }
            }
          }
          float v = static_cast<float>(acc);
          y[((n * sh.k + k) * oh + i) * ow + j] = relu && v < 0 ? 0 : v;
        }
      }
    }
  }
  return y;
}

TEST(CudaConvTest, PlansMatchTheDirectConvolution) {
  MODELHOST_REQUIRE_GPU();
  auto stream = Stream::create(0);
  ASSERT_TRUE(stream.ok());
  auto cudnn = Cudnn::create(stream->get());
  ASSERT_TRUE(cudnn.ok()) << cudnn.status().to_string();
  std::vector<ConvShape> shapes(4);
  shapes[0] = {2, 3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1};    // 3x3, pad 1
  shapes[1] = {1, 16, 28, 28, 32, 1, 1, 0, 0, 1, 1, 1, 1, 1};   // 1x1
  shapes[2] = {1, 32, 17, 17, 32, 3, 3, 1, 1, 2, 2, 1, 1, 32};  // depthwise, stride 2
  shapes[3] = {1, 8, 20, 20, 8, 3, 3, 2, 2, 1, 1, 2, 2, 2};     // dilation 2, 2 groups
  for (Precision p : {Precision::kFp32, Precision::kTf32}) {
    for (const ConvShape& sh : shapes) {
      auto x = random_floats(sh.n * sh.c * sh.h * sh.w, -1, 1, 21);
      auto w = random_floats(sh.k * (sh.c / sh.groups) * sh.r * sh.s, -1, 1, 22);
      auto bias = random_floats(sh.k, -1, 1, 23);
      auto plan = ConvPlan::create(*cudnn, sh, p);
      ASSERT_TRUE(plan.ok()) << plan.status().to_string();
      auto dx = to_device(x, stream->get()), dw = to_device(w, stream->get()),
           db = to_device(bias, stream->get());
      const size_t out = static_cast<size_t>(sh.n * sh.k * sh.out_h() * sh.out_w());
      auto dy = DeviceBuffer::allocate(out * 4);
      auto ws = DeviceBuffer::allocate((*plan)->workspace_bytes());
      Status st = (*plan)->run(dx.data(), dw.data(), static_cast<const float*>(db.data()),
                               dy->data(), Activation::kRelu, ws->data(), stream->get());
      ASSERT_TRUE(st.ok()) << st.to_string();
      auto got = to_host<float>(*dy, out, stream->get());
      const double tol = p == Precision::kFp32 ? 1e-4 : 5e-3;
      EXPECT_LE(worst_error(got, reference(sh, x, w, bias, true), tol * 10, tol), 1.0)
          << precision_name(p) << " groups=" << sh.groups << " algo " << (*plan)->algorithm_name();
    }
  }
}

TEST(CudaConvTest, BadGroupsAreRefusedWithTheNumbers) {
  MODELHOST_REQUIRE_GPU();
  auto stream = Stream::create(0);
  auto cudnn = Cudnn::create(stream->get());
  ASSERT_TRUE(cudnn.ok());
  ConvShape sh;
  sh.c = 6;
  sh.k = 4;
  sh.groups = 4;
  auto plan = ConvPlan::create(*cudnn, sh, Precision::kFp32);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("not divisible by groups 4"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::cuda
#endif  // MODELHOST_HAVE_CUDNN
