// The main() of every MPI gtest binary: initializes MPI once, runs the tests on every rank,
// prints gtest's output from rank 0 only, and fails every rank when a test failed on any.
#include <mpitray/shadowframes/mpi.hpp>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    mpitray::mpi::Session session(&argc, &argv);
    ::testing::InitGoogleTest(&argc, argv);
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    if (session.rank() != 0) delete listeners.Release(listeners.default_result_printer());
    const int local = RUN_ALL_TESTS();
    int any = 0;
    MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (local != 0) std::fprintf(stderr, "rank %d: a test failed here\n", session.rank());
    return any;
}
