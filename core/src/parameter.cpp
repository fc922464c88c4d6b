#include <mpitray/core/parameter.hpp>

#include <mpitray/core/numbers.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace mpitray {
namespace {

std::string at(const ConfigValue& value) {
    std::string where = value.where.str();
    return where.empty() ? std::string() : " (" + where + ")";
}

ConfigError wrong(const ConfigValue& value, const std::string& expected) {
    return ConfigError(fmt::format("expects {}, got {}{}", expected, value.text(), at(value)));
}

const std::string& scalar_of(const ConfigValue& value, const std::string& expected) {
    if (value.kind != ConfigValue::Kind::scalar) throw wrong(value, expected);
    return value.scalar;
}

bool to_bool(const ConfigValue& value) {
    const std::string& s = scalar_of(value, "true or false");
    if (s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "False" || s == "FALSE" || s == "no" || s == "off") return false;
    throw wrong(value, "true or false");
}

std::int64_t to_int(const ConfigValue& value) {
    const std::string& s = scalar_of(value, "an integer");
    std::int64_t out = 0;
    constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                           max = std::numeric_limits<std::int64_t>::max();
    switch (parse_integer(s, min, max, out)) {
        case NumberProblem::none: return out;
        case NumberProblem::not_whole:
            throw ConfigError(
                fmt::format("expects an integer, got {}, which is not a whole number{}", value.text(), at(value)));
        case NumberProblem::out_of_range: throw wrong(value, fmt::format("an integer from {} to {}", min, max));
        case NumberProblem::not_a_number: break;
    }
    throw wrong(value, "an integer");
}

double to_real(const ConfigValue& value) {
    const std::string& s = scalar_of(value, "a number");
    double out = 0;
    const char* begin = s.data();
    if (!s.empty() && s[0] == '+') ++begin;
    auto [end, ec] = std::from_chars(begin, s.data() + s.size(), out);
    if (s.empty() || end != s.data() + s.size()) throw wrong(value, "a number");
    // from_chars says so rather than give infinity or zero for 1e400 or 1e-400.
    if (ec == std::errc::result_out_of_range)
        throw ConfigError(
            fmt::format("expects a number, got {}, beyond what a 64-bit float holds{}", value.text(), at(value)));
    if (ec != std::errc()) throw wrong(value, "a number");
    if (!std::isfinite(out)) throw wrong(value, "a finite number");
    return out;
}

template <class T, class Convert>
std::vector<T> to_list(const ConfigValue& value, const std::string& expected, Convert convert) {
    // A lone scalar is accepted as a list of one, as users write `files: a.h5`.
    if (value.kind == ConfigValue::Kind::scalar) return {convert(value)};
    if (value.kind != ConfigValue::Kind::list) throw wrong(value, expected);
    std::vector<T> out;
    for (const ConfigValue& item : value.items) out.push_back(convert(item));
    return out;
}

ParamValue convert(ParamType type, const ConfigValue& value) {
    switch (type) {
        case ParamType::boolean: return to_bool(value);
        case ParamType::integer: return to_int(value);
        case ParamType::real: return to_real(value);
        case ParamType::string: return std::string(scalar_of(value, "a string"));
        case ParamType::string_list:
            return to_list<std::string>(value, "a list of strings",
                                        [](const ConfigValue& v) { return scalar_of(v, "a string"); });
        case ParamType::real_list: return to_list<double>(value, "a list of numbers", to_real);
        case ParamType::integer_list: return to_list<std::int64_t>(value, "a list of integers", to_int);
    }
    throw ConfigError("unknown parameter type");
}

template <class T>
std::string join(const std::vector<T>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + fmt::format("{}", items[i]);
    return out + "]";
}

}  // namespace

std::string ConfigValue::text() const {
    switch (kind) {
        case Kind::scalar: return scalar.empty() ? "an empty value" : "'" + scalar + "'";
        case Kind::list: return "a list";
        case Kind::map: return "a map";
    }
    return "?";
}

std::string param_type_name(ParamType type) {
    switch (type) {
        case ParamType::boolean: return "bool";
        case ParamType::integer: return "int";
        case ParamType::real: return "float";
        case ParamType::string: return "string";
        case ParamType::string_list: return "list of strings";
        case ParamType::real_list: return "list of floats";
        case ParamType::integer_list: return "list of ints";
    }
    return "?";
}

std::string param_value_text(const ParamValue& value) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::string>) return v.empty() ? "\"\"" : v;
            else if constexpr (std::is_arithmetic_v<T>) return fmt::format("{}", v);
            else return join(v);
        },
        value);
}

void ParameterSet::declare(ParameterSpec spec) {
    if (this->spec(spec.name)) throw ConfigError("parameter '" + spec.name + "' is declared twice");
    specs_.push_back(std::move(spec));
}

const ParameterSpec* ParameterSet::spec(const std::string& name) const {
    for (const ParameterSpec& s : specs_)
        if (s.name == name) return &s;
    return nullptr;
}

void ParameterSet::set(const std::string& name, const ConfigValue& value) {
    const ParameterSpec* s = spec(name);
    if (s == nullptr) {
        std::string known;
        for (const ParameterSpec& p : specs_) known += (known.empty() ? "" : ", ") + p.name;
        throw ConfigError(fmt::format("has no parameter '{}'{}; its parameters are: {}", name, at(value),
                                      known.empty() ? "none" : known));
    }
    if (value.is_null()) {  // `null`, `~` or nothing: back to the default (or unset)
        if (s->required)
            throw ConfigError(fmt::format("parameter '{}' is required and cannot be null{}", name, at(value)));
        values_.erase(name);
        where_.erase(name);
        return;
    }
    try {
        values_[name] = convert(s->type, value);
        where_[name] = value.where;
    } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("parameter '{}' {}", name, e.what()));
    }
}

void ParameterSet::check_required(const std::set<std::string>& refused) const {
    for (const ParameterSpec& s : specs_)
        if (s.required && !values_.count(s.name) && !refused.count(s.name))
            throw ConfigError(fmt::format("needs parameter '{}' ({}: {})", s.name, param_type_name(s.type), s.doc));
}

SourceLocation ParameterSet::where(const std::string& name) const {
    auto it = where_.find(name);
    return it == where_.end() ? SourceLocation{} : it->second;
}

}  // namespace mpitray
