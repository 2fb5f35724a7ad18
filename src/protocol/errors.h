// How a failed Status is shown to an HTTP client: the status code and the {"error": ...} body
// that Triton's clients read (open-inference-protocol §0).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace modelhost::protocol {

// kOk -> 200; kInvalidArgument, kFailedPrecondition, kCancelled -> 400; kUnauthenticated -> 401;
// kPermissionDenied -> 403; kNotFound -> 404; kAlreadyExists -> 409; kInternal -> 500;
// kUnimplemented -> 501; kUnavailable and kResourceExhausted (queue full) -> 503;
// kDeadlineExceeded -> 504. The body size limit (413) is the HTTP layer's own decision.
int http_status_for(StatusCode code);

// {"error":"<message>"}, with the message escaped (and invalid UTF-8 replaced) so the body is
// always valid JSON.
std::string error_body(std::string_view message);

}  // namespace modelhost::protocol
