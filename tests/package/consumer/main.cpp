// Uses an installed mpitray the way a physics project would: its own object type and module,
// the built-in Generator, and the Writer, in a tray it builds itself.
#include "reconstruct.hpp"

#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/pipeline.hpp>
#include <mpitray/core/tray_builder.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/modules.hpp>
#include <mpitray/modules/builtin.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    register_reconstruct();
    mpitray::register_builtin_modules();
    mpitray::io::register_io_modules();
    const std::string out = argv[1];
    const auto pipeline = mpitray::parse_pipeline(
        "seed: 5\ntray:\n- module: Generator\n  params: {events: 20}\n- module: Reconstruct\n"
        "- module: Writer\n  params: {file: " +
            out + "}\n",
        "consumer.yaml");
    mpitray::TrayEnvironment env;
    env.seed = pipeline.seed;
    auto tray = mpitray::build_tray(pipeline.tray, env, mpitray::TrayRole::outer);
    tray->run();
    mpitray::io::FrameFileReader reader(out);
    int tracks = 0;
    while (auto frame = reader.next())
        if (frame->has("Track") && frame->at<Track>("Track").zenith >= 0) ++tracks;
    std::printf("consumer: %d tracks\n", tracks);
    return tracks == 20 ? 0 : 1;
}
