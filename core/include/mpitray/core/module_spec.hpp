#pragma once
// One entry of a pipeline file's tray: which module, under what name, with which parameters,
// and (for Dispatch) the inner section.
#include <mpitray/core/config_value.hpp>

#include <string>
#include <utility>
#include <vector>

namespace mpitray {

struct ModuleSpec {
    std::string type;
    std::string name;  // defaults to the type
    std::vector<std::pair<std::string, ConfigValue>> params;
    bool has_inner = false;
    std::vector<ModuleSpec> inner;
    SourceLocation where;
};

}  // namespace mpitray
