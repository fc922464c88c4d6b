// What an output file may replace: only regular files, never through a link, never a file
// another run is writing; and a refusal leaves nothing behind.
#include <mpitray/core/standard_types.hpp>
#include <mpitray/io/frame_file_reader.hpp>
#include <mpitray/io/frame_file_writer.hpp>
#include <mpitray/io/table_writer.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace mpitray;
using namespace mpitray::io;
namespace fs = std::filesystem;

namespace {

class OutputPath : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("mpitray_output_test_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    // The message of the StorageError that creating a frame file at `file` throws ("" if none).
    static std::string refusal(const std::string& file) {
        try {
            FrameFileWriter writer(file, Provenance{});
            writer.close(RunState{});
        } catch (const StorageError& e) {
            return e.what();
        }
        return {};
    }

    static void write_text(const std::string& file, const std::string& text) { std::ofstream(file) << text; }
    static std::string read_text(const std::string& file) {
        std::ostringstream text;
        text << std::ifstream(file).rdbuf();
        return text.str();
    }

    fs::path dir_;
};

}  // namespace

TEST_F(OutputPath, AFifoIsNotReplaced) {
    const std::string file = path("fifo.h5");
    ASSERT_EQ(::mkfifo(file.c_str(), 0600), 0);
    EXPECT_NE(refusal(file).find("is a FIFO, not a regular file"), std::string::npos) << refusal(file);
    EXPECT_TRUE(fs::is_fifo(fs::symlink_status(file)));
    EXPECT_FALSE(fs::exists(file + ".partial"));
}

TEST_F(OutputPath, AnEmptyDirectoryIsNotReplaced) {
    const std::string file = path("dir.h5");
    fs::create_directory(file);
    EXPECT_NE(refusal(file).find("is a directory, not a regular file"), std::string::npos) << refusal(file);
    EXPECT_TRUE(fs::is_directory(file));
    EXPECT_FALSE(fs::exists(file + ".partial"));
}

TEST_F(OutputPath, ACharacterDeviceIsNotReplaced) {
    if (::geteuid() != 0) GTEST_SKIP() << "mknod needs root (CI runs the tests as root)";
    const std::string file = path("null.h5");  // a device node like /dev/null, made here
    ASSERT_EQ(::mknod(file.c_str(), S_IFCHR | 0600, makedev(1, 3)), 0);
    EXPECT_NE(refusal(file).find("is a character device, not a regular file"), std::string::npos) << refusal(file);
    EXPECT_TRUE(fs::is_character_file(fs::symlink_status(file)));
    EXPECT_FALSE(fs::exists(file + ".partial"));
}

TEST_F(OutputPath, ALinkAsTheOutputIsRefusedAndItsTargetKept) {
    const std::string target = path("target.h5"), link = path("link.h5");
    write_text(target, "keep me");
    fs::create_symlink(target, link);
    EXPECT_NE(refusal(link).find("is a symbolic link, not a regular file"), std::string::npos) << refusal(link);
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_EQ(read_text(target), "keep me");
    EXPECT_FALSE(fs::exists(link + ".partial"));
}

TEST_F(OutputPath, ALinkUnderThePartialNameIsNotFollowed) {
    const std::string file = path("out.h5"), victim = path("victim.txt");
    write_text(victim, "precious");
    fs::create_symlink(victim, file + ".partial");
    EXPECT_NE(refusal(file).find("out.h5.partial' is a symbolic link"), std::string::npos) << refusal(file);
    EXPECT_EQ(read_text(victim), "precious");
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(file + ".partial")));
    EXPECT_FALSE(fs::exists(file));
}

TEST_F(OutputPath, ADirectoryUnderThePartialNameIsRefused) {
    const std::string file = path("out.h5");
    fs::create_directory(file + ".partial");
    EXPECT_NE(refusal(file).find("is a directory"), std::string::npos) << refusal(file);
    EXPECT_TRUE(fs::is_directory(file + ".partial"));
}

TEST_F(OutputPath, ATableFileRefusesTheSame) {
    const std::string file = path("tables.h5");
    ASSERT_EQ(::mkfifo(file.c_str(), 0600), 0);
    EXPECT_THROW(TableFileWriter(file, Provenance{}), StorageError);
    EXPECT_TRUE(fs::is_fifo(fs::symlink_status(file)));
    EXPECT_FALSE(fs::exists(file + ".partial"));
}

TEST_F(OutputPath, AStalePartialFileIsReplaced) {
    const std::string file = path("out.h5");
    write_text(file + ".partial", "left by a crashed run");
    EXPECT_EQ(refusal(file), "");
    EXPECT_EQ(FrameFileReader(file).info().frames, 0u);
    EXPECT_FALSE(fs::exists(file + ".partial"));
}

TEST_F(OutputPath, APartialFileAnotherWriterHoldsIsRefused) {
    const std::string file = path("out.h5");
    FrameFileWriter first(file, Provenance{});
    EXPECT_NE(refusal(file).find("is being written by another run"), std::string::npos) << refusal(file);
    EXPECT_TRUE(fs::exists(file + ".partial"));
    first.close(RunState{});
    EXPECT_TRUE(fs::exists(file));
}
