// A program that builds trays with Dispatch needs neither MPI's nor HDF5's headers: the Dispatch
// header must not bring them in (it used to include hdf5.h through the failure log's writer).
// This file fails to compile if it does.
#include <mpitray/dispatch/dispatch.hpp>

#if defined(MPI_VERSION)
#error "mpitray/dispatch/dispatch.hpp includes mpi.h"
#endif
#if defined(H5_VERS_MAJOR)
#error "mpitray/dispatch/dispatch.hpp includes HDF5's headers"
#endif

#include <gtest/gtest.h>

TEST(HeaderHygiene, DispatchHeaderLeavesOutMpiAndHdf5) { SUCCEED() << "checked when this file compiled"; }
