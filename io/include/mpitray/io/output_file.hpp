#pragma once
// An HDF5 output file that is never mistaken for a complete one. It is written as PATH.partial
// and renamed to PATH only when closed, with attributes saying what wrote it and how the run
// ended; a process that dies first leaves only PATH.partial. Frame files and table files share it.
#include <mpitray/core/output_path.hpp>
#include <mpitray/core/run_state.hpp>
#include <mpitray/io/file_lock.hpp>
#include <mpitray/io/hdf5.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpitray::io {

// What produced a file, recorded in its attributes.
struct Provenance {
    std::string pipeline_file;
    std::string pipeline_text;
    std::optional<std::uint64_t> seed = 0;  // none: no one seed (a merge of files with different seeds)
    std::string overrides;                  // command-line changes to the pipeline file
};

class OutputFile {
public:
    // Creates PATH.partial with the attributes format, format_version, mpitray_version, pipeline,
    // pipeline_file, seed (if there is one), overrides, created and status "writing", and removes an older PATH so
    // it is never taken for this run's. Throws StorageError, leaving no PATH.partial, when it
    // cannot, and before touching anything when PATH or PATH.partial is not a regular file
    // (mpitray/core/output_path.hpp). A PATH.partial left by an earlier run is replaced; one that another
    // run is writing (HDF5 holds its lock) is refused.
    OutputFile(std::string path, const Provenance& provenance, const std::string& format, std::uint64_t format_version);
    // Opens the PATH.partial of a run being resumed, rewound to its last checkpoint
    // (output_rewind.hpp), to write on. Throws StorageError when it cannot, or when another
    // run writes it.
    struct Continue {};
    OutputFile(std::string path, Continue);
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    hid_t id() const noexcept { return file_.get(); }
    bool is_open() const noexcept { return static_cast<bool>(file_); }
    const std::string& path() const noexcept { return path_; }
    std::string partial_path() const { return partial_path_of(path_); }

    // Writes from here on in HDF5's SWMR mode: every flush leaves the file such that what it
    // held at that flush can be read back after the process is killed (a SIGKILL, a node crash),
    // which is what checkpoints rely on. No object is created in it until leave_swmr(): create
    // the datasets first.
    void start_swmr();
    // Back to ordinary writing, to create objects and attributes (the summaries' datasets, how
    // the run ended): closes the file and opens it again. Close its datasets first.
    void leave_swmr();
    bool swmr() const noexcept { return swmr_; }

    // Records how the run ended (status, status_reason, input_frames, closed), closes and renames
    // PATH.partial to PATH. Close every dataset of the file first. When HDF5 cannot write it all
    // (the disk is full), gives the file up as give_up() does.
    void close(const RunState& state);
    // The file cannot be finished: a write to it failed, so HDF5 cannot say what it holds.
    // Lets go of it without leaving anything open in HDF5, removes PATH.partial (incomplete and
    // unreadable, and on a full disk its space is needed) and throws a StorageError saying so:
    // "'PATH' could not be closed: the disk is full (REASON); its incomplete 'PATH.partial' was
    // removed". The file's datasets may still be open: closing the file closes them.
    [[noreturn]] void give_up(const std::string& reason);
    // Closes without recording anything and removes PATH.partial: the run never started. A
    // file opened to be continued is kept (closed as it is): it holds the earlier run's work,
    // which another --resume goes on from.
    void discard() noexcept;

private:
    void open_partial(unsigned flags, const std::string& what);

    std::string path_;
    FileLock lock_;  // declared before file_: released after it is closed
    hdf5::Handle file_;
    bool swmr_ = false;
    bool continued_ = false;  // OutputFile::Continue
};

// Rewrites how the run ended (status, status_reason, input_frames, skipped_packets,
// failure_log) in an output file already closed under its final name: a later failure changed it.
void mark_ended(const std::string& path, const RunState& state);

// The outputs of this process given up so far (paths, not partial paths), in order.
std::vector<std::string> outputs_given_up();

// A 1-D dataset that grows as rows are appended, created with its intermediate groups.
hdf5::Handle create_growing_dataset(hid_t file, const std::string& path, hid_t type, std::uint64_t chunk_rows,
                                    int compression);
// Appends `count` elements at element `at` (the current size).
void append_rows(hid_t dataset, hid_t memory_type, std::uint64_t at, std::uint64_t count, const void* data,
                 const std::string& what);

}  // namespace mpitray::io
