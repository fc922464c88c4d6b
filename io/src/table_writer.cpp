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

// The in-memory (and stored) compound type of a row of `columns`, after the index columns.
hdf5::Handle row_type(const std::string& table, const std::vector<TableCell>& columns, std::size_t row_bytes) {
    hdf5::Handle type = hdf5::datatype(H5Tcreate(H5T_COMPOUND, row_bytes), "table row type");
    const std::string what = "table '" + table + "' row type";
    std::size_t offset = 0;
    for (const char* index : index_columns) {
        hdf5::check_status(H5Tinsert(type.get(), index, offset, H5T_NATIVE_INT64), what);
        offset += sizeof(std::int64_t);
    }
    const hdf5::Handle boolean = boolean_type();
    for (const TableCell& cell : columns) {
        const hid_t member = cell.type() == ColumnType::int64     ? H5T_NATIVE_INT64
                             : cell.type() == ColumnType::float64 ? H5T_NATIVE_DOUBLE
                                                                  : boolean.get();
        hdf5::check_status(H5Tinsert(type.get(), cell.name.c_str(), offset, member), what);
        offset += column_bytes(cell.type());
    }
    return type;
}

// The columns of a table this writer wrote, read back from its dataset's type (a resumed run).
std::vector<TableCell> stored_columns(hid_t dataset, const std::string& table) {
    const hdf5::Handle type = hdf5::dataset_type(dataset);
    const int members = H5Tget_nmembers(type.get());
    if (H5Tget_class(type.get()) != H5T_COMPOUND || members < 3)
        throw StorageError("table '" + table + "' is not a table of this writer's");
    std::vector<TableCell> columns;
    for (int i = 3; i < members; ++i) {
        char* raw = H5Tget_member_name(type.get(), unsigned(i));
        const std::string name = raw != nullptr ? raw : "";
        H5free_memory(raw);
        const hdf5::Handle member = hdf5::datatype(H5Tget_member_type(type.get(), unsigned(i)), "table column type");
        const H5T_class_t kind = H5Tget_class(member.get());
        if (kind == H5T_INTEGER) columns.push_back({name, std::int64_t{0}});
        else if (kind == H5T_FLOAT) columns.push_back({name, 0.0});
        else if (kind == H5T_ENUM) columns.push_back({name, false});
        else throw StorageError("table '" + table + "': column '" + name + "' is of a type this writer does not write");
    }
    return columns;
}

std::size_t bytes_of_row(const std::vector<TableCell>& columns) {
    std::size_t bytes = index_bytes;
    for (const TableCell& cell : columns) bytes += column_bytes(cell.type());
    return bytes;
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
      file_(std::move(path), provenance, table_file_format_name, table_file_format_version) {
    try {
        checkpoints_ = CheckpointLog::create(file_.id(), {});
        file_.start_swmr();
    } catch (...) {
        checkpoints_ = {};
        file_.discard();
        throw;
    }
}

TableFileWriter::TableFileWriter(std::string path, OutputFile::Continue, TableWriterOptions options)
    : options_(check_options(options)), file_(std::move(path), OutputFile::Continue{}) {
    checkpoints_ = CheckpointLog::open(file_.id());
    for (const std::string& name : checkpoints_.datasets()) {
        Table& t = table(name);
        t.dataset = hdf5::dataset(H5Dopen2(file_.id(), name.c_str(), H5P_DEFAULT), "opening table '" + name + "'");
        t.columns = stored_columns(t.dataset.get(), name);
        t.row_bytes = bytes_of_row(t.columns);
        t.type = row_type(name, t.columns, t.row_bytes);
        t.written = hdf5::extent(t.dataset.get(), name);
    }
    file_.start_swmr();
}

void TableFileWriter::open_datasets() {
    for (auto& [name, t] : tables_)
        if (t->type)
            t->dataset = hdf5::dataset(H5Dopen2(file_.id(), name.c_str(), H5P_DEFAULT), "opening table '" + name + "'");
    checkpoints_ = CheckpointLog::open(file_.id());
}

void TableFileWriter::checkpoint(const Checkpoint& checkpoint) {
    if (!file_.is_open() || !write_failure_.empty()) return;
    const std::string what = "writing a checkpoint to '" + file_.partial_path() + "'";
    try {
        std::vector<std::uint64_t> extents;
        for (const std::string& name : checkpoints_.datasets()) {
            Table& t = table(name);
            flush(t);
            extents.push_back(t.written);
        }
        checkpoints_.record(file_.id(), checkpoint, extents, what);
    } catch (const StorageError& e) {
        write_failure_ = e.what();
        throw;
    }
}

TableFileWriter::~TableFileWriter() {
    // Unclosed: PATH.partial stays, status "writing". Unless a write failed: nothing could read it.
    if (!write_failure_.empty() && file_.is_open()) {
        release_tables();
        file_.discard();
    }
}

void TableFileWriter::release_tables() noexcept {
    release_datasets();
    for (auto& [name, t] : tables_) t->type.reset();
}

void TableFileWriter::release_datasets() noexcept {
    for (auto& [name, t] : tables_) t->dataset.release();  // closed with the file
    checkpoints_.release();
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
    // Out of SWMR mode for the moment it takes: every open dataset is closed and opened again.
    const bool swmr = file_.swmr();
    if (swmr) {
        release_datasets();
        file_.leave_swmr();
        open_datasets();
    }
    t.type = row_type(t.name, t.columns, t.row_bytes);
    t.dataset = create_growing_dataset(file_.id(), t.name, t.type.get(), options_.flush_rows, options_.compression);
    for (const auto& [attribute, value] : t.attributes) hdf5::set_attribute(t.dataset.get(), attribute, value);
    checkpoints_.add_dataset(t.name);  // checkpoints record its size from here on
    if (swmr) file_.start_swmr();
}

void TableFileWriter::append(const std::string& name, const EventHeader& index, const TableRow& row) {
    if (!file_.is_open()) throw StorageError("'" + path() + "' is closed; cannot write more rows");
    if (!write_failure_.empty()) throw StorageError("'" + path() + "' cannot take more rows: " + write_failure_);
    Table& t = table(name);
    if (!t.dataset) {
        try {
            create(t, row);
        } catch (const StorageError& e) {
            write_failure_ = e.what();
            throw;
        }
    }
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
            for (auto& [name, t] : tables_)
                if (t->dataset) flush(*t);
            release_datasets();
            file_.leave_swmr();
            open_datasets();
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
            checkpoints_.close(what);
            // A complete file is never resumed: its root holds the tables alone, as readers that
            // go through every dataset at the root expect.
            if (state.ending == RunEnding::complete || state.ending == RunEnding::event_limit)
                drop_checkpoint_log(file_.id(), what);
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
