// The CLI: subcommands that are clients of the controller's REST API (`modelhost login`, `user`,
// `token`, `tier`, `quota`, `env`). Human tables by default, `--output json` for scripts; an
// API error prints its message and the command exits 1 (2 for a command-line mistake).
//
// `modelhost login --url URL --token T` checks the token and keeps both in
// $XDG_CONFIG_HOME/modelhost/cli.json (~/.config/... by default; mode 0600); MODELHOST_URL and
// MODELHOST_TOKEN override the file.
#pragma once

#include <string_view>
#include <vector>

namespace modelhost::cli {

// Whether `command` is one of the CLI's subcommands.
bool is_cli_command(std::string_view command);

int cli_command(std::string_view command, const std::vector<std::string_view>& args);

}  // namespace modelhost::cli
