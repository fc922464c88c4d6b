#include <mpitray/core/tray_builder.hpp>

#include <mpitray/core/file_conflicts.hpp>

#include <fmt/format.h>

#include <set>

namespace mpitray {

std::unique_ptr<Tray> build_tray(const std::vector<ModuleSpec>& modules, TrayEnvironment environment, TrayRole role,
                                 const ModuleRegistry& registry) {
    auto tray = std::make_unique<Tray>(std::move(environment));
    std::vector<std::string> errors;
    auto report = [&](const ModuleSpec& spec, const std::string& message) {
        const std::string at = spec.where.str();
        errors.push_back(
            fmt::format("{}module '{}' ({}): {}", at.empty() ? "" : at + ": ", spec.name, spec.type, message));
    };

    // An empty inner section is allowed: it sends every frame straight back (a dispatch benchmark).
    if (modules.empty() && role == TrayRole::outer) errors.push_back("the tray has no modules");
    for (std::size_t i = 0; i < modules.size(); ++i) {
        const ModuleSpec& spec = modules[i];
        std::unique_ptr<Module> module;
        try {
            module = registry.create(spec.type, spec.name);
        } catch (const ConfigError& e) {
            const std::string at = spec.where.str();
            errors.push_back((at.empty() ? "" : at + ": ") + std::string(e.what()));
            continue;
        }
        module->set_location(spec.where);
        std::set<std::string> refused;  // reported here; not again as missing
        for (const auto& [param, value] : spec.params) {
            try {
                module->set_parameter(param, value);
            } catch (const ConfigError& e) {
                report(spec, e.what());
                refused.insert(param);
            }
        }
        try {
            module->check_required_parameters(refused);
        } catch (const ConfigError& e) {
            report(spec, e.what());
        }
        if (module->accepts_inner()) {
            if (!spec.has_inner) report(spec, "needs an 'inner' list: the modules it runs");
            module->set_inner(spec.inner);
        } else if (spec.has_inner) {
            report(spec, "takes no 'inner' section (only Dispatch does)");
        }
        if (const std::string why = module->needs_every_event_in_order(); !why.empty() && role == TrayRole::inner)
            report(spec,
                   "must see every event in order (" + why +
                       "), so it cannot run inside Dispatch, where each "
                       "worker sees only its own packets; put it in the serial tray, between two Dispatch modules");
        if (module->is_source() && (role == TrayRole::inner || i != 0))
            report(spec, role == TrayRole::inner ? "is a source and cannot run inside Dispatch"
                                                 : "is a source and can only be the first module of the tray");
        if (role == TrayRole::outer && i == 0 && !module->is_source())
            report(spec, "cannot start the tray: the first module must be a source such as Generator or Reader");
        tray->add(std::move(module));
    }
    // Before any module is configured: configuring a writer removes an older file of its name.
    // An outer tray is the whole pipeline; an inner one was checked with it.
    if (role == TrayRole::outer)
        for (std::string& conflict : file_conflicts(modules, tray->environment().pipeline_file, registry))
            errors.push_back(std::move(conflict));
    if (!errors.empty()) {
        std::string message =
            errors.size() == 1 ? errors.front() : fmt::format("{} problems in the pipeline:", errors.size());
        if (errors.size() > 1)
            for (const std::string& e : errors) message += "\n  " + e;
        throw ConfigError(message);
    }
    tray->configure();
    return tray;
}

}  // namespace mpitray
