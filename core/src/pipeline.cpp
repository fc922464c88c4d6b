#include <mpitray/core/pipeline.hpp>

#include <mpitray/core/error.hpp>
#include <mpitray/core/numbers.hpp>
#include "text_encoding.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

namespace mpitray {
namespace {

// A document refused for its size once its aliases are expanded, or for an alias inside the
// node it names; `mark` is where (the alias, or the value that went over the limit).
struct ExpansionError {
    YAML::Mark mark;
    std::string what;
};

// Counts what a YAML document holds with every alias expanded, from yaml-cpp's parser events and
// before any node is built. yaml-cpp shares an anchored node among its aliases, but the
// conversion to ConfigValues (and everything after it) copies: a kilobyte of aliases nested ten
// deep ("billion laughs") would expand to gigabytes on every rank. An anchor's size is the growth
// of the running total while it was read, so the count is exact and takes no memory per value.
class ExpansionCounter : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnAnchor(const YAML::Mark&, const std::string& name) override { anchor_name_ = name; }
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 0); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string& value) override {
        leaf(mark, anchor, value.size());
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapEnd() override { close(); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        const std::string alias = "'*" + names_[anchor] + "'";
        // yaml-cpp lets `&a [*a]` refer to itself: a node that contains itself, endless to copy.
        for (const Open& o : open_)
            if (o.anchor == anchor)
                throw ExpansionError{mark, "the alias " + alias +
                                               " is inside the value it names, which would contain "
                                               "itself without end"};
        const Size size = sizes_[anchor];
        add(mark, size,
            fmt::format("the alias {} repeats {} values and {} bytes of text", alias, size.values, size.bytes));
    }

private:
    struct Size {
        std::uint64_t values = 0;
        std::uint64_t bytes = 0;
    };
    struct Open {
        YAML::anchor_t anchor;
        Size at_start;
    };

    void add(const YAML::Mark& mark, Size size, const std::string& why = {}) {
        // Each part stays below its limit (checked after every value), so these sums cannot wrap.
        total_.values += size.values;
        total_.bytes += size.bytes;
        if (total_.values > max_pipeline_values || total_.bytes > max_pipeline_text_bytes)
            throw ExpansionError{
                mark, fmt::format("{}the pipeline would hold more than {} values or {} MiB of text with "
                                  "its aliases expanded, the most a pipeline may hold",
                                  why.empty() ? "" : why + ": ", max_pipeline_values, max_pipeline_text_bytes >> 20)};
    }
    void name(YAML::anchor_t anchor) {
        if (anchor != YAML::NullAnchor) names_[anchor] = std::exchange(anchor_name_, {});
    }
    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t bytes) {
        name(anchor);
        const Size size{1, bytes};
        add(mark, size);
        if (anchor != YAML::NullAnchor) sizes_[anchor] = size;
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        name(anchor);
        add(mark, {1, 0});
        open_.push_back({anchor, total_});
        open_.back().at_start.values -= 1;  // the collection itself counts in its anchor's size
    }
    void close() {
        const Open o = open_.back();
        open_.pop_back();
        if (o.anchor != YAML::NullAnchor)
            sizes_[o.anchor] = {total_.values - o.at_start.values, total_.bytes - o.at_start.bytes};
    }

    Size total_;
    std::vector<Open> open_;
    std::map<YAML::anchor_t, Size> sizes_;
    std::map<YAML::anchor_t, std::string> names_;
    std::string anchor_name_;  // from OnAnchor, for the node event that follows it
};

// YAML::Load, after checking that the document's expanded size is within the limits.
YAML::Node load_bounded(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    ExpansionCounter counter;
    parser.HandleNextDocument(counter);  // YAML::Load, too, reads only the first document
    return YAML::Load(text);
}

class Parser {
public:
    Parser(std::string file, std::string_view text) : file_(std::move(file)), text_(text) {}

    SourceLocation where(const YAML::Node& node) const {
        const YAML::Mark mark = node.Mark();
        return {file_, mark.line >= 0 ? mark.line + 1 : 0};
    }
    // Where a map's value is written. YAML marks an empty (null) value at the token after it,
    // often on a later line; such a value belongs on its key's line.
    SourceLocation where(const YAML::Node& value, const YAML::Node& key) const {
        return where(value.IsNull() ? key : value);
    }
    // Where a list item is written; an empty one is on the last line with something before
    // the token YAML marks it at (blank lines and comments skipped).
    SourceLocation where_item(const YAML::Node& item) const {
        const YAML::Mark mark = item.Mark();
        if (!item.IsNull() || mark.line < 0) return where(item);
        std::vector<std::string_view> lines;
        for (std::size_t at = 0; at <= text_.size() && int(lines.size()) <= mark.line;) {
            const std::size_t end = std::min(text_.find('\n', at), text_.size());
            lines.push_back(text_.substr(at, end - at));
            at = end + 1;
        }
        auto has_content = [](std::string_view line) {
            const std::size_t first = line.find_first_not_of(" \t\r");
            return first != std::string_view::npos && line[first] != '#';
        };
        int line = std::min(mark.line, int(lines.size()) - 1);
        if (line == mark.line && has_content(lines[line].substr(0, std::size_t(std::max(mark.column, 0)))))
            return where(item);
        if (line == mark.line) --line;
        while (line > 0 && !has_content(lines[line])) --line;
        return {file_, line + 1};
    }

    [[noreturn]] void fail(const SourceLocation& at, const std::string& message) const {
        const std::string text = at.str();
        throw ConfigError((text.empty() ? std::string() : text + ": ") + message);
    }
    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const { fail(where(node), message); }

    // YAML forbids a key twice in one map, but yaml-cpp keeps both copies and the last would
    // silently win. `twice` is the message with {} for the key: "parameter '{}' is given twice".
    void refuse_duplicate_keys(const YAML::Node& map, const char* twice) const {
        std::map<std::string, SourceLocation> first;
        for (const auto& entry : map)
            if (auto [it, fresh] = first.emplace(entry.first.Scalar(), where(entry.first)); !fresh)
                fail(entry.first,
                     fmt::format("{} (first at {})", fmt::format(fmt::runtime(twice), it->first), it->second.str()));
    }

    ConfigValue value(const YAML::Node& node, SourceLocation at) const {
        ConfigValue out;
        out.where = std::move(at);
        switch (node.Type()) {
            case YAML::NodeType::Scalar: out.scalar = node.Scalar(); break;
            case YAML::NodeType::Null:
                out.scalar = "";
                out.null = true;
                break;
            case YAML::NodeType::Sequence:
                out.kind = ConfigValue::Kind::list;
                for (const YAML::Node& item : node) out.items.push_back(value(item, where_item(item)));
                break;
            case YAML::NodeType::Map:
                out.kind = ConfigValue::Kind::map;
                refuse_duplicate_keys(node, "'{}' is given twice");
                for (const auto& entry : node)
                    out.entries.emplace_back(entry.first.Scalar(),
                                             value(entry.second, where(entry.second, entry.first)));
                break;
            default: fail(out.where, "a value here cannot be read");
        }
        return out;
    }

    std::vector<ModuleSpec> modules(const YAML::Node& list, const YAML::Node& key) const {
        const std::string what = "'" + key.Scalar() + "'";
        if (!list.IsSequence()) fail(where(list, key), what + " must be a list of entries like '- module: Generator'");
        std::vector<ModuleSpec> out;
        for (const YAML::Node& entry : list) out.push_back(module(entry));
        return out;
    }

    ModuleSpec module(const YAML::Node& entry) const {
        if (!entry.IsMap()) fail(where_item(entry), "a tray entry must be a map with at least 'module: TYPE'");
        ModuleSpec spec;
        spec.where = where(entry);
        refuse_duplicate_keys(entry, "'{}' is given twice in this entry");
        for (const auto& field : entry) {
            const std::string key = field.first.Scalar();
            const YAML::Node& v = field.second;
            const SourceLocation at = where(v, field.first);
            if (key == "module") {
                if (!v.IsScalar() || v.Scalar().empty()) fail(at, "'module' must be a module type such as Generator");
                spec.type = v.Scalar();
            } else if (key == "name") {
                if (!v.IsScalar() || v.Scalar().empty()) fail(at, "'name' must be a non-empty name");
                spec.name = v.Scalar();
                if (spec.name.find('.') != std::string::npos || spec.name.find('=') != std::string::npos)
                    fail(at, "module name '" + spec.name +
                                 "' may not contain '.' or '=' (they separate --set NAME.PARAM=VALUE)");
            } else if (key == "params") {
                if (v.IsNull()) continue;
                if (!v.IsMap()) fail(at, "'params' must be a map of parameter names to values");
                refuse_duplicate_keys(v, "parameter '{}' is given twice");
                for (const auto& param : v)
                    spec.params.emplace_back(param.first.Scalar(),
                                             value(param.second, where(param.second, param.first)));
            } else if (key == "inner") {
                spec.has_inner = true;
                if (!v.IsNull()) spec.inner = modules(v, field.first);
            } else {
                fail(field.first,
                     "unknown entry field '" + key + "'; an entry has module, name, params and (for Dispatch) inner");
            }
        }
        if (spec.type.empty()) fail(entry, "this tray entry has no 'module: TYPE'");
        if (spec.name.empty()) spec.name = spec.type;
        return spec;
    }

private:
    std::string file_;
    std::string_view text_;  // for placing empty values
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
    if (const EncodingProblem problem = utf8_text_problem(text))
        throw ConfigError(fmt::format("{}: the pipeline file {}; pipeline files must be UTF-8 text",
                                      SourceLocation{file, problem.line}.str(), problem.what));
    Parser parser(file, text);
    YAML::Node root;
    try {
        root = load_bounded(text);
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("{}:{}: YAML syntax error: {}", file, e.mark.line + 1, e.msg));
    } catch (const ExpansionError& e) {
        throw ConfigError(fmt::format("{}: {}", SourceLocation{file, e.mark.line + 1}.str(), e.what));
    }
    if (!root.IsMap()) throw ConfigError(file + ": a pipeline file is a map with 'seed' and 'tray'");

    Pipeline pipeline;
    pipeline.file = file;
    pipeline.text = text;
    bool have_tray = false;
    parser.refuse_duplicate_keys(root, "'{}' is given twice");
    for (const auto& field : root) {
        const std::string key = field.first.Scalar();
        if (key == "seed") {
            const SourceLocation at = parser.where(field.second, field.first);
            const std::string range = fmt::format("'seed' must be an integer from 0 to {}", UINT64_MAX);
            if (!field.second.IsScalar()) parser.fail(at, range);
            const std::string& s = field.second.Scalar();
            switch (parse_integer(s, std::uint64_t{0}, UINT64_MAX, pipeline.seed)) {
                case NumberProblem::none: break;
                case NumberProblem::not_whole: parser.fail(at, "'seed' must be a whole number, not '" + s + "'");
                default: parser.fail(at, fmt::format("{}, not '{}'", range, s));
            }
            pipeline.has_seed = true;
        } else if (key == "tray") {
            pipeline.tray = parser.modules(field.second, field.first);
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
        throw ConfigError("--set '" + assignment +
                          "' must look like NAME.PARAM=VALUE, e.g. --set Generator.events=100");
    const std::string name = assignment.substr(0, dot);
    const std::string param = assignment.substr(dot + 1, equals - dot - 1);
    const std::string text = assignment.substr(equals + 1);
    ModuleSpec* module = find_module(pipeline.tray, name);
    if (module == nullptr)
        throw ConfigError("--set '" + assignment + "': the pipeline has no module named '" + name + "'");

    ConfigValue value;
    try {
        value = Parser("--set", text).value(load_bounded(text), {});
    } catch (const YAML::Exception& e) {
        throw ConfigError("--set '" + assignment + "': the value is not valid YAML: " + e.msg);
    } catch (const ExpansionError& e) {
        throw ConfigError("--set '" + assignment + "': " + e.what);
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
