#include <mpitray/shadowframes/gathered.hpp>

#include "wire.hpp"

#include <fmt/format.h>

#include <cstring>

namespace mpitray {
namespace {

constexpr char magic[4] = {'M', 'T', 'G', 'A'};
constexpr std::uint16_t gathered_version = 1;
constexpr std::size_t header_size = 24;
constexpr std::size_t gap_entry_size = 16;

using wire::put;
using wire::take;

}  // namespace

std::shared_ptr<Buffer> gathered_head(Tag tag, const Buffer& with_gaps, const std::vector<Gaps::Gap>& gaps) {
    std::size_t left_out = 0;
    std::size_t previous_end = 0;
    for (const Gaps::Gap& gap : gaps) {
        if (gap.offset < previous_end || gap.offset > with_gaps.size() ||
            gap.bytes.size() > with_gaps.size() - gap.offset)
            throw Error(
                fmt::format("gathered_head: a gap of {} bytes at {} is out of order or out of the {}-byte "
                            "message",
                            gap.bytes.size(), gap.offset, with_gaps.size()));
        previous_end = gap.offset + gap.bytes.size();
        left_out += gap.bytes.size();
    }
    const std::size_t table = header_size + gap_entry_size * gaps.size();
    auto head = std::make_shared<Buffer>(table + with_gaps.size() - left_out);
    char* out = head->data();
    wire::put_head(out, magic, gathered_version);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(tag));
    put<std::uint32_t>(out, static_cast<std::uint32_t>(gaps.size()));
    put<std::uint64_t>(out, with_gaps.size());
    for (const Gaps::Gap& gap : gaps) {
        put<std::uint64_t>(out, gap.offset);
        put<std::uint64_t>(out, gap.bytes.size());
    }
    std::size_t from = 0;
    auto copy_to = [&](std::size_t end) {
        std::memcpy(out, with_gaps.data() + from, end - from);
        out += end - from;
    };
    for (const Gaps::Gap& gap : gaps) {
        copy_to(gap.offset);
        from = gap.offset + gap.bytes.size();
    }
    copy_to(with_gaps.size());
    return head;
}

Scattered open_gathered(const ByteView& head) {
    const char* in = wire::take_head(head, magic, gathered_version, header_size, "the head of a gathered message",
                                     "gathered message");
    Scattered message;
    message.tag = Tag(static_cast<int>(take<std::uint32_t>(in)));
    if (message.tag == Tag::gathered || message.tag == Tag::gap)
        throw SerializationError("gathered message's head names the transport's own tag " + tag_name(message.tag));
    const auto count = take<std::uint32_t>(in);
    const auto size = take<std::uint64_t>(in);
    if ((head.size() - header_size) / gap_entry_size < count)
        throw SerializationError("gathered message's head is shorter than its gap list");
    // Each gap after the last, inside the message; the head's bytes fill exactly the rest.
    std::uint64_t end = 0;
    std::uint64_t left_out = 0;
    message.gaps.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const auto offset = take<std::uint64_t>(in);
        const auto length = take<std::uint64_t>(in);
        if (offset < end || offset > size || length > size - offset)
            throw SerializationError(
                fmt::format("gathered message's gap {} ({} bytes at {}) is out of place in a "
                            "message of {} bytes",
                            i, length, offset, size));
        message.gaps.push_back({offset, length});
        end = offset + length;
        left_out += length;
    }
    const std::size_t table = header_size + gap_entry_size * std::size_t(count);
    if (head.size() - table != size - left_out)
        throw SerializationError(fmt::format("gathered message's head carries {} bytes, not the {} outside its gaps",
                                             head.size() - table, size - left_out));
    message.whole = std::make_shared<Buffer>(size);  // uninitialized (Buffer): every byte is written
    std::size_t from = 0;
    auto copy_to = [&](std::size_t to) {
        std::memcpy(message.whole->data() + from, in, to - from);
        in += to - from;
    };
    for (const Scattered::Span& gap : message.gaps) {
        copy_to(gap.offset);
        from = gap.offset + gap.size;
    }
    copy_to(size);
    return message;
}

}  // namespace mpitray
