#include "common/flags.h"

#include <gtest/gtest.h>

namespace modelhost {
namespace {

struct Fixture {
  std::string model;
  int64_t port = 8000;
  bool verbose = false;
  Flags flags{"modelhost run", "Serves a model."};
  Fixture() {
    flags.add_string("model", "PATH", "model file", &model, true);
    flags.add_int("http-port", "N", "port", &port, 0, 65535);
    flags.add_bool("verbose", "more logs", &verbose);
  }
};

TEST(FlagsTest, ParsesBothForms) {
  Fixture f;
  ASSERT_TRUE(f.flags.parse({"--model", "m.onnx", "--http-port=9000", "--verbose"}).ok());
  EXPECT_EQ(f.model, "m.onnx");
  EXPECT_EQ(f.port, 9000);
  EXPECT_TRUE(f.verbose);
}

TEST(FlagsTest, ErrorsNameTheFlag) {
  Fixture f;
  EXPECT_EQ(f.flags.parse({"--model", "m", "--http-port", "80x"}).message(),
            "flag --http-port: \"80x\" is not an integer");
  Fixture g;
  EXPECT_EQ(g.flags.parse({"--model", "m", "--http-port", "70000"}).message(),
            "flag --http-port: 70000 is out of range [0, 65535]");
  Fixture h;
  EXPECT_NE(h.flags.parse({"--http-port", "1"}).message().find("missing required flag --model"),
            std::string::npos);
  Fixture i;
  EXPECT_NE(i.flags.parse({"--model", "m", "--bogus", "1"}).message().find("unknown flag --bogus"),
            std::string::npos);
  Fixture j;
  EXPECT_NE(j.flags.parse({"--model"}).message().find("needs a value"), std::string::npos);
}

TEST(FlagsTest, HelpAndUsage) {
  Fixture f;
  ASSERT_TRUE(f.flags.parse({"--help"}).ok());
  EXPECT_TRUE(f.flags.help_requested());
  std::string u = f.flags.usage();
  EXPECT_NE(u.find("--model PATH"), std::string::npos);
  EXPECT_NE(u.find("(default 8000)"), std::string::npos);
}

TEST(FlagsTest, ParseIntIsStrict) {
  EXPECT_EQ(*parse_int("42"), 42);
  EXPECT_FALSE(parse_int("").ok());
  EXPECT_FALSE(parse_int(" 4").ok());
  EXPECT_FALSE(parse_int("99999999999999999999").ok());
}

}  // namespace
}  // namespace modelhost
