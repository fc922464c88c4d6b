#pragma once
// Where rank 0 and the workers on its host settle, without a message, whether a packet waiting at
// a worker is still that worker's to run (docs/protocol.md, "Taking back a waiting packet").
//
// Once every packet is sent, a packet waiting behind a long one at a busy worker would be done
// sooner by an idle worker. Rank 0 cannot ask the busy worker (it is inside its event, reading no
// messages), and running the packet twice would count it twice in the inner modules' state. So
// each worker has one word in a small file of shared memory: before it starts a packet, the
// worker writes the packet's number there with a compare-and-swap; rank 0 takes a packet back with
// a compare-and-swap on the same word, which succeeds only while the worker has not started it.
// Exactly one of the two wins, and the worker skips a packet rank 0 won.
//
// The word of each worker, on its own cache line:
//   unattached          the worker has not opened the board: nothing is ever taken from it
//   n (n < 2^63)        the last packet the worker started (or skipped) is seq n - 1 (0: none yet)
//   withdrawn | n       rank 0 took back seq n - 1, which the worker has not started; the worker
//                       writes n there when it comes to that packet and skips it
// A worker that cannot open the file (another host, another /dev/shm) never attaches, and rank 0
// takes nothing from it.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace mpitray {

class ClaimBoard {
public:
    // Rank 0: a new board for `workers` workers, in a file of `directory` (a memory file system).
    static ClaimBoard create(int workers, const std::string& directory = "/dev/shm");
    // A worker: the board rank 0 named, with its word marked as attached. None when the file
    // cannot be opened or is not the board of that name and `nonce`.
    static std::optional<ClaimBoard> attach(const std::string& path, std::uint64_t nonce, int worker);

    ClaimBoard(ClaimBoard&& other) noexcept;
    ClaimBoard& operator=(ClaimBoard&& other) noexcept;
    ClaimBoard(const ClaimBoard&) = delete;
    ClaimBoard& operator=(const ClaimBoard&) = delete;
    ~ClaimBoard();  // unmaps; the board's creator also removes the file

    const std::string& path() const noexcept { return path_; }
    std::uint64_t nonce() const noexcept;

    // The worker, before it runs packet `seq` (packets in the order they were sent): false when
    // rank 0 took it back, and the worker must skip it.
    bool start(int worker, std::uint64_t seq);

    // Rank 0: whether the worker opened the board.
    bool attached(int worker) const;
    // Rank 0: whether the worker holds `seq` without having started it, as far as the board
    // shows (attached, nothing taken back from it yet, its last started packet before `seq`).
    bool waiting(int worker, std::uint64_t seq) const;
    // Rank 0: takes `seq` back from the worker; true when it had not started it (it never will).
    // One packet at a time: nothing more is taken from a worker until it has passed that one.
    bool withdraw(int worker, std::uint64_t seq);

private:
    struct Layout;
    ClaimBoard(std::string path, Layout* layout, std::size_t bytes, bool owner) noexcept;
    std::atomic<std::uint64_t>& word(int worker) const;

    std::string path_;
    Layout* layout_ = nullptr;
    std::size_t bytes_ = 0;
    bool owner_ = false;
};

}  // namespace mpitray
