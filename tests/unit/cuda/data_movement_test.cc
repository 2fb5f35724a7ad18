// Embedding gather, row means and 2-D pooling on the device against CPU references (skipped
// without a GPU).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "cuda/cuda_test_util.h"
#include "engine/cuda/kernels.h"

namespace modelhost::engine::cuda {
namespace {

using testing::random_floats;
using testing::to_device;
using testing::to_host;
using testing::worst_error;

class CudaDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MODELHOST_REQUIRE_GPU();
    auto s = Stream::create(0);
    ASSERT_TRUE(s.ok());
    stream_ = std::make_unique<Stream>(std::move(s).value());
  }
  cudaStream_t s() const { return stream_->get(); }
  std::unique_ptr<Stream> stream_;
};

TEST_F(CudaDataTest, GatherRowsFlagsAnIndexOutOfRange) {
  const int64_t vocab = 50, dim = 33;
  auto table = random_floats(vocab * dim, -1, 1, 51);
  const std::vector<int64_t> good = {0, 49, -1, 7, 7};
  auto dt = to_device(table, s());
  auto flag = to_device(std::vector<int>{0}, s());
  auto di = to_device(good, s());
  auto out = DeviceBuffer::allocate(good.size() * dim * 4);
  ASSERT_TRUE(gather_rows_f32(static_cast<float*>(dt.data()), vocab, dim,
                              static_cast<int64_t*>(di.data()), static_cast<int64_t>(good.size()),
                              static_cast<float*>(out->data()), static_cast<int*>(flag.data()), s())
                  .ok());
  auto got = to_host<float>(*out, good.size() * dim, s());
  for (size_t i = 0; i < good.size(); ++i) {
    const int64_t row = good[i] < 0 ? good[i] + vocab : good[i];
    for (int64_t j = 0; j < dim; ++j) ASSERT_EQ(got[i * dim + j], table[row * dim + j]);
  }
  EXPECT_EQ(to_host<int>(flag, 1, s())[0], 0);
  auto bad = to_device(std::vector<int64_t>{3, 50}, s());
  ASSERT_TRUE(gather_rows_f32(static_cast<float*>(dt.data()), vocab, dim,
                              static_cast<int64_t*>(bad.data()), 2,
                              static_cast<float*>(out->data()), static_cast<int*>(flag.data()), s())
                  .ok());
  EXPECT_EQ(to_host<int>(flag, 1, s())[0], 1);
}

TEST_F(CudaDataTest, RowMeanIsGlobalAveragePooling) {
  const int64_t rows = 2 * 1280, cols = 7 * 7;
  auto x = random_floats(rows * cols, -2, 2, 52);
  auto dx = to_device(x, s());
  auto dy = DeviceBuffer::allocate(rows * 4);
  ASSERT_TRUE(
      row_mean_f32(static_cast<float*>(dx.data()), static_cast<float*>(dy->data()), rows, cols, s())
          .ok());
  std::vector<float> want(rows);
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (int64_t j = 0; j < cols; ++j) sum += x[r * cols + j];
    want[r] = static_cast<float>(sum / cols);
  }
  EXPECT_LE(worst_error(to_host<float>(*dy, rows, s()), want, 1e-6, 1e-5), 1.0);
}

TEST_F(CudaDataTest, MaxAndAveragePoolingWithPadding) {
  Pool2d p;
  p.n = 2;
  p.c = 3;
  p.h = 13;
  p.w = 11;
  p.kh = p.kw = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  auto x = random_floats(p.n * p.c * p.h * p.w, -5, 5, 53);
  auto dx = to_device(x, s());
  const int64_t oh = p.out_h(), ow = p.out_w(), out = p.n * p.c * oh * ow;
  auto dmax = DeviceBuffer::allocate(out * 4), davg = DeviceBuffer::allocate(out * 4);
  ASSERT_TRUE(
      max_pool_2d_f32(static_cast<float*>(dx.data()), static_cast<float*>(dmax->data()), p, s())
          .ok());
  ASSERT_TRUE(
      avg_pool_2d_f32(static_cast<float*>(dx.data()), static_cast<float*>(davg->data()), p, s())
          .ok());
  std::vector<float> wmax(out), wavg(out);
  for (int64_t plane = 0; plane < p.n * p.c; ++plane) {
    for (int64_t i = 0; i < oh; ++i) {
      for (int64_t j = 0; j < ow; ++j) {
        float mx = -INFINITY;
        double sum = 0;
        int count = 0;
        for (int64_t r = 0; r < p.kh; ++r) {
          for (int64_t c = 0; c < p.kw; ++c) {
            const int64_t y = i * 2 - 1 + r, xx = j * 2 - 1 + c;
            if (y < 0 || y >= p.h || xx < 0 || xx >= p.w) continue;
            const float v = x[(plane * p.h + y) * p.w + xx];
            mx = std::max(mx, v);
            sum += v;
            ++count;
          }
        }
        wmax[(plane * oh + i) * ow + j] = mx;
        wavg[(plane * oh + i) * ow + j] = static_cast<float>(sum / count);
      }
    }
  }
  EXPECT_EQ(to_host<float>(*dmax, out, s()), wmax);
  EXPECT_LE(worst_error(to_host<float>(*davg, out, s()), wavg, 1e-6, 1e-5), 1.0);
}

}  // namespace
}  // namespace modelhost::engine::cuda

namespace modelhost::engine::cuda {
namespace {

using testing::random_floats;
using testing::to_device;
using testing::to_host;

TEST(CudaMobileNetOpsTest, ClipChannelScaleAndConcatBy2dCopies) {
  MODELHOST_REQUIRE_GPU();
  auto stream = Stream::create(0);
  ASSERT_TRUE(stream.ok());
  cudaStream_t s = stream->get();
  // ReLU6.
  auto x = random_floats(1000, -10, 10, 61);
  auto dx = to_device(x, s);
  auto dy = DeviceBuffer::allocate(x.size() * 4);
  ASSERT_TRUE(
      clip_f32(static_cast<float*>(dx.data()), static_cast<float*>(dy->data()), 1000, 0, 6, s)
          .ok());
  auto clipped = to_host<float>(*dy, x.size(), s);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(clipped[i], std::min(std::max(x[i], 0.f), 6.f));
  // Squeeze-and-excitation: 2 x 3 channels of 4 x 5.
  const int64_t nc = 6, hw = 20;
  auto fm = random_floats(nc * hw, -1, 1, 62);
  auto sc = random_floats(nc, 0, 1, 63);
  auto dfm = to_device(fm, s), dsc = to_device(sc, s);
  auto dout = DeviceBuffer::allocate(fm.size() * 4);
  ASSERT_TRUE(channel_scale_f32(static_cast<float*>(dfm.data()), static_cast<float*>(dsc.data()),
                                static_cast<float*>(dout->data()), nc, hw, s)
                  .ok());
  auto scaled = to_host<float>(*dout, fm.size(), s);
  for (int64_t i = 0; i < nc * hw; ++i) ASSERT_EQ(scaled[i], fm[i] * sc[i / hw]);
  // Concat of a [3, 4] and a [3, 2] along the last axis: two 2-D copies into a [3, 6].
  std::vector<float> a = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}, b = {4, 5, 14, 15, 24, 25};
  auto da = to_device(a, s), db = to_device(b, s);
  auto dc = DeviceBuffer::allocate(18 * 4);
  ASSERT_TRUE(copy_2d(da.data(), 4 * 4, dc->data(), 6 * 4, 4 * 4, 3, s).ok());
  ASSERT_TRUE(
      copy_2d(db.data(), 2 * 4, static_cast<char*>(dc->data()) + 4 * 4, 6 * 4, 2 * 4, 3, s).ok());
  EXPECT_EQ(to_host<float>(*dc, 18, s),
            (std::vector<float>{0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25}));
}

}  // namespace
}  // namespace modelhost::engine::cuda

namespace modelhost::engine::cuda {
namespace {

// ONNX Resize references: nearest with asymmetric coordinates and round_prefer_floor, linear
// with half_pixel coordinates.
std::vector<float> resize_reference(const std::vector<float>& x, int64_t planes, int64_t ih,
                                    int64_t iw, int64_t oh, int64_t ow, ResizeMode mode) {
  std::vector<float> y(planes * oh * ow);
  const double sh = static_cast<double>(ih) / oh, sw = static_cast<double>(iw) / ow;
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t i = 0; i < oh; ++i) {
      for (int64_t j = 0; j < ow; ++j) {
        const float* src = &x[p * ih * iw];
        float v;
        if (mode == ResizeMode::kNearest) {
          const int64_t yy =
              std::clamp<int64_t>(static_cast<int64_t>(std::ceil(i * sh - 0.5)), 0, ih - 1);
          const int64_t xx =
              std::clamp<int64_t>(static_cast<int64_t>(std::ceil(j * sw - 0.5)), 0, iw - 1);
          v = src[yy * iw + xx];
        } else {
          const double fy = std::clamp((i + 0.5) * sh - 0.5, 0.0, static_cast<double>(ih - 1));
          const double fx = std::clamp((j + 0.5) * sw - 0.5, 0.0, static_cast<double>(iw - 1));
          const int64_t y0 = static_cast<int64_t>(fy), x0 = static_cast<int64_t>(fx);
          const int64_t y1 = std::min(y0 + 1, ih - 1), x1 = std::min(x0 + 1, iw - 1);
          const double dy = fy - y0, dx = fx - x0;
          v = static_cast<float>((src[y0 * iw + x0] * (1 - dx) + src[y0 * iw + x1] * dx) *
                                     (1 - dy) +
                                 (src[y1 * iw + x0] * (1 - dx) + src[y1 * iw + x1] * dx) * dy);
        }
        y[(p * oh + i) * ow + j] = v;
      }
    }
  }
  return y;
}

TEST(CudaResizeTest, NearestAndLinearUpAndDown) {
  MODELHOST_REQUIRE_GPU();
  auto stream = Stream::create(0);
  ASSERT_TRUE(stream.ok());
  cudaStream_t s = stream->get();
  const int64_t planes = 3;
  for (auto [ih, iw, oh, ow] :
       {std::array<int64_t, 4>{7, 5, 14, 10}, {16, 16, 8, 8}, {9, 13, 20, 6}}) {
    auto x = testing::random_floats(planes * ih * iw, -1, 1, 71);
    auto dx = testing::to_device(x, s);
    auto dy = DeviceBuffer::allocate(planes * oh * ow * 4);
    for (ResizeMode mode : {ResizeMode::kNearest, ResizeMode::kLinear}) {
      ASSERT_TRUE(resize_2d_f32(static_cast<float*>(dx.data()), static_cast<float*>(dy->data()),
                                planes, ih, iw, oh, ow, mode, s)
                      .ok());
      auto got = testing::to_host<float>(*dy, planes * oh * ow, s);
      EXPECT_LE(
          testing::worst_error(got, resize_reference(x, planes, ih, iw, oh, ow, mode), 1e-5, 1e-5),
          1.0)
          << ih << "x" << iw << " -> " << oh << "x" << ow << " mode " << static_cast<int>(mode);
    }
  }
}

}  // namespace
}  // namespace modelhost::engine::cuda
