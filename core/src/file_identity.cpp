#include <mpitray/core/file_identity.hpp>

#include <filesystem>
#include <system_error>

namespace mpitray {
namespace {

namespace fs = std::filesystem;

// Links and '..' resolved as far as the path exists; the rest as written.
fs::path resolved(const std::string& path) {
    std::error_code error;
    fs::path result = fs::weakly_canonical(path, error);
    if (error) result = fs::absolute(path, error).lexically_normal();
    return result;
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
    std::error_code error;
    const bool a_exists = fs::exists(a, error), b_exists = fs::exists(b, error);
    if (a_exists != b_exists) return false;
    if (!a_exists) return resolved(a) == resolved(b);
    return fs::equivalent(a, b, error);  // device and inode
}

}  // namespace mpitray
