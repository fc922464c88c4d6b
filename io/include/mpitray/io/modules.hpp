#pragma once
// The io modules: Reader, Writer and TableWriter. Call register_io_modules() once before building a tray.
namespace mpitray::io {
void register_io_modules();
}  // namespace mpitray::io
