#include <mpitray/core/pipeline.hpp>

#include <mpitray/core/error.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace mpitray {
namespace {

class Parser {
public:
    explicit Parser(std::string file) : file_(std::move(file)) {}

    SourceLocation where(const YAML::Node& node) const {
        const YAML::Mark mark = node.Mark();
        return {file_, mark.line >= 0 ? mark.line + 1 : 0};
    }

    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        const std::string at = where(node).str();
        throw ConfigError((at.empty() ? std::string() : at + ": ") + message);
    }

    ConfigValue value(const YAML::Node& node) const {
        ConfigValue out;
        out.where = where(node);
        switch (node.Type()) {
            case YAML::NodeType::Scalar: out.scalar = node.Scalar(); break;
            case YAML::NodeType::Null:
                out.scalar = "";
                out.null = true;
                break;
            case YAML::NodeType::Sequence:
                out.kind = ConfigValue::Kind::list;
                for (const YAML::Node& item : node) out.items.push_back(value(item));
                break;
            case YAML::NodeType::Map:
                out.kind = ConfigValue::Kind::map;
                for (const auto& entry : node) out.entries.emplace_back(entry.first.Scalar(), value(entry.second));
                break;
            default: fail(node, "a value here cannot be read");
        }
        return out;
    }

    std::vector<ModuleSpec> modules(const YAML::Node& list, const std::string& what) const {
        if (!list.IsSequence())
            fail(list, what + " must be a list of entries like '- module: Generator'");
        std::vector<ModuleSpec> out;
        for (const YAML::Node& entry : list) out.push_back(module(entry));
        return out;
    }

    ModuleSpec module(const YAML::Node& entry) const {
        if (!entry.IsMap()) fail(entry, "a tray entry must be a map with at least 'module: TYPE'");
        ModuleSpec spec;
        spec.where = where(entry);
        std::set<std::string> seen;
        for (const auto& field : entry) {
            const std::string key = field.first.Scalar();
            if (!seen.insert(key).second) fail(field.first, "'" + key + "' is given twice in this entry");
            const YAML::Node& v = field.second;
            if (key == "module") {
                if (!v.IsScalar() || v.Scalar().empty()) fail(v, "'module' must be a module type such as Generator");
                spec.type = v.Scalar();
            } else if (key == "name") {
                if (!v.IsScalar() || v.Scalar().empty()) fail(v, "'name' must be a non-empty name");
                spec.name = v.Scalar();
                if (spec.name.find('.') != std::string::npos || spec.name.find('=') != std::string::npos)
                    fail(v, "module name '" + spec.name + "' may not contain '.' or '=' (they separate --set NAME.PARAM=VALUE)");
            } else if (key == "params") {
                if (v.IsNull()) continue;
                if (!v.IsMap()) fail(v, "'params' must be a map of parameter names to values");
                std::set<std::string> names;
                for (const auto& param : v) {
                    const std::string name = param.first.Scalar();
                    if (!names.insert(name).second) fail(param.first, "parameter '" + name + "' is given twice");
                    spec.params.emplace_back(name, value(param.second));
                }
            } else if (key == "inner") {
                spec.has_inner = true;
                if (!v.IsNull()) spec.inner = modules(v, "'inner'");
            } else {
                fail(field.first, "unknown entry field '" + key + "'; an entry has module, name, params and (for Dispatch) inner");
            }
        }
        if (spec.type.empty()) fail(entry, "this tray entry has no 'module: TYPE'");
        if (spec.name.empty()) spec.name = spec.type;
        return spec;
    }

private:
    std::string file_;
};

void check_unique_names(const std::vector<ModuleSpec>& modules, std::map<std::string, SourceLocation>& seen) {
    for (const ModuleSpec& m : modules) {
        if (auto [it, fresh] = seen.emplace(m.name, m.where); !fresh)
            throw ConfigError(fmt::format("{}: two modules are named '{}' (the other is at {}); give one a 'name:'",
                                          m.where.str(), m.name, it->second.str()));
        check_unique_names(m.inner, seen);
    }
}

}  // namespace

Pipeline parse_pipeline(const std::string& text, const std::string& file) {
    Parser parser(file);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("{}:{}: YAML syntax error: {}", file, e.mark.line + 1, e.msg));
    }
    if (!root.IsMap()) throw ConfigError(file + ": a pipeline file is a map with 'seed' and 'tray'");

    Pipeline pipeline;
    pipeline.file = file;
    pipeline.text = text;
    bool have_tray = false;
    for (const auto& field : root) {
        const std::string key = field.first.Scalar();
        if (key == "seed") {
            const std::string s = field.second.IsScalar() ? field.second.Scalar() : std::string();
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), pipeline.seed);
            if (s.empty() || ec != std::errc() || end != s.data() + s.size())
                parser.fail(field.second, "'seed' must be a non-negative integer");
            pipeline.has_seed = true;
        } else if (key == "tray") {
            pipeline.tray = parser.modules(field.second, "'tray'");
            have_tray = true;
        } else {
            parser.fail(field.first, "unknown top-level key '" + key + "'; a pipeline file has 'seed' and 'tray'");
        }
    }
    if (!have_tray || pipeline.tray.empty()) throw ConfigError(file + ": the pipeline has no 'tray' list of modules");
    std::map<std::string, SourceLocation> names;
    check_unique_names(pipeline.tray, names);
    return pipeline;
}

Pipeline load_pipeline(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("cannot read pipeline file '" + path + "': " + std::strerror(errno));
    std::stringstream text;
    text << in.rdbuf();
    return parse_pipeline(text.str(), path);
}

ModuleSpec* find_module(std::vector<ModuleSpec>& modules, const std::string& name) {
    for (ModuleSpec& m : modules) {
        if (m.name == name) return &m;
        if (ModuleSpec* inner = find_module(m.inner, name)) return inner;
    }
    return nullptr;
}

void apply_override(Pipeline& pipeline, const std::string& assignment) {
    const auto equals = assignment.find('=');
    const auto dot = assignment.find('.');
    if (equals == std::string::npos || dot == std::string::npos || dot > equals || dot == 0 || dot + 1 == equals)
        throw ConfigError("--set '" + assignment + "' must look like NAME.PARAM=VALUE, e.g. --set Generator.events=100");
    const std::string name = assignment.substr(0, dot);
    const std::string param = assignment.substr(dot + 1, equals - dot - 1);
    const std::string text = assignment.substr(equals + 1);
    ModuleSpec* module = find_module(pipeline.tray, name);
    if (module == nullptr) throw ConfigError("--set '" + assignment + "': the pipeline has no module named '" + name + "'");

    ConfigValue value;
    try {
        value = Parser("--set").value(YAML::Load(text));
    } catch (const YAML::Exception& e) {
        throw ConfigError("--set '" + assignment + "': the value is not valid YAML: " + e.msg);
    }
    value.where = {"--set " + assignment, 0};
    if (text.empty()) {
        value = ConfigValue::of("", value.where);
        value.null = true;
    }
    for (auto& [existing, v] : module->params)
        if (existing == param) {
            v = value;
            return;
        }
    module->params.emplace_back(param, value);
}

}  // namespace mpitray
