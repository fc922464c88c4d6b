#pragma once
// Read-only tables a module builds from its inputs and then only reads (photon propagation
// splines, detector response tables): the module names the table, says what it depends on, and
// gives a deterministic function that fills it. A TableService decides where it lives: in the
// module's own memory (PrivateTables), or once per node in memory every rank of the node maps
// (NodeSharedTables), so that a node holds one copy instead of one per process
// (docs/user-guide.md, "Shared tables").
//
// A table is immutable once built. When what it depends on changes (a new Calibration frame),
// the module asks for the table of the new identity and drops the old one; the old generation is
// released when its last user lets go. Because each rank asks in its own stream order, a rank
// never reads a generation other than the one its frames call for.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace mpitray {

struct TableRequest {
    std::string name;                // the table's name, unique within the tray (e.g. "photon_table")
    std::string identity;            // what its contents depend on, as text (e.g. the Calibration's
                                     // version and parameters); a different identity, a different table
    std::vector<std::size_t> shape;  // its dimensions; the values are stored in row-major order

    std::size_t values() const;  // the product of the dimensions
    std::size_t bytes() const { return values() * sizeof(double); }
};

// Fills a table's values (all of them, row-major), deterministically from the request.
using TableFill = std::function<void(std::span<double> values)>;

class Table {
public:
    virtual ~Table() = default;
    std::span<const double> values() const noexcept { return values_; }
    const std::vector<std::size_t>& shape() const noexcept { return shape_; }
    const std::string& name() const noexcept { return name_; }
    const std::string& identity() const noexcept { return identity_; }
    // Whether other processes map these same pages (NodeSharedTables), or they are this process's.
    virtual bool shared() const noexcept = 0;

protected:
    Table(const TableRequest& request, std::span<const double> values)
        : values_(values), shape_(request.shape), name_(request.name), identity_(request.identity) {}

private:
    std::span<const double> values_;
    std::vector<std::size_t> shape_;
    std::string name_;
    std::string identity_;
};

// What this process did for one table, for the summary across ranks: whether it built the table
// or mapped another process's copy, and how long that took.
struct TableRecord {
    std::string name;
    std::int64_t generation = 0;  // 1 for the first identity of this name, 2 for the next, ...
    std::uint64_t bytes = 0;
    bool built = false;   // this process filled it (else it mapped another process's copy)
    bool shared = false;  // it lives in node-shared memory
    double seconds = 0;   // building it, or waiting for it and mapping it
};

class TableService {
public:
    virtual ~TableService() = default;
    // The table for `request`, built with `fill` if nobody has built it. Throws ConfigError for a
    // request without a name or with an empty or overflowing shape, Error when the build fails
    // (the fill threw: its message is kept; here or on the rank that built it).
    std::shared_ptr<const Table> get(const TableRequest& request, const TableFill& fill);
    // Every table this process obtained, once per identity, in the order it first asked.
    std::vector<TableRecord> records() const;

protected:
    // The table, and whether this process filled it.
    struct Obtained {
        std::shared_ptr<const Table> table;
        bool built = false;
    };
    // Finds, maps or builds the table of a checked request; called one at a time.
    virtual Obtained obtain(const TableRequest& request, const TableFill& fill) = 0;

private:
    mutable std::mutex mutex_;  // modules of several trays (threads) may ask at once
    std::vector<TableRecord> records_;
    std::set<std::string> recorded_;                   // table_key of each record
    std::map<std::string, std::int64_t> generations_;  // name -> identities recorded
};

// The tables of this process that some module still holds, by key: a second request for one
// gets the same copy. A table every user has let go is forgotten.
class HeldTables {
public:
    std::shared_ptr<const Table> find(const std::string& key) const;
    void remember(const std::string& key, const std::shared_ptr<const Table>& table);

private:
    std::map<std::string, std::weak_ptr<const Table>> held_;
};

// Every table in this process's own memory: the behaviour without node sharing, and the one to
// compare against (run --tables private).
class PrivateTables : public TableService {
public:
protected:
    // Two modules of this process asking for the same table get one copy.
    Obtained obtain(const TableRequest& request, const TableFill& fill) override;

private:
    HeldTables held_;  // by table_key
};

// Checks a request; throws ConfigError naming what is wrong.
void check_table_request(const TableRequest& request);
// What makes two requests the same table: name, identity and shape.
std::string table_key(const TableRequest& request);

}  // namespace mpitray
