#pragma once
// The subcommands of `mpitray`. Each returns the process exit code.
#include <mpitray/cli/run.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpitray::cli {

int modules_command(const std::string& name);
int dump_command(const std::string& file, std::optional<std::uint64_t> limit, bool values);
int diff_command(const std::string& a, const std::string& b);
// Concatenates frame files, leaving out metadata frames equal to the latest of their stop.
// Refuses (exit 2) an output that is one of the inputs and an input given twice; refuses inputs
// of different seeds or pipelines unless `mixed`.
int merge_command(const std::string& output, const std::vector<std::string>& inputs, bool any_status, bool mixed);

// Prints "mpitray: error: ..." on stderr.
void print_error(const std::string& message);

}  // namespace mpitray::cli
