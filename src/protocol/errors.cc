#include "protocol/errors.h"

#include "protocol/json_write.h"

namespace modelhost::protocol {

std::string error_body(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 16);
  out += "{\"error\":";
  json_append_string(out, message);
  out += '}';
  return out;
}

}  // namespace modelhost::protocol
