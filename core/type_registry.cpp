#include <mpitray/core/type_registry.hpp>

#include <mpitray/core/standard_types.hpp>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <cxxabi.h>

#include <cstdlib>

namespace mpitray {

namespace {
std::string demangle(const char* mangled) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}
}  // namespace

std::string demangled_name(const std::type_info& type) { return demangle(type.name()); }

TypeRegistry& TypeRegistry::instance() {
    static TypeRegistry registry;
    return registry;
}

TypeRegistry::TypeRegistry() {
    add<bool>("bool");
    add<std::int64_t>("int64");
    add<double>("double");
    add<std::string>("string");
    add<std::vector<std::uint8_t>>("bytes");
    add<std::vector<bool>>("vector<bool>");
    add<std::vector<std::int64_t>>("vector<int64>");
    add<std::vector<double>>("vector<double>");
    add<std::vector<std::string>>("vector<string>");
    add<std::map<std::string, double>>("map<string,double>");
    add<EventHeader>("EventHeader");
}

void TypeRegistry::add_codec(TypeCodec codec) {
    if (auto it = by_name_.find(codec.name); it != by_name_.end()) {
        if (it->second.type == codec.type) return;  // registered twice from the same type: harmless
        throw ConfigError("object type name '" + codec.name + "' is registered for two C++ types: " +
                          demangle(it->second.type.name()) + " and " + demangle(codec.type.name()));
    }
    if (auto it = name_of_.find(codec.type); it != name_of_.end())
        throw ConfigError("C++ type " + demangle(codec.type.name()) + " is registered twice, as '" + it->second +
                          "' and as '" + codec.name + "'");
    name_of_.emplace(codec.type, codec.name);
    by_name_.emplace(codec.name, std::move(codec));
}

const TypeCodec* TypeRegistry::find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &it->second;
}

const TypeCodec* TypeRegistry::find(std::type_index type) const {
    auto it = name_of_.find(type);
    return it == name_of_.end() ? nullptr : find(it->second);
}

std::vector<std::string> TypeRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, codec] : by_name_) out.push_back(name);
    return out;
}

}  // namespace mpitray
