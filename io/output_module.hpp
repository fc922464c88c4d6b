#pragma once
// What every module that writes an output file does at the end of a run: close the file when
// the tray finishes, close it marked as failed when the run fails, and remove it when the run
// never started; and say which file it writes (its 'file' parameter). FileWriter is
// FrameFileWriter or TableFileWriter.
#include <mpitray/core/module.hpp>

#include <cstdio>
#include <exception>
#include <memory>

namespace mpitray::io {

template <class FileWriter>
class OutputModule : public Module {
public:
    // Both writer modules name their file 'file'.
    std::vector<FileUse> files() const override {
        if (auto file = optional_parameter<std::string>("file")) return {{*file, FileUse::Kind::output}};
        return {};
    }

    void finish() override { writer_->close(environment().run); }

    void abandon() noexcept override {
        if (writer_) writer_->discard();
    }

    void close_after_failure() noexcept override {
        if (!writer_ || !writer_->is_open()) return;
        try {
            writer_->close(environment().run);
        } catch (const std::exception& e) {  // given up: the message names the file and what is left of it
            std::fprintf(stderr, "mpitray: %s\n", e.what());
        }
    }

protected:
    std::unique_ptr<FileWriter> writer_;  // created in configure()
};

}  // namespace mpitray::io
