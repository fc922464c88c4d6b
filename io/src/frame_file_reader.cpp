#include <mpitray/io/frame_file_reader.hpp>

#include <mpitray/core/crc32c.hpp>
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/io/output_file.hpp>
#include <mpitray/io/table_writer.hpp>

#include <fmt/format.h>

#include <sys/stat.h>
#include <algorithm>
#include <new>

namespace mpitray::io {
namespace {

constexpr std::uint64_t index_block_rows = 8192;
constexpr std::uint64_t data_window_bytes = 4 << 20;

}  // namespace

std::string FrameFileReader::not_a_frame_file(const std::string& format) const {
    if (format == table_file_format_name)
        return fmt::format(
            "'{}' is an mpitray table file (format '{}'), not a frame file: mpitray dump, diff, merge and "
            "the Reader read frame files only. Read its tables with h5py or pandas "
            "(docs/user-guide.md, TableWriter)",
            path_, format);
    if (format.empty()) return "'" + path_ + "' is an HDF5 file but not an mpitray frame file (no 'format' attribute)";
    return fmt::format("'{}' is an HDF5 file but not an mpitray frame file: its format is '{}', not '{}'", path_,
                       format, file_format_name);
}

FrameFileReader::FrameFileReader(std::string path) : path_(std::move(path)) {
    hdf5::silence_errors();
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
        std::string message = "cannot open frame file '" + path_ + "': " + std::strerror(errno);
        if (::stat((path_ + partial_suffix).c_str(), &st) == 0)
            message += " (there is a '" + path_ + partial_suffix + "': the run that wrote it did not finish)";
        throw StorageError(message);
    }
    if (H5Fis_hdf5(path_.c_str()) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw StorageError("'" + path_ + "' is not an HDF5 file (or is damaged)");
    }
    hid_t opened = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (opened < 0) {
        // A killed run's NAME.partial still says it is being written (HDF5's SWMR marks): it
        // opens as SWMR readers open a file, which is what it was written for.
        const hdf5::Handle access = hdf5::output_file_access(hdf5::FileFormat::swmr);
        opened = H5Fopen(path_.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, access.get());
        if (opened >= 0) H5Eclear2(H5E_DEFAULT);
        else opened = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);  // for HDF5's own reason
    }
    file_ = hdf5::file(opened, "cannot open frame file '" + path_ + "'");
    const hid_t root = file_.get();
    if (const std::string format = hdf5::string_attribute(root, "format"); format != file_format_name)
        throw StorageError(not_a_frame_file(format));
    const std::uint64_t version = hdf5::uint_attribute(root, "format_version");
    if (version != file_format_version)
        throw StorageError(fmt::format("'{}' has frame file format version {}; this build reads version {}", path_,
                                       version, file_format_version));
    info_.status = hdf5::string_attribute(root, "status", "unknown");
    info_.status_reason = hdf5::string_attribute(root, "status_reason");
    info_.input_frames = hdf5::uint_attribute(root, "input_frames");
    if (hdf5::has_attribute(root, "skipped_packets"))
        info_.skipped_packets = hdf5::uint_attribute(root, "skipped_packets");
    info_.failure_log = hdf5::string_attribute(root, "failure_log");
    if (hdf5::has_attribute(root, "seed")) info_.seed = hdf5::uint_attribute(root, "seed");
    info_.pipeline = hdf5::string_attribute(root, "pipeline");
    info_.pipeline_file = hdf5::string_attribute(root, "pipeline_file");
    info_.mpitray_version = hdf5::string_attribute(root, "mpitray_version");
    info_.created = hdf5::string_attribute(root, "created");
    info_.closed = hdf5::string_attribute(root, "closed");

    const std::string what = "reading '" + path_ + "'";
    data_ = hdf5::dataset(H5Dopen2(root, data_path, H5P_DEFAULT), what + ": no " + data_path);
    index_ = hdf5::dataset(H5Dopen2(root, index_path, H5P_DEFAULT), what + ": no " + index_path);
    row_type_ = index_row_type();
    // Shape and types as written, before a row is read: a file can declare anything.
    const std::string where = "'" + path_ + "': ";
    data_size_ = hdf5::extent(data_.get(), where + data_path);
    info_.frames = hdf5::extent(index_.get(), where + index_path);
    const hdf5::Handle data_type = hdf5::dataset_type(data_.get());
    if (const std::string problem = data_type_problem(data_type.get()); !problem.empty())
        throw StorageError(where + data_path + problem);
    if (const std::string problem = index_type_problem(hdf5::dataset_type(index_.get()).get()); !problem.empty())
        throw StorageError(where + index_path + problem);
    data_memory_type_ = hdf5::native_type(data_type.get());  // int8 or opaque bytes unconverted
}

void FrameFileReader::fail(std::uint64_t frame, const std::string& message) const {
    throw StorageError(fmt::format("'{}', frame {}: {}", path_, frame, message));
}

const IndexRow& FrameFileReader::row(std::uint64_t frame) {
    if (frame < rows_start_ || frame >= rows_start_ + rows_.size()) {
        const std::uint64_t count = std::min(index_block_rows, info_.frames - frame);
        rows_.resize(count);
        rows_start_ = frame;
        try {
            hdf5::read_range(index_.get(), row_type_.get(), frame, count, rows_.data(), "index");
        } catch (const StorageError& e) {
            fail(frame, std::string("cannot read the index: ") + e.what());
        }
    }
    return rows_[frame - rows_start_];
}

void FrameFileReader::read_data(std::uint64_t offset, std::uint64_t length, char* out) {
    hdf5::read_range(data_.get(), data_memory_type_.get(), offset, length, out, "data");
}

std::optional<SharedBuffer> FrameFileReader::next_encoded() {
    if (next_ >= info_.frames) return std::nullopt;
    const std::uint64_t frame = next_;
    const IndexRow r = row(frame);
    if (r.length < frame_header_size + frame_trailer_size)
        fail(frame,
             fmt::format("its index row gives a length of {} bytes, shorter than any frame: the index is damaged",
                         r.length));
    // Every length is checked against what the file holds before anything of that size is
    // allocated: first the data's extent (without computing offset + length, which can wrap) ...
    if (r.length > data_size_ || r.offset > data_size_ - r.length) {
        if (r.length > data_size_ || r.offset > data_size_)
            fail(frame, fmt::format("its index row claims {} bytes from byte {}, more than the data holds ({} bytes): "
                                    "the index is damaged",
                                    r.length, r.offset, data_size_));
        fail(frame, fmt::format("its bytes {}..{} lie past the end of the data ({} bytes): the file is truncated",
                                r.offset, r.offset + r.length, data_size_));
    }
    // ... then, for a frame larger than the read window (smaller ones go through the window,
    // whose size is bounded), that its bytes are stored, not merely declared.
    if (r.length >= data_window_bytes && !hdf5::stored(data_.get(), r.offset, r.length))
        fail(frame,
             fmt::format("its bytes {}..{} are not stored in the file ({} declares them but no chunk holding them "
                         "was written): the file is damaged",
                         r.offset, r.offset + r.length, data_path));
    std::shared_ptr<Buffer> buffer;
    try {
        buffer = std::make_shared<Buffer>(r.length);
        const bool in_window = r.offset >= window_start_ && r.offset + r.length <= window_start_ + window_.size();
        if (in_window) {
            std::copy_n(window_.data() + (r.offset - window_start_), r.length, buffer->data());
        } else if (r.length >= data_window_bytes) {
            read_data(r.offset, r.length, buffer->data());
        } else {
            window_start_ = r.offset;
            window_.resize(std::min(data_window_bytes, data_size_ - r.offset));
            read_data(window_start_, window_.size(), window_.data());
            std::copy_n(window_.data(), r.length, buffer->data());
        }
    } catch (const StorageError& e) {
        window_.clear();
        fail(frame, std::string("cannot read its bytes: ") + e.what());
    } catch (const std::bad_alloc&) {
        window_.clear();
        fail(frame, fmt::format("its {} bytes do not fit in memory", r.length));
    }
    if (stored_checksum(*buffer) != r.checksum)
        fail(frame,
             fmt::format("the checksum in the index ({:08x}) does not match the frame's ({:08x}): the file is damaged",
                         r.checksum, stored_checksum(*buffer)));
    if (crc32c(buffer->data(), buffer->size() - frame_trailer_size) != r.checksum)
        fail(frame, "checksum mismatch: the frame's bytes are damaged");
    ++next_;
    return SharedBuffer(std::move(buffer));
}

FramePtr FrameFileReader::next() {
    const std::uint64_t frame = next_;
    auto encoded = next_encoded();
    if (!encoded) return nullptr;
    return decode(std::move(*encoded), frame);
}

FramePtr FrameFileReader::decode(SharedBuffer encoded, std::uint64_t frame) const {
    const std::size_t size = encoded->size();
    try {
        return decode_frame(std::move(encoded), Checksum::already_verified);
    } catch (const SerializationError& e) {
        fail(frame, e.what());
    } catch (const std::bad_alloc&) {
        fail(frame, fmt::format("decoding its {} bytes ran out of memory", size));
    }
}

}  // namespace mpitray::io
