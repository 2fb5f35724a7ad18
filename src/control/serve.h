// `modelhost serve`: the controller.
#pragma once

#include <string_view>
#include <vector>

namespace modelhost::control {

int serve_command(const std::vector<std::string_view>& args);

}  // namespace modelhost::control
