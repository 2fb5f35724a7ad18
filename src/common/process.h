// Child processes: run a command and capture its output (model validation), and start long-lived
// processes detached into their own session with their output appended to a log file (model
// instances), plus the /proc facts needed to find them again after a restart.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace modelhost {

struct ProcessOutput {
  int exit_code = -1;  // the exit status, or 128 + signal
  bool timed_out = false;
  std::string out;  // stdout, at most max_output bytes
  std::string err;  // stderr, likewise
};

// Runs argv[0] (a path) with argv, waits at most `timeout` (then SIGKILL, timed_out = true).
Result<ProcessOutput> run_capture(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout, size_t max_output = 1 << 20);

struct SpawnOptions {
  std::vector<std::string> argv;                         // argv[0] is the program's path
  std::vector<std::pair<std::string, std::string>> env;  // set (or replaced) in the child
  std::string log_path;                                  // stdout and stderr, appended
  std::vector<int> cpus;                                 // CPU affinity; empty = inherit
};

// Starts the process in a new session (its own process group, so a signal to -pid reaches all
// of it) with stdin from /dev/null. The caller reaps it with reap().
Result<pid_t> spawn_detached(const SpawnOptions& options);

// For a child of this process: its exit code (128 + signal when killed) once it has exited,
// -1 while it runs.
int reap(pid_t pid);

// /proc facts; 0 / empty when the process does not exist.
uint64_t process_start_ticks(pid_t pid);  // field 22 of /proc/PID/stat
std::vector<std::string> process_cmdline(pid_t pid);
uint64_t process_rss_bytes(pid_t pid);

// The PIDs in /proc.
std::vector<pid_t> list_pids();

}  // namespace modelhost
