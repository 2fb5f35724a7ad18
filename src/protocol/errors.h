// How a failed Status is shown to an HTTP client: the {"error": ...} body that Triton's clients
// read (open-inference-protocol §0); the status code is http/message.h's http_status_for.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace modelhost::protocol {

// {"error":"<message>"}, with the message escaped (and invalid UTF-8 replaced) so the body is
// always valid JSON.
std::string error_body(std::string_view message);

}  // namespace modelhost::protocol
