#include "allocator.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"

#include <mpitray/core/file_conflicts.hpp>
#include <mpitray/core/pipeline.hpp>
#include <mpitray/core/progress.hpp>
#include <mpitray/core/signals.hpp>
#include <mpitray/core/tray_builder.hpp>
#include <mpitray/dispatch/dispatch.hpp>
#include <mpitray/dispatch/dispatch_context.hpp>
#include <mpitray/dispatch/worker.hpp>
#include <mpitray/io/modules.hpp>
#include <mpitray/io/output_file.hpp>
#include <mpitray/modules/builtin.hpp>
#include <mpitray/shadowframes/launcher_watch.hpp>
#include <mpitray/shadowframes/mpi.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unistd.h>

namespace mpitray::cli {

void register_all_modules() {
    register_builtin_modules();
    io::register_io_modules();
    register_dispatch_module();
}

void print_error(const std::string& message) { std::fprintf(stderr, "mpitray: error: %s\n", message.c_str()); }

namespace {

std::string local_host() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

// Rank 0's part: the whole outer tray. Dispatch prints the progress of what it dispatches;
// without one, the tray counts the source's events in the same lines.
int run_dispatcher(Tray& tray, const RunOptions& options, bool has_dispatch, const DispatchContext& dispatch) {
    std::optional<Progress> progress;
    if (!has_dispatch) tray.report_progress(&progress.emplace(!options.quiet, options.events, "events"));
    try {
        const RunState& state = tray.run(options.events);
        if (!options.metrics.empty() && dispatch.summary.empty())
            std::fprintf(stderr, "mpitray: warning: --metrics: the pipeline has no Dispatch, so there are no metrics to write\n");
        if (!options.quiet) {
            std::fputs(format_usage(tray.usage(), tray.wall_seconds()).c_str(), stdout);
            std::fputs(dispatch.summary.c_str(), stdout);
        }
        if (state.ending == RunEnding::stopped) {
            std::fprintf(stderr, "mpitray: %s after %llu input frames; outputs are closed and marked 'stopped'\n",
                         state.reason.c_str(), static_cast<unsigned long long>(state.input_frames));
            return exit_stopped;
        }
        return exit_success;
    } catch (const std::exception& e) {
        print_error(message_of(e));
        // Only what is true: an output that could not be closed (a full disk) was removed.
        std::string lost;
        for (const std::string& path : io::outputs_given_up()) lost += (lost.empty() ? "'" : ", '") + path + "'";
        if (lost.empty())
            std::fprintf(stderr, "mpitray: outputs written so far are closed and marked 'failed'\n");
        else
            std::fprintf(stderr, "mpitray: not written (could not be closed, partial files removed): %s; any other "
                                 "outputs are closed and marked 'failed'\n", lost.c_str());
        return exit_failure;
    }
}

}  // namespace

int run_command(const RunOptions& options) {
    keep_freed_memory_for_reuse();
    // MPI only when a launcher started us: a plain `mpitray run` needs no MPI at all.
    std::optional<mpi::Session> session;
    std::optional<mpi::Communicator> comm;
    // Handed to the Dispatch modules through the tray's context; outlives the tray.
    DispatchContext dispatch_context;
    dispatch_context.host = local_host();
    dispatch_context.progress = !options.quiet;
    dispatch_context.expected_events = options.events;
    dispatch_context.metrics_file = options.metrics;
    if (mpi::launched_by_mpi()) {
        try {
            session.emplace(nullptr, nullptr);
            comm.emplace();
        } catch (const Error& e) {
            print_error(e.what());
            return exit_failure;
        }
        dispatch_context.comm = &*comm;
        dispatch_context.host = session->host();
        // If mpirun ends before the ranks (a second signal to it), rank 0 stops the run in order
        // instead of being ended mid-write; every rank ends within a minute of the loss.
        mpi::LauncherWatch::start(std::chrono::seconds(60), comm->rank() == 0);
        try {
            dispatch_context.hosts = mpi::host_names(*comm, dispatch_context.host);
            dispatch_context.pids = mpi::process_ids(*comm);  // rank 0 watches the workers on its host
        } catch (const Error& e) {
            print_error(e.what());
            return exit_failure;
        }
    }
    const int rank = comm ? comm->rank() : 0;
    const int ranks = comm ? comm->size() : 1;
    if (rank == 0) StopSignal::install();
    else StopSignal::ignore();  // rank 0 coordinates a stop

    // Configuration: every rank builds its part; the first error (by rank) is printed once.
    std::unique_ptr<Tray> tray;
    std::unique_ptr<WorkerProcess> worker;
    bool has_dispatch = false;
    std::string error;
    try {
        Pipeline pipeline = load_pipeline(options.pipeline);
        for (const std::string& set : options.sets) apply_override(pipeline, set);
        TrayEnvironment environment;
        environment.context.put(dispatch_context);
        environment.seed = options.seed.value_or(pipeline.seed);
        environment.pipeline_file = pipeline.file;
        environment.pipeline_text = pipeline.text;
        for (const std::string& set : options.sets) environment.overrides += " --set " + set;
        if (options.seed) environment.overrides += fmt::format(" --seed {}", *options.seed);
        if (options.events) environment.overrides += fmt::format(" --events {}", *options.events);
        if (!environment.overrides.empty()) environment.overrides.erase(0, 1);
        if (rank == 0 && !pipeline.has_seed && !options.seed)
            std::fprintf(stderr, "mpitray: warning: no seed in '%s' and no --seed: using seed 0 (give every job of a "
                                 "campaign its own --seed)\n",
                         pipeline.file.c_str());
        const ModuleSpec* dispatch = find_dispatch(pipeline);
        has_dispatch = dispatch != nullptr;
        if (rank == 0) {
            tray = build_tray(pipeline.tray, std::move(environment), TrayRole::outer);
            if (ranks > 1 && dispatch == nullptr)
                std::fprintf(stderr, "mpitray: warning: the pipeline has no Dispatch module; ranks 1 to %d have nothing to do\n",
                             ranks - 1);
        } else if (dispatch != nullptr) {
            // A worker builds only the inner section, whose outputs may still be files of the
            // outer tray: refuse before configuring them, as rank 0 does (and reports in full).
            if (const auto conflicts = file_conflicts(pipeline.tray, pipeline.file); !conflicts.empty())
                throw ConfigError(conflicts.front());
            worker = std::make_unique<WorkerProcess>(*dispatch, std::move(environment), *comm, dispatch_context.host);
        }
    } catch (const Error& e) {  // configuration errors, and an output that cannot be created
        error = e.what();
    }
    if (comm && ranks > 1) {
        try {
            error = mpi::first_error_across_ranks(*comm, error);
        } catch (const Error& e) {
            error = e.what();
        }
    }
    if (!error.empty()) {
        if (tray) tray->abandon();  // another rank failed: remove the outputs this one created
        if (worker) worker->abandon();
        if (rank == 0) print_error(error);
        return exit_usage;
    }

    if (rank == 0) {
        const int code = run_dispatcher(*tray, options, has_dispatch, dispatch_context);
        // A worker went silent (the watchdog) or died: outputs are closed, but such a rank cannot
        // take part in an orderly end of MPI (MPI_Finalize would wait for it), so the job ends here.
        if (dispatch_context.abort_job && session) session->abort(code);
        return code;
    }
    if (!worker) return exit_success;
    try {
        worker->run();
        return exit_success;
    } catch (const std::exception& e) {
        // Nothing the dispatcher can be told about: end the whole job rather than leave it waiting.
        std::fprintf(stderr, "mpitray: error on rank %d (%s): %s\n", rank, dispatch_context.host.c_str(), message_of(e));
        std::fflush(stderr);
        session->abort(exit_failure);
    }
}

}  // namespace mpitray::cli
