#pragma once
// Writes frames to an HDF5 frame file. The file is written as NAME.partial and renamed to NAME
// when it is closed, with attributes that say how the run ended; a process that dies before
// closing leaves only NAME.partial, so a file under the final name was always closed by us.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/run_state.hpp>
#include <mpitray/io/checkpoint_log.hpp>
#include <mpitray/io/frame_file_layout.hpp>
#include <mpitray/io/output_file.hpp>

#include <string>
#include <vector>

namespace mpitray::io {

struct WriterOptions {
    int compression = 1;                // deflate level, 0 (off) to 9
    std::size_t chunk_bytes = 1 << 20;  // HDF5 chunk of /frames/data
    std::size_t flush_bytes = 8 << 20;  // bytes buffered before a write to the dataset
    // Notes that grow by append_note(). Each is also kept in /checkpoints/notes/NAME, so that a
    // resumed run goes on from what it held at the checkpoint (the attribute is written at close).
    std::vector<std::string> appended_notes = {};
};

class FrameFileWriter {
public:
    // Creates PATH.partial and removes an older PATH, so a PATH left from an earlier run is never
    // mistaken for this one's. Throws StorageError when it cannot.
    FrameFileWriter(std::string path, const Provenance& provenance, WriterOptions options = {});
    // Goes on writing the PATH.partial of a resumed run, rewound to its last checkpoint
    // (output_rewind.hpp): the next frame follows the checkpoint's last.
    FrameFileWriter(std::string path, OutputFile::Continue, WriterOptions options = {});
    FrameFileWriter(const FrameFileWriter&) = delete;
    FrameFileWriter& operator=(const FrameFileWriter&) = delete;
    // Without close(), leaves PATH.partial with status "writing": the run did not end in order.
    // A file a write failed to is given up (removed) instead: it could not be read.
    ~FrameFileWriter();

    void write(const Frame& frame);
    // Writes an already encoded frame (as sent over MPI or read from another file).
    void write_encoded(std::span<const char> encoded);

    // Records how the run ended, closes and renames PATH.partial to PATH. A failed or stopped run
    // is closed too: its file is readable and says so. After a write to the file failed (a full
    // disk), or when this close cannot write, the file is given up instead (OutputFile::give_up):
    // PATH.partial is removed and the StorageError says so.
    void close(const RunState& state);
    bool is_open() const noexcept { return file_.is_open(); }
    // A write to the file failed: close() gives it up.
    bool write_failed() const noexcept { return !write_failure_.empty(); }
    // Sets (or replaces) a string attribute of the file, when it is closed.
    void note(const std::string& name, const std::string& value);
    // Appends to a note named in WriterOptions::appended_notes.
    void append_note(const std::string& name, const std::string& text);
    // Writes what is buffered and records `checkpoint` (core/checkpoint.hpp) with it, such that
    // a SIGKILL from here on loses nothing up to this point.
    void checkpoint(const Checkpoint& checkpoint);
    // Closes without recording anything and removes PATH.partial: the run never started.
    void discard() noexcept;

    const std::string& path() const noexcept { return file_.path(); }
    std::string partial_path() const { return file_.partial_path(); }
    std::uint64_t frames() const noexcept { return frames_; }
    std::uint64_t bytes() const noexcept { return bytes_written_ + pending_data_.size(); }

private:
    void append_frame(std::span<const char> encoded);
    void flush();
    void append_data(std::span<const char> bytes);
    // Runs an HDF5 write; when it fails, the file can no longer be finished (write_failure_).
    template <class Write>
    void writing(Write&& write);

    WriterOptions options_;
    OutputFile file_;
    hdf5::Handle data_;
    hdf5::Handle index_;
    hdf5::Handle row_type_;
    std::vector<char> pending_data_;
    std::vector<IndexRow> pending_rows_;
    std::uint64_t frames_ = 0;
    std::uint64_t bytes_written_ = 0;  // in the dataset
    std::uint64_t rows_written_ = 0;
    CheckpointLog checkpoints_;
    // Written when the file is closed: SWMR writing (OutputFile::start_swmr) creates nothing.
    std::vector<FramePtr> summary_frames_;  // as datasets h5py reads without help
    std::vector<std::pair<std::string, std::string>> notes_;
    struct AppendedNote {
        std::string name;
        hdf5::Handle dataset;  // its copy at checkpoints
        std::uint64_t written = 0;
        std::string pending;
    };
    std::vector<AppendedNote> appended_notes_;
    std::string write_failure_;  // why a write failed; then the file is given up, not closed
};

}  // namespace mpitray::io
