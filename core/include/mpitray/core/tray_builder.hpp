#pragma once
// Turns module entries into a configured tray, checking everything first: unknown modules,
// unknown parameters, wrong types, missing required values, misplaced sources, and (for an
// outer tray, the whole pipeline) modules that would destroy each other's files or the pipeline
// file (mpitray/core/file_conflicts.hpp). All the errors found are reported together, each with its
// file and line.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/module_spec.hpp>
#include <mpitray/core/tray.hpp>

#include <memory>
#include <vector>

namespace mpitray {

enum class TrayRole {
    outer,  // starts with a source
    inner,  // fed from outside (a Dispatch inner section): no sources
};

// Builds and configures. Throws ConfigError listing every problem found.
std::unique_ptr<Tray> build_tray(const std::vector<ModuleSpec>& modules, TrayEnvironment environment, TrayRole role,
                                 const ModuleRegistry& registry = ModuleRegistry::instance());

}  // namespace mpitray
