#pragma once
// Pipeline entries written in a test, as a pipeline file would give them.
#include <mpitray/core/module_spec.hpp>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace mpitray::testing {

// The entry of a module named after its type.
inline ModuleSpec spec(const std::string& type, std::vector<std::pair<std::string, ConfigValue>> params = {}) {
    ModuleSpec s;
    s.type = type;
    s.name = type;
    s.params = std::move(params);
    return s;
}

// A list parameter of stop names (or any words): stops({"G", "Q", "P"}).
inline ConfigValue stops(std::initializer_list<const char*> names) {
    ConfigValue v;
    v.kind = ConfigValue::Kind::list;
    for (const char* name : names) v.items.push_back(ConfigValue::of(name));
    return v;
}

}  // namespace mpitray::testing
