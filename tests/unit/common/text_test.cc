#include "common/text.h"

#include <gtest/gtest.h>

namespace modelhost {
namespace {

TEST(TextTest, AsciiIequals) {
  EXPECT_TRUE(ascii_iequals("GZip", "gzip"));
  EXPECT_FALSE(ascii_iequals("gzip", "gzipx"));
  EXPECT_FALSE(ascii_iequals("deflate", "inflate"));
}

TEST(TextTest, Utf8SequenceLength) {
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 0), 2u);          // é
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);      // €
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80", 0), 4u);  // emoji
  EXPECT_EQ(utf8_sequence_length("\xc0\xaf", 0), 0u);          // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xed\xa0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(utf8_sequence_length("\xe2\x82", 0), 0u);          // truncated
}

TEST(TextTest, JsonEscaping) {
  std::string out;
  append_json_escaped(out, "a\"b\\c\nd\x01 \xc3\xa9 \xff end");
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\u0001 \xc3\xa9 \\ufffd end");
}

}  // namespace
}  // namespace modelhost
