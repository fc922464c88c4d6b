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

// The most a pipeline document (or one --set value) may hold with its YAML aliases expanded:
// values (scalars, nulls, lists and maps, map keys included) and bytes of scalar text. Far above
// any real pipeline, far below what would exhaust a rank's memory.
inline constexpr std::uint64_t max_pipeline_values = 1'000'000;
inline constexpr std::uint64_t max_pipeline_text_bytes = std::uint64_t{64} << 20;

struct Pipeline {
    std::string file;  // as given; used in messages
    std::string text;  // the file's text, kept as provenance in output files
    std::uint64_t seed = 0;
    bool has_seed = false;  // the file gives a seed
    std::vector<ModuleSpec> tray;
};

// Throws ConfigError for a missing or unreadable file, YAML syntax errors, a wrong structure, and
// a document over the limits above or with an alias inside the value it names.
Pipeline load_pipeline(const std::string& path);
Pipeline parse_pipeline(const std::string& text, const std::string& file);

// Applies `NAME.PARAM=VALUE` (VALUE in YAML: 3, 0.5, text, [a, b]) to the module named NAME,
// inner sections included. Throws ConfigError for an unknown NAME or a malformed assignment.
void apply_override(Pipeline& pipeline, const std::string& assignment);

// The module entry named `name`, searching inner sections too; nullptr if none.
ModuleSpec* find_module(std::vector<ModuleSpec>& modules, const std::string& name);

}  // namespace mpitray
