#include <mpitray/core/object.hpp>
#include <mpitray/io/hdf5.hpp>
#include <mpitray/io/table_writer.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

using namespace mpitray;
using namespace mpitray::io;
namespace fs = std::filesystem;

namespace {

class TableFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("mpitray_table_test_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    static RunState complete() {
        RunState s;
        s.ending = RunEnding::complete;
        return s;
    }

    static TableRow track(double energy, std::int64_t hits, bool ok) {
        TableRow row;
        row.add("energy", energy);
        row.add("hits", hits);
        row.add("ok", ok);
        return row;
    }

    fs::path dir_;
};

// A dataset's column names and types as HDF5 stored them, and its raw rows.
struct Stored {
    std::vector<std::string> names;
    std::vector<H5T_class_t> classes;
    std::vector<std::size_t> offsets;
    std::size_t row_bytes = 0;
    std::vector<char> rows;
    std::map<std::string, std::string> attributes;
};

Stored read_table(const std::string& file, const std::string& table) {
    hdf5::Handle f = hdf5::file(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open");
    hdf5::Handle d = hdf5::dataset(H5Dopen2(f.get(), table.c_str(), H5P_DEFAULT), "open table");
    hdf5::Handle type = hdf5::datatype(H5Dget_type(d.get()), "type");
    Stored out;
    out.row_bytes = H5Tget_size(type.get());
    for (int i = 0; i < H5Tget_nmembers(type.get()); ++i) {
        char* name = H5Tget_member_name(type.get(), unsigned(i));
        out.names.emplace_back(name);
        H5free_memory(name);
        out.classes.push_back(H5Tget_member_class(type.get(), unsigned(i)));
        out.offsets.push_back(H5Tget_member_offset(type.get(), unsigned(i)));
    }
    const std::uint64_t n = hdf5::extent(d.get());
    out.rows.resize(n * out.row_bytes);
    if (n) hdf5::read_range(d.get(), type.get(), 0, n, out.rows.data(), "read");
    if (hdf5::has_attribute(d.get(), "key")) out.attributes["key"] = hdf5::string_attribute(d.get(), "key");
    if (hdf5::has_attribute(d.get(), "note")) out.attributes["note"] = hdf5::string_attribute(d.get(), "note");
    return out;
}

template <class T>
T cell(const Stored& s, std::size_t row, std::size_t column) {
    T value{};
    std::memcpy(&value, s.rows.data() + row * s.row_bytes + s.offsets[column], sizeof value);
    return value;
}

}  // namespace

TEST_F(TableFile, WritesIndexAndColumnsOneRowPerAppend) {
    const std::string file = path("t.h5");
    {
        TableFileWriter writer(file, Provenance{"p.yaml", "seed: 1", 1, ""}, TableWriterOptions{1, 3});
        writer.declare("Track", {{"key", "Track"}});
        for (std::int64_t i = 0; i < 10; ++i)
            writer.append("Track", EventHeader{7, i, i % 2}, track(1.5 * double(i), i * i, i % 3 == 0));
        EXPECT_EQ(writer.rows("Track"), 10u);
        EXPECT_TRUE(fs::exists(file + ".partial"));
        writer.close(complete());
    }
    EXPECT_FALSE(fs::exists(file + ".partial"));
    const Stored s = read_table(file, "Track");
    EXPECT_EQ(s.names, (std::vector<std::string>{"Run", "Event", "SubEvent", "energy", "hits", "ok"}));
    EXPECT_EQ(s.classes[3], H5T_FLOAT);
    EXPECT_EQ(s.classes[4], H5T_INTEGER);
    EXPECT_EQ(s.classes[5], H5T_ENUM);  // h5py reads a FALSE/TRUE enum as numpy bool
    ASSERT_EQ(s.rows.size(), 10 * s.row_bytes);
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(cell<std::int64_t>(s, i, 0), 7);
        EXPECT_EQ(cell<std::int64_t>(s, i, 1), std::int64_t(i));
        EXPECT_EQ(cell<std::int64_t>(s, i, 2), std::int64_t(i % 2));
        EXPECT_EQ(cell<double>(s, i, 3), 1.5 * double(i));
        EXPECT_EQ(cell<std::int64_t>(s, i, 4), std::int64_t(i * i));
        EXPECT_EQ(cell<std::int8_t>(s, i, 5), i % 3 == 0 ? 1 : 0);
    }
    EXPECT_EQ(s.attributes.at("key"), "Track");
    hdf5::Handle f = hdf5::file(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open");
    EXPECT_EQ(hdf5::string_attribute(f.get(), "format"), table_file_format_name);
    EXPECT_EQ(hdf5::string_attribute(f.get(), "status"), "complete");
}

TEST_F(TableFile, RefusesARowWithOtherColumnsAndNamesBoth) {
    TableFileWriter writer(path("t.h5"), Provenance{});
    writer.append("Track", EventHeader{1, 0, 0}, track(1.0, 2, true));
    TableRow other;
    other.add("energy", std::int64_t{3});  // same name, other type
    try {
        writer.append("Track", EventHeader{1, 5, 0}, other);
        FAIL() << "a row with other columns was accepted";
    } catch (const StorageError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("event 5"), std::string::npos) << message;
        EXPECT_NE(message.find("(energy int64)"), std::string::npos) << message;
        EXPECT_NE(message.find("(energy double, hits int64, ok bool)"), std::string::npos) << message;
    }
}

TEST_F(TableFile, RefusesColumnsThatClashWithTheIndexOrEachOther) {
    TableFileWriter writer(path("t.h5"), Provenance{});
    TableRow clash;
    clash.add("Event", std::int64_t{1});
    EXPECT_THROW(writer.append("A", EventHeader{}, clash), StorageError);
    TableRow twice;
    twice.add("x", 1.0);
    twice.add("x", 2.0);
    EXPECT_THROW(writer.append("B", EventHeader{}, twice), StorageError);
}

TEST_F(TableFile, ADeclaredTableWithoutRowsHasTheIndexColumnsAndANote) {
    const std::string file = path("t.h5");
    {
        TableFileWriter writer(file, Provenance{});
        writer.declare("Empty", {{"key", "Empty"}});
        writer.close(complete());
    }
    const Stored s = read_table(file, "Empty");
    EXPECT_EQ(s.names, (std::vector<std::string>{"Run", "Event", "SubEvent"}));
    EXPECT_TRUE(s.rows.empty());
    EXPECT_NE(s.attributes.at("note").find("no rows"), std::string::npos);
}

TEST_F(TableFile, DiscardRemovesThePartialFile) {
    const std::string file = path("t.h5");
    TableFileWriter writer(file, Provenance{});
    writer.append("A", EventHeader{}, track(1, 1, true));
    writer.discard();
    EXPECT_FALSE(fs::exists(file + ".partial"));
    EXPECT_FALSE(fs::exists(file));
}

TEST(TableRowTypes, StandardTypesFlattenAndVectorsDoNot) {
    TableRow row;
    EXPECT_TRUE(Object::from_value<double>(std::make_shared<const double>(2.5))->columns(row));
    ASSERT_EQ(row.cells().size(), 1u);
    EXPECT_EQ(row.cells()[0].name, "value");
    EXPECT_EQ(row.cells()[0].type(), ColumnType::float64);
    row.clear();
    EXPECT_TRUE(
        Object::from_value<EventHeader>(std::make_shared<const EventHeader>(EventHeader{1, 2, 3}))->columns(row));
    EXPECT_EQ(row.cells().size(), 3u);
    row.clear();
    EXPECT_FALSE(Object::from_value<std::vector<double>>(std::make_shared<const std::vector<double>>())->columns(row));
    EXPECT_FALSE(Object::from_bytes("NotRegistered", ByteView())->columns(row));
}
