#pragma once
// Tables built once per node in shared memory (docs/user-guide.md, "Shared tables"): the first
// process of the node to ask for a table creates a file in a memory file system (/dev/shm by
// default) and fills it; every other process of the node that asks for the same table maps the
// same pages read-only, waiting for the build if it is under way. No process builds a second copy
// of a table another one holds. The last process to let a table go removes its file.
//
// Why files in /dev/shm rather than MPI-3 shared windows: a window is created and freed
// collectively by every rank of the node, so releasing an old generation would stop every rank at
// the same point; implementations also cap the number of windows. Files need no collective step,
// and their space is reserved when the table is created (posix_fallocate), so a full /dev/shm is
// a clear error up front rather than a SIGBUS mid-build.
//
// The processes of one run find each other's tables by name: the run's token (the same on every
// rank, handed in by the program) and a hash of the request. Files a killed run left behind are
// removed when a later run starts, once the process that built them is gone.
#include <mpitray/core/tables.hpp>

#include <string>
#include <vector>

namespace mpitray {

class NodeSharedTables : public TableService {
public:
    // `run_token`: the same on every process of the run, different for every run (letters,
    // digits, '-' and '_'). `directory`: a memory file system every process of the node sees.
    explicit NodeSharedTables(std::string run_token, std::string directory = "/dev/shm");

    // How long to wait for another process's build before giving up (the builder is checked
    // for being alive all along; this bounds a builder that is alive but stuck).
    void set_build_timeout(double seconds) { build_timeout_s_ = seconds; }
    const std::string& directory() const noexcept { return directory_; }

    // The file a request's table lives in, while it is shared.
    std::string path_of(const TableRequest& request) const;
    // Removes the files of runs whose building process is gone (a run that was killed); returns
    // how many. Called when the service is made.
    int remove_stale() const;

    // The memory domains (NUMA nodes) in a kernel list such as "0-1,4" (as in
    // /sys/devices/system/node/online); empty when the list cannot be read. A table's pages are
    // interleaved over the node's domains when it has several, so that the ranks of every socket
    // read it at the same speed instead of all of it sitting where its builder runs.
    static std::vector<int> parse_node_list(const std::string& list);

protected:
    Obtained obtain(const TableRequest& request, const TableFill& fill) override;

private:
    std::string run_token_;
    std::string directory_;
    double build_timeout_s_ = 3600;
    HeldTables mapped_;  // by path: this process's users share one mapping
};

}  // namespace mpitray
