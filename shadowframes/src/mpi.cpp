#include <mpitray/shadowframes/mpi.hpp>

#include <mpitray/shadowframes/gathered.hpp>
#include <mpitray/shadowframes/launcher_watch.hpp>

#include <fmt/format.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

namespace mpitray::mpi {
namespace {

// Larger blocks are split: MPI counts and block lengths are ints.
constexpr std::size_t max_block = std::size_t{1} << 30;

std::string error_string(int rc) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(rc, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(rc);
    return std::string(text, std::size_t(length));
}

// A datatype of exactly `size` bytes, for receiving messages past INT_MAX bytes.
MPI_Datatype byte_type(std::size_t size) {
    const std::size_t blocks = size / max_block;
    const std::size_t rest = size % max_block;
    MPI_Datatype block;
    check(MPI_Type_contiguous(int(max_block), MPI_BYTE, &block), "MPI_Type_contiguous");
    int lengths[2] = {int(blocks), int(rest)};
    MPI_Aint displacements[2] = {0, MPI_Aint(blocks * max_block)};
    MPI_Datatype types[2] = {block, MPI_BYTE};
    MPI_Datatype whole;
    check(MPI_Type_create_struct(rest ? 2 : 1, lengths, displacements, types, &whole), "MPI_Type_create_struct");
    check(MPI_Type_commit(&whole), "MPI_Type_commit");
    MPI_Type_free(&block);
    return whole;
}

// Waits for a nonblocking collective, pausing between tests. A blocking collective would spin
// inside MPI without yielding (Session turns Open MPI's yield off), and ranks that outnumber the
// cores would keep the cores from the ranks they wait for: 16 workers on 2 cores took 80 ms
// instead of 5 to get through startup.
// With a deadline, gives up when it passes and says whether the request completed. `long_wait`:
// the other ranks may take hours, so it sleeps the longest pauses at once.
bool wait_for(MPI_Request& request, const char* what,
              std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt, bool long_wait = false) {
    Backoff backoff;
    while (!deadline || std::chrono::steady_clock::now() < *deadline) {
        int done = 0;
        check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), what);
        if (done) return true;
        backoff.wait(!deadline && !long_wait);
    }
    return false;
}

}  // namespace

bool launched_by_mpi() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
        if (std::getenv(variable)) return true;
    return false;
}

namespace {
int first_set(std::initializer_list<const char*> variables, int otherwise) {
    for (const char* variable : variables)
        if (const char* value = std::getenv(variable)) return std::atoi(value);
    return otherwise;
}
}  // namespace

int launcher_rank() { return first_set({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}, 0); }
int launcher_size() { return first_set({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"}, 1); }

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) throw MpiError(std::string(what) + ": " + error_string(rc), rc);
}

Session::Session(int* argc, char*** argv) {
    // mpirun tells Open MPI to yield the core inside every progress call when ranks outnumber
    // cores. mpitray never blocks in MPI while frames move: it polls and paces itself (Backoff),
    // so those yields only add a system call to each poll. With them, a 4 KiB exchange on 3 ranks
    // and 2 cores ran at 0.45 of the raw farm; without, 0.7 (docs/benchmarks.md). Set
    // MPITRAY_MPI_YIELD (any value but 0) to keep Open MPI's setting, including one given with
    // `mpirun --mca mpi_yield_when_idle`, which this would otherwise override.
    const char* keep = std::getenv("MPITRAY_MPI_YIELD");
    if (keep == nullptr || *keep == '\0' || std::string(keep) == "0") setenv("OMPI_MCA_mpi_yield_when_idle", "0", 1);
    int provided = 0;
    check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    // Errors come back as return codes, which check() turns into exceptions.
    check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    char name[MPI_MAX_PROCESSOR_NAME];
    int length = 0;
    check(MPI_Get_processor_name(name, &length), "MPI_Get_processor_name");
    host_.assign(name, std::size_t(length));
}

Session::~Session() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    // Without its launcher, MPI cannot end in order: the process just ends (LauncherWatch).
    if (finalized || LauncherWatch::lost()) return;
    meet_before_finalize();
    MPI_Finalize();
}

// Every rank meets here before any enters MPI_Finalize. MPI_Finalize begins a collective in the
// launcher (a PMIx fence), and when rank 0 ends the job with MPI_Abort while other ranks are in
// that fence (a worker that does not answer, with the rest already done), Debian 12's mpirun
// (Open MPI 4.1 on PMIx 4.2) now and then segfaults, or hangs in its own PMIx_server_finalize after
// every rank is gone: 1 run in 30 of a ten-line MPI program doing just that, and 2 in 21 of
// mpitray's stopped-worker test. A rank waiting here is inside plain MPI, which an abort ends
// cleanly. The wait has no bound: a worker whose stage ended, or a rank no stage needed, may wait
// for hours while rank 0 runs later stages, and must still be here, not in MPI_Finalize, if rank
// 0 then aborts. It sleeps between looks; rank 0's abort, the launcher, or (without a launcher)
// LauncherWatch ends the wait if rank 0 never comes.
void Session::meet_before_finalize() noexcept {
    try {
        MPI_Request request = MPI_REQUEST_NULL;
        check(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
        wait_for(request, "MPI_Ibarrier", std::nullopt, true);
    } catch (const MpiError&) {
        // A rank is gone: MPI_Finalize, as without the meeting.
    }
}

void Session::abort(int code) const {
    if (!LauncherWatch::lost()) MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
}

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

Communicator::~Communicator() {
    // Sends still under way belong to a run that is being abandoned: release the requests rather
    // than wait. MPI_Request_free does not stop a send, and MPI may still read the buffers, so
    // they are left allocated: the process is ending.
    if (requests_.empty()) return;
    for (MPI_Request& request : requests_)
        if (request != MPI_REQUEST_NULL) MPI_Request_free(&request);
    // Deliberately never freed. Should even that small allocation fail, the buffers are freed with
    // this object instead: the process is ending, and there is nothing better to do.
    new (std::nothrow) std::vector<std::shared_ptr<const void>>(std::move(sending_));
}

void Communicator::send(int destination, Tag tag, OutgoingMessage message) {
    progress();  // release what earlier sends held, so memory does not grow with the run
    if (message.gaps().empty()) {
        const SharedBuffer bytes = message.bytes();
        const std::span<const char> whole(bytes ? bytes->data() : nullptr, bytes ? bytes->size() : 0);
        start_send(destination, tag, whole, bytes);
        return;
    }
    // The head, then each gap from where it is (gathered.hpp), each send keeping its gap's owner
    // alive until it completes. Room comes first: a receiver that got the head waits for every
    // gap, so once the head has gone only MPI itself may fail.
    const std::vector<Gaps::Gap>& gaps = message.gaps();
    const SharedBuffer head = gathered_head(tag, *message.bytes_with_gaps(), gaps);
    requests_.reserve(requests_.size() + 1 + gaps.size());
    sending_.reserve(sending_.size() + 1 + gaps.size());
    start_send(destination, Tag::gathered, {head->data(), head->size()}, head);
    for (const Gaps::Gap& gap : gaps) start_send(destination, Tag::gap, gap.bytes, gap.owner);
}

void Communicator::start_send(int destination, Tag tag, std::span<const char> bytes, std::shared_ptr<const void> keep) {
    // Room first: once MPI_Isend has started, recording the send must not fail, or the buffer
    // could be freed while MPI reads it.
    requests_.reserve(requests_.size() + 1);
    sending_.reserve(sending_.size() + 1);
    MPI_Request request = MPI_REQUEST_NULL;
    if (bytes.size() <= std::size_t(INT_MAX)) {
        check(MPI_Isend(bytes.data(), int(bytes.size()), MPI_BYTE, destination, static_cast<int>(tag), comm_, &request),
              "MPI_Isend");
    } else {
        MPI_Datatype type = byte_type(bytes.size());
        const int rc = MPI_Isend(bytes.data(), 1, type, destination, static_cast<int>(tag), comm_, &request);
        MPI_Type_free(&type);  // MPI keeps it until the send completes
        check(rc, "MPI_Isend");
    }
    requests_.push_back(request);
    sending_.push_back(std::move(keep));  // the bytes stay alive until the send completes
}

std::size_t Communicator::progress() {
    if (requests_.empty()) return 0;
    completed_.resize(requests_.size());
    int count = 0;
    check(MPI_Testsome(int(requests_.size()), requests_.data(), &count, completed_.data(), MPI_STATUSES_IGNORE),
          "MPI_Testsome");
    if (count == 0) return requests_.size();
    // MPI_UNDEFINED: every request was already null (completed before an error interrupted an
    // earlier call), so the compaction below drops them all.
    // Completed requests are MPI_REQUEST_NULL now: drop them and their buffers, keeping the rest in order.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < requests_.size(); ++i) {
        if (requests_[i] == MPI_REQUEST_NULL) continue;
        if (kept != i) {
            requests_[kept] = requests_[i];
            sending_[kept] = std::move(sending_[i]);
        }
        ++kept;
    }
    requests_.resize(kept);
    sending_.resize(kept);
    return kept;
}

void Communicator::flush() {
    Backoff backoff;
    while (progress() != 0) backoff.wait();
}

bool Communicator::flush_for(double seconds) {
    Backoff backoff;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (progress() != 0) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        backoff.wait();
    }
    return true;
}

std::optional<Received> Communicator::try_receive(int source) {
    int found = 0;
    MPI_Message handle;
    MPI_Status status;
    check(MPI_Improbe(source, MPI_ANY_TAG, comm_, &found, &handle, &status), "MPI_Improbe");
    if (!found) return std::nullopt;
    MPI_Count count = 0;
    check(MPI_Get_elements_x(&status, MPI_BYTE, &count), "MPI_Get_elements_x");
    auto bytes = std::make_shared<Buffer>(std::size_t(count));
    receive_into(bytes->data(), std::size_t(count), &handle, status.MPI_SOURCE);
    const auto tag = static_cast<Tag>(status.MPI_TAG);
    if (tag != Tag::gathered) return Received{status.MPI_SOURCE, tag, std::move(bytes)};
    // Its gaps follow from the same sender, in order, and no other gap message of that sender can
    // come between (MPI keeps one sender's messages in order).
    Scattered message = open_gathered(ByteView(std::move(bytes)));
    for (const Scattered::Span& gap : message.gaps)
        receive_into(message.whole->data() + gap.offset, gap.size, nullptr, status.MPI_SOURCE);
    return Received{status.MPI_SOURCE, message.tag, std::move(message.whole)};
}

void Communicator::receive_into(char* at, std::size_t size, MPI_Message* matched, int source) {
    // Nonblocking, and waited for with the backoff: a large message may need the sender's
    // progress, and a blocking receive would spin in MPI, without yielding, meanwhile.
    MPI_Request request = MPI_REQUEST_NULL;
    const int gap = static_cast<int>(Tag::gap);
    if (size <= std::size_t(INT_MAX)) {
        check(matched ? MPI_Imrecv(at, int(size), MPI_BYTE, matched, &request)
                      : MPI_Irecv(at, int(size), MPI_BYTE, source, gap, comm_, &request),
              "MPI_Imrecv");
    } else {
        MPI_Datatype type = byte_type(size);
        const int rc =
            matched ? MPI_Imrecv(at, 1, type, matched, &request) : MPI_Irecv(at, 1, type, source, gap, comm_, &request);
        MPI_Type_free(&type);  // MPI keeps it until the receive completes
        check(rc, "MPI_Imrecv");
    }
    wait_for(request, "MPI_Imrecv");
}

Received Communicator::receive(int source) {
    Backoff backoff;
    while (true) {
        if (auto received = try_receive(source)) {
            progress();
            return std::move(*received);
        }
        progress();
        backoff.wait();
    }
}

std::vector<std::string> gather_text(const Communicator& comm, const std::string& mine) {
    constexpr std::size_t width = MPI_MAX_PROCESSOR_NAME;
    std::string padded = mine.substr(0, width - 1);
    padded.resize(width, '\0');
    std::string all(width * std::size_t(comm.size()), '\0');
    MPI_Request request;
    check(MPI_Iallgather(padded.data(), int(width), MPI_CHAR, all.data(), int(width), MPI_CHAR, comm.get(), &request),
          "MPI_Iallgather");
    wait_for(request, "MPI_Iallgather");
    std::vector<std::string> texts;
    texts.reserve(std::size_t(comm.size()));
    for (int r = 0; r < comm.size(); ++r) texts.emplace_back(all.c_str() + std::size_t(r) * width);
    return texts;
}

std::unique_ptr<Communicator> sub_communicator(const Communicator& comm, bool member) {
    MPI_Comm group = MPI_COMM_NULL;
    check(MPI_Comm_split(comm.get(), member ? 0 : MPI_UNDEFINED, comm.rank(), &group), "MPI_Comm_split");
    if (group == MPI_COMM_NULL) return nullptr;
    return std::make_unique<Communicator>(group);
}

std::vector<int> process_ids(const Communicator& comm) {
    const int mine = int(::getpid());
    std::vector<int> all(std::size_t(comm.size()), 0);
    MPI_Request request;
    check(MPI_Iallgather(&mine, 1, MPI_INT, all.data(), 1, MPI_INT, comm.get(), &request), "MPI_Iallgather");
    wait_for(request, "MPI_Iallgather");
    return all;
}

std::string first_error_across_ranks(const Communicator& comm, const std::string& mine) {
    // Each rank's error length, then the first failing rank sends its text to everyone.
    const int length = int(mine.size());
    std::vector<int> lengths(std::size_t(comm.size()));
    MPI_Request request;
    check(MPI_Iallgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm.get(), &request), "MPI_Iallgather");
    wait_for(request, "MPI_Iallgather");
    int first = -1;
    for (int r = 0; r < comm.size(); ++r)
        if (lengths[std::size_t(r)] > 0) {
            first = r;
            break;
        }
    if (first < 0) return {};
    std::string text = comm.rank() == first ? mine : std::string(std::size_t(lengths[std::size_t(first)]), '\0');
    check(MPI_Ibcast(text.data(), int(text.size()), MPI_CHAR, first, comm.get(), &request), "MPI_Ibcast");
    wait_for(request, "MPI_Ibcast");
    return first == 0 ? text : "on rank " + std::to_string(first) + ": " + text;
}

void Backoff::reset() noexcept {
    delay_ = initial_;
    idle_since_ = {};
}

void Backoff::wait(bool expect_soon, std::chrono::microseconds cap) {
    const std::chrono::microseconds pause = next_pause(clock::now(), expect_soon, cap);
    if (pause.count() == 0) std::this_thread::yield();
    else std::this_thread::sleep_for(pause);
}

std::chrono::microseconds Backoff::next_pause(clock::time_point now, bool expect_soon, std::chrono::microseconds cap) {
    cap = std::clamp(cap, initial_, longest_sleep);
    if (idle_since_ == clock::time_point{}) idle_since_ = now;
    const auto waited = now - idle_since_;
    if (expect_soon && waited < spin_for_) return std::chrono::microseconds{0};
    // Short sleeps, not growing ones: the other side may be asleep too, and when it wakes and
    // answers, this side must answer while it still spins, or both fall into taking turns
    // sleeping (2 ranks, 4 KiB frames: 200k frames/s fell to 15k with doubling sleeps here).
    if (expect_soon && waited < short_sleeps_for_) return initial_;
    const std::chrono::microseconds pause = std::min(cap, delay_);
    delay_ = std::min(cap, delay_ * 2);
    return pause;
}

}  // namespace mpitray::mpi
