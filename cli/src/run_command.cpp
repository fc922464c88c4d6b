#include "allocator.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "resume.hpp"

#include <mpitray/core/file_conflicts.hpp>
#include <mpitray/core/node_shared_tables.hpp>
#include <mpitray/core/pipeline.hpp>
#include <mpitray/core/progress.hpp>
#include <mpitray/core/signals.hpp>
#include <mpitray/core/tray_builder.hpp>
#include <mpitray/dispatch/dispatch.hpp>
#include <mpitray/dispatch/dispatch_context.hpp>
#include <mpitray/dispatch/stage_plan.hpp>
#include <mpitray/dispatch/worker.hpp>
#include <mpitray/io/modules.hpp>
#include <mpitray/io/output_file.hpp>
#include <mpitray/modules/builtin.hpp>
#include <mpitray/shadowframes/launcher_watch.hpp>
#include <mpitray/shadowframes/mpi.hpp>

#include <fmt/format.h>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

namespace mpitray::cli {

void print_error(const std::string& message) { std::fprintf(stderr, "mpitray: error: %s\n", message.c_str()); }

namespace {

// A name for this run that no other run on these nodes has: rank 0's process and start time.
std::string rank_zero_token() {
    return fmt::format("{}-{}", getpid(), std::chrono::system_clock::now().time_since_epoch().count());
}

std::string local_host() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

// Every rank passes its configuration error (empty if none); false when any rank had one, which
// rank 0 has then printed (the first, by rank).
bool agree_on_first_error(const mpi::Communicator* comm, std::string error, int rank) {
    if (comm != nullptr && comm->size() > 1) {
        try {
            error = mpi::first_error_across_ranks(*comm, error);
        } catch (const Error& e) {
            error = e.what();
        }
    }
    if (error.empty()) return true;
    if (rank == 0) print_error(error);
    return false;
}

// The command-line changes to the pipeline file, as output files record them.
std::string overrides_of(const RunOptions& options) {
    std::string overrides;
    for (const std::string& set : options.sets) overrides += " --set " + set;
    if (options.seed) overrides += fmt::format(" --seed {}", *options.seed);
    if (options.events) overrides += fmt::format(" --events {}", *options.events);
    if (!overrides.empty()) overrides.erase(0, 1);
    return overrides;
}

// --resume, on rank 0: rewinds the outputs and says where to go on from (none: from the start).
// `complete` is set when the earlier run finished. Every rank takes part (collectives).
std::shared_ptr<const Checkpoint> resume_point(const Pipeline& pipeline, const RunOptions& options,
                                               const mpi::Communicator* comm, int rank, bool& complete, bool& refused) {
    std::string error;
    ResumeDecision decision;
    if (rank == 0) {
        try {
            decision =
                prepare_resume(pipeline, io::Provenance{pipeline.file, pipeline.text,
                                                        options.seed.value_or(pipeline.seed), overrides_of(options)});
            std::fprintf(stderr, "mpitray: %s\n", decision.message.c_str());
        } catch (const std::exception& e) {  // a damaged file may claim sizes no memory holds
            const std::string message = message_of(e);
            error = message.starts_with("--resume") ? message : "--resume: " + message;
        }
    }
    refused = !agree_on_first_error(comm, error, rank);
    if (refused) return nullptr;
    std::string verdict = decision.kind == ResumeDecision::Kind::complete ? "complete" : "";
    if (comm != nullptr && comm->size() > 1) verdict = mpi::gather_text(*comm, verdict).front();
    complete = verdict == "complete";
    return decision.from;
}

// Rank 0's part: the whole outer tray. Dispatch prints the progress of what it dispatches;
// without one, the tray counts the source's events in the same lines.
int run_dispatcher(Tray& tray, const RunOptions& options, bool has_dispatch, const DispatchContext& dispatch) {
    std::optional<Progress> progress;
    if (!has_dispatch) tray.report_progress(&progress.emplace(!options.quiet, options.events, "events"));
    try {
        const RunState& state = tray.run(options.events);
        if (!options.metrics.empty() && dispatch.reports.empty())
            std::fprintf(
                stderr,
                "mpitray: warning: --metrics: the pipeline has no Dispatch, so there are no metrics to write\n");
        if (!options.quiet) {
            std::fputs(format_usage(tray.usage(), tray.wall_seconds()).c_str(), stdout);
            std::fputs(dispatch.summary().c_str(), stdout);
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
        if (lost.empty()) std::fprintf(stderr, "mpitray: outputs written so far are closed and marked 'failed'\n");
        else
            std::fprintf(stderr,
                         "mpitray: not written (could not be closed, partial files removed): %s; any other "
                         "outputs are closed and marked 'failed'\n",
                         lost.c_str());
        return exit_failure;
    }
}

// `mpitray run`: the pipeline `given`, or else the file options.pipeline.
int run(const RunOptions& options, std::optional<Pipeline> given) {
    keep_freed_memory_for_reuse();
    // MPI only when a launcher started us: a plain `mpitray run` needs no MPI at all.
    std::optional<mpi::Session> session;
    std::optional<mpi::Communicator> comm;
    std::vector<std::unique_ptr<mpi::Communicator>> stage_comms;  // rank 0 and one stage's workers
    // Handed to the Dispatch modules through the tray's context; outlives the tray.
    DispatchContext dispatch_context;
    dispatch_context.host = local_host();
    dispatch_context.progress = !options.quiet;
    dispatch_context.expected_events = options.events;
    dispatch_context.metrics_file = options.metrics;
    std::string run_token = rank_zero_token();
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
            dispatch_context.hosts = mpi::gather_text(*comm, dispatch_context.host);
            // The run's name for its node-shared tables: rank 0's, the same on every rank.
            run_token = mpi::gather_text(*comm, rank_zero_token())[0];
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

    // Configuration, in two rounds, each ending with every rank agreeing on the first error (by
    // rank), which rank 0 prints once. First every rank reads the pipeline and plans which ranks
    // each Dispatch gets (every rank plans the same), so that all can then make the stages'
    // communicators together; then every rank builds its part.
    std::optional<Pipeline> pipeline;
    std::vector<const ModuleSpec*> dispatches;
    Plan plan;
    // Modules' read-only tables: one copy per node when several ranks run; outlives the tray.
    std::unique_ptr<TableService> tables;
    std::string error;
    try {
        if (options.tables == "shared" && ranks > 1)
            tables = std::make_unique<NodeSharedTables>(run_token, options.table_dir);
        else tables = std::make_unique<PrivateTables>();
        pipeline.emplace(given ? std::move(*given) : load_pipeline(options.pipeline));
        for (const std::string& set : options.sets) apply_override(*pipeline, set);
        dispatches = find_dispatches(*pipeline);
        std::vector<StageRequest> requests;
        requests.reserve(dispatches.size());
        for (const ModuleSpec* d : dispatches) requests.push_back(Dispatch::stage_request(*d));
        plan = plan_stages(requests, ranks);
    } catch (const Error& e) {
        error = e.what();
    }
    if (!agree_on_first_error(comm ? &*comm : nullptr, error, rank)) return exit_usage;
    const int my_stage = plan.stage_of(rank);
    {
        // One Dispatch with every worker keeps the job's communicator; otherwise each stage gets
        // its own, so that its messages never meet another stage's. On one rank there is none.
        const bool whole_job = !comm || ranks == 1 || (plan.stages.size() == 1 && plan.idle.empty());
        for (std::size_t s = 0; s < plan.stages.size(); ++s) {
            DispatchContext::Stage stage{plan.stages[s].name, comm ? &*comm : nullptr, {}};
            if (!whole_job) {
                std::unique_ptr<mpi::Communicator> sub;
                try {
                    sub = mpi::sub_communicator(*comm, rank == 0 || my_stage == int(s));
                } catch (const Error& e) {
                    // The other ranks are in (or past) the same collective: only an abort ends them.
                    print_error(e.what());
                    session->abort(exit_failure);
                }
                stage.comm = sub.get();
                stage.world_ranks.push_back(0);
                stage.world_ranks.insert(stage.world_ranks.end(), plan.stages[s].ranks.begin(),
                                         plan.stages[s].ranks.end());
                stage_comms.push_back(std::move(sub));
            }
            dispatch_context.stages.push_back(std::move(stage));
        }
    }

    std::shared_ptr<const Checkpoint> resume_from;
    if (options.resume) {
        bool complete = false;
        bool refused = false;
        resume_from = resume_point(*pipeline, options, comm ? &*comm : nullptr, rank, complete, refused);
        if (refused) return exit_usage;
        if (complete) return exit_success;
    }

    std::unique_ptr<Tray> tray;
    std::unique_ptr<WorkerProcess> worker;
    const bool has_dispatch = !dispatches.empty();
    try {
        TrayEnvironment environment;
        environment.context.put(dispatch_context);
        environment.context.put<TableService>(*tables);
        environment.seed = options.seed.value_or(pipeline->seed);
        environment.pipeline_file = pipeline->file;
        environment.pipeline_text = pipeline->text;
        environment.overrides = overrides_of(options);
        environment.resume_from = resume_from;  // rank 0's only
        if (rank == 0 && !pipeline->has_seed && !options.seed)
            std::fprintf(stderr,
                         "mpitray: warning: no seed in '%s' and no --seed: using seed 0 (give every job of a "
                         "campaign its own --seed)\n",
                         pipeline->file.c_str());
        if (rank == 0) {
            tray = build_tray(pipeline->tray, std::move(environment), TrayRole::outer);
            if (!plan.idle.empty())
                std::fprintf(stderr, "mpitray: warning: %s; %s nothing to do\n",
                             has_dispatch
                                 ? "the Dispatch modules' workers parameters claim fewer ranks than the job has"
                                 : "the pipeline has no Dispatch module",
                             plan.idle.size() == 1
                                 ? fmt::format("rank {} has", plan.idle.front()).c_str()
                                 : fmt::format("ranks {} to {} have", plan.idle.front(), plan.idle.back()).c_str());
        } else if (my_stage >= 0) {
            // A worker builds only the inner section, whose outputs may still be files of the
            // outer tray: refuse before configuring them, as rank 0 does (and reports in full).
            if (const auto conflicts = file_conflicts(pipeline->tray, pipeline->file); !conflicts.empty())
                throw ConfigError(conflicts.front());
            const DispatchContext::Stage& stage = dispatch_context.stages[std::size_t(my_stage)];
            worker = std::make_unique<WorkerProcess>(*dispatches[std::size_t(my_stage)], std::move(environment),
                                                     *stage.comm, rank, dispatch_context.host);
        }
    } catch (const Error& e) {  // configuration errors, and an output that cannot be created
        error = e.what();
    }
    if (!agree_on_first_error(comm ? &*comm : nullptr, error, rank)) {
        if (tray) tray->abandon();  // another rank failed: remove the outputs this one created
        if (worker) worker->abandon();
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
        std::fprintf(stderr, "mpitray: error on rank %d (%s): %s\n", rank, dispatch_context.host.c_str(),
                     message_of(e));
        std::fflush(stderr);
        session->abort(exit_failure);
    }
}

}  // namespace
}  // namespace mpitray::cli

int mpitray::run_pipeline_file(const RunOptions& options) { return cli::run(options, std::nullopt); }

int mpitray::run_pipeline(Pipeline pipeline, const RunOptions& options) {
    return cli::run(options, std::move(pipeline));
}

void mpitray::register_all_modules() {
    register_builtin_modules();
    io::register_io_modules();
    register_dispatch_module();
}
