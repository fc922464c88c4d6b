#include <mpitray/io/output_rewind.hpp>

#include <mpitray/core/crc32c.hpp>
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/io/file_lock.hpp>
#include <mpitray/io/frame_file_layout.hpp>

#include <fmt/format.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mpitray::io {
namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::string on_disk(const LeftOutput& output) {
    return output.where == LeftOutput::Where::partial ? partial_path_of(output.path) : output.path;
}

// A killed run's file still says it is being written (HDF5's SWMR marks): only an SWMR reader
// opens it as it is; the writer clears the marks.
hdf5::Handle open_left(const LeftOutput& output, unsigned flags) {
    hdf5::Handle access = hdf5::output_file_access(hdf5::FileFormat::swmr);
    if (output.where == LeftOutput::Where::partial) {
        if (flags == H5F_ACC_RDONLY) flags |= H5F_ACC_SWMR_READ;
        else {
            hbool_t clear = true;
            hdf5::check_status(H5Pset(access.get(), "clear_status_flags", &clear), "file access properties");
        }
    }
    const std::string path = on_disk(output);
    return hdf5::file(H5Fopen(path.c_str(), flags, access.get()), "cannot open '" + path + "'");
}

const RecordedCheckpoint& checkpoint_of(const LeftOutput& output, std::uint64_t number) {
    const RecordedCheckpoint* found = output.find(number);
    if (found == nullptr) throw StorageError(fmt::format("'{}' has no checkpoint {}", on_disk(output), number));
    return *found;
}

std::uint64_t recorded_extent(const LeftOutput& output, const RecordedCheckpoint& checkpoint,
                              const std::string& dataset) {
    for (std::size_t i = 0; i < output.datasets.size() && i < checkpoint.extents.size(); ++i)
        if (output.datasets[i] == dataset) return checkpoint.extents[i];
    throw StorageError(fmt::format("checkpoint {} of '{}' does not record {}", checkpoint.checkpoint.number,
                                   on_disk(output), dataset));
}

// The frames a frame file holds at `checkpoint` that are newer than the checkpoint before it:
// whole, one after the other, and with their checksums.
void verify_frames(hid_t file, const LeftOutput& output, const RecordedCheckpoint& checkpoint) {
    const std::string name = on_disk(output);
    const std::uint64_t bytes = recorded_extent(output, checkpoint, data_path);
    const std::uint64_t frames = recorded_extent(output, checkpoint, index_path);
    std::uint64_t first = 0;
    for (const RecordedCheckpoint& earlier : output.checkpoints)
        if (earlier.checkpoint.number < checkpoint.checkpoint.number)
            first = std::max(first, std::min(frames, recorded_extent(output, earlier, index_path)));
    hdf5::Handle data = hdf5::dataset(H5Dopen2(file, data_path, H5P_DEFAULT), "opening " + std::string(data_path));
    hdf5::Handle index = hdf5::dataset(H5Dopen2(file, index_path, H5P_DEFAULT), "opening " + std::string(index_path));
    if (hdf5::extent(data.get()) < bytes || hdf5::extent(index.get()) < frames)
        throw StorageError(
            fmt::format("'{}' holds less than its checkpoint {} counts", name, checkpoint.checkpoint.number));
    if (frames == 0) return;
    const hdf5::Handle row_type = index_row_type();
    std::vector<IndexRow> rows(frames - first + (first > 0 ? 1 : 0));
    const std::uint64_t from = first > 0 ? first - 1 : 0;  // with the row before, to check they follow on
    hdf5::read_range(index.get(), row_type.get(), from, rows.size(), rows.data(), "reading " + name);
    std::vector<char> bytes_of_frame;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const IndexRow& row = rows[i];
        const std::uint64_t expected_offset = i == 0 ? row.offset : rows[i - 1].offset + rows[i - 1].length;
        if (row.sequence != from + i || row.offset != expected_offset || row.length < frame_trailer_size ||
            row.offset > bytes || row.length > bytes - row.offset)
            throw StorageError(fmt::format("'{}' is damaged: its index row {} does not follow on", name, from + i));
        if (i == 0 && first > 0) continue;  // verified with the checkpoint before
        bytes_of_frame.resize(row.length);
        hdf5::read_range(data.get(), H5T_NATIVE_UINT8, row.offset, row.length, bytes_of_frame.data(),
                         "reading " + name);
        const std::span<const char> encoded(bytes_of_frame);
        if (crc32c(encoded.data(), encoded.size() - frame_trailer_size) != stored_checksum(encoded) ||
            stored_checksum(encoded) != row.checksum)
            throw StorageError(fmt::format("'{}' is damaged: frame {} does not match its checksum", name, from + i));
    }
    if (rows.back().offset + rows.back().length != bytes)
        throw StorageError(fmt::format("'{}' is damaged: its frames do not end where checkpoint {} says", name,
                                       checkpoint.checkpoint.number));
}

void remove_attribute(hid_t object, const char* name) {
    if (hdf5::has_attribute(object, name))
        hdf5::check_status(H5Adelete(object, name), std::string("removing attribute ") + name);
}

}  // namespace

const RecordedCheckpoint* LeftOutput::find(std::uint64_t number) const {
    for (const RecordedCheckpoint& recorded : checkpoints)
        if (recorded.checkpoint.number == number) return &recorded;
    return nullptr;
}

LeftOutput read_left_output(const std::string& path) {
    hdf5::silence_errors();
    LeftOutput output;
    output.path = path;
    const std::string partial = partial_path_of(path);
    if (exists(partial)) output.where = LeftOutput::Where::partial;
    else if (exists(path)) output.where = LeftOutput::Where::closed;
    else return output;
    const std::string name = on_disk(output);
    if (const std::string problem = output_path_problem(path); !problem.empty())
        throw StorageError("cannot resume '" + path + "': " + problem);
    const FileLock lock(name, "resume");
    try {
        const hdf5::Handle file = open_left(output, H5F_ACC_RDONLY);
        const hid_t root = file.get();
        output.format = hdf5::string_attribute(root, "format");
        output.status = hdf5::string_attribute(root, "status", "unknown");
        output.provenance.pipeline_text = hdf5::string_attribute(root, "pipeline");
        output.provenance.pipeline_file = hdf5::string_attribute(root, "pipeline_file");
        output.provenance.overrides = hdf5::string_attribute(root, "overrides");
        output.provenance.seed =
            hdf5::has_attribute(root, "seed") ? std::optional(hdf5::uint_attribute(root, "seed")) : std::nullopt;
        // A complete table file has none (table_writer.hpp): nothing to resume from it anyway.
        const bool finished = output.status == "complete" || output.status == "event_limit";
        if (output.where == LeftOutput::Where::partial || !finished || CheckpointLog::exists(root)) {
            const CheckpointLog log = CheckpointLog::open(root);
            output.datasets = log.datasets();
            output.checkpoints = log.read();
        }
    } catch (const StorageError& e) {
        throw StorageError("cannot resume from '" + name + "': " + e.what());
    } catch (const std::exception& e) {  // sizes no memory holds: a damaged file
        throw StorageError("cannot resume from '" + name + "': it is damaged (" + e.what() + ")");
    }
    return output;
}

void verify_at_checkpoint(const LeftOutput& output, std::uint64_t number) {
    const RecordedCheckpoint& checkpoint = checkpoint_of(output, number);
    const std::string name = on_disk(output);
    const FileLock lock(name, "resume");
    try {
        const hdf5::Handle file = open_left(output, H5F_ACC_RDONLY);
        for (std::size_t i = 0; i < output.datasets.size() && i < checkpoint.extents.size(); ++i) {
            const hdf5::Handle dataset = hdf5::dataset(H5Dopen2(file.get(), output.datasets[i].c_str(), H5P_DEFAULT),
                                                       "opening " + output.datasets[i]);
            if (hdf5::extent(dataset.get(), output.datasets[i]) < checkpoint.extents[i])
                throw StorageError(fmt::format("{} holds less than checkpoint {} counts", output.datasets[i], number));
        }
        if (output.format == file_format_name) verify_frames(file.get(), output, checkpoint);
    } catch (const StorageError& e) {
        throw StorageError("cannot resume from '" + name + "': " + e.what());
    } catch (const std::exception& e) {  // sizes no memory holds: a damaged file
        throw StorageError("cannot resume from '" + name + "': it is damaged (" + e.what() + ")");
    }
}

void rewind_output(const LeftOutput& output, std::uint64_t number) {
    const RecordedCheckpoint& checkpoint = checkpoint_of(output, number);
    const std::string partial = partial_path_of(output.path);
    LeftOutput at = output;
    if (output.where == LeftOutput::Where::closed) {
        // Under the partial name from here on: a resumed run killed while it writes leaves a
        // file that says so, never one under the final name that is not what it says.
        if (std::rename(output.path.c_str(), partial.c_str()) != 0)
            throw StorageError("cannot rename '" + output.path + "' to '" + partial + "': " + std::strerror(errno));
        at.where = LeftOutput::Where::partial;
    }
    const FileLock lock(partial, "resume");
    hdf5::Handle file = open_left(at, H5F_ACC_RDWR);
    const hid_t root = file.get();
    const std::string what = "rewinding '" + partial + "'";
    // A killed SWMR writer may leave chunks past the end of allocation its superblock records (a
    // compressed chunk that grew was moved to the end of the file, and the superblock was not
    // written again): SWMR readers see them, an ordinary writer would read past its end and,
    // worse, allocate new space over them. The allocation is made to cover the whole file.
    hdf5::check_status(H5Fincrement_filesize(root, 0), what);
    for (std::size_t i = 0; i < output.datasets.size() && i < checkpoint.extents.size(); ++i) {
        hdf5::Handle dataset =
            hdf5::dataset(H5Dopen2(root, output.datasets[i].c_str(), H5P_DEFAULT), "opening " + output.datasets[i]);
        const hsize_t size[1] = {checkpoint.extents[i]};
        hdf5::check_status(H5Dset_extent(dataset.get(), size), what);
    }
    CheckpointLog log = CheckpointLog::open(root);
    // Datasets made after the checkpoint (a table whose first row came later) go: the rows that
    // made them come again.
    for (std::size_t i = checkpoint.extents.size(); i < output.datasets.size(); ++i)
        if (H5Lexists(root, output.datasets[i].c_str(), H5P_DEFAULT) > 0)
            hdf5::check_status(H5Ldelete(root, output.datasets[i].c_str(), H5P_DEFAULT), what);
    log.keep_datasets(checkpoint.extents.size());
    std::uint64_t keep = 0;
    while (keep < output.checkpoints.size() && output.checkpoints[keep].checkpoint.number != number) ++keep;
    log.truncate(keep + 1);
    log.close(what);
    if (H5Lexists(root, "/summaries", H5P_DEFAULT) > 0)
        hdf5::check_status(H5Ldelete(root, "/summaries", H5P_DEFAULT), what);
    for (const char* ended : {"status_reason", "input_frames", "skipped_packets", "failure_log", "closed", "frames"})
        remove_attribute(root, ended);
    // An appended note's attribute, written at close, holds lines past the checkpoint: the
    // resumed writer rewrites it from the note's copy, which the cut above took back.
    for (const std::string& dataset : output.datasets)
        if (const std::string note = appended_note_of(dataset); !note.empty()) remove_attribute(root, note.c_str());
    hdf5::set_attribute(root, "status", std::string("writing"));
    file.close(what);
}

}  // namespace mpitray::io
