// The frame file writer and reader against raw HDF5 writes and reads of the same bytes (a 1-D
// uint8 dataset, same chunk size, appended and read in the same-size blocks, no compression).
// Arguments: frame size; each iteration moves 64 MiB.
#include "ratio_reporter.hpp"

#include <mpitray/core/frame_codec.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/frame_file_writer.hpp>
#include <mpitray/io/hdf5.hpp>

#include <unistd.h>
#include <filesystem>

using namespace mpitray;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t total_bytes = 64 << 20;
constexpr std::size_t block = 8 << 20;  // the writer's flush size and the raw baseline's write size

std::string scratch(const std::string& name) {
    return (fs::temp_directory_path() / ("mpitray_bench_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::shared_ptr<const Buffer> frame_bytes(std::size_t payload) {
    Frame frame(Stop::physics());
    std::vector<std::uint8_t> bytes(payload);
    for (std::size_t i = 0; i < payload; ++i) bytes[i] = std::uint8_t(i * 131 + 7);
    frame.put("Payload", std::move(bytes));
    const ByteView encoded = encode_frame(frame);
    return std::make_shared<const Buffer>(encoded.data(), encoded.data() + encoded.size());
}

std::size_t frame_count(const std::shared_ptr<const Buffer>& frame) {
    return std::max<std::size_t>(1, total_bytes / frame->size());
}

void write_raw(const std::string& path, const std::vector<char>& data) {
    hdf5::Handle file = hdf5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create");
    const hsize_t zero[1] = {0}, unlimited[1] = {H5S_UNLIMITED}, chunk[1] = {1 << 20};
    hdf5::Handle space = hdf5::dataspace(H5Screate_simple(1, zero, unlimited), "space");
    hdf5::Handle create = hdf5::plist(H5Pcreate(H5P_DATASET_CREATE), "plist");
    H5Pset_chunk(create.get(), 1, chunk);
    hdf5::Handle data_set = hdf5::dataset(
        H5Dcreate2(file.get(), "data", H5T_NATIVE_UINT8, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT),
        "dataset");
    for (std::size_t at = 0; at < data.size(); at += block) {
        const std::size_t n = std::min(block, data.size() - at);
        const hsize_t size[1] = {at + n};
        hdf5::check_status(H5Dset_extent(data_set.get(), size), "extend");
        hdf5::write_range(data_set.get(), H5T_NATIVE_UINT8, at, n, data.data() + at, "write");
    }
}

void RawHdf5Write(benchmark::State& state) {
    const auto frame = frame_bytes(std::size_t(state.range(0)));
    std::vector<char> data;
    for (std::size_t i = 0; i < frame_count(frame); ++i) data.insert(data.end(), frame->begin(), frame->end());
    const std::string path = scratch("raw.h5");
    for (auto _ : state) write_raw(path, data);
    fs::remove(path);
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(data.size()));
}

void WriterWrite(benchmark::State& state) {
    const auto frame = frame_bytes(std::size_t(state.range(0)));
    const int compression = int(state.range(1));
    const std::string path = scratch("writer.h5");
    RunState done;
    done.ending = RunEnding::complete;
    for (auto _ : state) {
        io::FrameFileWriter writer(path, io::Provenance{}, io::WriterOptions{compression});
        for (std::size_t i = 0; i < frame_count(frame); ++i) writer.write_encoded(*frame);
        writer.close(done);
    }
    fs::remove(path);
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(frame_count(frame) * frame->size()));
}

void RawHdf5Read(benchmark::State& state) {
    const auto frame = frame_bytes(std::size_t(state.range(0)));
    std::vector<char> data;
    for (std::size_t i = 0; i < frame_count(frame); ++i) data.insert(data.end(), frame->begin(), frame->end());
    const std::string path = scratch("raw_read.h5");
    write_raw(path, data);
    std::vector<char> in(std::max(block, frame->size()));
    for (auto _ : state) {
        hdf5::Handle file = hdf5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open");
        hdf5::Handle data_set = hdf5::dataset(H5Dopen2(file.get(), "data", H5P_DEFAULT), "open");
        for (std::size_t at = 0; at < data.size(); at += block) {
            hdf5::read_range(data_set.get(), H5T_NATIVE_UINT8, at, std::min(block, data.size() - at), in.data(),
                             "read");
        }
        benchmark::DoNotOptimize(in.data());
    }
    fs::remove(path);
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(data.size()));
}

void ReaderRead(benchmark::State& state) {
    const auto frame = frame_bytes(std::size_t(state.range(0)));
    const std::string path = scratch("reader.h5");
    {
        RunState done;
        done.ending = RunEnding::complete;
        io::FrameFileWriter writer(path, io::Provenance{}, io::WriterOptions{int(state.range(1))});
        for (std::size_t i = 0; i < frame_count(frame); ++i) writer.write_encoded(*frame);
        writer.close(done);
    }
    for (auto _ : state) {
        io::FrameFileReader reader(path);
        while (auto bytes = reader.next_encoded()) benchmark::DoNotOptimize((*bytes)->data());
    }
    fs::remove(path);
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(frame_count(frame) * frame->size()));
}

}  // namespace

BENCHMARK(RawHdf5Write)->Arg(4096)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(WriterWrite)
    ->Args({4096, 0})
    ->Args({1 << 20, 0})
    ->Args({4096, 1})
    ->Args({1 << 20, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(RawHdf5Read)->Arg(4096)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(ReaderRead)
    ->Args({4096, 0})
    ->Args({1 << 20, 0})
    ->Args({4096, 1})
    ->Args({1 << 20, 1})
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    return bench::run_with_ratios(argc, argv,
                                  {{"WriterWrite/4096/0", "RawHdf5Write/4096"},
                                   {"WriterWrite/1048576/0", "RawHdf5Write/1048576"},
                                   {"WriterWrite/4096/1", "RawHdf5Write/4096"},
                                   {"WriterWrite/1048576/1", "RawHdf5Write/1048576"},
                                   {"ReaderRead/4096/0", "RawHdf5Read/4096"},
                                   {"ReaderRead/1048576/0", "RawHdf5Read/1048576"},
                                   {"ReaderRead/4096/1", "RawHdf5Read/4096"},
                                   {"ReaderRead/1048576/1", "RawHdf5Read/1048576"}});
}
