// TableWriter: writes chosen keys of the frames that reach it as HDF5 tables, one row per frame.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>
#include <mpitray/io/table_writer.hpp>
#include "output_module.hpp"

namespace mpitray::io {
namespace {

class TableWriter : public OutputModule<TableFileWriter> {
public:
    TableWriter() {
        add_required_parameter<std::string>("file", "the table file to write (written as FILE.partial until closed)");
        add_required_parameter<std::vector<std::string>>(
            "keys", "frame keys to write; each becomes a table of the same name, one row per frame");
        add_parameter<std::vector<std::string>>("stops", "stops whose frames are written", {"P"});
        add_parameter<std::string>("missing",
                                   "a frame without one of the keys: 'error' (stop the run) or 'skip' (no row in "
                                   "that key's table)",
                                   "error");
        add_parameter<std::int64_t>("compression", "deflate level 0 (off) to 9", 1);
    }

    void configure() override {
        keys_ = parameter<std::vector<std::string>>("keys");
        if (keys_.empty()) throw config_error("name at least one key", "keys");
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            if (keys_[i].empty() || keys_[i].find('/') != std::string::npos)
                throw config_error("'" + keys_[i] + "' cannot name a table: empty or contains '/'", "keys");
            for (std::size_t j = 0; j < i; ++j)
                if (keys_[i] == keys_[j]) throw config_error("'" + keys_[i] + "' is listed twice", "keys");
        }
        stops_ = StopSet(parameter<std::vector<std::string>>("stops"));
        const std::string missing = parameter<std::string>("missing");
        if (missing != "error" && missing != "skip")
            throw config_error("must be 'error' or 'skip', not '" + missing + "'", "missing");
        skip_missing_ = missing == "skip";
        TableWriterOptions options;
        const auto compression = parameter<std::int64_t>("compression");
        if (compression < 0 || compression > 9) throw config_error("must be 0 to 9", "compression");
        options.compression = static_cast<int>(compression);
        const TrayEnvironment& env = environment();
        const auto file = parameter<std::string>("file");
        // A resumed run writes on where the file was rewound to (mpitray run --resume).
        if (env.resume_from) writer_ = std::make_unique<TableFileWriter>(file, OutputFile::Continue{}, options);
        else
            writer_ = std::make_unique<TableFileWriter>(
                file, Provenance{env.pipeline_file, env.pipeline_text, env.seed, env.overrides}, options);
        for (const std::string& key : keys_) writer_->declare(key, {{"key", key}});
    }

    void process(const FramePtr& frame) override {
        if (!replaying() && stops_.contains(frame->stop())) write(*frame);
        push(frame);
    }

    void checkpoint(const Checkpoint& checkpoint) override { writer_->checkpoint(checkpoint); }
    bool resumes_outputs() const override { return true; }

private:
    void write(const Frame& frame) {
        const Object* header = frame.find(event_header_key);
        if (header == nullptr)
            throw SerializationError(frame.describe() + " has no " + event_header_key +
                                     ", which gives each row its Run, Event and SubEvent");
        const EventHeader index = *header->value<EventHeader>();
        for (const std::string& key : keys_) {
            const Object* object = frame.find(key);
            if (object == nullptr) {
                if (skip_missing_) continue;
                throw SerializationError(frame.describe() + " has no key '" + key +
                                         "' (set missing: skip to leave such frames out of that table)");
            }
            row_.clear();
            if (!object->columns(row_))
                throw SerializationError(
                    "key '" + key + "' holds a '" + object->type() +
                    "', which has no table columns (only types with a set_columns flattener "
                    "can be written as tables: single numbers, EventHeader and registered structs)");
            writer_->append(key, index, row_);
        }
    }

    std::vector<std::string> keys_;
    StopSet stops_;
    bool skip_missing_ = false;
    TableRow row_;
};

}  // namespace

void register_table_writer() {
    ModuleRegistry::instance().add(
        {"TableWriter",
         "writes chosen keys of frames as HDF5 tables (one row per frame, Run/Event/SubEvent "
         "index columns) for h5py and pandas",
         [] { return std::make_unique<TableWriter>(); }});
}

}  // namespace mpitray::io
