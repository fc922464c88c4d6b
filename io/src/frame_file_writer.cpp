#include <mpitray/io/frame_file_writer.hpp>

#include <mpitray/core/frame_codec.hpp>
#include <mpitray/io/summary_datasets.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace mpitray::io {

namespace {
WriterOptions check_options(WriterOptions options) {
    if (options.compression < 0 || options.compression > 9)
        throw StorageError(fmt::format("compression level {} is not 0 to 9", options.compression));
    return options;
}
}  // namespace

FrameFileWriter::FrameFileWriter(std::string path, const Provenance& provenance, WriterOptions options)
    : options_(check_options(options)), file_(std::move(path), provenance, file_format_name, file_format_version) {
    row_type_ = index_row_type();
    data_ = create_growing_dataset(file_.id(), data_path, H5T_NATIVE_UINT8, options_.chunk_bytes, options_.compression);
    index_ = create_growing_dataset(file_.id(), index_path, row_type_.get(), 4096, options_.compression);
    hdf5::set_attribute(file_.id(), "frame_format_version", std::uint64_t{frame_format_version});
    std::vector<std::string> growing = {data_path, index_path};
    for (const std::string& name : options_.appended_notes) {
        const std::string at = appended_note_path(name);
        appended_notes_.push_back({name, create_growing_dataset(file_.id(), at, H5T_NATIVE_CHAR, 4096, 0), 0, {}});
        growing.push_back(at);
    }
    checkpoints_ = CheckpointLog::create(file_.id(), growing);
    file_.start_swmr();
    pending_data_.reserve(options_.flush_bytes);
}

FrameFileWriter::FrameFileWriter(std::string path, OutputFile::Continue, WriterOptions options)
    : options_(check_options(options)), file_(std::move(path), OutputFile::Continue{}) {
    row_type_ = index_row_type();
    data_ = hdf5::dataset(H5Dopen2(file_.id(), data_path, H5P_DEFAULT), "opening " + std::string(data_path));
    index_ = hdf5::dataset(H5Dopen2(file_.id(), index_path, H5P_DEFAULT), "opening " + std::string(index_path));
    bytes_written_ = hdf5::extent(data_.get(), data_path);
    rows_written_ = frames_ = hdf5::extent(index_.get(), index_path);
    checkpoints_ = CheckpointLog::open(file_.id());
    for (const std::string& name : options_.appended_notes) {  // as they were at the checkpoint
        const std::string at = appended_note_path(name);
        AppendedNote note{name, hdf5::dataset(H5Dopen2(file_.id(), at.c_str(), H5P_DEFAULT), "opening " + at), 0, {}};
        note.written = hdf5::extent(note.dataset.get(), at);
        if (note.written > 0) {
            std::string text(note.written, '\0');
            hdf5::read_range(note.dataset.get(), H5T_NATIVE_CHAR, 0, note.written, text.data(), "reading " + at);
            notes_.emplace_back(name, std::move(text));
        }
        appended_notes_.push_back(std::move(note));
    }
    file_.start_swmr();
    pending_data_.reserve(options_.flush_bytes);
}

void FrameFileWriter::note(const std::string& name, const std::string& value) {
    if (!file_.is_open()) throw StorageError("'" + path() + "' is closed; cannot set attribute " + name);
    std::erase_if(notes_, [&](const auto& note) { return note.first == name; });
    notes_.emplace_back(name, value);
}

void FrameFileWriter::append_note(const std::string& name, const std::string& text) {
    auto note = std::find_if(appended_notes_.begin(), appended_notes_.end(),
                             [&](const AppendedNote& n) { return n.name == name; });
    if (note == appended_notes_.end()) throw StorageError("'" + path() + "' has no appended note " + name);
    auto value = std::find_if(notes_.begin(), notes_.end(), [&](const auto& n) { return n.first == name; });
    if (value == notes_.end()) notes_.emplace_back(name, text);
    else value->second += text;
    note->pending += text;
}

void FrameFileWriter::checkpoint(const Checkpoint& checkpoint) {
    if (!file_.is_open() || !write_failure_.empty()) return;
    const std::string what = "writing a checkpoint to '" + partial_path() + "'";
    writing([&] {
        flush();
        std::vector<std::uint64_t> extents = {bytes_written_, rows_written_};
        for (const AppendedNote& note : appended_notes_) extents.push_back(note.written);
        checkpoints_.record(file_.id(), checkpoint, extents, what);
    });
}

void FrameFileWriter::discard() noexcept {
    data_.reset();
    index_.reset();
    appended_notes_.clear();
    checkpoints_ = {};
    row_type_.reset();
    file_.discard();
}

FrameFileWriter::~FrameFileWriter() {
    // Not closed: the run did not end in order. Leave NAME.partial as it is (status "writing");
    // HDF5 closes the handles. Unless a write failed: then nothing could read it.
    if (!write_failure_.empty() && file_.is_open()) {
        data_.release();  // closed with the file
        index_.release();
        for (AppendedNote& note : appended_notes_) note.dataset.release();
        checkpoints_.release();
        file_.discard();
    }
}

template <class Write>
void FrameFileWriter::writing(Write&& write) {
    try {
        write();
    } catch (const StorageError& e) {
        write_failure_ = e.what();
        throw;
    }
}

void FrameFileWriter::write(const Frame& frame) {
    append_frame(encode_frame(frame).span());
    if (frame.stop() == Stop::summary()) summary_frames_.push_back(std::make_shared<Frame>(frame));
}

void FrameFileWriter::write_encoded(std::span<const char> encoded) {
    append_frame(encoded);
    if (Stop(encoded[6]) == Stop::summary())  // decoded only for its summaries' datasets
        summary_frames_.push_back(decode_frame(std::make_shared<const Buffer>(encoded.begin(), encoded.end())));
}

void FrameFileWriter::append_frame(std::span<const char> encoded) {
    if (!file_.is_open()) throw StorageError("'" + path() + "' is closed; cannot write more frames");
    if (!write_failure_.empty()) throw StorageError("'" + path() + "' cannot take more frames: " + write_failure_);
    if (encoded.size() < frame_header_size + frame_trailer_size)
        throw StorageError("refusing to write a " + std::to_string(encoded.size()) + "-byte frame encoding");
    const std::uint64_t offset = bytes_written_ + pending_data_.size();
    pending_rows_.push_back({frames_, encoded[6], offset, encoded.size(), stored_checksum(encoded)});
    ++frames_;
    append_data(encoded);
}

void FrameFileWriter::append_data(std::span<const char> bytes) {
    if (pending_data_.size() + bytes.size() <= options_.flush_bytes) {
        pending_data_.insert(pending_data_.end(), bytes.begin(), bytes.end());
        return;
    }
    flush();
    if (bytes.size() >= options_.flush_bytes) {  // large frame: straight from its buffer
        writing([&] {
            append_rows(data_.get(), H5T_NATIVE_UINT8, bytes_written_, bytes.size(), bytes.data(),
                        "writing frames to '" + partial_path() + "'");
        });
        bytes_written_ += bytes.size();
    } else {
        pending_data_.insert(pending_data_.end(), bytes.begin(), bytes.end());
    }
}

void FrameFileWriter::flush() {
    const std::string what = "writing frames to '" + partial_path() + "'";
    writing([&] {
        append_rows(data_.get(), H5T_NATIVE_UINT8, bytes_written_, pending_data_.size(), pending_data_.data(), what);
    });
    bytes_written_ += pending_data_.size();
    pending_data_.clear();
    writing([&] {
        append_rows(index_.get(), row_type_.get(), rows_written_, pending_rows_.size(), pending_rows_.data(), what);
    });
    rows_written_ += pending_rows_.size();
    pending_rows_.clear();
    for (AppendedNote& note : appended_notes_) {
        writing([&] {
            append_rows(note.dataset.get(), H5T_NATIVE_CHAR, note.written, note.pending.size(), note.pending.data(),
                        what);
        });
        note.written += note.pending.size();
        note.pending.clear();
    }
}

void FrameFileWriter::close(const RunState& state) {
    if (!file_.is_open()) return;
    const std::string what = "closing '" + partial_path() + "'";
    if (write_failure_.empty()) {
        try {
            writing([&] {
                flush();
                data_.close(what);
                index_.close(what);
                checkpoints_.close(what);
                for (AppendedNote& note : appended_notes_) note.dataset.close(what);
                file_.leave_swmr();
                for (const FramePtr& frame : summary_frames_) write_summary_datasets(file_.id(), *frame);
                for (const auto& [name, value] : notes_) hdf5::set_attribute(file_.id(), name, value);
                hdf5::set_attribute(file_.id(), "frames", frames_);
            });
        } catch (const StorageError&) {  // write_failure_ says why: given up below
        }
    }
    row_type_.reset();
    if (!write_failure_.empty()) {
        data_.release();  // closed with the file
        index_.release();
        for (AppendedNote& note : appended_notes_) note.dataset.release();
        checkpoints_.release();
        file_.give_up(write_failure_);
    }
    file_.close(state);
}

}  // namespace mpitray::io
