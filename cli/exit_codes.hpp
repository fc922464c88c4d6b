#pragma once
// What `mpitray` exits with (docs/user-guide.md, "Exit codes").
namespace mpitray::cli {

inline constexpr int exit_success = 0;
inline constexpr int exit_failure = 1;        // a run failed; outputs are closed and marked failed
inline constexpr int exit_usage = 2;          // bad command line or configuration; nothing ran
// A run stopped by SIGINT/SIGTERM exits with 128 + the signal number (130, 143); its outputs
// are valid and marked "stopped".
inline constexpr int exit_signal_base = 128;
// `mpitray diff`: 0 identical, 1 different, 2 could not compare.

}  // namespace mpitray::cli
