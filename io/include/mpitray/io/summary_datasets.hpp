#pragma once
// A summary frame (stop Z, core/summary_set.hpp) as plain HDF5 datasets, which h5py, pandas or
// ROOT's readers open without mpitray: under /summaries/MODULE/,
//   NAME                      a count: an int64 scalar
//   NAME/entries, sumw, sumw2  a weighted sum: int64 and float64 scalars
//   NAME/edges                a histogram: bins + 1 float64 edges,
//   NAME/counts, sumw, sumw2  per bin: fills (int64), sums of weights and of squared weights,
//   NAME/flow_counts, ...     and the same for [underflow, overflow]
// each with a string attribute `kind` (count, sum, histogram). The frame itself stays in the
// frame file too: it is what `mpitray diff` and `mpitray merge` use.
#include <mpitray/core/frame.hpp>

#include <hdf5.h>

namespace mpitray::io {

// Writes the datasets of `frame` if it is a summary frame (else nothing). A module whose
// summaries are in the file already (a file read and written again) gets MODULE.2, MODULE.3, ...
// Throws StorageError when HDF5 cannot write them.
void write_summary_datasets(hid_t file, const Frame& frame);

}  // namespace mpitray::io
