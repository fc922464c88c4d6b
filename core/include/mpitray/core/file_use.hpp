#pragma once
// A file a module reads or writes, as its parameters name it. Modules say which files they use
// (Module::files) so that a pipeline whose modules would destroy each other's files is refused
// before any module is configured (mpitray/core/file_conflicts.hpp).
#include <string>

namespace mpitray {

struct FileUse {
    enum class Kind {
        input,   // read
        output,  // written as PATH.partial, renamed to PATH when closed (io's OutputFile)
    };
    std::string path;  // as written in the pipeline
    Kind kind = Kind::input;
};

}  // namespace mpitray
