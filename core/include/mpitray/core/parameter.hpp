#pragma once
// Typed module parameters: name, type, default, one-line doc. Values arrive as ConfigValues
// from the pipeline file or --set and are converted by the declared type; anything that does
// not fit is a ConfigError naming the module, the parameter and where it was written.
#include <mpitray/core/config_value.hpp>
#include <mpitray/core/error.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace mpitray {

// Bounds the built-in modules give their numeric parameters (Module::parameter_within): counts
// and event numbers within 2^53, where a double still counts exactly; object sizes up to 1 GiB;
// times finite and at most a day.
namespace limits {
inline constexpr std::int64_t count = std::int64_t{1} << 53;
inline constexpr const char* count_note = "2^53";
inline constexpr std::int64_t object_bytes = std::int64_t{1} << 30;
inline constexpr const char* object_bytes_note = "1 GiB";
inline constexpr double day_ms = 86'400'000.0;
inline constexpr double day_s = 86'400.0;
inline constexpr const char* day_note = "a day";
}  // namespace limits

using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>, std::vector<double>,
                                std::vector<std::int64_t>>;

enum class ParamType { boolean, integer, real, string, string_list, real_list, integer_list };

template <class T>
constexpr ParamType param_type_of();
template <>
constexpr ParamType param_type_of<bool>() {
    return ParamType::boolean;
}
template <>
constexpr ParamType param_type_of<std::int64_t>() {
    return ParamType::integer;
}
template <>
constexpr ParamType param_type_of<double>() {
    return ParamType::real;
}
template <>
constexpr ParamType param_type_of<std::string>() {
    return ParamType::string;
}
template <>
constexpr ParamType param_type_of<std::vector<std::string>>() {
    return ParamType::string_list;
}
template <>
constexpr ParamType param_type_of<std::vector<double>>() {
    return ParamType::real_list;
}
template <>
constexpr ParamType param_type_of<std::vector<std::int64_t>>() {
    return ParamType::integer_list;
}

// "int", "float", "list of strings", ...
std::string param_type_name(ParamType type);
// A value as it would be written in a pipeline file.
std::string param_value_text(const ParamValue& value);

struct ParameterSpec {
    std::string name;
    ParamType type;
    std::string doc;
    std::optional<ParamValue> default_value;  // absent: required, or optional without default
    bool required = false;
};

// A module's declared parameters and the values it was given.
class ParameterSet {
public:
    void declare(ParameterSpec spec);
    // Converts and stores a value; throws ConfigError (without the module name; the caller adds it).
    void set(const std::string& name, const ConfigValue& value);
    // Throws ConfigError naming the first required parameter without a value, leaving out those
    // in `refused`: their value was refused by set(), and that error already names them.
    void check_required(const std::set<std::string>& refused = {}) const;

    const std::vector<ParameterSpec>& specs() const noexcept { return specs_; }
    const ParameterSpec* spec(const std::string& name) const;
    bool was_set(const std::string& name) const { return values_.count(name) != 0; }

    // The value given, else the default; std::nullopt for an optional parameter left unset.
    template <class T>
    std::optional<T> get(const std::string& name) const {
        const ParameterSpec* s = spec(name);
        if (s == nullptr) throw ConfigError("parameter '" + name + "' was never declared");
        if (s->type != param_type_of<T>())
            throw ConfigError("parameter '" + name + "' is a " + param_type_name(s->type) + ", read as " +
                              param_type_name(param_type_of<T>()));
        if (auto it = values_.find(name); it != values_.end()) return std::get<T>(it->second);
        if (s->default_value) return std::get<T>(*s->default_value);
        return std::nullopt;
    }
    // Where the value of a parameter was written, for messages about its meaning.
    SourceLocation where(const std::string& name) const;

private:
    std::vector<ParameterSpec> specs_;
    std::map<std::string, ParamValue> values_;
    std::map<std::string, SourceLocation> where_;
};

}  // namespace mpitray
