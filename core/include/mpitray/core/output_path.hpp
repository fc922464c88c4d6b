#pragma once
// The names an output file goes by, and what may stand under them. An output is written as
// PATH.partial and renamed to PATH when closed, so both names are the output's. Only regular
// files are ever replaced: a device node, a FIFO or a directory under either name is refused,
// and so is a symbolic link, since the rename would replace the link and not what it points to
// (and a link at PATH.partial would have its target overwritten). Checked with lstat semantics
// (std::filesystem::symlink_status), so no link is ever followed.
#include <string>

namespace mpitray {

// Suffix of a file while it is being written; renamed away on close.
inline constexpr const char* partial_suffix = ".partial";

inline std::string partial_path_of(const std::string& path) { return path + partial_suffix; }

// Why PATH cannot be an output ("'x' is a FIFO, not a regular file; ..."), or "" when it can:
// PATH and PATH.partial each either do not exist or are regular files.
std::string output_path_problem(const std::string& path);

}  // namespace mpitray
