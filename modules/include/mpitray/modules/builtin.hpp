#pragma once
// The built-in modules that need neither MPI nor HDF5: Generator, Splitter, Filter, Work, Fail,
// Print, Stamp, Count. Call register_builtin_modules() once before building a tray.
namespace mpitray {
void register_builtin_modules();
}  // namespace mpitray
