#pragma once
// Which object types this program can decode and encode, by name. A frame may carry objects of
// types this program never registered: they pass through as bytes, untouched.
//
// Register a type once, in any .cpp file of the program:
//     MPITRAY_REGISTER_TYPE(MyTrack, "MyTrack");
// The type needs a Boost.Serialization `serialize` member or free function.
#include <mpitray/core/bytes.hpp>
#include <mpitray/core/error.hpp>
#include <mpitray/core/table_row.hpp>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>

#include <atomic>
#include <cstring>
#include <type_traits>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

namespace mpitray {

struct TypeCodec {
    std::string name;
    std::type_index type;
    // Appends the Boost binary archive of the object to `out`.
    std::function<void(const void* object, Buffer& out)> encode;
    // The exact size encode() will append, for types where that is cheap to know (numbers,
    // strings, vectors of numbers, EventHeader); empty for the rest. Lets the frame encoder size
    // its buffer once instead of growing (and copying) it around a large payload.
    std::function<std::size_t(const void* object)> encoded_size;
    // Decodes a payload; throws SerializationError when the bytes do not decode.
    std::function<std::shared_ptr<const void>(std::span<const char> payload)> decode;
    // A short text of the value, for `mpitray dump --values`; empty for types without one.
    std::function<std::string(const void* object)> summarize;
    // Appends the object's columns to a table row; empty for types that do not flatten.
    std::function<void(const void* object, TableRow& row)> columns;
    // For types whose encoding is a 64-bit element count and then the elements' bytes as they lie
    // in memory (strings, vectors of numbers): those, so the frame encoder copies and checksums
    // the bytes in one pass. Empty for the rest.
    struct Elements {
        std::uint64_t count = 0;
        std::span<const char> bytes;
    };
    std::function<Elements(const void* object)> element_bytes;
};

class TypeRegistry {
public:
    // The program's registry. The standard types are in it from the start.
    static TypeRegistry& instance();

    template <class T>
    void add(const std::string& name);
    // Gives a registered type a short text form for `mpitray dump --values`.
    void set_summary(const std::string& name, std::function<std::string(const void*)> summarize);
    // Says how a registered type flattens into table columns (see table_row.hpp).
    template <class T>
    void set_columns(std::function<void(const T&, TableRow&)> flatten);

    const TypeCodec* find(const std::string& name) const;
    const TypeCodec* find(std::type_index type) const;
    // The codec for T, or a SerializationError telling how to register it.
    template <class T>
    const TypeCodec& of() const;

    std::vector<std::string> names() const;

private:
    TypeRegistry();
    void describe_standard_types();
    void give_event_header_a_direct_codec();
    void add_summary_type();
    void add_codec(TypeCodec codec);
    TypeCodec& codec_of(std::type_index type, const std::string& purpose);

    std::map<std::string, TypeCodec> by_name_;
    std::map<std::type_index, std::string> name_of_;
};

// The archive flags every payload uses: no header, so a payload is only the object's bytes.
inline constexpr unsigned payload_archive_flags = boost::archive::no_header | boost::archive::no_codecvt;

// The C++ name of a type, demangled, for messages.
std::string demangled_name(const std::type_info& type);

// "type int is not registered: ..." with the registered type to use instead when there is one
// (`alternative`, stored for `kind` values), else how to register the type.
std::string unregistered_type_message(const std::type_info& type, const char* alternative, const char* kind);

namespace detail {

template <class T>
struct is_number_vector : std::false_type {};
template <class E, class A>
struct is_number_vector<std::vector<E, A>> : std::bool_constant<std::is_arithmetic_v<E> && !std::is_same_v<E, bool>> {};

// Numbers, strings and vectors of numbers are written here byte for byte as Boost's binary
// archive writes them (no header: a number's bytes; a 64-bit length, then the characters or the
// elements), without constructing an archive, which costs more than the copy for small objects.
// tests/core/type_registry_test.cpp checks the bytes against Boost's for every such type.
template <class T>
constexpr bool has_direct_codec =
    std::is_arithmetic_v<T> || std::is_same_v<T, std::string> || is_number_vector<T>::value;

template <class T>
void direct_encode(const T& value, Buffer& out) {
    auto append = [&out](const void* data, std::size_t size) {
        const auto* bytes = static_cast<const char*>(data);
        out.insert(out.end(), bytes, bytes + size);
    };
    if constexpr (std::is_arithmetic_v<T>) {
        append(&value, sizeof value);
    } else {
        const std::uint64_t count = value.size();
        append(&count, sizeof count);
        if (count) append(value.data(), count * sizeof(typename T::value_type));
    }
}

template <class T>
std::size_t direct_encoded_size(const T& value) {
    if constexpr (std::is_arithmetic_v<T>) return sizeof value;
    else return sizeof(std::uint64_t) + value.size() * sizeof(typename T::value_type);
}

// TypeCodec::element_bytes for a type with a direct codec: a vector's elements, nothing for a number.
template <class T>
std::function<TypeCodec::Elements(const void*)> direct_element_bytes() {
    if constexpr (std::is_arithmetic_v<T>) {
        return {};
    } else {
        return [](const void* object) {
            const auto& value = *static_cast<const T*>(object);
            return TypeCodec::Elements{value.size(),
                                       std::span<const char>(reinterpret_cast<const char*>(value.data()),
                                                             value.size() * sizeof(typename T::value_type))};
        };
    }
}

template <class T>
void direct_decode(std::span<const char> payload, T& value) {
    if constexpr (std::is_arithmetic_v<T>) {
        if (payload.size() != sizeof value) throw SerializationError("wrong size for a number");
        std::memcpy(&value, payload.data(), sizeof value);
    } else {
        using Element = typename T::value_type;
        std::uint64_t count = 0;
        if (payload.size() < sizeof count) throw SerializationError("too short for its length");
        std::memcpy(&count, payload.data(), sizeof count);
        if ((payload.size() - sizeof count) / sizeof(Element) != count ||
            (payload.size() - sizeof count) % sizeof(Element))
            throw SerializationError("its length does not match its size");
        value.resize(count);
        if (count) std::memcpy(value.data(), payload.data() + sizeof count, count * sizeof(Element));
    }
}

// Boost's binary archive reads a collection's or a string's length and allocates that much
// before reading what follows, so a damaged or hostile payload claiming gigabytes would take
// them. The standard types decoded through Boost have their layout checked first: every length
// must fit in the bytes that follow, and the lengths must account for the payload exactly.
// Throws SerializationError otherwise. (Types a program registers itself are decoded by Boost
// unchecked; docs/user-guide.md says so.)
void check_boost_layout(std::span<const char> payload, const std::vector<bool>*);
void check_boost_layout(std::span<const char> payload, const std::vector<std::string>*);
void check_boost_layout(std::span<const char> payload, const std::map<std::string, double>*);
template <class T>
concept has_checked_boost_layout = requires(std::span<const char> payload, const T* tag) {
    check_boost_layout(payload, tag);
};

// The registered standard type that holds the same kind of value as an unregistered T, if any:
// `frame->put("Hits", 3)` puts an int, and the user meant std::int64_t.
struct Alternative {
    const char* type = nullptr;  // null: T is nothing like a standard type
    const char* kind = nullptr;  // "integers", "text", ...
};

template <class T>
struct is_vector : std::false_type {};
template <class E, class A>
struct is_vector<std::vector<E, A>> : std::true_type {};

template <class T>
constexpr Alternative registered_alternative() {
    if constexpr (std::is_same_v<T, bool>) return {"bool", "truth values"};
    else if constexpr (std::is_integral_v<T>) return {"std::int64_t", "integers"};
    else if constexpr (std::is_floating_point_v<T>) return {"double", "floating-point numbers"};
    else if constexpr (std::is_convertible_v<T, std::string_view>) return {"std::string", "text"};
    else if constexpr (is_vector<T>::value) {
        constexpr Alternative item = registered_alternative<typename T::value_type>();
        // The same answer as the last branch, but it must come first: the comparisons below cannot
        // read a null name.
        // NOLINTNEXTLINE(bugprone-branch-clone)
        if constexpr (item.type == nullptr) return {};
        else if constexpr (std::string_view(item.type) == "bool") return {"std::vector<bool>", "lists of truth values"};
        else if constexpr (std::string_view(item.type) == "std::int64_t")
            return {"std::vector<std::int64_t>", "lists of integers"};
        else if constexpr (std::string_view(item.type) == "double")
            return {"std::vector<double>", "lists of floating-point numbers"};
        else if constexpr (std::string_view(item.type) == "std::string")
            return {"std::vector<std::string>", "lists of text"};
        else return {};
    } else return {};
}

}  // namespace detail

template <class T>
void TypeRegistry::add(const std::string& name) {
    if constexpr (detail::has_direct_codec<T>) {
        add_codec(TypeCodec{
            name,
            std::type_index(typeid(T)),
            [](const void* object, Buffer& out) { detail::direct_encode(*static_cast<const T*>(object), out); },
            [](const void* object) { return detail::direct_encoded_size(*static_cast<const T*>(object)); },
            [name](std::span<const char> payload) -> std::shared_ptr<const void> {
                auto value = std::make_shared<T>();
                try {
                    detail::direct_decode(payload, *value);
                } catch (const SerializationError& e) {
                    throw SerializationError("a payload of type '" + name + "' (" + std::to_string(payload.size()) +
                                             " bytes) does not decode: " + e.what());
                }
                return value;
            },
            {},
            {},
            detail::direct_element_bytes<T>()});
        return;
    }
    TypeCodec codec{name,
                    std::type_index(typeid(T)),
                    [](const void* object, Buffer& out) {
                        AppendStreambuf sink(out);
                        boost::archive::binary_oarchive archive(sink, payload_archive_flags);
                        archive << *static_cast<const T*>(object);
                    },
                    {},
                    [name](std::span<const char> payload) -> std::shared_ptr<const void> {
                        auto value = std::make_shared<T>();
                        try {
                            if constexpr (detail::has_checked_boost_layout<T>)
                                detail::check_boost_layout(payload, static_cast<const T*>(nullptr));
                            ViewStreambuf source(payload);
                            boost::archive::binary_iarchive archive(source, payload_archive_flags);
                            archive >> *value;
                        } catch (const std::exception& e) {
                            throw SerializationError("a payload of type '" + name + "' (" +
                                                     std::to_string(payload.size()) +
                                                     " bytes) does not decode: " + message_of(e));
                        }
                        return value;
                    },
                    {},
                    {},
                    {}};
    add_codec(std::move(codec));
}

template <class T>
void TypeRegistry::set_columns(std::function<void(const T&, TableRow&)> flatten) {
    codec_of(std::type_index(typeid(T)), "give columns to").columns = [flatten = std::move(flatten)](const void* object,
                                                                                                     TableRow& row) {
        flatten(*static_cast<const T*>(object), row);
    };
}

template <class T>
const TypeCodec& TypeRegistry::of() const {
    // Looked up once per type: a frame's objects are put and read millions of times, and the
    // registry never moves or drops a codec (there is one registry, and map nodes stay put).
    static std::atomic<const TypeCodec*> cached{nullptr};
    if (const TypeCodec* codec = cached.load(std::memory_order_acquire)) return *codec;
    if (const TypeCodec* codec = find(std::type_index(typeid(T)))) {
        cached.store(codec, std::memory_order_release);
        return *codec;
    }
    const detail::Alternative instead = detail::registered_alternative<T>();
    throw SerializationError(unregistered_type_message(typeid(T), instead.type, instead.kind));
}

namespace detail {
template <class T>
bool register_type(const char* name) {
    TypeRegistry::instance().add<T>(name);
    return true;
}
}  // namespace detail

}  // namespace mpitray

#define MPITRAY_CONCAT_IMPL(a, b) a##b
#define MPITRAY_CONCAT(a, b) MPITRAY_CONCAT_IMPL(a, b)
#define MPITRAY_REGISTER_TYPE(T, NAME)                                                         \
    [[maybe_unused]] static const bool MPITRAY_CONCAT(mpitray_type_registered_, __COUNTER__) = \
        ::mpitray::detail::register_type<T>(NAME)
