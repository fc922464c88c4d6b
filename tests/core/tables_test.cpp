// Tables built once and only read: in the process (PrivateTables), or once per node in shared
// memory (NodeSharedTables). The node cases run several processes (fork), as the ranks of a node
// are: one builds, the others wait and map the same pages, and the memory they hold together is
// measured (PSS from /proc/PID/smaps_rollup, which divides a shared page among its users).
#include <mpitray/core/error.hpp>
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/node_shared_tables.hpp>
#include <mpitray/core/process_memory.hpp>
#include <mpitray/core/tables.hpp>
#include <mpitray/core/tray_builder.hpp>

#include "../support/list_source.hpp"
#include "../support/specs.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

using namespace mpitray;
namespace fs = std::filesystem;

namespace {

TableRequest request(std::string identity = "calibration 1", std::size_t n = 1000) {
    return {"photon_table", std::move(identity), {n / 10, 10}};
}

// value i of the table of `identity`: what every fill writes, so every reader can check it.
double expected(std::size_t i, const std::string& identity) { return double(i) * 0.5 + double(identity.size()); }

TableFill filler(const std::string& identity, std::atomic<int>* fills = nullptr) {
    return [identity, fills](std::span<double> values) {
        if (fills) ++*fills;
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = expected(i, identity);
    };
}

bool holds(const Table& table, const std::string& identity) {
    for (std::size_t i = 0; i < table.values().size(); ++i)
        if (table.values()[i] != expected(i, identity)) return false;
    return true;
}

// A counter every forked process shares.
std::atomic<int>* shared_counter() {
    void* page = mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return new (page) std::atomic<int>(0);
}

// Runs `body` in a child process; its return value is the exit status.
pid_t spawn(const std::function<int()>& body) {
    const pid_t pid = fork();
    if (pid == 0) {
        int status = 1;
        try {
            status = body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child %d: %s\n", getpid(), e.what());
            status = 3;
        }
        std::fflush(stderr);
        _exit(status);
    }
    return pid;
}
int exit_status(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::uint64_t pss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("Pss:", 0) == 0) return std::stoull(line.substr(4));
    return 0;
}

class NodeTables : public ::testing::Test {
protected:
    void SetUp() override {
        const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        dir_ = base / ("mpitray-tables-test-" + std::to_string(getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::size_t files() const {
        return std::size_t(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
    }
    NodeSharedTables service(const std::string& token = "run1") const { return NodeSharedTables(token, dir_.string()); }
    // A process that starts building request()'s table with `fill`; returns once it has begun.
    pid_t start_building(const TableFill& fill) const {
        const pid_t builder = spawn([&] {
            service().get(request(), fill);
            return 0;
        });
        while (!fs::exists(service().path_of(request()))) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return builder;
    }

    fs::path dir_;
};

// A module that keeps the table of the latest Calibration frame's identity, and writes into each
// event frame the table it used.
class TableUser : public Module {
public:
    void calibration(const FramePtr& frame) override {
        const std::string identity = "calibration at input " + std::to_string(frame->origin.input);
        table_ = table(request(identity), filler(identity));
        push(frame);
    }
    void daq(const FramePtr& frame) override {
        frame->put("TableIdentity", table_->identity());
        frame->put<std::int64_t>("TableShared", table_->shared());
        push(frame);
    }

private:
    std::shared_ptr<const Table> table_;
};

ModuleRegistry& registry() {
    static ModuleRegistry r;
    static bool filled = false;
    if (!filled) {
        r.add({"ListSource", "test source", [] { return std::make_unique<mpitray::testing::ListSource>(); }});
        r.add({"TableUser", "uses a table", [] { return std::make_unique<TableUser>(); }});
        filled = true;
    }
    return r;
}

}  // namespace

TEST(ModuleTables, AModuleGetsItsTablesFromTheTraysServiceAndEachFrameTheGenerationOfItsCalibration) {
    using mpitray::testing::spec;
    using mpitray::testing::stops;
    const std::vector<ModuleSpec> modules{spec("ListSource", {{"stops", stops({"G", "C", "Q", "Q", "C", "Q"})}}),
                                          spec("TableUser")};
    for (const bool with_service : {false, true}) {
        PrivateTables service;
        TrayEnvironment environment;
        if (with_service) environment.context.put<TableService>(service);
        auto tray = build_tray(modules, environment, TrayRole::outer, registry());
        std::vector<std::string> used;
        tray->set_output([&](FramePtr f) {
            if (f->stop() == Stop::daq()) used.push_back(f->at<std::string>("TableIdentity"));
        });
        tray->run();
        EXPECT_EQ(used, (std::vector<std::string>{"calibration at input 1", "calibration at input 1",
                                                  "calibration at input 4"}));
        if (with_service) {
            std::atomic<int> fills = 0;
            service.get(request("calibration at input 4"), filler("x", &fills));
            EXPECT_EQ(fills, 0) << "the module still holds the current generation: the service hands out that copy";
            service.get(request("calibration at input 1"), filler("x", &fills));
            EXPECT_EQ(fills, 1) << "the module let the old generation go when it moved on";
        }
    }
}

TEST(PrivateTables, BuildsATableOnceForItsIdentityAndAgainForANewOne) {
    PrivateTables tables;
    std::atomic<int> fills = 0;
    auto a = tables.get(request("calibration 1"), filler("calibration 1", &fills));
    auto again = tables.get(request("calibration 1"), filler("calibration 1", &fills));
    EXPECT_EQ(a.get(), again.get()) << "two modules of a process share one copy";
    auto b = tables.get(request("calibration 22"), filler("calibration 22", &fills));
    EXPECT_EQ(fills, 2);
    EXPECT_TRUE(holds(*a, "calibration 1"));
    EXPECT_TRUE(holds(*b, "calibration 22"));
    EXPECT_FALSE(a->shared());
    EXPECT_EQ(a->shape(), (std::vector<std::size_t>{100, 10}));
    // Recorded once per identity, for the summary: each built here, the second the next generation.
    const std::vector<TableRecord> records = tables.records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].generation, 1);
    EXPECT_EQ(records[1].generation, 2);
    EXPECT_EQ(records[1].name, "photon_table");
    EXPECT_EQ(records[1].bytes, 1000 * sizeof(double));
    EXPECT_TRUE(records[0].built && records[1].built);
    EXPECT_FALSE(records[0].shared);
}

TEST(PrivateTables, ARequestWithoutNameOrShapeOrAFailedFillIsAClearError) {
    PrivateTables tables;
    EXPECT_THROW(tables.get({"", "x", {3}}, filler("x")), ConfigError);
    EXPECT_THROW(tables.get({"t", "x", {}}, filler("x")), ConfigError);
    EXPECT_THROW(tables.get({"t", "x", {4, 0}}, filler("x")), ConfigError);
    EXPECT_THROW(tables.get({"t", "x", {std::size_t(1) << 40, std::size_t(1) << 40}}, filler("x")), ConfigError);
    try {
        tables.get(request(), [](std::span<double>) { throw std::runtime_error("no ice model"); });
        ADD_FAILURE() << "a failed fill went unreported";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "building table 'photon_table': no ice model");
    }
}

TEST_F(NodeTables, OneProcessBuildsAndEveryOtherMapsTheSamePages) {
    std::atomic<int>* fills = shared_counter();
    const auto slow_filler = [fills](std::span<double> values) {
        ++*fills;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the others arrive while it builds
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = expected(i, "calibration 1");
    };
    std::atomic<int>* holding = shared_counter();
    std::atomic<int>* recorded_builds = shared_counter();
    std::vector<pid_t> children;
    for (int i = 0; i < 5; ++i)
        children.push_back(spawn([&] {
            NodeSharedTables tables = service();
            auto table = tables.get(request("calibration 1", 100000), slow_filler);
            const std::vector<TableRecord> records = tables.records();
            if (records.size() != 1 || !records[0].shared || records[0].generation != 1) return 2;
            if (records[0].built) ++*recorded_builds;
            // Each holds it until all have it: a late process would otherwise find it released
            // and rightly build it again.
            ++*holding;
            for (int waited = 0; *holding < 5 && waited < 10000; ++waited)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return table->shared() && holds(*table, "calibration 1") ? 0 : 1;
        }));
    for (pid_t child : children) EXPECT_EQ(exit_status(child), 0);
    EXPECT_EQ(fills->load(), 1) << "built once on the node";
    EXPECT_EQ(recorded_builds->load(), 1) << "the builder, and only it, says it built the table";
    EXPECT_EQ(files(), 0u) << "the last user removed the file";
}

TEST_F(NodeTables, ANewIdentityIsANewGenerationAndTheOldOneGoesWithItsLastUser) {
    NodeSharedTables tables = service();
    auto first = tables.get(request("calibration 1"), filler("calibration 1"));
    EXPECT_EQ(tables.get(request("calibration 1"), filler("calibration 1")).get(), first.get());
    auto second = tables.get(request("calibration 2"), filler("calibration 2"));
    EXPECT_EQ(files(), 2u);
    EXPECT_TRUE(fs::exists(tables.path_of(request("calibration 1"))));
    first.reset();
    EXPECT_FALSE(fs::exists(tables.path_of(request("calibration 1")))) << "released with its last user";
    EXPECT_TRUE(holds(*second, "calibration 2"));
    second.reset();
    EXPECT_EQ(files(), 0u);
}

TEST_F(NodeTables, ProcessesThatWaitedLearnWhyTheBuildFailed) {
    // The builder fails only once this process waits for it (else this one would build anew).
    const fs::path go = dir_ / "go";
    const pid_t builder = start_building([go](std::span<double>) {
        while (!fs::exists(go)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        throw std::runtime_error("the ice model has no layer at 2600 m");
    });
    NodeSharedTables tables = service();
    std::atomic<bool> asking = false;
    std::thread starter([&] {
        while (!asking) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::ofstream{go};
    });
    try {
        asking = true;
        tables.get(request(), filler("calibration 1"));
        ADD_FAILURE() << "the waiting process did not hear of the failure";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("could not be built by process " + std::to_string(builder) +
                                             ": the ice model has no layer at 2600 m"),
                  std::string::npos)
            << e.what();
    }
    starter.join();
    EXPECT_EQ(exit_status(builder), 3) << "the builder reports it too";
    fs::remove(go);
    EXPECT_EQ(files(), 0u);
}

TEST_F(NodeTables, AWaitingProcessIsToldWhenTheBuilderDies) {
    const pid_t builder = start_building([](std::span<double>) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::raise(SIGKILL);
    });
    const std::string path = service().path_of(request());
    std::string message;
    const pid_t waiter = spawn([&] {
        try {
            service().get(request(), filler("calibration 1"));
        } catch (const Error& e) {
            return std::string(e.what()).find("ended before it finished") != std::string::npos ? 0 : 2;
        }
        return 1;
    });
    EXPECT_EQ(exit_status(builder), 128 + SIGKILL);
    EXPECT_EQ(exit_status(waiter), 0) << "no hang, and the message says the builder ended";
    EXPECT_TRUE(fs::exists(path)) << "a killed builder leaves its file";
    // Another run's table whose builder is alive stays.
    NodeSharedTables other = service("run3");
    auto alive = other.get(request(), filler("calibration 1"));
    service("run2");  // the next run on the node removes, as it starts, what the killed one left
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::exists(other.path_of(request()))) << "its builder (this process) is alive";
    EXPECT_EQ(service("run4").remove_stale(), 0);
}

TEST_F(NodeTables, ATableLargerThanTheFreeSpaceIsRefusedUpFrontWithWhatToDo) {
    NodeSharedTables tables = service();
    const TableRequest huge{"photon_table", "calibration 1", {std::size_t(1) << 20, std::size_t(1) << 20}};  // 8 TiB
    try {
        tables.get(huge, [](std::span<double>) { FAIL() << "filled a table that cannot fit"; });
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("MiB free"), std::string::npos) << message;
        EXPECT_NE(message.find("--tables private"), std::string::npos) << message;
    }
    EXPECT_EQ(files(), 0u);
    EXPECT_THROW(NodeSharedTables("run 1", dir_.string()), Error) << "a token that cannot be part of a file name";
    EXPECT_THROW(NodeSharedTables("run1", (dir_ / "missing").string()), Error);
}

// A memory file system as large as the node's memory (a node's /dev/shm sized to all of it): a
// table that fits the file system but not the memory left would have the kernel end processes
// mid-build (the icesim no-room test ran into it). Refused up front instead.
TEST_F(NodeTables, ATableLargerThanTheMemoryLeftIsRefusedEvenWhereTheFileSystemHasRoom) {
    struct statvfs fs {};
    ASSERT_EQ(statvfs(dir_.c_str(), &fs), 0);
    const std::uint64_t free = std::uint64_t(fs.f_bavail) * fs.f_frsize, available = available_memory_bytes();
    if (available == 0 || free < available + (std::uint64_t(256) << 20))
        GTEST_SKIP() << "here the memory file system is smaller than the memory left: its own check comes first";
    NodeSharedTables tables = service();
    const TableRequest large{"photon_table", "calibration 1", {(available + free) / 2 / sizeof(double)}};
    try {
        tables.get(large, [](std::span<double>) { FAIL() << "filled a table larger than the memory left"; });
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("MiB of memory available"), std::string::npos) << e.what();
    }
    EXPECT_EQ(files(), 0u);
}

// The reason this exists: N processes of a node hold one copy, not N. Each of 4 processes maps a
// 64 MiB table and reads all of it; their PSS together is about one table when shared, four when
// private.
TEST_F(NodeTables, FourProcessesHoldOneCopyBetweenThem) {
    constexpr int processes = 4;
    const TableRequest big{"photon_table", "calibration 1", {64, 1 << 17}};  // 64 MiB
    auto measure = [&](bool shared) {
        int ready[2], release[2];
        EXPECT_EQ(pipe(ready), 0);
        EXPECT_EQ(pipe(release), 0);
        std::vector<pid_t> children;
        for (int i = 0; i < processes; ++i)
            children.push_back(spawn([&] {
                close(ready[0]);
                close(release[1]);
                std::unique_ptr<TableService> tables;
                if (shared) tables = std::make_unique<NodeSharedTables>("memory", dir_.string());
                else tables = std::make_unique<PrivateTables>();
                auto table = tables->get(big, filler("calibration 1"));
                const double sum = std::accumulate(table->values().begin(), table->values().end(), 0.0);
                const char byte = sum > 0 ? 'y' : 'n';
                if (write(ready[1], &byte, 1) != 1) return 1;
                char done;
                return read(release[0], &done, 1) >= 0 ? 0 : 1;  // holds the table until released
            }));
        close(ready[1]);
        close(release[0]);
        for (int i = 0; i < processes; ++i) {
            char byte = 0;
            EXPECT_EQ(read(ready[0], &byte, 1), 1);
            EXPECT_EQ(byte, 'y');
        }
        std::uint64_t total = 0;
        for (pid_t child : children) total += pss_kib(child);
        close(release[1]);
        close(ready[0]);
        for (pid_t child : children) EXPECT_EQ(exit_status(child), 0);
        return total;
    };
    const std::uint64_t private_kib = measure(false);
    const std::uint64_t shared_kib = measure(true);
    RecordProperty("private_pss_kib", std::to_string(private_kib));
    RecordProperty("shared_pss_kib", std::to_string(shared_kib));
    std::printf("PSS of %d processes holding a 64 MiB table: private %.1f MiB, node-shared %.1f MiB (%.2fx)\n",
                processes, double(private_kib) / 1024, double(shared_kib) / 1024,
                double(shared_kib) / double(private_kib));
    EXPECT_GT(private_kib, std::uint64_t(processes) * 64 * 1024 * 9 / 10) << "each private copy is counted";
    EXPECT_LT(shared_kib, private_kib / 2) << "one copy between them, not one each";
    // What the summary reports, read the same way by this process.
    const ProcessMemory mine = process_memory();
    EXPECT_GT(mine.pss_bytes, 0u);
    EXPECT_GE(mine.peak_rss_bytes, mine.pss_bytes - mine.pss_shmem_bytes);
    EXPECT_EQ(files(), 0u);
}

TEST(NumaNodes, ListsAreReadAsTheKernelWritesThem) {
    EXPECT_EQ(NodeSharedTables::parse_node_list("0"), (std::vector<int>{0}));
    EXPECT_EQ(NodeSharedTables::parse_node_list("0-3"), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(NodeSharedTables::parse_node_list("0-1,4,6-7"), (std::vector<int>{0, 1, 4, 6, 7}));
    EXPECT_TRUE(NodeSharedTables::parse_node_list("").empty());
    EXPECT_TRUE(NodeSharedTables::parse_node_list("x").empty()) << "unreadable: no interleaving";
    EXPECT_TRUE(NodeSharedTables::parse_node_list("3-1").empty());
    EXPECT_TRUE(NodeSharedTables::parse_node_list("1x").empty());
}
