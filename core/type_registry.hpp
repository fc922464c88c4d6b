#pragma once
// Which object types this program can decode and encode, by name. A frame may carry objects of
// types this program never registered: they pass through as bytes, untouched.
//
// Register a type once, in any .cpp file of the program:
//     MPITRAY_REGISTER_TYPE(MyTrack, "MyTrack");
// The type needs a Boost.Serialization `serialize` member or free function.
#include <mpitray/core/bytes.hpp>
#include <mpitray/core/error.hpp>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <vector>

namespace mpitray {

struct TypeCodec {
    std::string name;
    std::type_index type;
    // Appends the Boost binary archive of the object to `out`.
    std::function<void(const void* object, Buffer& out)> encode;
    // Decodes a payload; throws SerializationError when the bytes do not decode.
    std::function<std::shared_ptr<const void>(std::span<const char> payload)> decode;
};

class TypeRegistry {
public:
    // The program's registry. The standard types are in it from the start.
    static TypeRegistry& instance();

    template <class T>
    void add(const std::string& name);

    const TypeCodec* find(const std::string& name) const;
    const TypeCodec* find(std::type_index type) const;
    // The codec for T, or a SerializationError telling how to register it.
    template <class T>
    const TypeCodec& of() const;

    std::vector<std::string> names() const;

private:
    TypeRegistry();
    void add_codec(TypeCodec codec);

    std::map<std::string, TypeCodec> by_name_;
    std::map<std::type_index, std::string> name_of_;
};

// The archive flags every payload uses: no header, so a payload is only the object's bytes.
inline constexpr unsigned payload_archive_flags = boost::archive::no_header | boost::archive::no_codecvt;

// The C++ name of a type, demangled, for messages.
std::string demangled_name(const std::type_info& type);

template <class T>
void TypeRegistry::add(const std::string& name) {
    TypeCodec codec{
        name,
        std::type_index(typeid(T)),
        [](const void* object, Buffer& out) {
            AppendStreambuf sink(out);
            boost::archive::binary_oarchive archive(sink, payload_archive_flags);
            archive << *static_cast<const T*>(object);
        },
        [name](std::span<const char> payload) -> std::shared_ptr<const void> {
            auto value = std::make_shared<T>();
            try {
                ViewStreambuf source(payload);
                boost::archive::binary_iarchive archive(source, payload_archive_flags);
                archive >> *value;
            } catch (const std::exception& e) {
                throw SerializationError("a payload of type '" + name + "' (" + std::to_string(payload.size()) +
                                         " bytes) does not decode: " + e.what());
            }
            return value;
        }};
    add_codec(std::move(codec));
}

template <class T>
const TypeCodec& TypeRegistry::of() const {
    if (const TypeCodec* codec = find(std::type_index(typeid(T)))) return *codec;
    throw SerializationError("type " + demangled_name(typeid(T)) +
                             " is not registered; add MPITRAY_REGISTER_TYPE(Type, \"Name\") to one .cpp file");
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
#define MPITRAY_REGISTER_TYPE(T, NAME) \
    [[maybe_unused]] static const bool MPITRAY_CONCAT(mpitray_type_registered_, __COUNTER__) = ::mpitray::detail::register_type<T>(NAME)
