#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace modelhost {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("value " + std::to_string(v) + " is not positive");
  return v;
}

Result<int> doubled(int v) {
  ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Status check_all(int a, int b) {
  RETURN_IF_ERROR(parse_positive(a).status());
  RETURN_IF_ERROR(parse_positive(b).status());
  return Status();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.to_string(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = not_found("model \"x\" is not served");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.to_string(), "NOT_FOUND: model \"x\" is not served");
}

TEST(StatusTest, CopyIsDeep) {
  Status a = internal_error("boom");
  Status b = a;
  a = Status();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(b.message(), "boom");
}

TEST(StatusTest, WithContextPrefixesMessage) {
  Status s = invalid_argument("bad dim").with_context("input \"x\"");
  EXPECT_EQ(s.message(), "input \"x\": bad dim");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Status().with_context("ignored").ok());
}

TEST(ResultTest, ValueAndError) {
  auto ok = doubled(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "value -1 is not positive");
}

TEST(ResultTest, ReturnIfErrorStopsAtFirstFailure) {
  EXPECT_TRUE(check_all(1, 2).ok());
  EXPECT_EQ(check_all(1, 0).message(), "value 0 is not positive");
  EXPECT_EQ(check_all(-3, 0).message(), "value -3 is not positive");
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace modelhost
