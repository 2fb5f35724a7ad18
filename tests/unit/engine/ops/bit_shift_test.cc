#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I = std::vector<int64_t>;
using B = std::vector<bool>;

TEST(EngineBitShiftTest, LeftAndRight) {
  using U8 = std::vector<uint8_t>;
  Tensor l = OpCase("BitShift")
                 .input(Tensor::from_vector<uint8_t>({3}, U8{16, 4, 1}))
                 .input(Tensor::from_vector<uint8_t>({3}, U8{1, 2, 3}))
                 .attr("direction", std::string("LEFT"))
                 .run_one();
  EXPECT_EQ(l.to_vector<uint8_t>(), (U8{32, 16, 8}));
  Tensor r = OpCase("BitShift")
                 .input(Tensor::from_vector<uint8_t>({3}, U8{16, 4, 1}))
                 .input(Tensor::from_vector<uint8_t>({3}, U8{1, 2, 3}))
                 .attr("direction", std::string("RIGHT"))
                 .run_one();
  EXPECT_EQ(r.to_vector<uint8_t>(), (U8{8, 1, 0}));
}

TEST(EngineBitShiftTest, BroadcastAndWideShift) {
  using U64 = std::vector<uint64_t>;
  Tensor l = OpCase("BitShift")
                 .input(Tensor::from_vector<uint64_t>({3}, U64{1, 2, 3}))
                 .input(Tensor::from_vector<uint64_t>({}, U64{64}))
                 .attr("direction", std::string("LEFT"))
                 .run_one();
  EXPECT_EQ(l.to_vector<uint64_t>(), (U64{0, 0, 0}));
  Tensor r = OpCase("BitShift")
                 .input(Tensor::from_vector<uint64_t>({2, 1}, U64{1, 2}))
                 .input(Tensor::from_vector<uint64_t>({2}, U64{0, 1}))
                 .attr("direction", std::string("LEFT"))
                 .run_one();
  EXPECT_EQ(r.to_vector<uint64_t>(), (U64{1, 2, 2, 4}));
}

TEST(EngineBitShiftTest, BadDirectionFailsAtLoad) {
  using U8 = std::vector<uint8_t>;
  EXPECT_FALSE(OpCase("BitShift")
                   .input(Tensor::from_vector<uint8_t>({1}, U8{1}))
                   .input(Tensor::from_vector<uint8_t>({1}, U8{1}))
                   .attr("direction", std::string("UP"))
                   .run()
                   .ok());
}

TEST(EngineBitShiftTest, SignedFails) {
  auto r = OpCase("BitShift")
               .input(Tensor::from_vector<int64_t>({1}, I{1}))
               .input(Tensor::from_vector<int64_t>({1}, I{1}))
               .attr("direction", std::string("LEFT"))
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has dtype int64"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
