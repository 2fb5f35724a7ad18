// Structured logging: one line per event, logfmt (`ts=... level=info msg="..." key=value`) or JSON
// lines, written to stderr. Levels: debug, info, warn, error. Thread-safe; a line is written in one
// write(2) so lines from different threads never interleave.
//
//   LOG_INFO("listening").kv("host", host).kv("port", port);
//
// The arguments are not evaluated when the level is disabled.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/status.h"

namespace modelhost::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

void set_level(Level level);
Level level();
inline bool enabled(Level l) { return static_cast<int>(l) >= static_cast<int>(level()); }
void set_format(Format format);
// "debug" | "info" | "warn" | "error"
Result<Level> parse_level(std::string_view name);
// Reads MODELHOST_LOG_LEVEL and MODELHOST_LOG_FORMAT (text|json) if set.
void init_from_env();

class Line {
 public:
  Line(Level level, std::string_view msg);
  ~Line();
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& kv(std::string_view key, std::string_view value);
  Line& kv(std::string_view key, const char* value) { return kv(key, std::string_view(value)); }
  Line& kv(std::string_view key, const std::string& value) {
    return kv(key, std::string_view(value));
  }
  Line& kv(std::string_view key, bool value);
  template <typename T>
    requires std::is_arithmetic_v<T>
  Line& kv(std::string_view key, T value) {
    std::ostringstream os;
    os << value;
    return raw(key, os.str());
  }

 private:
  Line& raw(std::string_view key, const std::string& value);
  Level level_;
  std::string text_;
};

}  // namespace modelhost::log

#define MH_LOG(lvl, msg)                         \
  if (!::modelhost::log::enabled(lvl)) {         \
  } else                                         \
    ::modelhost::log::Line(lvl, msg)

#define LOG_DEBUG(msg) MH_LOG(::modelhost::log::Level::kDebug, msg)
#define LOG_INFO(msg) MH_LOG(::modelhost::log::Level::kInfo, msg)
#define LOG_WARN(msg) MH_LOG(::modelhost::log::Level::kWarn, msg)
#define LOG_ERROR(msg) MH_LOG(::modelhost::log::Level::kError, msg)
