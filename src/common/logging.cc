#include "common/logging.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace modelhost::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<Format> g_format{Format::kText};

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

// Escapes a value for either format: quotes, backslashes and control characters.
void append_quoted(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x21)
      return true;
  }
  return false;
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long>(micros));
  return buf;
}

}  // namespace

void set_level(Level level) { g_level.store(level, std::memory_order_relaxed); }
Level level() { return g_level.load(std::memory_order_relaxed); }
void set_format(Format format) { g_format.store(format, std::memory_order_relaxed); }

Result<Level> parse_level(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  return invalid_argument("unknown log level \"" + std::string(name) +
                          "\" (expected debug, info, warn or error)");
}

void init_from_env() {
  if (const char* l = std::getenv("MODELHOST_LOG_LEVEL")) {
    auto parsed = parse_level(l);
    if (parsed.ok()) set_level(*parsed);
  }
  if (const char* f = std::getenv("MODELHOST_LOG_FORMAT")) {
    set_format(std::string_view(f) == "json" ? Format::kJson : Format::kText);
  }
}

Line::Line(Level level, std::string_view msg) : level_(level) {
  text_.reserve(160);
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) {
    text_ += "{\"ts\":\"" + timestamp() + "\",\"level\":\"";
    text_ += level_name(level);
    text_ += "\",\"msg\":";
    append_quoted(text_, msg);
  } else {
    text_ += "ts=" + timestamp() + " level=";
    text_ += level_name(level);
    text_ += " msg=";
    append_quoted(text_, msg);
  }
}

Line& Line::kv(std::string_view key, std::string_view value) {
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) {
    text_ += ',';
    append_quoted(text_, key);
    text_ += ':';
    append_quoted(text_, value);
  } else {
    text_ += ' ';
    text_ += key;
    text_ += '=';
    if (needs_quotes(value)) {
      append_quoted(text_, value);
    } else {
      text_ += value;
    }
  }
  return *this;
}

Line& Line::kv(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }

Line& Line::raw(std::string_view key, const std::string& value) {
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) {
    text_ += ',';
    append_quoted(text_, key);
    text_ += ':';
    text_ += value;
  } else {
    text_ += ' ';
    text_ += key;
    text_ += '=';
    text_ += value;
  }
  return *this;
}

Line::~Line() {
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) text_ += '}';
  text_ += '\n';
  // One write per line keeps lines whole across threads; a short write to stderr is not retried.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, text_.data(), text_.size());
}

}  // namespace modelhost::log
