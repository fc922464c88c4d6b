#include <mpitray/io/table_writer.hpp>

#include <fmt/format.h>

#include <cstring>

namespace mpitray::io {

namespace {

// The index columns every table starts with.
constexpr const char* index_columns[] = {"Run", "Event", "SubEvent"};
constexpr std::size_t index_bytes = 3 * sizeof(std::int64_t);

std::size_t column_bytes(ColumnType type) { return type == ColumnType::boolean ? 1 : 8; }

// HDF5's boolean convention as h5py writes it, so h5py reads the column as numpy bool.
hdf5::Handle boolean_type() {
    hdf5::Handle type = hdf5::datatype(H5Tenum_create(H5T_NATIVE_INT8), "boolean type");
    const std::int8_t no = 0, yes = 1;
    hdf5::check_status(H5Tenum_insert(type.get(), "FALSE", &no), "boolean type");
    hdf5::check_status(H5Tenum_insert(type.get(), "TRUE", &yes), "boolean type");
    return type;
}

std::string describe(const std::vector<TableCell>& columns) {
    std::string out;
    for (const TableCell& c : columns)
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", c.name, column_type_name(c.type()));
    return "(" + out + ")";
}

bool same_columns(const std::vector<TableCell>& a, const std::vector<TableCell>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].type() != b[i].type()) return false;
    return true;
}

}  // namespace

struct TableFileWriter::Table {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::vector<TableCell> columns;  // the first row's cells: names and types
    std::size_t row_bytes = index_bytes;
    hdf5::Handle type;
    hdf5::Handle dataset;
    std::vector<char> pending;
    std::uint64_t pending_rows = 0;
    std::uint64_t written = 0;
};

namespace {
// Checked before the file is created, so that bad options leave an older file alone.
TableWriterOptions check_options(TableWriterOptions options) {
    if (options.compression < 0 || options.compression > 9)
        throw StorageError(fmt::format("compression level {} is not 0 to 9", options.compression));
    if (options.flush_rows == 0) throw StorageError("flush_rows must be 1 or more");
    return options;
}
}  // namespace

TableFileWriter::TableFileWriter(std::string path, const Provenance& provenance, TableWriterOptions options)
    : options_(check_options(options)),
      file_(std::move(path), provenance, table_file_format_name, table_file_format_version) {}

TableFileWriter::~TableFileWriter() {
    // Unclosed: PATH.partial stays, status "writing". Unless a write failed: nothing could read it.
    if (!write_failure_.empty() && file_.is_open()) {
        release_tables();
        file_.discard();
    }
}

void TableFileWriter::release_tables() noexcept {
    for (auto& [name, t] : tables_) {
        t->dataset.release();  // closed with the file
        t->type.reset();
    }
}

void TableFileWriter::declare(const std::string& name, std::map<std::string, std::string> attributes) {
    table(name).attributes = std::move(attributes);
}

TableFileWriter::Table& TableFileWriter::table(const std::string& name) {
    auto& slot = tables_[name];
    if (!slot) {
        slot = std::make_unique<Table>();
        slot->name = name;
    }
    return *slot;
}

std::uint64_t TableFileWriter::rows(const std::string& name) const {
    auto it = tables_.find(name);
    return it == tables_.end() ? 0 : it->second->written + it->second->pending_rows;
}

void TableFileWriter::create(Table& t, const TableRow& first_row) {
    const std::vector<TableCell>& columns = first_row.cells();
    std::size_t row_bytes = index_bytes;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        for (const char* index : index_columns)
            if (columns[i].name == index)
                throw StorageError(
                    fmt::format("table '{}': column '{}' clashes with an index column", t.name, columns[i].name));
        for (std::size_t j = 0; j < i; ++j)
            if (columns[i].name == columns[j].name)
                throw StorageError(fmt::format("table '{}': two columns are named '{}'", t.name, columns[i].name));
        row_bytes += column_bytes(columns[i].type());
    }
    t.columns = columns;
    t.row_bytes = row_bytes;

    t.type = hdf5::datatype(H5Tcreate(H5T_COMPOUND, t.row_bytes), "table row type");
    const std::string what = "table '" + t.name + "' row type";
    std::size_t offset = 0;
    for (const char* index : index_columns) {
        hdf5::check_status(H5Tinsert(t.type.get(), index, offset, H5T_NATIVE_INT64), what);
        offset += sizeof(std::int64_t);
    }
    const hdf5::Handle boolean = boolean_type();
    for (const TableCell& cell : t.columns) {
        const hid_t member = cell.type() == ColumnType::int64     ? H5T_NATIVE_INT64
                             : cell.type() == ColumnType::float64 ? H5T_NATIVE_DOUBLE
                                                                  : boolean.get();
        hdf5::check_status(H5Tinsert(t.type.get(), cell.name.c_str(), offset, member), what);
        offset += column_bytes(cell.type());
    }
    t.dataset = create_growing_dataset(file_.id(), t.name, t.type.get(), options_.flush_rows, options_.compression);
    for (const auto& [attribute, value] : t.attributes) hdf5::set_attribute(t.dataset.get(), attribute, value);
}

void TableFileWriter::append(const std::string& name, const EventHeader& index, const TableRow& row) {
    if (!file_.is_open()) throw StorageError("'" + path() + "' is closed; cannot write more rows");
    if (!write_failure_.empty()) throw StorageError("'" + path() + "' cannot take more rows: " + write_failure_);
    Table& t = table(name);
    if (!t.dataset) create(t, row);
    if (!same_columns(t.columns, row.cells()))
        throw StorageError(fmt::format(
            "table '{}' in '{}': the row for run {}, event {}, sub-event {} has columns {}, "
            "but the table's first row had {}",
            name, path(), index.run, index.event, index.sub_event, describe(row.cells()), describe(t.columns)));
    const std::size_t at = t.pending.size();
    t.pending.resize(at + t.row_bytes);
    char* out = t.pending.data() + at;
    for (std::int64_t value : {index.run, index.event, index.sub_event}) {
        std::memcpy(out, &value, sizeof value);
        out += sizeof value;
    }
    for (const TableCell& cell : row.cells()) {
        std::visit(
            [&out](auto value) {
                if constexpr (std::is_same_v<decltype(value), bool>) {
                    *out++ = value ? 1 : 0;
                } else {
                    std::memcpy(out, &value, sizeof value);
                    out += sizeof value;
                }
            },
            cell.value);
    }
    if (++t.pending_rows >= options_.flush_rows) flush(t);
}

void TableFileWriter::flush(Table& t) {
    try {
        append_rows(t.dataset.get(), t.type.get(), t.written, t.pending_rows, t.pending.data(),
                    "writing table '" + t.name + "' to '" + file_.partial_path() + "'");
    } catch (const StorageError& e) {
        write_failure_ = e.what();  // the file can no longer be finished: close() gives it up
        throw;
    }
    t.written += t.pending_rows;
    t.pending_rows = 0;
    t.pending.clear();
}

void TableFileWriter::close(const RunState& state) {
    if (!file_.is_open()) return;
    const std::string what = "closing '" + file_.partial_path() + "'";
    // Everything here writes to the file: a failure means it cannot be finished.
    if (write_failure_.empty()) {
        try {
            for (auto& [name, t] : tables_) {
                if (!t->dataset) {  // no row came: the index columns only, and a note why
                    create(*t, TableRow{});
                    hdf5::set_attribute(t->dataset.get(), "note",
                                        std::string("no rows were written, so only the index columns are known"));
                }
                flush(*t);
                t->dataset.close(what);
                t->type.reset();
            }
        } catch (const StorageError& e) {
            write_failure_ = e.what();
        }
    }
    if (!write_failure_.empty()) {
        release_tables();
        file_.give_up(write_failure_);
    }
    file_.close(state);
}

void TableFileWriter::discard() noexcept {
    tables_.clear();
    file_.discard();
}

}  // namespace mpitray::io
