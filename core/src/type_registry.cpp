#include <mpitray/core/type_registry.hpp>

#include <mpitray/core/standard_types.hpp>
#include <mpitray/core/summary.hpp>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <fmt/format.h>

#include <cxxabi.h>

#include <cstdlib>
#include <cstring>

namespace mpitray {

namespace {
std::string demangle(const char* mangled) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}
}  // namespace

std::string demangled_name(const std::type_info& type) { return demangle(type.name()); }

std::string unregistered_type_message(const std::type_info& type, const char* alternative, const char* kind) {
    const std::string name = demangled_name(type);
    if (alternative == nullptr)
        return "type " + name + " is not registered; add MPITRAY_REGISTER_TYPE(Type, \"Name\") to one .cpp file";
    return fmt::format(
        "type {0} is not registered: store {1} as {2}, the type registered for them "
        "(frame->put<{2}>(key, value); read with frame->at<{2}>(key))",
        name, kind, alternative);
}

TypeRegistry& TypeRegistry::instance() {
    static TypeRegistry registry;
    return registry;
}

TypeRegistry::TypeRegistry() {
    add<bool>("bool");
    add<std::int64_t>("int64");
    add<double>("double");
    add<std::string>("string");
    add<std::vector<std::uint8_t>>("bytes");
    add<std::vector<bool>>("vector<bool>");
    add<std::vector<std::int64_t>>("vector<int64>");
    add<std::vector<double>>("vector<double>");
    add<std::vector<std::string>>("vector<string>");
    add<std::map<std::string, double>>("map<string,double>");
    add<EventHeader>("EventHeader");
    give_event_header_a_direct_codec();
    add_summary_type();
    describe_standard_types();
}

// A module's summary object (summary.hpp) travels as its words, a vector of int64 as the direct
// codec writes one, so a damaged payload is refused by its length before anything is allocated,
// and then by Summary::from_words.
void TypeRegistry::add_summary_type() {
    add_codec(TypeCodec{"Summary",
                        std::type_index(typeid(Summary)),
                        [](const void* object, Buffer& out) {
                            detail::direct_encode(static_cast<const Summary*>(object)->words(), out);
                        },
                        {},
                        [](std::span<const char> payload) -> std::shared_ptr<const void> {
                            std::vector<std::int64_t> words;
                            detail::direct_decode(payload, words);
                            try {
                                return std::make_shared<const Summary>(Summary::from_words(words));
                            } catch (const std::invalid_argument& e) {
                                throw SerializationError(std::string("not a summary: ") + e.what());
                            }
                        },
                        [](const void* object) { return static_cast<const Summary*>(object)->describe(); },
                        {},
                        {}});
}

// Every event frame carries an EventHeader, and constructing a Boost archive (a std::locale, the
// archive's tables) costs several times the copy of its 24 bytes: the dispatcher encoded 100k
// headers a second through Boost at 18% of its time. These are the bytes Boost writes for it
// (class information: tracking 0, version 0; then run, event, sub_event), checked against Boost
// in tests/core/type_registry_test.cpp. Other bytes (another class version) still go to Boost.
void TypeRegistry::give_event_header_a_direct_codec() {
    static constexpr char class_info[5] = {0, 0, 0, 0, 0};
    constexpr std::size_t size = sizeof class_info + 3 * sizeof(std::int64_t);
    TypeCodec& codec = codec_of(std::type_index(typeid(EventHeader)), "encode");
    codec.encode = [](const void* object, Buffer& out) {
        const auto& h = *static_cast<const EventHeader*>(object);
        const std::size_t at = out.size();
        out.resize(at + size);
        char* p = out.data() + at;
        std::memcpy(p, class_info, sizeof class_info);
        p += sizeof class_info;
        for (std::int64_t field : {h.run, h.event, h.sub_event}) {
            std::memcpy(p, &field, sizeof field);
            p += sizeof field;
        }
    };
    codec.encoded_size = [](const void*) { return size; };
    codec.decode = [through_boost = codec.decode](std::span<const char> payload) -> std::shared_ptr<const void> {
        if (payload.size() != size || std::memcmp(payload.data(), class_info, sizeof class_info) != 0)
            return through_boost(payload);
        auto h = std::make_shared<EventHeader>();
        const char* p = payload.data() + sizeof class_info;
        for (std::int64_t* field : {&h->run, &h->event, &h->sub_event}) {
            std::memcpy(field, p, sizeof *field);
            p += sizeof *field;
        }
        return h;
    };
}

namespace {

template <class T>
std::string scalar_text(const T& value) {
    if constexpr (std::is_same_v<T, bool>) return value ? "true" : "false";
    else if constexpr (std::is_same_v<T, std::string>) return "\"" + value + "\"";
    else return fmt::format("{}", value);
}

// "[1, 2, 3]", shortened past a few elements: "[1, 2, 3, 4, 5, ...] (1024)".
template <class Range, class Text>
std::string list_text(const Range& items, Text text) {
    constexpr std::size_t shown = 6;
    std::string out = "[";
    std::size_t i = 0;
    for (const auto& item : items) {
        if (i == shown) {
            out += ", ...";
            break;
        }
        out += (i ? ", " : "") + text(item);
        ++i;
    }
    out += "]";
    if (items.size() > shown) out += fmt::format(" ({})", items.size());
    return out;
}

template <class T>
std::function<std::string(const void*)> summary_of() {
    return [](const void* object) {
        const T& value = *static_cast<const T*>(object);
        if constexpr (std::is_same_v<T, std::vector<std::uint8_t>>)
            return list_text(value, [](std::uint8_t b) { return fmt::format("{}", b); });
        else if constexpr (requires { value.begin(); } && !std::is_same_v<T, std::string>)
            return list_text(value, [](const auto& item) {
                if constexpr (requires { item.first; }) return item.first + ": " + scalar_text(item.second);
                else return scalar_text(static_cast<typename T::value_type>(item));
            });
        else return scalar_text(value);
    };
}

}  // namespace

void TypeRegistry::describe_standard_types() {
    set_summary("bool", summary_of<bool>());
    set_summary("int64", summary_of<std::int64_t>());
    set_summary("double", summary_of<double>());
    set_summary("string", summary_of<std::string>());
    set_summary("bytes", summary_of<std::vector<std::uint8_t>>());
    set_summary("vector<bool>", summary_of<std::vector<bool>>());
    set_summary("vector<int64>", summary_of<std::vector<std::int64_t>>());
    set_summary("vector<double>", summary_of<std::vector<double>>());
    set_summary("vector<string>", summary_of<std::vector<std::string>>());
    set_summary("map<string,double>", summary_of<std::map<std::string, double>>());
    set_summary("EventHeader", [](const void* object) {
        const auto& h = *static_cast<const EventHeader*>(object);
        return fmt::format("run {}, event {}, sub-event {}", h.run, h.event, h.sub_event);
    });
    // Single values become one column named "value"; vectors, maps and strings vary in size and
    // have no columns.
    set_columns<bool>([](bool value, TableRow& row) { row.add("value", value); });
    set_columns<std::int64_t>([](std::int64_t value, TableRow& row) { row.add("value", value); });
    set_columns<double>([](double value, TableRow& row) { row.add("value", value); });
    set_columns<EventHeader>([](const EventHeader& h, TableRow& row) {
        row.add("run", h.run);
        row.add("event", h.event);
        row.add("sub_event", h.sub_event);
    });
}

const char* column_type_name(ColumnType type) noexcept {
    switch (type) {
        case ColumnType::int64: return "int64";
        case ColumnType::float64: return "double";
        case ColumnType::boolean: return "bool";
    }
    return "?";
}

void TypeRegistry::set_summary(const std::string& name, std::function<std::string(const void*)> summarize) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) throw ConfigError("cannot describe unregistered type '" + name + "'");
    it->second.summarize = std::move(summarize);
}

TypeCodec& TypeRegistry::codec_of(std::type_index type, const std::string& purpose) {
    auto name = name_of_.find(type);
    if (name == name_of_.end())
        throw ConfigError("cannot " + purpose + " unregistered type " + demangle(type.name()) + "; register it first");
    return by_name_.at(name->second);
}

void TypeRegistry::add_codec(TypeCodec codec) {
    if (auto it = by_name_.find(codec.name); it != by_name_.end()) {
        if (it->second.type == codec.type) return;  // registered twice from the same type: harmless
        throw ConfigError("object type name '" + codec.name + "' is registered for two C++ types: " +
                          demangle(it->second.type.name()) + " and " + demangle(codec.type.name()));
    }
    if (auto it = name_of_.find(codec.type); it != name_of_.end())
        throw ConfigError("C++ type " + demangle(codec.type.name()) + " is registered twice, as '" + it->second +
                          "' and as '" + codec.name + "'");
    name_of_.emplace(codec.type, codec.name);
    by_name_.emplace(codec.name, std::move(codec));
}

const TypeCodec* TypeRegistry::find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &it->second;
}

const TypeCodec* TypeRegistry::find(std::type_index type) const {
    auto it = name_of_.find(type);
    return it == name_of_.end() ? nullptr : find(it->second);
}

std::vector<std::string> TypeRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, codec] : by_name_) out.push_back(name);
    return out;
}

}  // namespace mpitray

namespace mpitray::detail {
namespace {

// Reads a payload in Boost's binary layout, refusing any length that overruns it.
class LayoutWalk {
public:
    explicit LayoutWalk(std::span<const char> payload) : payload_(payload) {}

    void skip(std::uint64_t bytes) {
        if (bytes > left()) throw SerializationError("a length in it runs past its end");
        at_ += bytes;
    }
    // Class information and item versions: Boost reads the rest of the payload according to
    // them, so anything but the zeros it writes for these types is refused.
    void zeros(std::uint64_t bytes) {
        if (bytes > left()) throw SerializationError("it ends inside its class information");
        for (std::uint64_t i = 0; i < bytes; ++i)
            if (payload_[at_ + i] != 0) throw SerializationError("its class information is not what mpitray writes");
        at_ += bytes;
    }
    std::uint64_t length() {
        std::uint64_t value = 0;
        if (left() < sizeof value) throw SerializationError("it ends inside a length");
        std::memcpy(&value, payload_.data() + at_, sizeof value);
        at_ += sizeof value;
        return value;
    }
    void expect_end() const {
        if (left() != 0) throw SerializationError("its lengths do not account for its size");
    }

private:
    std::uint64_t left() const { return payload_.size() - at_; }
    std::span<const char> payload_;
    std::uint64_t at_ = 0;
};

// In an archive of its own, Boost writes a class's tracking flag and version (5 bytes, zeros for
// these types) before its first object, and a collection's item version (4 bytes, 0) after its
// count.
constexpr std::uint64_t class_header = 5;
constexpr std::uint64_t item_version = 4;

}  // namespace

void check_boost_layout(std::span<const char> payload, const std::vector<bool>*) {
    LayoutWalk walk(payload);
    walk.skip(walk.length());  // a byte per element
    walk.expect_end();
}

void check_boost_layout(std::span<const char> payload, const std::vector<std::string>*) {
    LayoutWalk walk(payload);
    walk.zeros(class_header);
    const std::uint64_t items = walk.length();
    walk.zeros(item_version);
    // Checked as they come, so a huge count cannot keep this loop going: each item reads 8 bytes.
    for (std::uint64_t i = 0; i < items; ++i) walk.skip(walk.length());
    walk.expect_end();
}

void check_boost_layout(std::span<const char> payload, const std::map<std::string, double>*) {
    LayoutWalk walk(payload);
    walk.zeros(class_header);
    const std::uint64_t items = walk.length();
    walk.zeros(item_version);
    if (items > 0) walk.zeros(class_header);  // the pair's, before the first one
    for (std::uint64_t i = 0; i < items; ++i) {
        walk.skip(walk.length());
        walk.skip(sizeof(double));
    }
    walk.expect_end();
}

}  // namespace mpitray::detail
