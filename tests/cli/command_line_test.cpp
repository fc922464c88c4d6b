// The command line as a library function (run_command_line), called in-process: a program built
// on it may run it more than once, and each run must see only its own state.
#include <mpitray/cli/command_line.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

struct Output {
    int code = 0;
    std::string out;
    std::string err;
};

Output run(std::vector<std::string> args) {
    args.insert(args.begin(), "mpitray");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    Output result;
    result.code = mpitray::run_command_line(int(args.size()), argv.data());
    result.out = testing::internal::GetCapturedStdout();
    result.err = testing::internal::GetCapturedStderr();
    return result;
}

class RunCommandLine : public testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("mpitray_cli_" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    static std::string example(const std::string& name) {
        return std::string(MPITRAY_SOURCE_DIR) + "/examples/" + name;
    }

    std::filesystem::path dir_;
};

// A second run without a Dispatch printed the first run's Dispatch summary and, given --metrics,
// did not warn that there were none (issue: Dispatch's state lived in a process-wide global).
TEST_F(RunCommandLine, TwiceInOneProcessEachRunReportsItsOwnDispatch) {
    const Output first = run({"run", example("dispatch.yaml"), "--events", "20", "--set", "Work.mean_ms=0.01", "--set",
                              "Writer.file=" + path("a.h5")});
    ASSERT_EQ(first.code, 0) << first.err;
    EXPECT_NE(first.out.find("\nDispatch: "), std::string::npos) << first.out;

    const Output second = run({"run", example("quickstart.yaml"), "--events", "20", "--set",
                               "Writer.file=" + path("b.h5"), "--metrics", path("metrics.json")});
    ASSERT_EQ(second.code, 0) << second.err;
    EXPECT_EQ(second.out.find("Dispatch: "), std::string::npos) << second.out;
    EXPECT_NE(second.err.find("the pipeline has no Dispatch, so there are no metrics to write"), std::string::npos)
        << second.err;
    EXPECT_FALSE(std::filesystem::exists(path("metrics.json")));
}

}  // namespace
