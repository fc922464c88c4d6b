#include <mpitray/io/frame_file_writer.hpp>

#include <mpitray/core/frame_codec.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#ifndef MPITRAY_VERSION
#define MPITRAY_VERSION "unknown"
#endif

namespace mpitray::io {
namespace {

std::string utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

hdf5::Handle make_extendable(hid_t file, const char* path, hid_t type, hsize_t chunk, int compression) {
    const hsize_t initial[1] = {0};
    const hsize_t unlimited[1] = {H5S_UNLIMITED};
    hdf5::Handle space = hdf5::dataspace(H5Screate_simple(1, initial, unlimited), "dataspace");
    hdf5::Handle create = hdf5::plist(H5Pcreate(H5P_DATASET_CREATE), "dataset properties");
    const hsize_t chunks[1] = {chunk};
    hdf5::check_status(H5Pset_chunk(create.get(), 1, chunks), "chunking");
    if (compression > 0) hdf5::check_status(H5Pset_deflate(create.get(), static_cast<unsigned>(compression)), "deflate");
    hdf5::Handle links = hdf5::plist(H5Pcreate(H5P_LINK_CREATE), "link properties");
    hdf5::check_status(H5Pset_create_intermediate_group(links.get(), 1), "link properties");
    return hdf5::dataset(H5Dcreate2(file, path, type, space.get(), links.get(), create.get(), H5P_DEFAULT),
                         std::string("creating ") + path);
}

// Appends `count` elements to a 1-D extendable dataset.
void append(hid_t dataset, hid_t memory_type, std::uint64_t at, std::uint64_t count, const void* data,
            const std::string& what) {
    if (count == 0) return;
    const hsize_t new_size[1] = {at + count};
    hdf5::check_status(H5Dset_extent(dataset, new_size), what);
    hdf5::write_range(dataset, memory_type, at, count, data, what);
}

}  // namespace

FrameFileWriter::FrameFileWriter(std::string path, const Provenance& provenance, WriterOptions options)
    : path_(std::move(path)), options_(options) {
    hdf5::silence_errors();
    if (options_.compression < 0 || options_.compression > 9)
        throw StorageError(fmt::format("compression level {} is not 0 to 9", options_.compression));
    const std::string partial = partial_path();
    file_ = hdf5::file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                       "cannot create output file '" + partial + "'");
    row_type_ = index_row_type();
    data_ = make_extendable(file_.get(), data_path, H5T_NATIVE_UINT8, options_.chunk_bytes, options_.compression);
    index_ = make_extendable(file_.get(), index_path, row_type_.get(), 4096, options_.compression);

    const hid_t root = file_.get();
    hdf5::set_attribute(root, "format", std::string(file_format_name));
    hdf5::set_attribute(root, "format_version", file_format_version);
    hdf5::set_attribute(root, "frame_format_version", std::uint64_t{frame_format_version});
    hdf5::set_attribute(root, "mpitray_version", std::string(MPITRAY_VERSION));
    hdf5::set_attribute(root, "pipeline", provenance.pipeline_text);
    hdf5::set_attribute(root, "pipeline_file", provenance.pipeline_file);
    hdf5::set_attribute(root, "seed", provenance.seed);
    hdf5::set_attribute(root, "overrides", provenance.overrides);
    hdf5::set_attribute(root, "created", utc_now());
    hdf5::set_attribute(root, "status", std::string("writing"));
    pending_data_.reserve(options_.flush_bytes);
    if (std::remove(path_.c_str()) != 0 && errno != ENOENT)
        throw StorageError("cannot remove the older '" + path_ + "': " + std::strerror(errno));
}

void FrameFileWriter::note(const std::string& name, const std::string& value) {
    if (!file_) throw StorageError("'" + path_ + "' is closed; cannot set attribute " + name);
    hdf5::set_attribute(file_.get(), name, value);
}

void FrameFileWriter::discard() noexcept {
    if (!file_) return;
    data_.reset();
    index_.reset();
    row_type_.reset();
    file_.reset();
    std::remove(partial_path().c_str());
}

FrameFileWriter::~FrameFileWriter() {
    // Not closed: the run did not end in order. Leave NAME.partial as it is (status "writing");
    // HDF5 closes the handles.
}

void FrameFileWriter::write(const Frame& frame) {
    write_encoded(encode_frame(frame).span());
}

void FrameFileWriter::write_encoded(std::span<const char> encoded) {
    if (!file_) throw StorageError("'" + path_ + "' is closed; cannot write more frames");
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
        append(data_.get(), H5T_NATIVE_UINT8, bytes_written_, bytes.size(), bytes.data(), "writing frames to '" + partial_path() + "'");
        bytes_written_ += bytes.size();
    } else {
        pending_data_.insert(pending_data_.end(), bytes.begin(), bytes.end());
    }
}

void FrameFileWriter::flush() {
    const std::string what = "writing frames to '" + partial_path() + "'";
    append(data_.get(), H5T_NATIVE_UINT8, bytes_written_, pending_data_.size(), pending_data_.data(), what);
    bytes_written_ += pending_data_.size();
    pending_data_.clear();
    append(index_.get(), row_type_.get(), rows_written_, pending_rows_.size(), pending_rows_.data(), what);
    rows_written_ += pending_rows_.size();
    pending_rows_.clear();
}

void FrameFileWriter::close(const RunState& state) {
    if (!file_) return;
    const std::string partial = partial_path();
    flush();
    const hid_t root = file_.get();
    hdf5::set_attribute(root, "status", std::string(run_ending_name(state.ending)));
    hdf5::set_attribute(root, "status_reason", state.reason);
    hdf5::set_attribute(root, "input_frames", state.input_frames);
    hdf5::set_attribute(root, "frames", frames_);
    hdf5::set_attribute(root, "closed", utc_now());
    data_.close("closing '" + partial + "'");
    index_.close("closing '" + partial + "'");
    row_type_.reset();
    file_.close("closing '" + partial + "'");
    if (std::rename(partial.c_str(), path_.c_str()) != 0)
        throw StorageError("cannot rename '" + partial + "' to '" + path_ + "': " + std::strerror(errno));
}

}  // namespace mpitray::io
