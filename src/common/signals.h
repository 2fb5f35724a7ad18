// The stop signals of a long-running subcommand (`run`, `serve`).
#pragma once

#include <signal.h>

namespace modelhost {

// Blocks SIGTERM and SIGINT on the calling thread and ignores SIGPIPE (a client that goes away
// mid-write must not kill the process). Construct it before any thread starts, so that every
// thread inherits the mask and the signals reach only wait().
class StopSignals {
 public:
  StopSignals();
  // Waits for SIGTERM or SIGINT and returns its name.
  const char* wait();

 private:
  sigset_t set_;
};

}  // namespace modelhost
