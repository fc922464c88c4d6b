#include <mpitray/core/stop.hpp>

#include <mpitray/core/error.hpp>

#include <fmt/format.h>

namespace mpitray {

std::string Stop::name() const {
    if (printable()) return std::string(1, code_);
    return fmt::format("\\x{:02x}", static_cast<unsigned char>(code_));
}

Stop parse_stop(const std::string& text) {
    if (text.size() != 1 || !Stop(text[0]).printable())
        throw ConfigError(fmt::format("'{}' is not a stop: a stop is one printable character such as Q or P", text));
    return Stop(text[0]);
}

}  // namespace mpitray
