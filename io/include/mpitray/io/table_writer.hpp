#pragma once
// Writes rows of named columns to an HDF5 table file: one compound dataset per table at the
// root, one row per frame, that h5py and pandas read without mpitray:
//
//     pandas.DataFrame(h5py.File("tables.h5")["LineFit"][:])
//
// Every table starts with the index columns Run, Event and SubEvent (int64), then the columns
// the first row brought (int64, double, or bool stored as HDF5's FALSE/TRUE enum, which h5py
// reads as numpy bool). Later rows must bring the same columns. The file is an OutputFile:
// written as PATH.partial, renamed when closed, with the status attributes of a frame file.
#include <mpitray/core/standard_types.hpp>
#include <mpitray/core/table_row.hpp>
#include <mpitray/io/checkpoint_log.hpp>
#include <mpitray/io/output_file.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mpitray::io {

inline constexpr const char* table_file_format_name = "mpitray table file";
inline constexpr std::uint64_t table_file_format_version = 1;

struct TableWriterOptions {
    int compression = 1;              // deflate level, 0 (off) to 9
    std::uint64_t flush_rows = 4096;  // rows buffered per table before a write (also the chunk size)
};

class TableFileWriter {
public:
    TableFileWriter(std::string path, const Provenance& provenance, TableWriterOptions options = {});
    // Goes on writing the PATH.partial of a resumed run, rewound to its last checkpoint
    // (output_rewind.hpp): each table's next row follows the checkpoint's last.
    TableFileWriter(std::string path, OutputFile::Continue, TableWriterOptions options = {});
    TableFileWriter(const TableFileWriter&) = delete;
    TableFileWriter& operator=(const TableFileWriter&) = delete;
    ~TableFileWriter();

    // Declares a table, so it exists in the file even when no row comes; `attributes` are
    // written on its dataset (for example the frame key and object type it holds).
    void declare(const std::string& name, std::map<std::string, std::string> attributes = {});
    // Appends one row. The first row of a table fixes its columns; a row with other columns
    // (names, order or types) is a StorageError that names both.
    void append(const std::string& name, const EventHeader& index, const TableRow& row);

    // Writes what is buffered and records `checkpoint` (core/checkpoint.hpp) with it, such that
    // a SIGKILL from here on loses nothing up to this point.
    void checkpoint(const Checkpoint& checkpoint);

    // Writes what is buffered, records how the run ended, closes and renames the file. After a
    // write to the file failed (a full disk), or when this close cannot write, the file is given
    // up instead (OutputFile::give_up): PATH.partial is removed and the StorageError says so.
    void close(const RunState& state);
    void discard() noexcept;

    bool is_open() const noexcept { return file_.is_open(); }
    const std::string& path() const noexcept { return file_.path(); }
    std::uint64_t rows(const std::string& name) const;

private:
    struct Table;
    Table& table(const std::string& name);
    void create(Table& table, const TableRow& first_row);
    void flush(Table& table);
    void release_tables() noexcept;
    void release_datasets() noexcept;  // before the file is closed and opened again
    // SWMR writing creates nothing (output_file.hpp): a new table's dataset is made with the file
    // out of SWMR mode for a moment, and the open datasets opened again.
    void open_datasets();

    CheckpointLog checkpoints_;
    TableWriterOptions options_;
    OutputFile file_;
    std::map<std::string, std::unique_ptr<Table>> tables_;
    std::string write_failure_;  // why a write failed; then the file is given up, not closed
};

}  // namespace mpitray::io
