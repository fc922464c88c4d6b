#pragma once
// How an object flattens into one row of named columns, for table output (io's TableWriter).
// A type that registers a flattener can be written as an HDF5 table that h5py and pandas read
// without mpitray:
//
//     TypeRegistry::instance().set_columns<MuonTrack>([](const MuonTrack& t, TableRow& row) {
//         row.add("energy", t.energy);
//         row.add("zenith", t.zenith);
//     });
//
// Only fixed-size columns exist: 64-bit integers, doubles and booleans. A type whose size
// varies from object to object (a vector, a map) does not flatten into a row.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace mpitray {

enum class ColumnType : std::uint8_t { int64, float64, boolean };

const char* column_type_name(ColumnType type) noexcept;

struct TableCell {
    std::string name;
    std::variant<std::int64_t, double, bool> value;

    ColumnType type() const noexcept { return static_cast<ColumnType>(value.index()); }
};

class TableRow {
public:
    // Exact types only: an `int` or a `float` would silently pick a column type.
    void add(std::string name, std::int64_t value) { cells_.push_back({std::move(name), value}); }
    void add(std::string name, double value) { cells_.push_back({std::move(name), value}); }
    void add(std::string name, bool value) { cells_.push_back({std::move(name), value}); }
    template <class T>
    void add(std::string name, T value) = delete;

    const std::vector<TableCell>& cells() const noexcept { return cells_; }
    void clear() noexcept { cells_.clear(); }

private:
    std::vector<TableCell> cells_;
};

}  // namespace mpitray
