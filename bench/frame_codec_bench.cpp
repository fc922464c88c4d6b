// Frame encoding and decoding of one payload of 4 KiB and 1 MiB, against a memcpy of the same
// bytes. Encode: a module's object serialized into a whole frame with its checksum. Decode: the
// frame checked and split into lazy objects (Lazy), or also the payload decoded (Full).
#include "ratio_reporter.hpp"

#include <mpitray/core/frame_codec.hpp>

#include <cstring>

using namespace mpitray;

namespace {

std::shared_ptr<const std::vector<std::uint8_t>> payload(std::size_t size) {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(size);
    for (std::size_t i = 0; i < size; ++i) (*bytes)[i] = std::uint8_t(i * 131 + 7);
    return bytes;
}

ByteView encoded(std::size_t size) {
    Frame frame(Stop::physics());
    frame.put("Payload", payload(size));
    return encode_frame(frame);
}

void Memcpy(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const ByteView source = encoded(size);
    std::vector<char> target(source.size());
    for (auto _ : state) {
        std::memcpy(target.data(), source.data(), source.size());
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(source.size()));
}

void Encode(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const auto value = payload(size);
    std::size_t bytes = 0;
    for (auto _ : state) {
        Frame frame(Stop::physics());  // a fresh object each time: nothing cached
        frame.put("Payload", value);
        const ByteView out = encode_frame(frame);
        bytes = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes));
}

void DecodeLazy(benchmark::State& state) {
    const ByteView bytes = encoded(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        const FramePtr frame = decode_frame(bytes);
        benchmark::DoNotOptimize(frame.get());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes.size()));
}

void DecodeFull(benchmark::State& state) {
    const ByteView bytes = encoded(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        const FramePtr frame = decode_frame(bytes);
        benchmark::DoNotOptimize(frame->get<std::vector<std::uint8_t>>("Payload")->data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes.size()));
}

}  // namespace

BENCHMARK(Memcpy)->Arg(4096)->Arg(1 << 20);
BENCHMARK(Encode)->Arg(4096)->Arg(1 << 20);
BENCHMARK(DecodeLazy)->Arg(4096)->Arg(1 << 20);
BENCHMARK(DecodeFull)->Arg(4096)->Arg(1 << 20);

int main(int argc, char** argv) {
    std::vector<bench::RatioPair> pairs;
    for (const char* size : {"4096", "1048576"})
        for (const char* contender : {"Encode", "DecodeLazy", "DecodeFull"})
            pairs.push_back({std::string(contender) + "/" + size, std::string("Memcpy/") + size});
    return bench::run_with_ratios(argc, argv, pairs);
}
