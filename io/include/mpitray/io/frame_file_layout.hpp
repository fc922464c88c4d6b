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
#include <string>
#include <string_view>

namespace mpitray::io {

inline constexpr const char* file_format_name = "mpitray frame file";
inline constexpr std::uint64_t file_format_version = 1;
inline constexpr const char* data_path = "/frames/data";
inline constexpr const char* index_path = "/frames/index";
// An appended note's copy at checkpoints (WriterOptions::appended_notes): its text as chars.
inline constexpr std::string_view appended_notes_group = "/checkpoints/notes/";
inline std::string appended_note_path(const std::string& name) { return std::string(appended_notes_group) + name; }
// The note a dataset is the copy of, or "" when it is none.
inline std::string appended_note_of(const std::string& dataset_path) {
    return dataset_path.starts_with(appended_notes_group) ? dataset_path.substr(appended_notes_group.size()) : "";
}

struct IndexRow {
    std::uint64_t sequence;  // frame number in this file, from 0
    char stop;               // the frame's stop character
    std::uint64_t offset;    // first byte in /frames/data
    std::uint64_t length;    // bytes
    std::uint32_t checksum;  // CRC-32C stored in the frame's trailer
};

// The compound HDF5 type of an index row (in memory and on disk alike).
hdf5::Handle index_row_type();

// Why a stored element type cannot be read as the layout says, to follow the dataset's name
// (" holds float64, not bytes (uint8)"), or "" when it can. HDF5 would convert a float64
// /frames/data to bytes, or leave an index member the file lacks at zero, without a word.
// The data: 1-byte integers (as written) or 1-byte opaque values.
std::string data_type_problem(hid_t stored);
// The index: a compound with the members of IndexRow, of the types written.
std::string index_type_problem(hid_t stored);

}  // namespace mpitray::io
