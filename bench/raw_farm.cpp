// The floor for dispatch benchmarks: a minimal dynamic MPI farm in plain C++ and MPI. Rank 0 sends
// messages of SIZE bytes to the workers, keeping CREDITS in flight per worker; a worker spends the
// per-event cost (drawn exactly as the Work module draws it) and sends the same bytes back; rank 0
// keeps nothing. Prints one line: events, seconds, events/s, MB/s.
//
//   mpirun -n N raw_farm EVENTS SIZE [COST_MS [sleep|spin [fixed|lognormal|exponential [SIGMA [CREDITS]]]]]
#include <mpitray/core/rng.hpp>

#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int work_tag = 1;
constexpr int stop_tag = 2;

// The same draw as the Work module for the frame at input position `event` (lineage 0).
double cost_ms(std::uint64_t seed, std::uint64_t event, double mean, const std::string& cost, double sigma) {
    if (mean == 0.0) return 0.0;
    mpitray::Rng rng(mpitray::Rng::stream_seed(seed, event, 0, mpitray::Rng::key_of("Work")));
    if (cost == "lognormal") return rng.lognormal(std::log(mean) - 0.5 * sigma * sigma, sigma);
    if (cost == "exponential") return rng.exponential(mean);
    return mean;
}

void spend(double ms, bool spin) {
    const auto duration = std::chrono::duration<double, std::milli>(ms);
    if (!spin) return std::this_thread::sleep_for(duration);
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::nanoseconds>(duration);
    while (std::chrono::steady_clock::now() < until) {}
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc < 3 || size < 2) {
        if (rank == 0)
            std::fprintf(stderr,
                         "usage: mpirun -n N>=2 raw_farm EVENTS SIZE [COST_MS [MODE [COST [SIGMA [CREDITS]]]]]\n");
        MPI_Finalize();
        return 2;
    }
    const long events = std::atol(argv[1]);
    const int bytes = std::atoi(argv[2]);
    const double mean = argc > 3 ? std::atof(argv[3]) : 0.0;
    const bool spin = argc > 4 && std::string(argv[4]) == "spin";
    const std::string cost = argc > 5 ? argv[5] : "fixed";
    const double sigma = argc > 6 ? std::atof(argv[6]) : 1.0;
    const int credits = argc > 7 ? std::atoi(argv[7]) : 2;
    const std::uint64_t seed = 1;
    std::vector<char> buffer(std::size_t(bytes), 'x');

    if (rank != 0) {  // worker
        MPI_Status status;
        long event = 0;
        while (true) {
            MPI_Recv(buffer.data(), bytes, MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
            if (status.MPI_TAG == stop_tag) break;
            std::memcpy(&event, buffer.data(), sizeof event);
            spend(cost_ms(seed, std::uint64_t(event), mean, cost, sigma), spin);
            MPI_Send(buffer.data(), bytes, MPI_BYTE, 0, work_tag, MPI_COMM_WORLD);
        }
        MPI_Finalize();
        return 0;
    }

    // Dispatcher: every worker gets CREDITS messages at first, then one more per result.
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<char>> outgoing(std::size_t((size - 1) * credits), buffer);
    std::vector<MPI_Request> requests(outgoing.size(), MPI_REQUEST_NULL);
    long sent = 0, received = 0;
    auto send_to = [&](int worker, std::size_t slot) {
        MPI_Wait(&requests[slot], MPI_STATUS_IGNORE);
        std::memcpy(outgoing[slot].data(), &sent, sizeof sent);
        MPI_Isend(outgoing[slot].data(), bytes, MPI_BYTE, worker, work_tag, MPI_COMM_WORLD, &requests[slot]);
        ++sent;
    };
    for (int c = 0; c < credits; ++c)
        for (int w = 1; w < size && sent < events; ++w) send_to(w, std::size_t((w - 1) * credits + c));
    std::vector<int> next_slot(std::size_t(size), 0);
    std::vector<char> in(static_cast<std::size_t>(bytes));
    while (received < sent) {
        MPI_Status status;
        MPI_Recv(in.data(), bytes, MPI_BYTE, MPI_ANY_SOURCE, work_tag, MPI_COMM_WORLD, &status);
        ++received;
        if (sent < events) {
            const int w = status.MPI_SOURCE;
            const int c = next_slot[std::size_t(w)];
            next_slot[std::size_t(w)] = (c + 1) % credits;
            send_to(w, std::size_t((w - 1) * credits + c));
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MPI_Waitall(int(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
    for (int w = 1; w < size; ++w) MPI_Send(nullptr, 0, MPI_BYTE, w, stop_tag, MPI_COMM_WORLD);
    std::printf("raw_farm events %ld seconds %.6f events_per_second %.1f MB_per_second %.1f\n", events, seconds,
                double(events) / seconds, double(events) * bytes / seconds / 1e6);
    MPI_Finalize();
    return 0;
}
