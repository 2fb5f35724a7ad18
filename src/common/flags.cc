#include "common/flags.h"

#include <charconv>
#include <iostream>

#include "common/logging.h"

namespace modelhost {

Result<int64_t> parse_int(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return invalid_argument("\"" + std::string(text) + "\" is not an integer");
  }
  if (v < min || v > max) {
    return invalid_argument(std::to_string(v) + " is out of range [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
  }
  return v;
}

void Flags::add_string(std::string name, std::string metavar, std::string help, std::string* target,
                       bool required) {
  Flag f{std::move(name), std::move(metavar), std::move(help)};
  f.required = required;
  f.default_text = *target;
  f.set = [target](std::string_view v) {
    *target = std::string(v);
    return Status();
  };
  flags_.push_back(std::move(f));
}

void Flags::add_int(std::string name, std::string metavar, std::string help, int64_t* target,
                    int64_t min, int64_t max) {
  Flag f{std::move(name), std::move(metavar), std::move(help)};
  f.default_text = std::to_string(*target);
  f.set = [target, min, max](std::string_view v) -> Status {
    ASSIGN_OR_RETURN(*target, parse_int(v, min, max));
    return Status();
  };
  flags_.push_back(std::move(f));
}

void Flags::add_bool(std::string name, std::string help, bool* target) {
  Flag f{std::move(name), "", std::move(help)};
  f.is_bool = true;
  f.set = [target](std::string_view v) -> Status {
    if (v == "true" || v == "1" || v.empty()) {
      *target = true;
    } else if (v == "false" || v == "0") {
      *target = false;
    } else {
      return invalid_argument("\"" + std::string(v) + "\" is not true or false");
    }
    return Status();
  };
  flags_.push_back(std::move(f));
}

Status Flags::parse(const std::vector<std::string_view>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      return Status();
    }
    if (a.substr(0, 2) != "--") {
      return invalid_argument("unexpected argument \"" + std::string(a) + "\" (see " + command_ +
                              " --help)");
    }
    a.remove_prefix(2);
    std::string_view name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    Flag* flag = nullptr;
    for (auto& f : flags_) {
      if (f.name == name) flag = &f;
    }
    if (!flag) {
      return invalid_argument("unknown flag --" + std::string(name) + " (see " + command_ +
                              " --help)");
    }
    if (!has_value && !flag->is_bool) {
      if (i + 1 >= args.size()) {
        return invalid_argument("flag --" + flag->name + " needs a value " + flag->metavar);
      }
      value = args[++i];
    }
    if (Status s = flag->set(value); !s.ok()) return s.with_context("flag --" + flag->name);
    flag->seen = true;
  }
  for (const auto& f : flags_) {
    if (f.required && !f.seen) {
      return invalid_argument("missing required flag --" + f.name + " " + f.metavar + " (see " +
                              command_ + " --help)");
    }
  }
  return Status();
}

std::string Flags::usage() const {
  std::string out = "Usage: " + command_ + " [flags]\n\n" + summary_ + "\n\nFlags:\n";
  for (const auto& f : flags_) {
    std::string left = "  --" + f.name + (f.metavar.empty() ? "" : " " + f.metavar);
    if (left.size() < 30) left.resize(30, ' ');
    out += left + " " + f.help;
    if (f.required) {
      out += " (required)";
    } else if (!f.is_bool && !f.default_text.empty()) {
      out += " (default " + f.default_text + ")";
    }
    out += '\n';
  }
  return out;
}

int command_error(const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  return 2;
}

std::optional<int> parse_command_line(Flags& flags, const std::vector<std::string_view>& args,
                                      const std::string* log_level) {
  if (Status s = flags.parse(args); !s.ok()) return command_error(s);
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  if (log_level != nullptr) {
    auto level = log::parse_level(*log_level);
    if (!level.ok()) return command_error(level.status().with_context("flag --log-level"));
    log::set_level(*level);
  }
  return std::nullopt;
}

}  // namespace modelhost
