// Checkpoints of a frame file: recorded in the file, read back after the writer closed or was
// killed with SIGKILL at any moment, and a file rewound to one is written on as if never stopped.
#include <mpitray/core/standard_types.hpp>
#include <mpitray/core/summary_set.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/frame_file_writer.hpp>
#include <mpitray/io/output_rewind.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace mpitray;
using namespace mpitray::io;
namespace fs = std::filesystem;

namespace {

class Checkpoints : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("mpitray_checkpoint_test_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
};

// Frame i of every file here: its number, and a payload that compresses only somewhat.
FramePtr numbered_frame(std::uint64_t i) {
    auto frame = make_frame(Stop::physics());
    frame->put(event_header_key, EventHeader{1, std::int64_t(i), 0});
    std::vector<std::uint8_t> payload(3000);
    std::minstd_rand random(static_cast<std::uint32_t>(i) + 1);
    for (auto& byte : payload) byte = std::uint8_t(random() % 16);
    frame->put("Payload", std::move(payload));
    return frame;
}

RunState ended(RunEnding ending, std::uint64_t input_frames) {
    RunState state;
    state.ending = ending;
    state.input_frames = input_frames;
    return state;
}

Checkpoint checkpoint_at(std::uint64_t number, std::uint64_t input_frames) {
    SummarySet set;
    set.counter("frames").add(std::int64_t(input_frames));
    return {number, input_frames, 0, {set.frame("Counter")}};
}

// Every frame of the file is frame 0, 1, 2, ... in order.
std::uint64_t check_numbered_frames(const std::string& file) {
    FrameFileReader reader(file);
    std::uint64_t i = 0;
    while (FramePtr frame = reader.next()) {
        EXPECT_EQ(frame->at<EventHeader>(event_header_key).event, std::int64_t(i)) << file;
        EXPECT_EQ(frame->at<std::vector<std::uint8_t>>("Payload"),
                  numbered_frame(i)->at<std::vector<std::uint8_t>>("Payload"));
        ++i;
    }
    return i;
}

std::int64_t counted(const Checkpoint& checkpoint) {
    SummarySet set;
    set.add(*checkpoint.summaries.at(0));
    return set.objects().at("frames").get<Counter>()->value();
}

}  // namespace

TEST_F(Checkpoints, AStoppedFileRewindsToItsLastCheckpointAndGoesOn) {
    const std::string file = path("out.h5");
    {
        FrameFileWriter writer(file, Provenance{"p.yaml", "text", 7, "--set A.b=1"});
        for (std::uint64_t i = 0; i < 30; ++i) {
            writer.write(*numbered_frame(i));
            if (i == 9) writer.checkpoint(checkpoint_at(1, 10));
            if (i == 19) writer.checkpoint(checkpoint_at(2, 20));
        }
        SummarySet end;
        end.counter("frames").add(30);
        writer.write(*end.frame("Counter"));  // what closing a run writes: after the last checkpoint
        writer.close(ended(RunEnding::stopped, 30));
    }
    const LeftOutput left = read_left_output(file);
    EXPECT_EQ(left.where, LeftOutput::Where::closed);
    EXPECT_EQ(left.status, "stopped");
    EXPECT_EQ(left.provenance.pipeline_text, "text");
    EXPECT_EQ(left.provenance.seed, 7u);
    EXPECT_EQ(left.provenance.overrides, "--set A.b=1");
    ASSERT_EQ(left.checkpoints.size(), 2u);
    EXPECT_EQ(left.checkpoints[1].checkpoint.input_frames, 20u);
    EXPECT_EQ(counted(left.checkpoints[1].checkpoint), 20);
    verify_at_checkpoint(left, 2);
    rewind_output(left, 2);
    EXPECT_FALSE(fs::exists(file));
    ASSERT_TRUE(fs::exists(file + ".partial"));
    {
        FrameFileWriter writer(file, OutputFile::Continue{});
        EXPECT_EQ(writer.frames(), 20u);
        for (std::uint64_t i = 20; i < 25; ++i) writer.write(*numbered_frame(i));
        writer.checkpoint(checkpoint_at(3, 25));
        writer.close(ended(RunEnding::complete, 25));
    }
    EXPECT_EQ(check_numbered_frames(file), 25u);
    const LeftOutput again = read_left_output(file);
    EXPECT_EQ(again.status, "complete");
    ASSERT_EQ(again.checkpoints.size(), 3u);
    EXPECT_EQ(again.checkpoints[2].checkpoint.number, 3u);
}

// A resumed run that fails to configure (a later module, another rank) abandons its outputs:
// a continued file holds the earlier run's work and is kept for the next --resume.
TEST_F(Checkpoints, AContinuedFileIsKeptWhenTheRunNeverStarts) {
    const std::string file = path("out.h5");
    {
        FrameFileWriter writer(file, Provenance{});
        for (std::uint64_t i = 0; i < 10; ++i) writer.write(*numbered_frame(i));
        writer.checkpoint(checkpoint_at(1, 10));
        writer.close(ended(RunEnding::stopped, 10));
    }
    const LeftOutput left = read_left_output(file);
    rewind_output(left, 1);
    FrameFileWriter(file, OutputFile::Continue{}).discard();
    ASSERT_TRUE(fs::exists(file + ".partial"));
    const LeftOutput again = read_left_output(file);
    ASSERT_EQ(again.checkpoints.size(), 1u);
    verify_at_checkpoint(again, 1);
}

// An appended note (a failure log's lines) goes back to what it held at the checkpoint, even
// after the file was closed with more: the attribute written at close does not survive a rewind.
TEST_F(Checkpoints, AnAppendedNoteGoesBackToItsCheckpoint) {
    WriterOptions options;
    options.appended_notes = {"lines"};
    const std::string file = path("out.h5");
    auto attribute_of = [&](const std::string& name) {
        const hdf5::Handle f = hdf5::file(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), file);
        return hdf5::has_attribute(f.get(), name) ? std::optional(hdf5::string_attribute(f.get(), name)) : std::nullopt;
    };
    for (const std::string before : {"", "one\n"}) {
        {
            FrameFileWriter writer(file, Provenance{}, options);
            writer.write(*numbered_frame(0));
            if (!before.empty()) writer.append_note("lines", before);
            writer.checkpoint(checkpoint_at(1, 1));
            writer.write(*numbered_frame(1));
            writer.append_note("lines", "two\n");
            writer.close(ended(RunEnding::failed, 2));
        }
        EXPECT_EQ(attribute_of("lines"), before + "two\n");
        rewind_output(read_left_output(file), 1);
        {
            FrameFileWriter writer(file, OutputFile::Continue{}, options);
            writer.write(*numbered_frame(1));
            writer.close(ended(RunEnding::complete, 2));
        }
        EXPECT_EQ(check_numbered_frames(file), 2u);
        if (before.empty()) EXPECT_EQ(attribute_of("lines"), std::nullopt) << "no line before the checkpoint";
        else EXPECT_EQ(attribute_of("lines"), before);
    }
}

TEST_F(Checkpoints, ADamagedFrameBeforeTheCheckpointIsFoundAndNothingChanges) {
    const std::string file = path("out.h5");
    {
        WriterOptions plain;
        plain.compression = 0;  // the frames' bytes are where a byte offset finds them
        FrameFileWriter writer(file, Provenance{}, plain);
        for (std::uint64_t i = 0; i < 10; ++i) writer.write(*numbered_frame(i));
        writer.checkpoint(checkpoint_at(1, 10));
        writer.close(ended(RunEnding::stopped, 10));
    }
    // One byte of the last frame's payload, found by its contents.
    std::string bytes;
    {
        std::ifstream in(file, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto payload = numbered_frame(9)->at<std::vector<std::uint8_t>>("Payload");
    const auto at = bytes.find(std::string(payload.begin(), payload.begin() + 64));
    ASSERT_NE(at, std::string::npos);
    bytes[at + 10] ^= 1;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;

    const LeftOutput left = read_left_output(file);
    try {
        verify_at_checkpoint(left, 1);
        FAIL() << "a damaged frame was not found";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("frame 9 does not match its checksum"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(fs::exists(file));
}

TEST_F(Checkpoints, AWriterOfTheFileIsNotDisturbed) {
    const std::string file = path("out.h5");
    FrameFileWriter writer(file, Provenance{});
    writer.checkpoint(checkpoint_at(1, 0));
    try {
        (void)read_left_output(file);
        FAIL() << "a file being written was read for resuming";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("being written by another run"), std::string::npos) << e.what();
    }
    writer.close(RunState{});
}

// SIGKILL at any moment: every checkpoint recorded before is there, with all it counts.
TEST_F(Checkpoints, AfterSigkillTheFileRewindsToItsLastCheckpoint) {
    std::mt19937 random(12345);
    int rewound_with_frames_after = 0;
    for (int trial = 0; trial < 12; ++trial) {
        const std::string file = path("killed" + std::to_string(trial) + ".h5");
        int ready[2];
        ASSERT_EQ(::pipe(ready), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(ready[0]);
            WriterOptions small;
            small.flush_bytes = 16 << 10;  // many writes between checkpoints
            small.chunk_bytes = 64 << 10;
            FrameFileWriter writer(file, Provenance{}, small);
            for (std::uint64_t i = 0;; ++i) {
                writer.write(*numbered_frame(i));
                if ((i + 1) % 40 == 0) writer.checkpoint(checkpoint_at((i + 1) / 40, i + 1));
                if (i + 1 == 40) (void)!::write(ready[1], "r", 1);
            }
        }
        ::close(ready[1]);
        char byte = 0;
        ASSERT_EQ(::read(ready[0], &byte, 1), 1);  // a first checkpoint is written
        ::close(ready[0]);
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 200000));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);

        {  // mpitray dump and the Reader open it as it is (frames past a checkpoint may be torn)
            FrameFileReader reader(file + ".partial");
            EXPECT_EQ(reader.info().status, "writing");
            for (std::int64_t i = 0; i < 40; ++i) EXPECT_EQ(reader.next()->at<EventHeader>(event_header_key).event, i);
        }
        const LeftOutput left = read_left_output(file);
        ASSERT_EQ(left.where, LeftOutput::Where::partial);
        ASSERT_FALSE(left.checkpoints.empty());
        const Checkpoint& last = left.checkpoints.back().checkpoint;
        EXPECT_EQ(last.input_frames, last.number * 40);
        EXPECT_EQ(counted(last), std::int64_t(last.input_frames));
        verify_at_checkpoint(left, last.number);
        rewind_output(left, last.number);
        {
            FrameFileWriter writer(file, OutputFile::Continue{});
            EXPECT_EQ(writer.frames(), last.input_frames);
            writer.write(*numbered_frame(writer.frames()));
            writer.close(ended(RunEnding::complete, last.input_frames + 1));
        }
        EXPECT_EQ(check_numbered_frames(file), last.input_frames + 1) << "trial " << trial;
        rewound_with_frames_after += left.checkpoints.size() > 1 ? 1 : 0;
        fs::remove(file);
    }
    EXPECT_GT(rewound_with_frames_after, 0);  // the kills came at different points
}
