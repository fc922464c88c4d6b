// The command line: subcommands and their options (CLI11).
#include <mpitray/cli/command_line.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

#include <mpitray/core/numbers.hpp>
#include <mpitray/shadowframes/mpi.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <new>
#include <string>
#include <thread>

#ifndef MPITRAY_VERSION
#define MPITRAY_VERSION "unknown"
#endif

namespace {

// A whole number from 0 to `max`, read exactly (mpitray/core/numbers.hpp) and handed on to CLI11 as
// plain digits. By itself CLI11 would wrap -1 to 2^64 - 1, clamp 18446744073709551616 to it,
// and read 1e23 through a double, clamped too.
CLI::Validator whole_number(std::uint64_t max, const std::string& note = {}) {
    const std::string range = fmt::format("an integer from 0 to {}{}", max, note.empty() ? "" : " (" + note + ")");
    return CLI::Validator(
        [max, range](std::string& text) {
            std::uint64_t value = 0;
            switch (mpitray::parse_integer(text, std::uint64_t{0}, max, value)) {
                case mpitray::NumberProblem::none: text = std::to_string(value); return std::string();
                case mpitray::NumberProblem::not_whole: return "must be a whole number, not '" + text + "'";
                default: return "must be " + range + ", not '" + text + "'";
            }
        },
        "N");
}

// Under mpirun or srun every rank parses the same command line, before MPI is started (a
// command-line error means it never is), so only the launcher's rank 0 prints; every rank
// returns the same exit code.
int report_parse_result(const CLI::App& app, const CLI::Error& e, const std::string& message) {
    const bool printer = mpitray::mpi::launcher_rank() == 0;
    if (e.get_exit_code() == 0) {  // --help, --version
        if (printer) return app.exit(e);
        return 0;
    }
    if (printer) {
        std::fprintf(stderr, "mpitray: error: %s\nRun with --help for more information.\n", message.c_str());
        std::fflush(stderr);
    } else {
        // The launcher ends the job at the first rank that exits non-zero: had another rank gone
        // first, rank 0 could be killed before it printed (seen under AddressSanitizer at 5
        // ranks). The other ranks let rank 0 go first; the launcher then ends them.
        std::this_thread::sleep_for(std::chrono::seconds(3));
    }
    return mpitray::cli::exit_usage;
}

}  // namespace

int mpitray::run_command_line(int argc, char** argv, const char* program) {
    using namespace mpitray::cli;
    CLI::App app{std::string(program) + ": run the expensive middle of an event pipeline on many MPI ranks", program};
    const std::string version = std::string("mpitray ") + MPITRAY_VERSION;
    app.set_version_flag("--version",
                         std::string(program) == "mpitray" ? version : std::string(program) + " (" + version + ")");
    app.require_subcommand(1);

    RunOptions run;
    auto* run_cmd = app.add_subcommand("run", "run a pipeline file");
    run_cmd->add_option("pipeline", run.pipeline, "the pipeline YAML file")->required();
    run_cmd->add_option("--set", run.sets, "override a parameter: NAME.PARAM=VALUE (repeatable)")
        ->allow_extra_args(false)
        ->take_all();
    run_cmd->add_option("--events", run.events, "stop after N event frames from the source")
        ->transform(whole_number(std::uint64_t{1} << 53, "2^53"));
    run_cmd->add_option("--seed", run.seed, "override the pipeline's seed")->transform(whole_number(UINT64_MAX));
    run_cmd->add_flag("--quiet,-q", run.quiet, "no usage summary, no progress");
    run_cmd->add_flag("--resume", run.resume,
                      "go on from where an earlier run of the same pipeline and options stopped or was killed "
                      "(its outputs' last checkpoint); a complete run is left alone");
    run_cmd->add_option("--metrics", run.metrics, "write the dispatch metrics (per rank, per packet) as JSON");
    run_cmd
        ->add_option("--tables", run.tables,
                     "where modules' read-only tables live under mpirun: shared (one copy per node) or private (one "
                     "per process, to compare)")
        ->check(CLI::IsMember({"shared", "private"}))
        ->capture_default_str();
    run_cmd
        ->add_option("--table-dir", run.table_dir,
                     "the memory file system node-shared tables are made in (every rank of a node must see it)")
        ->capture_default_str();

    std::string module_name;
    auto* modules_cmd = app.add_subcommand("modules", "list registered modules, or one module's parameters");
    modules_cmd->add_option("name", module_name, "a module type");

    std::string dump_file;
    std::optional<std::uint64_t> dump_limit;
    auto* dump_cmd = app.add_subcommand("dump", "list the frames of a frame file: index, stop, keys, types, sizes");
    dump_cmd->add_option("file", dump_file, "the frame file")->required();
    dump_cmd->add_option("--limit", dump_limit, "show only the first N frames")->transform(whole_number(UINT64_MAX));
    bool dump_values = false;
    dump_cmd->add_flag("--values", dump_values, "also show short values of the standard types");

    std::string diff_a, diff_b;
    auto* diff_cmd = app.add_subcommand("diff", "exit 0 if two frame files hold the same frames in the same order");
    diff_cmd->add_option("a", diff_a, "first frame file")->required();
    diff_cmd->add_option("b", diff_b, "second frame file")->required();

    std::string merge_output;
    std::vector<std::string> merge_inputs;
    bool merge_any_status = false;
    bool merge_mixed = false;
    auto* merge_cmd = app.add_subcommand("merge",
                                         "concatenate frame files into one (e.g. the slices of a campaign), "
                                         "leaving out repeated metadata frames");
    merge_cmd->add_option("output", merge_output, "the frame file to write")->required();
    merge_cmd->add_option("inputs", merge_inputs, "frame files, in the order their frames go into the output")
        ->required()
        ->expected(1, -1);
    merge_cmd->add_flag("--any-status", merge_any_status, "also merge inputs not marked complete (stopped, failed)");
    merge_cmd->add_flag("--mixed", merge_mixed,
                        "also merge inputs of different seeds or pipelines (the output then records no single one)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {  // also CLI::Success: --help, --version
        // For `mpitray frobnicate` CLI11 says only "A subcommand is required": name the word.
        if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty())
            return report_parse_result(app, e,
                                       fmt::format("'{}' is not a subcommand; the subcommands are run, modules, "
                                                   "dump, diff and merge",
                                                   argv[1]));
        return report_parse_result(app, e, e.what());
    }

    register_all_modules();
    if (*run_cmd) return run_pipeline_file(run);
    // The other subcommands are one process's work. Under mpirun or srun every rank would do it:
    // N copies of a listing, or N merges writing one output at once. Rank 0 does it alone.
    if (mpitray::mpi::launched_by_mpi() && mpitray::mpi::launcher_size() > 1) {
        if (mpitray::mpi::launcher_rank() != 0) return exit_success;
        std::fprintf(stderr, "mpitray: note: '%s' runs on one process: rank 0 does it, the other %d ranks do nothing\n",
                     app.get_subcommands().front()->get_name().c_str(), mpitray::mpi::launcher_size() - 1);
    }
    try {
        if (*modules_cmd) return modules_command(module_name);
        if (*dump_cmd) return dump_command(dump_file, dump_limit, dump_values);
        if (*diff_cmd) return diff_command(diff_a, diff_b);
        if (*merge_cmd) return merge_command(merge_output, merge_inputs, merge_any_status, merge_mixed);
    } catch (const std::bad_alloc& e) {
        // The readers check every length against what a file holds, so this is a real shortage
        // (or a type of the program's own that Boost decodes unchecked): said plainly, not as a crash.
        print_error(std::string(message_of(e)) + "; nothing more was written");
        return exit_failure;
    } catch (const std::exception& e) {
        print_error(std::string("unexpected error: ") + e.what());
        return exit_failure;
    }
    return exit_usage;
}
