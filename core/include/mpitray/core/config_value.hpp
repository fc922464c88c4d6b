#pragma once
// A value as written in a pipeline file or on the command line, before a module says what type
// it should be: a scalar (kept as text), a list or a map, with where it was written.
#include <string>
#include <utility>
#include <vector>

namespace mpitray {

struct SourceLocation {
    std::string file;  // empty for the command line
    int line = 0;      // 1-based; 0 when unknown
    // "pipeline.yaml:12", "--set" or "" when unknown.
    std::string str() const {
        if (file.empty()) return line ? "line " + std::to_string(line) : std::string();
        return line ? file + ":" + std::to_string(line) : file;
    }
};

struct ConfigValue {
    // Declared here and defaulted after the class: `entries` holds pairs with a ConfigValue in
    // them, which Clang with libstdc++ checks for completeness where the members are generated.
    ConfigValue();
    ConfigValue(const ConfigValue&);
    ConfigValue(ConfigValue&&) noexcept;
    ConfigValue& operator=(const ConfigValue&);
    ConfigValue& operator=(ConfigValue&&) noexcept;
    ~ConfigValue();

    enum class Kind { scalar, list, map };
    Kind kind = Kind::scalar;
    std::string scalar;
    std::vector<ConfigValue> items;
    std::vector<std::pair<std::string, ConfigValue>> entries;
    SourceLocation where;

    static ConfigValue of(std::string text, SourceLocation where = {});
    // As written, for messages: 3, [1, 2], {a: 1}.
    std::string text() const;
    // YAML null: `null`, `~` or no value at all.
    bool is_null() const { return kind == Kind::scalar && null; }
    bool null = false;
};

inline ConfigValue::ConfigValue() = default;
inline ConfigValue::ConfigValue(const ConfigValue&) = default;
inline ConfigValue::ConfigValue(ConfigValue&&) noexcept = default;
inline ConfigValue& ConfigValue::operator=(const ConfigValue&) = default;
inline ConfigValue& ConfigValue::operator=(ConfigValue&&) noexcept = default;
inline ConfigValue::~ConfigValue() = default;

inline ConfigValue ConfigValue::of(std::string text, SourceLocation where) {
    ConfigValue value;
    value.scalar = std::move(text);
    value.where = std::move(where);
    return value;
}

}  // namespace mpitray
