#pragma once
// Whether two paths name the same file, however they are spelled: through symbolic links and
// '..'. Two existing files are the same when their device and inode are (stat, so a link is
// its target); two paths not there yet are the same when they resolve to the same path. An
// existing file and a missing one are different.
#include <string>

namespace mpitray {

bool same_file(const std::string& a, const std::string& b);

}  // namespace mpitray
