// Flags: a small command-line parser for the subcommands.
//
//   Flags f("modelhost run", "Serves one ONNX model over HTTP.");
//   f.add_string("model", "PATH", "the .onnx file to serve", &model, /*required=*/true);
//   f.add_int("http-port", "N", "port to listen on", &port);
//   if (Status s = f.parse(argc, argv); !s.ok()) ...
//
// Accepts `--name value` and `--name=value`; `--help`/`-h` sets help_requested(). Integers are
// parsed strictly (the whole text, in range), so `--threads 2x` is an error naming the flag.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace modelhost {

class Flags {
 public:
  Flags(std::string command, std::string summary)
      : command_(std::move(command)), summary_(std::move(summary)) {}

  void add_string(std::string name, std::string metavar, std::string help, std::string* target,
                  bool required = false);
  void add_int(std::string name, std::string metavar, std::string help, int64_t* target,
               int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  void add_bool(std::string name, std::string help, bool* target);

  // Parses args (excluding the program and subcommand names).
  Status parse(const std::vector<std::string_view>& args);
  bool help_requested() const { return help_; }
  std::string usage() const;

 private:
  struct Flag {
    std::string name, metavar, help;
    bool required = false, is_bool = false, seen = false;
    std::string default_text;
    std::function<Status(std::string_view)> set;
  };
  std::string command_, summary_;
  std::vector<Flag> flags_;
  bool help_ = false;
};

// Prints "error: <message>" to stderr and returns 2, the exit code of a command-line mistake.
int command_error(const Status& s);

// Parses a subcommand's `args`: after --help prints the usage and returns 0; after a bad flag
// prints the error and returns 2. With `log_level` (the target of a --log-level flag) it also
// checks that level and applies it. nullopt when the command should go on.
std::optional<int> parse_command_line(Flags& flags, const std::vector<std::string_view>& args,
                                      const std::string* log_level = nullptr);

// Parses a whole string as a base-10 integer in [min, max].
Result<int64_t> parse_int(std::string_view text, int64_t min = INT64_MIN, int64_t max = INT64_MAX);

}  // namespace modelhost
