#pragma once
// Running a pipeline, as `mpitray run` does: under mpirun or srun every rank calls run_pipeline
// with the same pipeline; rank 0 runs the tray and each Dispatch's workers run its inner section.
// The Python module (import mpitray) runs the trays a script builds through it.
#include <mpitray/core/pipeline.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpitray {

struct RunOptions {
    std::string pipeline;                 // the pipeline file (run_pipeline_file)
    std::vector<std::string> sets;        // NAME.PARAM=VALUE overrides
    std::optional<std::uint64_t> events;  // stop after this many source events
    std::optional<std::uint64_t> seed;    // instead of the pipeline's
    bool quiet = false;                   // no progress and no summary
    std::string metrics;                  // JSON file for the dispatch metrics
    std::string tables = "shared";        // modules' read-only tables: shared per node, or private
    std::string table_dir = "/dev/shm";   // where node-shared tables are made
    bool resume = false;                  // go on from the outputs' last checkpoint (cli/src/resume.hpp)
};

// Loads options.pipeline and runs it; returns the exit code of `mpitray run` (0 done, 1 failed,
// 2 configuration error, 75 stopped by a signal). Errors are printed once, by rank 0.
int run_pipeline_file(const RunOptions& options);
// Runs a pipeline built in memory; options.pipeline is ignored. MPI is initialized (when a
// launcher started the process) and finalized within the call, so a process runs at most one
// pipeline under MPI.
int run_pipeline(Pipeline pipeline, const RunOptions& options);

// Registers the modules every mpitray program has: the built-in ones, io's and Dispatch.
void register_all_modules();

}  // namespace mpitray
