#pragma once
// The subcommands of `mpitray`. Each returns the process exit code.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpitray::cli {

struct RunOptions {
    std::string pipeline;
    std::vector<std::string> sets;
    std::optional<std::uint64_t> events;
    std::optional<std::uint64_t> seed;
    bool quiet = false;
    std::string metrics;                 // JSON file for the dispatch metrics
    std::string tables = "shared";       // modules' read-only tables: shared per node, or private
    std::string table_dir = "/dev/shm";  // where node-shared tables are made
};

int run_command(const RunOptions& options);
int modules_command(const std::string& name);
int dump_command(const std::string& file, std::optional<std::uint64_t> limit, bool values);
int diff_command(const std::string& a, const std::string& b);
// Concatenates frame files, leaving out metadata frames equal to the latest of their stop.
// Refuses (exit 2) an output that is one of the inputs and an input given twice; refuses inputs
// of different seeds or pipelines unless `mixed`.
int merge_command(const std::string& output, const std::vector<std::string>& inputs, bool any_status, bool mixed);

// Registers every built-in module of this program.
void register_all_modules();

// Prints "mpitray: error: ..." on stderr.
void print_error(const std::string& message);

}  // namespace mpitray::cli
