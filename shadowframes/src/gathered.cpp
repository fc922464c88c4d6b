#include <mpitray/shadowframes/gathered.hpp>

#include "wire.hpp"

#include <fmt/format.h>

#include <cstring>
#include <optional>

namespace mpitray {
namespace {

constexpr char magic[4] = {'M', 'T', 'G', 'A'};
constexpr std::uint16_t gathered_version = 1;
constexpr std::size_t header_size = 24;
constexpr std::size_t gap_entry_size = 16;

using wire::put;
using wire::take;
using Span = Scattered::Span;

// The first gap that does not lie after the one before it and inside a message of `size` bytes.
std::optional<std::size_t> first_out_of_place(const std::vector<Span>& gaps, std::uint64_t size) {
    std::uint64_t previous_end = 0;
    for (std::size_t i = 0; i < gaps.size(); ++i) {
        if (gaps[i].offset < previous_end || gaps[i].offset > size || gaps[i].size > size - gaps[i].offset) return i;
        previous_end = gaps[i].offset + gaps[i].size;
    }
    return std::nullopt;
}

std::uint64_t bytes_in(const std::vector<Span>& gaps) {
    std::uint64_t total = 0;
    for (const Span& gap : gaps) total += gap.size;
    return total;
}

// Calls outside(from, to) for each run of a `size`-byte message's bytes between its gaps, in order.
template <class Outside>
void for_each_outside(const std::vector<Span>& gaps, std::size_t size, Outside outside) {
    std::size_t from = 0;
    for (const Span& gap : gaps) {
        outside(from, gap.offset);
        from = gap.offset + gap.size;
    }
    outside(from, size);
}

}  // namespace

std::shared_ptr<Buffer> gathered_head(Tag tag, const Buffer& with_gaps, const std::vector<Gaps::Gap>& gaps) {
    std::vector<Span> spans;
    spans.reserve(gaps.size());
    for (const Gaps::Gap& gap : gaps) spans.push_back({gap.offset, gap.bytes.size()});
    if (const auto bad = first_out_of_place(spans, with_gaps.size()))
        throw Error(fmt::format("gathered_head: a gap of {} bytes at {} is out of order or out of the {}-byte message",
                                spans[*bad].size, spans[*bad].offset, with_gaps.size()));
    const std::size_t table = header_size + gap_entry_size * spans.size();
    auto head = std::make_shared<Buffer>(table + with_gaps.size() - bytes_in(spans));
    char* out = head->data();
    wire::put_head(out, magic, gathered_version);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(tag));
    put<std::uint32_t>(out, static_cast<std::uint32_t>(spans.size()));
    put<std::uint64_t>(out, with_gaps.size());
    for (const Span& gap : spans) {
        put<std::uint64_t>(out, gap.offset);
        put<std::uint64_t>(out, gap.size);
    }
    for_each_outside(spans, with_gaps.size(), [&](std::size_t from, std::size_t to) {
        std::memcpy(out, with_gaps.data() + from, to - from);
        out += to - from;
    });
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
    message.gaps.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const auto offset = take<std::uint64_t>(in);
        message.gaps.push_back({offset, take<std::uint64_t>(in)});
    }
    // Each gap after the last, inside the message; the head's bytes fill exactly the rest.
    if (const auto bad = first_out_of_place(message.gaps, size))
        throw SerializationError(
            fmt::format("gathered message's gap {} ({} bytes at {}) is out of place in a message of {} bytes", *bad,
                        message.gaps[*bad].size, message.gaps[*bad].offset, size));
    const std::size_t table = header_size + gap_entry_size * std::size_t(count);
    const std::uint64_t outside = size - bytes_in(message.gaps);
    if (head.size() - table != outside)
        throw SerializationError(fmt::format("gathered message's head carries {} bytes, not the {} outside its gaps",
                                             head.size() - table, outside));
    message.whole = std::make_shared<Buffer>(size);  // uninitialized (Buffer): every byte is written
    for_each_outside(message.gaps, size, [&](std::size_t from, std::size_t to) {
        std::memcpy(message.whole->data() + from, in, to - from);
        in += to - from;
    });
    return message;
}

}  // namespace mpitray
