// Fuzzes the frame-file reader (index and data) the way a damaged disk or a hostile writer could:
// a well-formed HDF5 file whose /frames/index rows and /frames/data bytes come from the input.
// Fuzzing the HDF5 container itself would fuzz the HDF5 library; this fuzzes mpitray's reading.
//
// Input: byte 0 is the number of index rows (at most 31), then each row as 29 raw bytes
// (sequence u64, stop char, offset u64, length u64, checksum u32, host byte order), then the
// data. Every frame is read and decoded, and each object's summary taken, as `dump --values`
// does.
#include "fuzz_support.hpp"

#include <mpitray/core/table_row.hpp>
#include <mpitray/io/frame_file_layout.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/frame_file_writer.hpp>
#include <mpitray/io/hdf5.hpp>

#include <hdf5.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace mpitray;

constexpr std::size_t row_bytes = 8 + 1 + 8 + 8 + 4;

fs::path work_directory() {
    static const fs::path directory = [] {
        fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        fs::path own = base / ("mpitray-fuzz-" + std::to_string(getpid()));
        fs::create_directories(own);
        return own;
    }();
    return directory;
}

// A valid, empty frame file with every root attribute a reader expects, written once.
const fs::path& template_file() {
    static const fs::path path = [] {
        const fs::path file = work_directory() / "template.h5";
        io::FrameFileWriter writer(file.string(), io::Provenance{"fuzz.yaml", "seed: 1\n", 1, ""});
        RunState state;
        state.ending = RunEnding::complete;
        writer.close(state);
        return file;
    }();
    return path;
}

template <class T>
T take(const std::uint8_t*& in) {
    T value;
    std::memcpy(&value, in, sizeof value);
    in += sizeof value;
    return value;
}

void replace_dataset(hid_t file, const char* path, hid_t type, std::uint64_t count, const void* values) {
    hdf5::check_status(H5Ldelete(file, path, H5P_DEFAULT), std::string("delete ") + path);
    const hsize_t dims[1] = {count};
    hdf5::Handle space = hdf5::dataspace(H5Screate_simple(1, dims, nullptr), "dataspace");
    hdf5::Handle set = hdf5::dataset(H5Dcreate2(file, path, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                     std::string("create ") + path);
    if (count > 0)
        hdf5::check_status(H5Dwrite(set.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values),
                           std::string("write ") + path);
}

// The file this input describes, or "" when the input is too short to say.
std::string write_case(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return {};
    const std::size_t rows = data[0] % 32;
    if (size < 1 + rows * row_bytes) return {};
    const std::uint8_t* in = data + 1;
    std::vector<io::IndexRow> index(rows);
    for (io::IndexRow& row : index) {
        row.sequence = take<std::uint64_t>(in);
        row.stop = take<char>(in);
        row.offset = take<std::uint64_t>(in);
        row.length = take<std::uint64_t>(in);
        row.checksum = take<std::uint32_t>(in);
    }
    const std::size_t data_size = size - std::size_t(in - data);

    const fs::path file = work_directory() / "case.h5";
    fs::copy_file(template_file(), file, fs::copy_options::overwrite_existing);
    hdf5::Handle handle = hdf5::file(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open the case");
    hdf5::Handle row_type = io::index_row_type();
    replace_dataset(handle.get(), io::index_path, row_type.get(), rows, index.data());
    replace_dataset(handle.get(), io::data_path, H5T_NATIVE_UINT8, data_size, in);
    return file.string();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    hdf5::silence_errors();
    (void)template_file();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string file = write_case(data, size);
    if (file.empty()) return 0;
    fuzz::expect_only_mpitray_errors([&] {
        io::FrameFileReader reader(file);
        while (FramePtr frame = reader.next()) {
            for (const auto& entry : frame->own())
                fuzz::expect_only_mpitray_errors([&] { (void)entry.second->summary(); });
        }
    });
    return 0;
}
