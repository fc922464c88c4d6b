#pragma once
// The layout of an mpitray frame file (docs/file-format.md), shared by writer and reader.
//
//   /frames/data    uint8[N]   the encoded frames, back to back; chunked, optionally deflated
//   /frames/index   compound[M] one row per frame: sequence, stop, offset, length, checksum
//   root attributes: format, format_version, frame_format_version, mpitray_version, pipeline,
//                    pipeline_file, seed, overrides, status, status_reason, input_frames, frames,
//                    created, closed
#include <mpitray/io/hdf5.hpp>

#include <cstdint>

namespace mpitray::io {

inline constexpr const char* file_format_name = "mpitray frame file";
inline constexpr std::uint64_t file_format_version = 1;
inline constexpr const char* data_path = "/frames/data";
inline constexpr const char* index_path = "/frames/index";

struct IndexRow {
    std::uint64_t sequence;  // frame number in this file, from 0
    char stop;               // the frame's stop character
    std::uint64_t offset;    // first byte in /frames/data
    std::uint64_t length;    // bytes
    std::uint32_t checksum;  // CRC-32C stored in the frame's trailer
};

// The compound HDF5 type of an index row (in memory and on disk alike).
hdf5::Handle index_row_type();

}  // namespace mpitray::io
