#pragma once
// Pipeline files (docs/user-guide.md, "Pipeline files"): YAML with a top-level `seed` and `tray`, a list of
// entries with `module`, optional `name` (default: the module type), optional `params`, and for
// Dispatch an `inner` list of entries of the same form. Everything is checked here or in
// build_tray before a frame moves; every error names the file and line.
#include <mpitray/core/error.hpp>
#include <mpitray/core/module_spec.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mpitray {

struct Pipeline {
    std::string file;  // as given; used in messages
    std::string text;  // the file's text, kept as provenance in output files
    std::uint64_t seed = 0;
    bool has_seed = false;  // the file gives a seed
    std::vector<ModuleSpec> tray;
};

// Throws ConfigError for a missing or unreadable file, YAML syntax errors and a wrong structure.
Pipeline load_pipeline(const std::string& path);
Pipeline parse_pipeline(const std::string& text, const std::string& file);

// Applies `NAME.PARAM=VALUE` (VALUE in YAML: 3, 0.5, text, [a, b]) to the module named NAME,
// inner sections included. Throws ConfigError for an unknown NAME or a malformed assignment.
void apply_override(Pipeline& pipeline, const std::string& assignment);

// The module entry named `name`, searching inner sections too; nullptr if none.
ModuleSpec* find_module(std::vector<ModuleSpec>& modules, const std::string& name);

}  // namespace mpitray
