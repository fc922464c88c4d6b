#pragma once
// What `mpitray` exits with (docs/user-guide.md, "Exit codes").
namespace mpitray::cli {

inline constexpr int exit_success = 0;
inline constexpr int exit_failure = 1;  // a run failed; outputs are closed and marked failed
inline constexpr int exit_usage = 2;    // bad command line or configuration; nothing ran
// A run stopped cleanly by SIGINT/SIGTERM: outputs valid and marked "stopped"; rerun the rest.
// (EX_TEMPFAIL in sysexits.h: "try again later".) A second signal ends the process at once with
// 128 + the signal number, leaving NAME.partial.
inline constexpr int exit_stopped = 75;
// `mpitray diff`: 0 identical, 1 different, 2 could not compare.

}  // namespace mpitray::cli
