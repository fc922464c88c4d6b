// Reader: the frames of one or more frame files, in order, as a tray's source.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/io/frame_file_reader.hpp>

#include <cstdio>

namespace mpitray::io {
namespace {

class Reader : public Module {
public:
    Reader() {
        add_optional_parameter<std::string>("file", "the frame file to read");
        add_optional_parameter<std::vector<std::string>>("files", "frame files to read one after another");
    }

    bool is_source() const override { return true; }

    std::vector<FileUse> files() const override {
        std::vector<FileUse> uses;
        if (auto file = optional_parameter<std::string>("file")) uses.push_back({*file, FileUse::Kind::input});
        if (auto files = optional_parameter<std::vector<std::string>>("files"))
            for (const std::string& path : *files) uses.push_back({path, FileUse::Kind::input});
        return uses;
    }

    void configure() override {
        const auto file = optional_parameter<std::string>("file");
        const auto files = optional_parameter<std::vector<std::string>>("files");
        if (file.has_value() == files.has_value()) throw config_error("give exactly one of 'file' and 'files'");
        paths_ = files ? *files : std::vector<std::string>{*file};
        if (paths_.empty()) throw config_error("is an empty list", "files");
        // Open every file now, so a missing or damaged one is found before any frame moves.
        for (const std::string& path : paths_) {
            FrameFileReader check(path);
            if (check.info().status != "complete")
                std::fprintf(stderr, "mpitray: warning: '%s' did not end complete (status '%s'%s%s)\n", path.c_str(),
                             check.info().status.c_str(), check.info().status_reason.empty() ? "" : ": ",
                             check.info().status_reason.c_str());
        }
    }

    bool produce() override {
        while (true) {
            if (!current_) {
                if (next_file_ >= paths_.size()) return false;
                current_ = std::make_unique<FrameFileReader>(paths_[next_file_++]);
            }
            if (FramePtr frame = current_->next()) {
                push(std::move(frame));
                return true;
            }
            current_.reset();
        }
    }

private:
    std::vector<std::string> paths_;
    std::size_t next_file_ = 0;
    std::unique_ptr<FrameFileReader> current_;
};

}  // namespace

void register_reader() {
    ModuleRegistry::instance().add(
        {"Reader", "reads the frames of one or more frame files, in order", [] { return std::make_unique<Reader>(); }});
}

}  // namespace mpitray::io
