#include <mpitray/io/checkpoint_log.hpp>

#include <mpitray/core/frame_codec.hpp>
#include <mpitray/io/output_file.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <sstream>
#include <utility>

namespace mpitray::io {
namespace {

constexpr const char* group_path = "/checkpoints";
constexpr const char* rows_path = "/checkpoints/rows";
constexpr const char* state_path = "/checkpoints/state";
constexpr const char* extents_path = "/checkpoints/extents";

struct Row {
    std::uint64_t number;
    std::uint64_t input_frames;
    std::uint64_t skipped_packets;
    std::uint64_t state_offset;
    std::uint64_t state_bytes;
    std::uint64_t extents_offset;
    std::uint64_t extents_count;
    std::uint64_t written_unix_ns;  // when it was taken (how much work a kill after it lost)
};

hdf5::Handle row_type() {
    hdf5::Handle type = hdf5::datatype(H5Tcreate(H5T_COMPOUND, sizeof(Row)), "checkpoint row type");
    auto member = [&](const char* name, std::size_t offset) {
        hdf5::check_status(H5Tinsert(type.get(), name, offset, H5T_NATIVE_UINT64), "checkpoint row type");
    };
    member("number", offsetof(Row, number));
    member("input_frames", offsetof(Row, input_frames));
    member("skipped_packets", offsetof(Row, skipped_packets));
    member("state_offset", offsetof(Row, state_offset));
    member("state_bytes", offsetof(Row, state_bytes));
    member("extents_offset", offsetof(Row, extents_offset));
    member("extents_count", offsetof(Row, extents_count));
    member("written_unix_ns", offsetof(Row, written_unix_ns));
    return type;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) out += (out.empty() ? "" : "\n") + name;
    return out;
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

void put_u64(std::vector<char>& out, std::uint64_t value) {
    for (int i = 0; i < 8; ++i) out.push_back(char((value >> (8 * i)) & 0xff));
}

std::uint64_t get_u64(const char* in) {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= std::uint64_t(static_cast<unsigned char>(in[i])) << (8 * i);
    return value;
}

std::vector<char> encode_state(const std::vector<FramePtr>& frames) {
    std::vector<char> out;
    for (const FramePtr& frame : frames) {
        const ByteView encoded = encode_frame(*frame);
        put_u64(out, encoded.size());
        out.insert(out.end(), encoded.span().begin(), encoded.span().end());
    }
    return out;
}

std::vector<FramePtr> decode_state(const std::vector<char>& bytes, std::uint64_t number) {
    std::vector<FramePtr> frames;
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::uint64_t size = bytes.size() - at >= 8 ? get_u64(bytes.data() + at) : ~std::uint64_t{0};
        if (size > bytes.size() - at - std::min<std::size_t>(8, bytes.size() - at))
            throw StorageError(fmt::format("checkpoint {}'s summaries are damaged", number));
        at += 8;
        try {
            frames.push_back(decode_frame(std::make_shared<const Buffer>(bytes.begin() + std::ptrdiff_t(at),
                                                                         bytes.begin() + std::ptrdiff_t(at + size))));
        } catch (const std::exception& e) {
            throw StorageError(fmt::format("checkpoint {}'s summaries are damaged: {}", number, e.what()));
        }
        at += size;
    }
    return frames;
}

hdf5::Handle open_dataset(hid_t file, const char* path) {
    return hdf5::dataset(H5Dopen2(file, path, H5P_DEFAULT), std::string("opening ") + path);
}

}  // namespace

bool CheckpointLog::exists(hid_t file) { return H5Lexists(file, group_path, H5P_DEFAULT) > 0; }

CheckpointLog CheckpointLog::create(hid_t file, const std::vector<std::string>& datasets) {
    CheckpointLog log;
    log.row_type_ = row_type();
    log.datasets_ = datasets;
    log.rows_ = create_growing_dataset(file, rows_path, log.row_type_.get(), 64, 0);
    log.state_ = create_growing_dataset(file, state_path, H5T_NATIVE_UINT8, 64 << 10, 0);
    log.extents_ = create_growing_dataset(file, extents_path, H5T_NATIVE_UINT64, 256, 0);
    log.file_ = file;
    log.write_datasets();
    return log;
}

CheckpointLog CheckpointLog::open(hid_t file) {
    if (!exists(file)) throw StorageError("it has no checkpoints (written by an older mpitray, or not by a run)");
    CheckpointLog log;
    log.file_ = file;
    log.row_type_ = row_type();
    log.rows_ = open_dataset(file, rows_path);
    log.state_ = open_dataset(file, state_path);
    log.extents_ = open_dataset(file, extents_path);
    hdf5::Handle group = hdf5::group(H5Gopen2(file, group_path, H5P_DEFAULT), "opening /checkpoints");
    log.datasets_ = split(hdf5::string_attribute(group.get(), "datasets"));
    log.rows_written_ = hdf5::extent(log.rows_.get(), rows_path);
    log.state_written_ = hdf5::extent(log.state_.get(), state_path);
    log.extents_written_ = hdf5::extent(log.extents_.get(), extents_path);
    return log;
}

void CheckpointLog::record(hid_t file, const Checkpoint& checkpoint, std::span<const std::uint64_t> extents,
                           const std::string& what) {
    hdf5::sync_file(file, what);  // the data it counts is stored before the checkpoint
    const std::vector<char> state = encode_state(checkpoint.summaries);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const Row row{checkpoint.number,
                  checkpoint.input_frames,
                  checkpoint.skipped_packets,
                  state_written_,
                  state.size(),
                  extents_written_,
                  extents.size(),
                  std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count())};
    // The row last, once what it points to is stored: HDF5 writes the new sizes of several
    // datasets in no set order, and a row whose state was not stored with it was seen after a
    // SIGKILL (1 in about 40 runs of Checkpoints.AfterSigkillTheFileRewindsToItsLastCheckpoint).
    append_rows(state_.get(), H5T_NATIVE_UINT8, state_written_, state.size(), state.data(), what);
    state_written_ += state.size();
    append_rows(extents_.get(), H5T_NATIVE_UINT64, extents_written_, extents.size(), extents.data(), what);
    extents_written_ += extents.size();
    hdf5::sync_file(file, what);
    append_rows(rows_.get(), row_type_.get(), rows_written_, 1, &row, what);
    ++rows_written_;
    hdf5::sync_file(file, what);
}

std::vector<RecordedCheckpoint> CheckpointLog::read() const {
    std::vector<Row> rows(rows_written_);
    if (!rows.empty())
        hdf5::read_range(rows_.get(), row_type_.get(), 0, rows.size(), rows.data(), "reading checkpoints");
    std::vector<RecordedCheckpoint> out;
    for (const Row& row : rows) {
        if (row.state_offset > state_written_ || row.state_bytes > state_written_ - row.state_offset ||
            row.extents_offset > extents_written_ || row.extents_count > extents_written_ - row.extents_offset ||
            row.extents_count > datasets_.size())
            throw StorageError(fmt::format("checkpoint {} points past the end of the checkpoint log", row.number));
        RecordedCheckpoint recorded;
        recorded.checkpoint.number = row.number;
        recorded.checkpoint.input_frames = row.input_frames;
        recorded.checkpoint.skipped_packets = row.skipped_packets;
        recorded.written_unix_ns = row.written_unix_ns;
        std::vector<char> state(row.state_bytes);
        if (!state.empty())
            hdf5::read_range(state_.get(), H5T_NATIVE_UINT8, row.state_offset, state.size(), state.data(),
                             "reading checkpoints");
        recorded.checkpoint.summaries = decode_state(state, row.number);
        recorded.extents.resize(row.extents_count);
        if (row.extents_count > 0)
            hdf5::read_range(extents_.get(), H5T_NATIVE_UINT64, row.extents_offset, row.extents_count,
                             recorded.extents.data(), "reading checkpoints");
        out.push_back(std::move(recorded));
    }
    return out;
}

void CheckpointLog::truncate(std::uint64_t keep) {
    if (keep >= rows_written_) return;
    std::vector<Row> rows(keep);
    if (keep > 0) hdf5::read_range(rows_.get(), row_type_.get(), 0, keep, rows.data(), "reading checkpoints");
    state_written_ = keep == 0 ? 0 : rows.back().state_offset + rows.back().state_bytes;
    extents_written_ = keep == 0 ? 0 : rows.back().extents_offset + rows.back().extents_count;
    rows_written_ = keep;
    const std::string what = "trimming the checkpoint log";
    for (auto [dataset, size] : {std::pair{rows_.get(), rows_written_}, std::pair{state_.get(), state_written_},
                                 std::pair{extents_.get(), extents_written_}}) {
        const hsize_t dims[1] = {size};
        hdf5::check_status(H5Dset_extent(dataset, dims), what);
    }
}

void CheckpointLog::close(const std::string& what) {
    rows_.close(what);
    state_.close(what);
    extents_.close(what);
    row_type_.reset();
}

void CheckpointLog::write_datasets() {
    hdf5::Handle group = hdf5::group(H5Gopen2(file_, group_path, H5P_DEFAULT), "opening /checkpoints");
    hdf5::set_attribute(group.get(), "datasets", joined(datasets_));
}

void CheckpointLog::add_dataset(const std::string& name) {
    datasets_.push_back(name);
    write_datasets();
}

void CheckpointLog::keep_datasets(std::size_t count) {
    if (count >= datasets_.size()) return;
    datasets_.resize(count);
    write_datasets();
}

void drop_checkpoint_log(hid_t file, const std::string& what) {
    if (CheckpointLog::exists(file)) hdf5::check_status(H5Ldelete(file, group_path, H5P_DEFAULT), what);
}

void CheckpointLog::release() noexcept {
    rows_.release();
    state_.release();
    extents_.release();
}

}  // namespace mpitray::io
