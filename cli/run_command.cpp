#include "commands.hpp"
#include "exit_codes.hpp"

#include <mpitray/core/pipeline.hpp>
#include <mpitray/core/signals.hpp>
#include <mpitray/core/tray_builder.hpp>
#include <mpitray/io/modules.hpp>
#include <mpitray/modules/builtin.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstring>

namespace mpitray::cli {

void register_all_modules() {
    register_builtin_modules();
    io::register_io_modules();
}

void print_error(const std::string& message) { std::fprintf(stderr, "mpitray: error: %s\n", message.c_str()); }

int run_command(const RunOptions& options) {
    std::unique_ptr<Tray> tray;
    try {
        Pipeline pipeline = load_pipeline(options.pipeline);
        for (const std::string& set : options.sets) apply_override(pipeline, set);
        TrayEnvironment environment;
        environment.seed = options.seed.value_or(pipeline.seed);
        environment.pipeline_file = pipeline.file;
        environment.pipeline_text = pipeline.text;
        tray = build_tray(pipeline.tray, std::move(environment), TrayRole::outer);
    } catch (const ConfigError& e) {
        print_error(e.what());
        return exit_usage;
    } catch (const Error& e) {  // e.g. an output that cannot be created, found while configuring
        print_error(e.what());
        return exit_usage;
    }

    StopSignal::install();
    try {
        const RunState& state = tray->run(options.events);
        if (!options.quiet) std::fputs(format_usage(tray->usage(), tray->wall_seconds()).c_str(), stdout);
        if (state.ending == RunEnding::stopped) {
            std::fprintf(stderr, "mpitray: %s after %llu input frames; outputs are closed and marked 'stopped'\n",
                         state.reason.c_str(), static_cast<unsigned long long>(state.input_frames));
            return exit_signal_base + state.signal;
        }
        return exit_success;
    } catch (const std::exception& e) {
        print_error(e.what());
        std::fprintf(stderr, "mpitray: outputs written so far are closed and marked 'failed'\n");
        return exit_failure;
    }
}

}  // namespace mpitray::cli
