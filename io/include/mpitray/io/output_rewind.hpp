#pragma once
// What an earlier run left of an output, and putting it back to a checkpoint so that a resumed
// run writes on from there (mpitray run --resume). Reading changes nothing; only rewind() does,
// once every output of the run has been read and checked.
#include <mpitray/io/checkpoint_log.hpp>
#include <mpitray/io/output_file.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mpitray::io {

struct LeftOutput {
    enum class Where {
        missing,  // neither PATH nor PATH.partial
        closed,   // PATH: the run ended in order (complete, stopped, failed)
        partial,  // PATH.partial: the run was killed
    };
    std::string path;  // the output's final name
    Where where = Where::missing;
    std::string status;  // as the file says; "writing" for a killed run's
    std::string format;
    Provenance provenance;
    std::vector<RecordedCheckpoint> checkpoints;  // oldest first
    std::vector<std::string> datasets;            // whose sizes the checkpoints record

    // The checkpoint numbered `number`, if the file has it.
    const RecordedCheckpoint* find(std::uint64_t number) const;
};

// Reads what is left under PATH or PATH.partial (a killed run's file is read as HDF5's SWMR
// readers do, without touching it). Throws StorageError for a file that cannot be read as an
// output of mpitray with checkpoints, and for a PATH.partial another run is writing.
LeftOutput read_left_output(const std::string& path);

// Checks that `output` holds everything `checkpoint` counts, undamaged: the datasets are at
// least that long, and for a frame file, the frames since the checkpoint before it are whole
// and their checksums match. Throws StorageError saying what is wrong. Changes nothing.
void verify_at_checkpoint(const LeftOutput& output, std::uint64_t checkpoint);

// Puts `output` back to `checkpoint` under PATH.partial, to be written on
// (OutputFile::Continue): renames a closed PATH, clears a killed file's SWMR marks, cuts every
// growing dataset to its size at the checkpoint, drops later checkpoints and what closing wrote
// (the summaries' datasets, how the run ended), and marks it "writing".
void rewind_output(const LeftOutput& output, std::uint64_t checkpoint);

}  // namespace mpitray::io
