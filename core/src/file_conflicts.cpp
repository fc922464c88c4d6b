#include <mpitray/core/file_conflicts.hpp>
#include <mpitray/core/file_identity.hpp>
#include <mpitray/core/output_path.hpp>

#include <fmt/format.h>

namespace mpitray {
namespace {

// A file use and who has it: a module, or the pipeline file itself (module empty).
struct User {
    std::string module;  // "module 'W' (Writer, p.yaml:5)"
    FileUse use;
    std::vector<std::string> names;  // an output's PATH and PATH.partial; an input's path
};

std::string describe(const ModuleSpec& spec) {
    const std::string at = spec.where.str();
    return fmt::format("module '{}' ({}{})", spec.name, spec.type, at.empty() ? "" : ", " + at);
}

User user(std::string module, FileUse use) {
    std::vector<std::string> names{use.path};
    if (use.kind == FileUse::Kind::output) names.push_back(partial_path_of(use.path));
    return {std::move(module), std::move(use), std::move(names)};
}

void collect(const std::vector<ModuleSpec>& specs, const ModuleRegistry& registry, std::vector<User>& users) {
    for (const ModuleSpec& spec : specs) {
        for (FileUse& use : files_of(spec, registry)) users.push_back(user(describe(spec), std::move(use)));
        collect(spec.inner, registry, users);
    }
}

bool shared(const User& a, const User& b) {
    for (const std::string& x : a.names)
        for (const std::string& y : b.names)
            if (same_file(x, y)) return true;
    return false;
}

std::string conflict(const User& writer, const User& other) {
    const std::string written = fmt::format("{} writes '{}' (as '{}' until it is closed)", writer.module,
                                            writer.use.path, partial_path_of(writer.use.path));
    if (other.module.empty())
        return fmt::format("{}, which is the pipeline file '{}': it would be destroyed", written, other.use.path);
    if (other.use.kind == FileUse::Kind::input)
        return fmt::format("{}, the same file {} reads as '{}': the input would be destroyed", written, other.module,
                           other.use.path);
    return fmt::format("{}, the same file {} writes as '{}': each would destroy the other's output", written,
                       other.module, other.use.path);
}

}  // namespace

std::unique_ptr<Module> unconfigured_module(const ModuleSpec& spec, const ModuleRegistry& registry) {
    std::unique_ptr<Module> module;
    try {
        module = registry.create(spec.type, spec.name);
    } catch (const ConfigError&) {  // an unknown module: build_tray (or the worker) reports it
        return nullptr;
    }
    for (const auto& [param, value] : spec.params) {
        try {
            module->set_parameter(param, value);
        } catch (const ConfigError&) {  // build_tray reports it
        }
    }
    return module;
}

std::vector<FileUse> files_of(const ModuleSpec& spec, const ModuleRegistry& registry) {
    const std::unique_ptr<Module> module = unconfigured_module(spec, registry);
    return module ? module->files() : std::vector<FileUse>{};
}

std::vector<std::string> file_conflicts(const std::vector<ModuleSpec>& pipeline, const std::string& pipeline_file,
                                        const ModuleRegistry& registry) {
    std::vector<User> users;
    if (!pipeline_file.empty()) users.push_back(user("", {pipeline_file, FileUse::Kind::input}));
    collect(pipeline, registry, users);

    std::vector<std::string> problems;
    for (std::size_t i = 0; i < users.size(); ++i) {
        const User& a = users[i];
        if (a.use.kind == FileUse::Kind::output)
            if (const std::string problem = output_path_problem(a.use.path); !problem.empty())
                problems.push_back(fmt::format("{}: cannot write output file '{}': {}", a.module, a.use.path, problem));
        for (std::size_t j = 0; j < i; ++j) {
            const User& b = users[j];
            if (a.use.kind == FileUse::Kind::input && b.use.kind == FileUse::Kind::input) continue;
            if (!shared(a, b)) continue;
            problems.push_back(a.use.kind == FileUse::Kind::output ? conflict(a, b) : conflict(b, a));
        }
    }
    return problems;
}

}  // namespace mpitray
