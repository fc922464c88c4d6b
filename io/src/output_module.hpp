#pragma once
// What every module that writes an output file does at the end of a run: close the file when
// the tray finishes, close it marked as failed when the run fails, and remove it when the run
// never started; and say which file it writes (its 'file' parameter). FileWriter is
// FrameFileWriter or TableFileWriter.
#include <mpitray/core/module.hpp>
#include <mpitray/io/output_file.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>

namespace mpitray::io {

template <class FileWriter>
class OutputModule : public Module {
public:
    // Both writer modules name their file 'file'.
    std::vector<FileUse> files() const override {
        if (auto file = optional_parameter<std::string>("file")) return {{*file, FileUse::Kind::output}};
        return {};
    }

    // Closed after every module has finished (see Module::close_outputs), so what the file says
    // of the run is what the whole run came to.
    void close_outputs(const RunState& state) override {
        if (!writer_) return;
        if (writer_->is_open()) {
            writer_->close(state);
            closed_ = state.ending;
        } else if (state.ending == RunEnding::failed && closed_ && *closed_ != RunEnding::failed) {
            // Closed as it ended, then a later module failed to close its own output: the run
            // failed after all, and this file must not say otherwise.
            mark_ended(writer_->path(), state);
            closed_ = state.ending;
        }
    }

    void abandon() noexcept override {
        if (writer_) writer_->discard();
    }

protected:
    std::unique_ptr<FileWriter> writer_;  // created in configure()
    std::optional<RunEnding> closed_;     // how the file was closed, once it is
};

}  // namespace mpitray::io
