#pragma once
// The io modules: Reader and Writer. Call register_io_modules() once before building a tray.
namespace mpitray::io {
void register_io_modules();
}
