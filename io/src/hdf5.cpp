#include <mpitray/io/hdf5.hpp>

#include <fmt/format.h>

#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace mpitray::hdf5 {

namespace {
std::atomic<bool> close_failed{false};

void close_library_unless_a_close_failed() {
    if (!close_failed) H5close();
}

// Before main, so before any HDF5 call: H5dont_atexit() works only before HDF5 starts up.
// Should something have started HDF5 earlier, its own exit handler stays, as before.
const bool exit_taken_over = [] {
    if (H5dont_atexit() < 0) return false;
    std::atexit(close_library_unless_a_close_failed);
    return true;
}();
}  // namespace

bool a_close_failed() noexcept { return close_failed; }

herr_t close_file_id(hid_t id) {
    const herr_t status = H5Fclose(id);
    if (status < 0) close_failed = true;
    return status;
}

herr_t close_dataset_id(hid_t id) {
    const herr_t status = H5Dclose(id);
    if (status < 0) close_failed = true;
    return status;
}

void silence_errors() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {
// HDF5's file driver reports a failed read or write as one long line (time, descriptor, buffer
// address, sizes, ...) with the system's reason inside; keep what failed and the reason:
// "file write failed: No space left on device".
std::string shorten_driver_message(const std::string& text) {
    const std::string marker = "error message = '";
    const auto at = text.find(marker);
    const auto colon = text.find(": time = ");
    if (at == std::string::npos || colon == std::string::npos) return text;
    const auto start = at + marker.size();
    const auto end = text.find('\'', start);
    if (end == std::string::npos) return text;
    return text.substr(0, colon) + ": " + text.substr(start, end - start);
}
}  // namespace

std::string error_stack() {
    std::vector<std::string> lines;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_DOWNWARD,
        [](unsigned, const H5E_error2_t* error, void* data) -> herr_t {
            auto* out = static_cast<std::vector<std::string>*>(data);
            if (error->desc && *error->desc) out->push_back(shorten_driver_message(error->desc));
            return 0;
        },
        &lines);
    H5Eclear2(H5E_DEFAULT);
    std::string text;
    // The innermost messages say most precisely what went wrong ("unable to open file", "truncated file").
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        if (text.find(*it) != std::string::npos) continue;
        text += (text.empty() ? "" : "; ") + *it;
        if (text.size() > 300) break;
    }
    return text.empty() ? "HDF5 gave no reason" : text;
}

hid_t check(hid_t result, const std::string& what) {
    if (result < 0) throw StorageError(what + ": " + error_stack());
    return result;
}

void check_status(herr_t result, const std::string& what) {
    if (result < 0) throw StorageError(what + ": " + error_stack());
}

Handle output_file_access(FileFormat format) {
    Handle access = plist(H5Pcreate(H5P_FILE_ACCESS), "file access properties");
    check_status(H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG), "file access properties");
    if (format == FileFormat::swmr) {
        check_status(H5Pset_libver_bounds(access.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
                     "file access properties");
        // HDF5 drops its lock when SWMR writing starts; the writer holds its own (io/file_lock.hpp).
        check_status(H5Pset_file_locking(access.get(), false, true), "file access properties");
    }
    return access;
}

void flush_file(hid_t file, const std::string& what) { check_status(H5Fflush(file, H5F_SCOPE_LOCAL), what); }

void sync_file(hid_t file, const std::string& what) {
    flush_file(file, what);
    void* handle = nullptr;
    check_status(H5Fget_vfd_handle(file, H5P_DEFAULT, &handle), what);
    // The default (sec2) driver's handle is its file descriptor.
    if (handle != nullptr && ::fsync(*static_cast<int*>(handle)) != 0)
        throw StorageError(what + ": " + std::strerror(errno));
}

void give_up_file(Handle& file) noexcept {
    if (!file) return;
    void* handle = nullptr;
    // The default (sec2) driver's handle is its file descriptor.
    if (H5Fget_vfd_handle(file.get(), H5P_DEFAULT, &handle) >= 0 && handle != nullptr) {
        [[maybe_unused]] const int emptied = ::ftruncate(*static_cast<int*>(handle), 0);  // best effort
    }
    H5Eclear2(H5E_DEFAULT);
    file.reset();  // close_file_id: closes all the file's objects (H5F_CLOSE_STRONG), notes a failure
    H5Eclear2(H5E_DEFAULT);
}

bool has_attribute(hid_t object, const std::string& name) {
    return check(H5Aexists(object, name.c_str()), "checking attribute " + name) > 0;
}

namespace {
void remove_if_present(hid_t object, const std::string& name) {
    if (has_attribute(object, name)) check_status(H5Adelete(object, name.c_str()), "replacing attribute " + name);
}
}  // namespace

void set_attribute(hid_t object, const std::string& name, const std::string& value) {
    // A variable-length HDF5 string ends at its first NUL byte: refuse rather than keep a prefix.
    if (const auto nul = value.find('\0'); nul != std::string::npos)
        throw StorageError(
            fmt::format("attribute '{}': the text has a NUL byte at byte {} of {}, which an HDF5 string "
                        "cannot hold",
                        name, nul, value.size()));
    remove_if_present(object, name);
    Handle type = datatype(H5Tcopy(H5T_C_S1), "string type");
    check_status(H5Tset_size(type.get(), H5T_VARIABLE), "string type");
    check_status(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type");
    Handle space = dataspace(H5Screate(H5S_SCALAR), "scalar dataspace");
    Handle attr = attribute(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                            "creating attribute " + name);
    const char* text = value.c_str();
    check_status(H5Awrite(attr.get(), type.get(), &text), "writing attribute " + name);
}

void set_attribute(hid_t object, const std::string& name, std::uint64_t value) {
    remove_if_present(object, name);
    Handle space = dataspace(H5Screate(H5S_SCALAR), "scalar dataspace");
    Handle attr = attribute(H5Acreate2(object, name.c_str(), H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                            "creating attribute " + name);
    check_status(H5Awrite(attr.get(), H5T_NATIVE_UINT64, &value), "writing attribute " + name);
}

std::string string_attribute(hid_t object, const std::string& name, const std::string& fallback) {
    if (!has_attribute(object, name)) return fallback;
    Handle attr = attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    Handle stored = datatype(H5Aget_type(attr.get()), "attribute type");
    if (H5Tget_class(stored.get()) != H5T_STRING) return fallback;
    Handle type = datatype(H5Tcopy(H5T_C_S1), "string type");
    check_status(H5Tset_cset(type.get(), H5Tget_cset(stored.get())), "string type");
    if (H5Tis_variable_str(stored.get()) > 0) {
        check_status(H5Tset_size(type.get(), H5T_VARIABLE), "string type");
        char* text = nullptr;
        check_status(H5Aread(attr.get(), type.get(), &text), "reading attribute " + name);
        std::string value = text ? text : "";
        H5free_memory(text);
        return value;
    }
    const std::size_t size = H5Tget_size(stored.get());
    check_status(H5Tset_size(type.get(), size), "string type");
    std::string value(size, '\0');
    check_status(H5Aread(attr.get(), type.get(), value.data()), "reading attribute " + name);
    return value.substr(0, value.find('\0'));
}

std::uint64_t uint_attribute(hid_t object, const std::string& name, std::uint64_t fallback) {
    if (!has_attribute(object, name)) return fallback;
    Handle attr = attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    std::uint64_t value = 0;
    check_status(H5Aread(attr.get(), H5T_NATIVE_UINT64, &value), "reading attribute " + name);
    return value;
}

namespace {
// The file-side selection of elements [start, start + count) and a memory space of that size.
std::pair<Handle, Handle> range_spaces(hid_t dataset, std::uint64_t start, std::uint64_t count,
                                       const std::string& what) {
    Handle file_space = dataspace(H5Dget_space(dataset), what);
    const hsize_t first[1] = {start};
    const hsize_t n[1] = {count};
    check_status(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, first, nullptr, n, nullptr), what);
    return {std::move(file_space), dataspace(H5Screate_simple(1, n, nullptr), what)};
}
}  // namespace

void read_range(hid_t dataset, hid_t memory_type, std::uint64_t start, std::uint64_t count, void* out,
                const std::string& what) {
    auto [file_space, memory_space] = range_spaces(dataset, start, count, what);
    check_status(H5Dread(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, out), what);
}

void write_range(hid_t dataset, hid_t memory_type, std::uint64_t start, std::uint64_t count, const void* data,
                 const std::string& what) {
    auto [file_space, memory_space] = range_spaces(dataset, start, count, what);
    check_status(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, data), what);
}

std::uint64_t extent(hid_t dataset_id, const std::string& what) {
    Handle space = dataspace(H5Dget_space(dataset_id), what);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    check(rank, what + ": its rank");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), what + ": its extent");
    if (rank == 1) return dims[0];
    if (rank == 0) throw StorageError(what + " is a scalar, not 1-D");
    std::string shape;
    for (const hsize_t n : dims) shape += (shape.empty() ? "" : " x ") + std::to_string(n);
    throw StorageError(fmt::format("{} is {}-D ({}), not 1-D", what, rank, shape));
}

bool stored(hid_t dataset_id, std::uint64_t start, std::uint64_t count) {
    if (count == 0) return true;
    Handle create = plist(H5Dget_create_plist(dataset_id), "dataset creation properties");
    const H5D_layout_t layout = H5Pget_layout(create.get());
    if (layout == H5D_COMPACT) return true;  // in the object header, all of it
    if (layout == H5D_CONTIGUOUS) {          // all or nothing: allocated when first written
        const bool allocated = H5Dget_offset(dataset_id) != HADDR_UNDEF;
        H5Eclear2(H5E_DEFAULT);
        return allocated;
    }
    if (layout != H5D_CHUNKED) return false;  // virtual: the bytes are in other files, if anywhere
    hsize_t chunk = 0;
    check(H5Pget_chunk(create.get(), 1, &chunk), "dataset chunk size");
    if (chunk == 0) return false;
    const std::uint64_t last = (start + count - 1) / chunk;  // the caller checked start + count <= extent
    for (std::uint64_t i = start / chunk; i <= last; ++i) {
        const hsize_t offset[1] = {i * chunk};
        unsigned filters = 0;
        haddr_t address = HADDR_UNDEF;
        hsize_t size = 0;
        check_status(H5Dget_chunk_info_by_coord(dataset_id, offset, &filters, &address, &size), "dataset chunk");
        if (address == HADDR_UNDEF) return false;
    }
    return true;
}

std::string type_name(hid_t type) {
    const std::size_t bits = 8 * H5Tget_size(type);
    switch (H5Tget_class(type)) {
        case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
        case H5T_FLOAT: return "float" + std::to_string(bits);
        case H5T_STRING:
            return H5Tis_variable_str(type) > 0 ? "string(variable length)" : fmt::format("string({})", bits / 8);
        case H5T_OPAQUE: return fmt::format("opaque({})", bits / 8);
        case H5T_COMPOUND: return "compound";
        case H5T_ENUM: return "enum";
        case H5T_VLEN: return "variable-length sequence";
        case H5T_ARRAY: return "array";
        case H5T_BITFIELD: return "bitfield";
        case H5T_REFERENCE: return "reference";
        case H5T_TIME: return "time";
        default: return "an unknown type";
    }
}

Handle member_type(hid_t compound, const std::string& name) {
    const int index = H5Tget_member_index(compound, name.c_str());
    if (index < 0) {
        H5Eclear2(H5E_DEFAULT);
        return {};
    }
    return datatype(H5Tget_member_type(compound, static_cast<unsigned>(index)), "type of member " + name);
}

}  // namespace mpitray::hdf5
