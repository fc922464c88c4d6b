#pragma once
// The checkpoints of an output file (core/checkpoint.hpp), kept in the file itself, so that a
// file is never separated from what resuming it needs:
//
//   /checkpoints/rows     compound[C]: number, input_frames, skipped_packets, state_offset,
//                         state_bytes, extents_offset, extents_count, written_unix_ns
//   /checkpoints/state    uint8: each checkpoint's summary frames, each as its 8-byte
//                         little-endian length and its encoding
//   /checkpoints/extents  uint64: each checkpoint's sizes of the file's growing datasets, in the
//                         order the attribute `datasets` of /checkpoints names them
//
// None is compressed: a checkpoint is a few hundred bytes, and an uncompressed chunk is only
// ever appended to. The file is written in HDF5's SWMR mode (output_file.hpp), so after a
// SIGKILL every checkpoint whose row was flushed can be read back with everything it counts.
#include <mpitray/core/checkpoint.hpp>
#include <mpitray/io/hdf5.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mpitray::io {

// A checkpoint as a file holds it: with the sizes its growing datasets had.
struct RecordedCheckpoint {
    Checkpoint checkpoint;
    std::vector<std::uint64_t> extents;  // in the order of CheckpointLog::datasets()
    std::uint64_t written_unix_ns = 0;   // when it was taken
};

class CheckpointLog {
public:
    CheckpointLog() = default;
    // Creates the log's datasets in a new file; `datasets` names the growing datasets whose
    // sizes each checkpoint records.
    static CheckpointLog create(hid_t file, const std::vector<std::string>& datasets);
    // Opens the log of a file that has one, to read it or append to it.
    static CheckpointLog open(hid_t file);
    // Whether the file has a log (files of mpitray before checkpoints have none).
    static bool exists(hid_t file);

    // Records a checkpoint with the current sizes of the datasets (in datasets() order), the
    // writer's buffers already written: stores the file (fsync) so the data it counts is on disk,
    // appends the checkpoint's state and extents, stores the file, appends its row, and stores
    // the file again.
    void record(hid_t file, const Checkpoint& checkpoint, std::span<const std::uint64_t> extents,
                const std::string& what);
    // Every checkpoint in the file, oldest first. Throws StorageError when the log is damaged.
    std::vector<RecordedCheckpoint> read() const;
    // Drops the checkpoints after the first `keep`.
    void truncate(std::uint64_t keep);
    // Names one more growing dataset whose size checkpoints record (a table file's new table).
    // Not in SWMR mode: it rewrites an attribute.
    void add_dataset(const std::string& name);
    // Forgets the datasets after the first `count` (a rewind deletes them: made after the
    // checkpoint it goes back to).
    void keep_datasets(std::size_t count);

    const std::vector<std::string>& datasets() const noexcept { return datasets_; }
    std::uint64_t size() const noexcept { return rows_written_; }
    // Closes its datasets (before the file leaves SWMR mode or closes).
    void close(const std::string& what);
    // Lets go of its datasets without closing them (the file's close does).
    void release() noexcept;

private:
    void write_datasets();

    hid_t file_ = H5I_INVALID_HID;
    hdf5::Handle rows_;
    hdf5::Handle state_;
    hdf5::Handle extents_;
    hdf5::Handle row_type_;
    std::vector<std::string> datasets_;
    std::uint64_t rows_written_ = 0;
    std::uint64_t state_written_ = 0;
    std::uint64_t extents_written_ = 0;
};

// Removes a file's checkpoint log (not in SWMR mode).
void drop_checkpoint_log(hid_t file, const std::string& what);

}  // namespace mpitray::io
