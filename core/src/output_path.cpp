#include <mpitray/core/output_path.hpp>

#include <filesystem>
#include <system_error>

namespace mpitray {
namespace {

namespace fs = std::filesystem;

const char* kind_of(fs::file_type type) {
    switch (type) {
        case fs::file_type::directory: return "a directory";
        case fs::file_type::symlink: return "a symbolic link";
        case fs::file_type::block: return "a block device";
        case fs::file_type::character: return "a character device";
        case fs::file_type::fifo: return "a FIFO";
        case fs::file_type::socket: return "a socket";
        default: return "something other than a file";
    }
}

// "" when `name` does not exist or is a regular file; the link itself is looked at, not its target.
std::string not_regular(const std::string& name, const char* advice) {
    std::error_code error;
    const fs::file_type type = fs::symlink_status(name, error).type();
    if (type == fs::file_type::not_found || type == fs::file_type::regular) return {};
    if (error) return "cannot look at '" + name + "': " + error.message();
    return "'" + name + "' is " + kind_of(type) + ", not a regular file; " + advice;
}

}  // namespace

std::string output_path_problem(const std::string& path) {
    std::string problem = not_regular(path,
                                      "an output only ever replaces a regular file (for a link: give the "
                                      "path it points to)");
    if (problem.empty())
        problem = not_regular(partial_path_of(path),
                              "the output is written under that name, which may only be "
                              "a regular file left over from an earlier run");
    return problem;
}

}  // namespace mpitray
