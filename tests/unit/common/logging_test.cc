#include "common/logging.h"

#include <gtest/gtest.h>

#include "common/ids.h"

namespace modelhost {
namespace {

TEST(LoggingTest, ParseLevel) {
  EXPECT_EQ(*log::parse_level("debug"), log::Level::kDebug);
  EXPECT_EQ(*log::parse_level("warn"), log::Level::kWarn);
  auto bad = log::parse_level("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("loud"), std::string::npos);
}

TEST(LoggingTest, LevelGatesEvaluation) {
  log::set_level(log::Level::kWarn);
  int evaluated = 0;
  auto count = [&] { return ++evaluated; };
  LOG_INFO("hidden").kv("n", count());
  EXPECT_EQ(evaluated, 0);
  testing::internal::CaptureStderr();
  LOG_ERROR("shown").kv("n", count()).kv("who", "a b");
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(evaluated, 1);
  EXPECT_NE(out.find("level=error msg=\"shown\" n=1 who=\"a b\""), std::string::npos) << out;
  log::set_level(log::Level::kInfo);
}

TEST(LoggingTest, JsonFormatEscapes) {
  log::set_format(log::Format::kJson);
  testing::internal::CaptureStderr();
  LOG_INFO("quote \" here").kv("k", "line\nbreak").kv("n", 3);
  std::string out = testing::internal::GetCapturedStderr();
  log::set_format(log::Format::kText);
  EXPECT_NE(out.find("\"msg\":\"quote \\\" here\",\"k\":\"line\\nbreak\",\"n\":3}"),
            std::string::npos)
      << out;
}

TEST(IdsTest, UniqueHex) {
  std::string a = new_id("req-"), b = new_id("req-");
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  EXPECT_EQ(random_hex(128).size(), 32u);
}

}  // namespace
}  // namespace modelhost
