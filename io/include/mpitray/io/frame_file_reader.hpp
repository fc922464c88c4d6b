#pragma once
// Streams frames out of an HDF5 frame file: the index in blocks, the data in windows, never the
// whole file at once. Every problem is reported with the file name and the frame index.
#include <mpitray/core/frame.hpp>
#include <mpitray/io/frame_file_layout.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mpitray::io {

struct FileInfo {
    std::string status;  // complete, event_limit, stopped, failed, or writing (never closed)
    std::string status_reason;
    std::uint64_t input_frames = 0;
    std::uint64_t skipped_packets = 0;  // left out by a Dispatch with on_error: skip
    std::string failure_log;            // where their input went
    std::uint64_t frames = 0;           // rows in the index
    std::optional<std::uint64_t> seed;  // none in a merge of files with different seeds
    std::string pipeline;
    std::string pipeline_file;
    std::string mpitray_version;
    std::string created;
    std::string closed;
};

class FrameFileReader {
public:
    // Opens and checks the format. Throws StorageError (missing file, not a frame file, damaged).
    explicit FrameFileReader(std::string path);

    const FileInfo& info() const noexcept { return info_; }
    const std::string& path() const noexcept { return path_; }

    // The next frame's encoded bytes, checked against its index row and checksum; std::nullopt
    // at the end. Throws StorageError naming the file and frame index.
    std::optional<SharedBuffer> next_encoded();
    // The next frame, decoded lazily (payloads stay bytes until asked for).
    FramePtr next();
    // Frame `frame`'s encoded bytes (from next_encoded()), decoded; a malformed encoding throws
    // StorageError naming the file and frame.
    FramePtr decode(SharedBuffer encoded, std::uint64_t frame) const;
    // Index of the frame next() returns next.
    std::uint64_t position() const noexcept { return next_; }

private:
    const IndexRow& row(std::uint64_t frame);
    void read_data(std::uint64_t offset, std::uint64_t length, char* out);
    [[noreturn]] void fail(std::uint64_t frame, const std::string& message) const;
    // Why a file whose root says `format` (perhaps nothing) cannot be read as a frame file.
    std::string not_a_frame_file(const std::string& format) const;

    std::string path_;
    FileInfo info_;
    hdf5::Handle file_;
    hdf5::Handle data_;
    hdf5::Handle index_;
    hdf5::Handle row_type_;
    hdf5::Handle data_memory_type_;  // the data's own 1-byte type, so nothing is converted
    std::uint64_t data_size_ = 0;
    std::uint64_t next_ = 0;
    // A block of index rows, and a window of the data, read ahead.
    std::vector<IndexRow> rows_;
    std::uint64_t rows_start_ = 0;
    std::vector<char> window_;
    std::uint64_t window_start_ = 0;
};

}  // namespace mpitray::io
