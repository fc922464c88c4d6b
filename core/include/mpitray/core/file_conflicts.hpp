#pragma once
// Modules that would destroy each other's files, found before any module is configured. A
// writer removes an older file of its name when it is configured, so a Writer on a Reader's
// input deletes the input, one on the pipeline file deletes the pipeline, and two writers on one
// file clobber each other. Files are compared by what they are, not by how they are spelled
// (mpitray/core/file_identity.hpp); an output goes by two names, PATH and PATH.partial.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/module_spec.hpp>

#include <memory>
#include <string>
#include <vector>

namespace mpitray {

// One message per problem, each naming the modules and where they are written: an output on
// the same file as another module's input or output, or as the pipeline file; and an output
// whose PATH or PATH.partial is not a regular file (mpitray/core/output_path.hpp). Looks at every module
// of `pipeline`, inner sections included, building each (unconfigured) to ask it for its files;
// entries that cannot be built are left to build_tray to report.
// The module of one pipeline entry, with the parameters it takes, not configured; none for an
// entry that cannot be built (build_tray reports it).
std::unique_ptr<Module> unconfigured_module(const ModuleSpec& spec,
                                            const ModuleRegistry& registry = ModuleRegistry::instance());
// The files one pipeline entry names (not those of its inner section), from a module built but
// not configured; none for an entry that cannot be built (build_tray reports it).
std::vector<FileUse> files_of(const ModuleSpec& spec, const ModuleRegistry& registry = ModuleRegistry::instance());

std::vector<std::string> file_conflicts(const std::vector<ModuleSpec>& pipeline, const std::string& pipeline_file,
                                        const ModuleRegistry& registry = ModuleRegistry::instance());

}  // namespace mpitray
