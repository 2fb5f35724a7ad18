#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/test_util.h"

namespace modelhost::engine::testing {
namespace {

using F = std::vector<float>;
using I = std::vector<int64_t>;

TEST(EngineUniqueTest, SortedFlattenedWithAllOutputs) {
  auto r = OpCase("Unique", 11)
               .input(Tensor::from_vector<float>({2, 3}, F{2, 1, 1, 3, 4, 3}))
               .outputs(4)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_float_tensor((*r)[0], {4}, {1, 2, 3, 4});
  expect_int64_tensor((*r)[1], {4}, {1, 0, 3, 4});
  expect_int64_tensor((*r)[2], {6}, {1, 0, 0, 2, 3, 2});
  expect_int64_tensor((*r)[3], {4}, {2, 1, 2, 1});
}

TEST(EngineUniqueTest, UnsortedKeepsFirstOccurrenceOrder) {
  auto r = OpCase("Unique", 11)
               .input(Tensor::from_vector<int64_t>({6}, I{2, 1, 1, 3, 4, 3}))
               .attr("sorted", int64_t{0})
               .outputs(4)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_int64_tensor((*r)[0], {4}, {2, 1, 3, 4});
  expect_int64_tensor((*r)[1], {4}, {0, 1, 3, 4});
  expect_int64_tensor((*r)[2], {6}, {0, 1, 1, 2, 3, 2});
  expect_int64_tensor((*r)[3], {4}, {1, 2, 2, 1});
}

TEST(EngineUniqueTest, RowsAlongAxis0) {
  auto r = OpCase("Unique", 11)
               .input(Tensor::from_vector<int64_t>({3, 2}, I{1, 0, 0, 1, 1, 0}))
               .attr("axis", int64_t{0})
               .outputs(4)
               .run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_int64_tensor((*r)[0], {2, 2}, {0, 1, 1, 0});
  expect_int64_tensor((*r)[1], {2}, {1, 0});
  expect_int64_tensor((*r)[2], {3}, {1, 0, 1});
  expect_int64_tensor((*r)[3], {2}, {1, 2});
}

TEST(EngineUniqueTest, ColumnsAlongAxis1) {
  Tensor y = OpCase("Unique", 11)
                 .input(Tensor::from_vector<int64_t>({2, 3}, I{1, 0, 1, 5, 2, 5}))
                 .attr("axis", int64_t{-1})
                 .run_one();
  expect_int64_tensor(y, {2, 2}, {0, 1, 2, 5});
}

TEST(EngineUniqueTest, BadSortedIsALoadError) {
  auto r = OpCase("Unique", 11)
               .input(Tensor::from_vector<int64_t>({1}, I{1}))
               .attr("sorted", int64_t{2})
               .run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sorted must be 0 or 1"), std::string::npos);
}

}  // namespace
}  // namespace modelhost::engine::testing
