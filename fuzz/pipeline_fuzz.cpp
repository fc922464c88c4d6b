// Fuzzes the pipeline loader with arbitrary text: YAML parsing, the document's bounds (aliases,
// size, UTF-8), and the checks of the pipeline's shape. The last line of the input, when it holds
// an '=', is also applied as a --set override.
#include "fuzz_support.hpp"

#include <mpitray/core/pipeline.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    mpitray::fuzz::expect_only_mpitray_errors([&] {
        mpitray::Pipeline pipeline = mpitray::parse_pipeline(text, "fuzz.yaml");
        const std::size_t last_line = text.find_last_of('\n');
        const std::string set = last_line == std::string::npos ? text : text.substr(last_line + 1);
        if (set.find('=') != std::string::npos) mpitray::apply_override(pipeline, set);
    });
    return 0;
}
