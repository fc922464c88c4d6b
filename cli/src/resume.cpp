#include "resume.hpp"

#include <mpitray/core/file_conflicts.hpp>
#include <mpitray/io/output_rewind.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace mpitray::cli {
namespace {

std::string describe(const ModuleSpec& spec) { return fmt::format("'{}' ({})", spec.name, spec.type); }

// The outputs a resume continues: the Dispatch's failure log and those of the modules after it.
// A replay runs the modules before it again, so an output there would be written twice; files
// of its inner section are not checkpointed.
std::vector<std::string> resumable_outputs(const Pipeline& pipeline) {
    std::vector<std::size_t> dispatches;
    for (std::size_t i = 0; i < pipeline.tray.size(); ++i)
        if (pipeline.tray[i].type == "Dispatch") dispatches.push_back(i);
    if (dispatches.size() != 1)
        throw ConfigError(
            fmt::format("--resume: the pipeline must have one Dispatch (it has {}): a checkpoint is "
                        "taken where the Dispatch writes its results",
                        dispatches.size()));
    const std::size_t dispatch = dispatches.front();
    std::vector<std::string> outputs;
    auto outputs_of = [](const ModuleSpec& spec) {
        std::vector<std::string> paths;
        for (const FileUse& use : files_of(spec))
            if (use.kind == FileUse::Kind::output) paths.push_back(use.path);
        return paths;
    };
    for (std::size_t i = 0; i < pipeline.tray.size(); ++i) {
        const ModuleSpec& spec = pipeline.tray[i];
        const std::vector<std::string> paths = outputs_of(spec);
        if (paths.empty()) continue;
        if (i > dispatch) {
            const std::unique_ptr<Module> module = unconfigured_module(spec);
            if (module && !module->resumes_outputs())
                throw ConfigError(fmt::format("--resume: {} writes '{}', and does not resume its output yet",
                                              describe(spec), paths.front()));
        }
        if (i < dispatch)
            throw ConfigError(
                fmt::format("--resume: {} writes '{}' before the Dispatch, where a resumed run replays "
                            "its input; only outputs after the Dispatch resume",
                            describe(spec), paths.front()));
        outputs.insert(outputs.end(), paths.begin(), paths.end());
    }
    for (const ModuleSpec& inner : pipeline.tray[dispatch].inner)
        if (!outputs_of(inner).empty())
            throw ConfigError(fmt::format("--resume: {} inside the Dispatch writes '{}', which does not resume",
                                          describe(inner), outputs_of(inner).front()));
    if (outputs.empty()) throw ConfigError("--resume: the pipeline writes no output after its Dispatch");
    return outputs;
}

std::string where_is(const io::LeftOutput& output) {
    return output.where == io::LeftOutput::Where::partial ? output.path + ".partial" : output.path;
}

// The earlier run must have been this one: the same pipeline text, seed and options.
void check_same_run(const io::LeftOutput& output, const io::Provenance& run) {
    const io::Provenance& was = output.provenance;
    std::string differs;
    if (was.pipeline_text != run.pipeline_text) differs = "was written by another pipeline (its text differs)";
    else if (was.seed != run.seed)
        differs = fmt::format("was written with seed {}, not {}", was.seed ? std::to_string(*was.seed) : "none",
                              run.seed ? std::to_string(*run.seed) : "none");
    else if (was.overrides != run.overrides)
        differs = fmt::format("was written with the options '{}', not '{}'", was.overrides, run.overrides);
    if (!differs.empty())
        throw StorageError(
            fmt::format("--resume: '{}' {}; resume with the same pipeline and options, or remove it "
                        "to start over",
                        where_is(output), differs));
}

bool left_on_disk(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code error;
    return fs::exists(fs::symlink_status(path, error)) || fs::exists(fs::symlink_status(path + ".partial", error));
}

bool finished(const io::LeftOutput& output) {
    return output.where == io::LeftOutput::Where::closed &&
           (output.status == "complete" || output.status == "event_limit");
}

}  // namespace

ResumeDecision prepare_resume(const Pipeline& pipeline, const io::Provenance& run) {
    // Nothing written yet (a job requeued before its outputs were created): nothing to lose by
    // starting, whether or not the pipeline could resume.
    bool any_left = false;
    for (const ModuleSpec& spec : pipeline.tray)
        for (const FileUse& use : files_of(spec))
            if (use.kind == FileUse::Kind::output) any_left = any_left || left_on_disk(use.path);
    if (!any_left)
        return {ResumeDecision::Kind::start, nullptr,
                "--resume: no output of an earlier run; starting at the beginning"};
    const std::vector<std::string> paths = resumable_outputs(pipeline);
    std::vector<io::LeftOutput> left;
    left.reserve(paths.size());
    for (const std::string& path : paths) left.push_back(io::read_left_output(path));
    const auto missing = std::count_if(left.begin(), left.end(),
                                       [](const auto& o) { return o.where == io::LeftOutput::Where::missing; });
    if (missing == std::ssize(left))
        return {ResumeDecision::Kind::start, nullptr,
                "--resume: no output of an earlier run; starting at the beginning"};
    for (const io::LeftOutput& output : left) {
        if (output.where == io::LeftOutput::Where::missing)
            throw StorageError(
                fmt::format("--resume: '{}' is missing, though the earlier run wrote other outputs; "
                            "remove them all to start over",
                            output.path));
        check_same_run(output, run);
    }
    if (std::all_of(left.begin(), left.end(), finished))
        return {ResumeDecision::Kind::complete, nullptr,
                fmt::format("--resume: the earlier run is complete ('{}' says '{}'); nothing to do", left.front().path,
                            left.front().status)};
    // The latest checkpoint every output has: they record each one in turn.
    std::optional<std::uint64_t> common;
    for (const auto& recorded : left.front().checkpoints)
        if (std::all_of(left.begin(), left.end(), [&](const auto& o) { return o.find(recorded.checkpoint.number); }))
            common = recorded.checkpoint.number;
    if (!common)
        return {ResumeDecision::Kind::start, nullptr,
                "--resume: the earlier run left no checkpoint in every output; starting at the beginning"};
    const Checkpoint& at = left.front().find(*common)->checkpoint;
    for (const io::LeftOutput& output : left) {
        if (output.find(*common)->checkpoint.input_frames != at.input_frames)
            throw StorageError(fmt::format("--resume: the outputs disagree on checkpoint {}: '{}' and '{}'", *common,
                                           where_is(left.front()), where_is(output)));
        io::verify_at_checkpoint(output, *common);
    }
    for (const io::LeftOutput& output : left) io::rewind_output(output, *common);
    const std::string ended =
        left.front().where == io::LeftOutput::Where::partial ? "was killed" : "ended '" + left.front().status + "'";
    return {ResumeDecision::Kind::resume, std::make_shared<const Checkpoint>(at),
            fmt::format("--resume: the earlier run {}; going on from checkpoint {}, after {} input frames", ended,
                        *common, at.input_frames)};
}

}  // namespace mpitray::cli
