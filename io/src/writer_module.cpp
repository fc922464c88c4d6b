// Writer: writes the frames that reach it to a frame file, and passes them on.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>
#include <mpitray/io/frame_file_writer.hpp>
#include "output_module.hpp"

#include <fnmatch.h>

namespace mpitray::io {
namespace {

class Writer : public OutputModule<FrameFileWriter> {
public:
    Writer() {
        add_required_parameter<std::string>("file", "the frame file to write (written as FILE.partial until closed)");
        add_parameter<std::vector<std::string>>("skip_keys",
                                                "keys not to write: names or shell patterns such as 'Tmp*'", {});
        add_parameter<std::vector<std::string>>("stops", "stops to write; empty: all", {});
        add_parameter<std::int64_t>("compression", "deflate level 0 (off) to 9", 1);
    }

    // Summary frames are written like any other (unless `stops` leaves out Z).
    bool sees_summary_frames() const override { return true; }

    void configure() override {
        skip_keys_ = parameter<std::vector<std::string>>("skip_keys");
        const auto stops = parameter<std::vector<std::string>>("stops");
        stops_ = StopSet(stops);
        all_stops_ = stops.empty();
        const auto compression = parameter<std::int64_t>("compression");
        if (compression < 0 || compression > 9) throw config_error("must be 0 to 9", "compression");
        WriterOptions options;
        options.compression = static_cast<int>(compression);
        const TrayEnvironment& env = environment();
        const auto file = parameter<std::string>("file");
        // A resumed run writes on where the file was rewound to (mpitray run --resume).
        if (env.resume_from) writer_ = std::make_unique<FrameFileWriter>(file, OutputFile::Continue{}, options);
        else
            writer_ = std::make_unique<FrameFileWriter>(
                file, Provenance{env.pipeline_file, env.pipeline_text, env.seed, env.overrides}, options);
    }

    void process(const FramePtr& frame) override {
        if (!replaying() && (all_stops_ || stops_.contains(frame->stop()))) write(*frame);
        push(frame);
    }

    void checkpoint(const Checkpoint& checkpoint) override { writer_->checkpoint(checkpoint); }
    bool resumes_outputs() const override { return true; }

private:
    void write(const Frame& frame) {
        if (skip_keys_.empty()) return writer_->write(frame);
        Frame kept(frame);  // shares the objects; only the key table is copied
        for (const auto& [key, object] : frame.own())
            if (skipped(key)) kept.erase(key);
        writer_->write(kept);
    }

    bool skipped(const std::string& key) const {
        for (const std::string& pattern : skip_keys_)
            if (fnmatch(pattern.c_str(), key.c_str(), 0) == 0) return true;
        return false;
    }

    std::vector<std::string> skip_keys_;
    StopSet stops_;
    bool all_stops_ = true;
};

}  // namespace

void register_reader();
void register_table_writer();

void register_writer() {
    ModuleRegistry::instance().add({"Writer", "writes frames to an HDF5 frame file and passes them on",
                                    [] { return std::make_unique<Writer>(); }});
}

void register_io_modules() {
    register_reader();
    register_writer();
    register_table_writer();
}

}  // namespace mpitray::io
