#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/standard_types.hpp>
#include <mpitray/io/frame_file_compare.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/frame_file_writer.hpp>
#include <mpitray/io/hdf5.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace mpitray;
using namespace mpitray::io;
namespace fs = std::filesystem;

namespace {

class FrameFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("mpitray_io_test_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    static FramePtr event(std::int64_t i, std::size_t payload = 64) {
        auto f = make_frame(Stop::physics());
        f->put(event_header_key, EventHeader{1, i, 0});
        f->put("Payload", std::vector<std::uint8_t>(payload, std::uint8_t(i)));
        f->put("Energy", 1.5 * double(i));
        return f;
    }

    static RunState complete(std::uint64_t frames) {
        RunState s;
        s.ending = RunEnding::complete;
        s.input_frames = frames;
        return s;
    }

    void write(const std::string& file, int n, std::size_t payload = 64) {
        FrameFileWriter writer(file, Provenance{"p.yaml", "seed: 1", 1, "--events 5"});
        for (int i = 0; i < n; ++i) writer.write(*event(i, payload));
        writer.close(complete(std::uint64_t(n)));
    }

    fs::path dir_;
};

}  // namespace

TEST_F(FrameFile, WritesAndStreamsBackEveryFrame) {
    const std::string file = path("a.h5");
    write(file, 1000);
    FrameFileReader reader(file);
    EXPECT_EQ(reader.info().frames, 1000u);
    EXPECT_EQ(reader.info().status, "complete");
    EXPECT_EQ(reader.info().seed, 1u);
    EXPECT_EQ(reader.info().pipeline, "seed: 1");
    for (int i = 0; i < 1000; ++i) {
        const FramePtr f = reader.next();
        ASSERT_TRUE(f) << i;
        EXPECT_EQ(f->at<EventHeader>(event_header_key).event, i);
        EXPECT_EQ(f->at<double>("Energy"), 1.5 * i);
        EXPECT_TRUE(same_bytes(encode_frame(*f), encode_frame(*event(i)))) << "same bytes as written";
    }
    EXPECT_FALSE(reader.next());
}

TEST_F(FrameFile, LargeFramesPastTheBufferRoundTrip) {
    const std::string file = path("big.h5");
    write(file, 3, 20 << 20);  // 20 MiB each: past the write buffer and the read window
    FrameFileReader reader(file);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(reader.next()->at<std::vector<std::uint8_t>>("Payload").size(), 20u << 20);
}

TEST_F(FrameFile, IsWrittenUnderATemporaryNameUntilClosed) {
    const std::string file = path("t.h5");
    {
        FrameFileWriter writer(file, Provenance{});
        writer.write(*event(0));
        EXPECT_TRUE(fs::exists(file + ".partial"));
        EXPECT_FALSE(fs::exists(file));
        writer.close(complete(1));
    }
    EXPECT_TRUE(fs::exists(file));
    EXPECT_FALSE(fs::exists(file + ".partial"));
}

TEST_F(FrameFile, AWriterDestroyedWithoutCloseLeavesOnlyThePartialFile) {
    const std::string file = path("crash.h5");
    {
        FrameFileWriter writer(file, Provenance{});
        writer.write(*event(0));
    }
    EXPECT_FALSE(fs::exists(file));
    EXPECT_TRUE(fs::exists(file + ".partial"));
    try {
        FrameFileReader reader(file);
        FAIL() << "expected an error";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("did not finish"), std::string::npos) << e.what();
    }
}

TEST_F(FrameFile, AFailedRunIsClosedReadableAndMarked) {
    const std::string file = path("failed.h5");
    FrameFileWriter writer(file, Provenance{});
    for (int i = 0; i < 5; ++i) writer.write(*event(i));
    RunState failed;
    failed.ending = RunEnding::failed;
    failed.reason = "module 'Fail' failed on P frame (run 1, event 5)";
    failed.input_frames = 6;
    writer.close(failed);
    FrameFileReader reader(file);
    EXPECT_EQ(reader.info().status, "failed");
    EXPECT_EQ(reader.info().status_reason, failed.reason);
    EXPECT_EQ(reader.info().input_frames, 6u);
    EXPECT_EQ(reader.info().frames, 5u);
}

TEST_F(FrameFile, ACorruptByteIsReportedWithFileAndFrameIndex) {
    const std::string file = path("corrupt.h5");
    {
        FrameFileWriter writer(file, Provenance{}, WriterOptions{0});  // uncompressed, to damage one byte
        for (int i = 0; i < 10; ++i) writer.write(*event(i));
        writer.close(complete(10));
    }
    std::uint64_t offset_of_7 = 0;
    {
        FrameFileReader reader(file);
        for (int i = 0; i < 7; ++i) offset_of_7 += (*reader.next_encoded())->size();
    }
    {  // flip one byte in the middle of frame 7, through HDF5
        hdf5::silence_errors();
        hdf5::Handle f = hdf5::file(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open");
        hdf5::Handle d = hdf5::dataset(H5Dopen2(f.get(), data_path, H5P_DEFAULT), "data");
        std::uint8_t byte = 0;
        hdf5::read_range(d.get(), H5T_NATIVE_UINT8, offset_of_7 + 60, 1, &byte, "read");
        byte ^= 0xff;
        hdf5::write_range(d.get(), H5T_NATIVE_UINT8, offset_of_7 + 60, 1, &byte, "write");
    }
    FrameFileReader reader(file);
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(reader.next());
    try {
        reader.next();
        FAIL() << "expected an error";
    } catch (const StorageError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(file), std::string::npos) << m;
        EXPECT_NE(m.find("frame 7"), std::string::npos) << m;
        EXPECT_NE(m.find("checksum mismatch"), std::string::npos) << m;
    }
}

TEST_F(FrameFile, ATruncatedFileIsReportedNotCrashedOn) {
    const std::string file = path("cut.h5");
    write(file, 2000, 1000);
    fs::resize_file(file, fs::file_size(file) / 2);
    try {
        FrameFileReader reader(file);
        while (reader.next()) {}
        FAIL() << "expected an error";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
    }
}

TEST_F(FrameFile, NotAFrameFileIsAClearError) {
    const std::string text = path("text.h5");
    std::ofstream(text) << "hello";
    EXPECT_THROW(FrameFileReader{text}, StorageError);
    EXPECT_THROW(FrameFileReader{path("missing.h5")}, StorageError);
    EXPECT_THROW(FrameFileWriter(path("no/such/dir/out.h5"), Provenance{}), StorageError);
}

TEST_F(FrameFile, ATextAttributeWithANulByteIsRefusedNotCut) {
    const std::string file = path("nul.h5");
    try {
        FrameFileWriter writer(file, Provenance{"p.yaml", std::string("seed: 1\0tray: []", 16), 1, ""});
        FAIL() << "a pipeline text with a NUL byte must be refused";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("attribute 'pipeline': the text has a NUL byte at byte 7 of 16"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(file + ".partial")) << "nothing is left behind";
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(FrameFile, CompareFindsTheFirstDifference) {
    write(path("a.h5"), 20);
    write(path("b.h5"), 20);
    write(path("short.h5"), 15);
    {
        FrameFileWriter writer(path("c.h5"), Provenance{});
        for (int i = 0; i < 20; ++i) {
            auto f = event(i);
            if (i == 12) {
                f->erase("Energy");
                f->put("Energy", -1.0);
            }
            writer.write(*f);
        }
        writer.close(complete(20));
    }
    const Comparison same = compare_frame_files(path("a.h5"), path("b.h5"));
    EXPECT_FALSE(same.difference);
    EXPECT_EQ(same.frames_compared, 20u);
    const Comparison changed = compare_frame_files(path("a.h5"), path("c.h5"));
    ASSERT_TRUE(changed.difference);
    EXPECT_EQ(changed.difference->frame, 12u);
    EXPECT_EQ(changed.difference->what, "P frame: key 'Energy' (double): values differ (8 and 8 bytes encoded)");
    const Comparison shorter = compare_frame_files(path("a.h5"), path("short.h5"));
    ASSERT_TRUE(shorter.difference);
    EXPECT_EQ(shorter.difference->frame, 15u);
}

TEST_F(FrameFile, ADatasetOfAnotherRankIsNamedNotReadPastItsShape) {
    const std::string file = path("rank.h5");
    write(file, 3);
    {  // /frames/data again, as a 4-D dataset
        hdf5::silence_errors();
        hdf5::Handle f = hdf5::file(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open");
        hdf5::check_status(H5Ldelete(f.get(), data_path, H5P_DEFAULT), "delete");
        const hsize_t dims[4] = {2, 3, 4, 5};
        hdf5::Handle space = hdf5::dataspace(H5Screate_simple(4, dims, nullptr), "space");
        hdf5::Handle d = hdf5::dataset(
            H5Dcreate2(f.get(), data_path, H5T_NATIVE_UINT8, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            "create");
    }
    try {
        FrameFileReader reader(file);
        FAIL() << "expected an error";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("'" + file + "': /frames/data is 4-D (2 x 3 x 4 x 5), not 1-D"),
                  std::string::npos)
            << e.what();
    }
}
