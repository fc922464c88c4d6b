#include <mpitray/shadowframes/batch.hpp>

#include "wire.hpp"

#include <fmt/format.h>

#include <cstring>

namespace mpitray {
namespace {

constexpr char magic[4] = {'M', 'T', 'M', 'B'};
constexpr std::uint16_t batch_version = 1;
constexpr std::size_t header_size = 16;
constexpr std::size_t entry_size = 16;

using wire::put;
using wire::take;

}  // namespace

OutgoingMessage make_batch(const std::vector<std::pair<Tag, OutgoingMessage>>& messages) {
    std::size_t size = header_size + entry_size * messages.size();
    for (const auto& [tag, message] : messages) size += message.size();
    auto buffer = std::make_shared<Buffer>(size);
    char* out = buffer->data();
    std::memcpy(out, magic, sizeof magic);
    out += sizeof magic;
    put<std::uint16_t>(out, batch_version);
    put<std::uint16_t>(out, 0);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(messages.size()));
    put<std::uint32_t>(out, 0);
    char* body = out + entry_size * messages.size();  // the entries follow their list
    for (const auto& [tag, message] : messages) {
        put<std::uint32_t>(out, static_cast<std::uint32_t>(tag));
        put<std::uint32_t>(out, 0);
        put<std::uint64_t>(out, message.size());
        if (message.size() > 0) std::memcpy(body, message.bytes()->data(), message.size());
        body += message.size();
    }
    return OutgoingMessage(std::move(buffer));
}

std::vector<BatchEntry> parse_batch(const ByteView& bytes) {
    if (bytes.size() < header_size || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
        throw SerializationError(fmt::format("not a batch of protocol messages ({} bytes)", bytes.size()));
    const char* in = bytes.data() + sizeof magic;
    if (const auto version = take<std::uint16_t>(in); version != batch_version)
        throw SerializationError(
            fmt::format("batch version {} (this build speaks {}): are all ranks running the "
                        "same mpitray?",
                        version, batch_version));
    take<std::uint16_t>(in);
    const auto count = take<std::uint32_t>(in);
    take<std::uint32_t>(in);
    if ((bytes.size() - header_size) / entry_size < count)
        throw SerializationError("batch is shorter than its entry list");
    std::vector<BatchEntry> entries;
    entries.reserve(count);
    std::size_t offset = header_size + entry_size * std::size_t(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const auto tag = Tag(static_cast<int>(take<std::uint32_t>(in)));
        take<std::uint32_t>(in);
        const auto length = take<std::uint64_t>(in);
        if (length > bytes.size() - offset)
            throw SerializationError(fmt::format("batch entry {} runs past the batch's end", i));
        entries.push_back({tag, bytes.sub(offset, length)});
        offset += length;
    }
    if (offset != bytes.size()) throw SerializationError("batch has bytes after its last entry");
    return entries;
}

}  // namespace mpitray
