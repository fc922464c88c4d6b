#pragma once
// Module types by name. Built-in modules register through an explicit call (a static library
// would drop self-registering objects nothing refers to); a program's own modules can use
// MPITRAY_REGISTER_MODULE in the .cpp that defines them.
#include <mpitray/core/module.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mpitray {

struct ModuleInfo {
    std::string type;
    std::string doc;  // one line
    std::function<std::unique_ptr<Module>()> make;
};

class ModuleRegistry {
public:
    static ModuleRegistry& instance();

    // Registering the same type name twice is an error unless it is the same factory's doc
    // (registration functions may run more than once).
    void add(ModuleInfo info);
    // Forgets a type, so its name can be registered anew (the Python module registers a script's
    // modules for one run at a time); returns whether it was registered.
    bool remove(const std::string& type);
    const ModuleInfo* find(const std::string& type) const;
    std::vector<const ModuleInfo*> all() const;
    // Creates a module, named `name`; throws ConfigError for an unknown type, suggesting close names.
    std::unique_ptr<Module> create(const std::string& type, const std::string& name) const;

private:
    std::map<std::string, ModuleInfo> modules_;
};

namespace detail {
template <class M>
bool register_module(const char* type, const char* doc) {
    ModuleRegistry::instance().add({type, doc, [] { return std::make_unique<M>(); }});
    return true;
}
}  // namespace detail

// The registered names closest to `word` (edit distance), for "did you mean" hints.
std::vector<std::string> closest_names(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace mpitray

#define MPITRAY_REGISTER_MODULE(M, TYPE, DOC)                                                    \
    [[maybe_unused]] static const bool MPITRAY_CONCAT(mpitray_module_registered_, __COUNTER__) = \
        ::mpitray::detail::register_module<M>(TYPE, DOC)
