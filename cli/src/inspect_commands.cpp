// modules, dump, diff: the commands that look at things without running a pipeline.
#include "commands.hpp"
#include "exit_codes.hpp"

#include <mpitray/core/file_identity.hpp>
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/output_path.hpp>
#include <mpitray/core/summary_set.hpp>
#include <mpitray/core/type_registry.hpp>
#include <mpitray/io/frame_file_compare.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/frame_file_writer.hpp>

#include <fmt/format.h>

#include <map>
#include <optional>

#include <algorithm>
#include <cstdio>

namespace mpitray::cli {

int modules_command(const std::string& name) {
    const ModuleRegistry& registry = ModuleRegistry::instance();
    if (name.empty()) {
        std::size_t width = 0;
        for (const ModuleInfo* info : registry.all()) width = std::max(width, info->type.size());
        for (const ModuleInfo* info : registry.all()) fmt::print("{:<{}}  {}\n", info->type, width, info->doc);
        fmt::print("\n'mpitray modules NAME' lists a module's parameters.\nObject types: ");
        const auto types = TypeRegistry::instance().names();
        for (std::size_t i = 0; i < types.size(); ++i) fmt::print("{}{}", i ? ", " : "", types[i]);
        fmt::print("\n");
        return exit_success;
    }
    std::unique_ptr<Module> module;
    try {
        module = registry.create(name, name);
    } catch (const ConfigError& e) {
        print_error(e.what());
        return exit_usage;
    }
    fmt::print("{}: {}\n\n", name, registry.find(name)->doc);
    const auto& specs = module->parameters().specs();
    if (specs.empty()) fmt::print("(no parameters)\n");
    std::size_t width = 9, type_width = 4, default_width = 7;
    for (const ParameterSpec& s : specs) {
        width = std::max(width, s.name.size());
        type_width = std::max(type_width, param_type_name(s.type).size());
        const std::string d = s.default_value ? param_value_text(*s.default_value)
                              : s.required    ? "(required)"
                                              : "(unset)";
        default_width = std::max(default_width, d.size());
    }
    if (!specs.empty())
        fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", "parameter", width, "type", type_width, "default", default_width,
                   "meaning");
    for (const ParameterSpec& s : specs) {
        const std::string d = s.default_value ? param_value_text(*s.default_value)
                              : s.required    ? "(required)"
                                              : "(unset)";
        fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", s.name, width, param_type_name(s.type), type_width, d, default_width,
                   s.doc);
    }
    if (module->accepts_inner()) fmt::print("\nTakes an 'inner' list: the modules it runs.\n");
    return exit_success;
}

int dump_command(const std::string& file, std::optional<std::uint64_t> limit, bool values) {
    try {
        io::FrameFileReader reader(file);
        const io::FileInfo& info = reader.info();
        fmt::print("{}: {} frames, status {}{}{}, seed {}, from {}\n", file, info.frames, info.status,
                   info.status_reason.empty() ? "" : " (", info.status_reason.empty() ? "" : info.status_reason + ")",
                   info.seed ? std::to_string(*info.seed) : "none (merged from several: see merged_seeds)",
                   info.pipeline_file.empty() ? "(no pipeline file)" : info.pipeline_file);
        if (info.skipped_packets > 0)
            fmt::print("{} packets skipped after a module failed on them (on_error: skip); their input is in {}\n",
                       info.skipped_packets,
                       info.failure_log.empty() ? "no failure log (none was set)" : "'" + info.failure_log + "'");
        fmt::print("{:>8}  {:4}  {:<28}  {:<20}  {:>10}\n", "frame", "stop", "key", "type", "bytes");
        while (!limit || reader.position() < *limit) {
            const std::uint64_t index = reader.position();
            const FramePtr frame = reader.next();
            if (!frame) break;
            if (frame->own().empty()) fmt::print("{:>8}  {:4}  (no keys)\n", index, frame->stop().name());
            bool first = true;
            for (const auto& [key, object] : frame->own()) {
                fmt::print("{:>8}  {:4}  {:<28}  {:<20}  {:>10}", first ? std::to_string(index) : "",
                           first ? frame->stop().name() : "", key, object->type(), object->size());
                if (values) fmt::print("  {}", object->summary());
                fmt::print("\n");
                first = false;
            }
        }
        return exit_success;
    } catch (const Error& e) {
        print_error(e.what());
        return exit_failure;
    }
}

namespace {

// The output among the inputs would be removed when the output is created; an input given twice
// would be merged twice. Compared by identity, so links and '..' are caught.
std::string merge_usage_problem(const std::string& output, const std::vector<std::string>& inputs) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (same_file(output, inputs[i]) || same_file(partial_path_of(output), inputs[i]))
            return "the output '" + output + "' is the input '" + inputs[i] +
                   "': creating it would destroy that input; write the merge to a new file";
        for (std::size_t j = 0; j < i; ++j)
            if (same_file(inputs[i], inputs[j]))
                return "the input '" + inputs[j] + "' is given twice (also as '" + inputs[i] +
                       "'): its frames would be merged twice";
    }
    return {};
}

}  // namespace

int merge_command(const std::string& output, const std::vector<std::string>& inputs, bool any_status, bool mixed) {
    if (const std::string problem = merge_usage_problem(output, inputs); !problem.empty()) {
        print_error(problem);
        return exit_usage;
    }
    std::optional<io::FrameFileWriter> writer;
    try {
        // Check every input before creating the output, so a bad one leaves nothing behind.
        std::vector<io::FileInfo> infos;
        for (const std::string& input : inputs) {
            const io::FileInfo info = io::FrameFileReader(input).info();
            if (!any_status && info.status != "complete" && info.status != "event_limit")
                throw StorageError("'" + input + "' is marked '" + info.status + "'" +
                                   (info.status_reason.empty() ? "" : " (" + info.status_reason + ")") +
                                   ", not complete; pass --any-status to merge it anyway");
            infos.push_back(info);
        }
        // Files of different seeds or pipelines are different samples: merging them is refused
        // unless asked for, and then the merged file claims no single seed (or pipeline).
        const io::FileInfo& first = infos.front();
        std::string statuses, seeds, other_pipelines;
        bool same_seed = true;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const io::FileInfo& info = infos[i];
            statuses += (i ? ", " : "") + inputs[i] + ": " + info.status;
            seeds += (i ? ", " : "") + inputs[i] + ": " + (info.seed ? std::to_string(*info.seed) : "none");
            same_seed = same_seed && info.seed == first.seed;
            if (info.pipeline != first.pipeline)
                other_pipelines += (other_pipelines.empty() ? "'" : ", '") + inputs[i] + "'";
        }
        std::string differences;
        if (!same_seed) differences = "different seeds (" + seeds + ")";
        if (!other_pipelines.empty())
            differences += (differences.empty() ? "" : " and ") + std::string("different pipelines (") +
                           other_pipelines + " from another pipeline than '" + inputs.front() + "')";
        if (!differences.empty() && !mixed)
            throw StorageError("the inputs come from " + differences +
                               "; merged, they would pass for one sample: pass --mixed to merge them anyway");
        if (!differences.empty())
            std::fprintf(
                stderr,
                "mpitray: warning: merging inputs from %s; each input's seed is in the attribute 'merged_seeds'\n",
                differences.c_str());
        const bool same_pipeline = other_pipelines.empty();
        const io::Provenance provenance{same_pipeline ? first.pipeline_file : "", same_pipeline ? first.pipeline : "",
                                        same_seed ? first.seed : std::nullopt, ""};
        writer.emplace(output, provenance);
        writer->note("merged_from", statuses);
        writer->note("merged_seeds", seeds);
        // A metadata frame byte for byte equal to the latest one of its stop already written is
        // the same geometry (calibration, ...) again: each input starts with its own copy.
        const TrayEnvironment defaults;
        std::map<char, SharedBuffer> latest;
        // Each module's summary frames, one per input, are added into one at the end, where the
        // whole sample run at once has it (core/summary_set.hpp).
        std::vector<std::string> summary_modules;
        std::map<std::string, std::vector<FramePtr>> summaries;
        std::uint64_t read = 0, skipped = 0, summary_frames = 0;
        for (const std::string& input : inputs) {
            io::FrameFileReader reader(input);
            while (auto encoded = reader.next_encoded()) {
                ++read;
                const char stop = (**encoded)[6];
                if (Stop(stop) == Stop::summary()) {
                    FramePtr frame = decode_frame(*encoded);
                    if (const std::string module = summary_frame_module(*frame); !module.empty()) {
                        auto [it, added] = summaries.try_emplace(module);
                        if (added) summary_modules.push_back(module);
                        it->second.push_back(std::move(frame));
                        ++summary_frames;
                        continue;
                    }
                }
                if (defaults.is_metadata(Stop(stop))) {
                    SharedBuffer& last = latest[stop];
                    if (last && *last == **encoded) {
                        ++skipped;
                        continue;
                    }
                    last = *encoded;
                }
                writer->write_encoded(std::span<const char>((*encoded)->data(), (*encoded)->size()));
            }
        }
        for (const std::string& module : summary_modules) writer->write(*merge_summary_frames(summaries.at(module)));
        RunState state;
        state.ending = RunEnding::complete;
        state.input_frames = read;
        writer->close(state);
        fmt::print("{}: {} frames from {} files ({} repeated metadata frames left out", output, writer->frames(),
                   inputs.size(), skipped);
        if (summary_frames > 0) fmt::print("; {} summary frames added into {}", summary_frames, summary_modules.size());
        fmt::print(")\n");
        return exit_success;
    } catch (const Error& e) {
        print_error(e.what());
        // A write to the output failed (a full disk): say that it was given up, not left behind.
        if (writer && writer->write_failed()) {
            try {
                writer->close(RunState{});  // gives the file up and says so
            } catch (const Error& given_up) {
                std::fprintf(stderr, "mpitray: %s\n", given_up.what());
            }
        }
        return exit_failure;
    }
}

int diff_command(const std::string& a, const std::string& b) {
    try {
        const io::Comparison result = io::compare_frame_files(a, b);
        for (const auto& [path, status] : {std::pair{a, result.status_a}, std::pair{b, result.status_b}})
            if (status != "complete") fmt::print(stderr, "mpitray: note: '{}' has status '{}'\n", path, status);
        if (!result.difference) {
            fmt::print("identical: {} frames\n", result.frames_compared);
            return 0;
        }
        fmt::print("differ at frame {}: {}\n", result.difference->frame, result.difference->what);
        return 1;
    } catch (const Error& e) {
        print_error(e.what());
        return exit_usage;
    }
}

}  // namespace mpitray::cli
