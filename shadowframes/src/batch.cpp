#include <mpitray/shadowframes/batch.hpp>

#include "wire.hpp"

#include <fmt/format.h>

#include <cstring>

namespace mpitray {
namespace {

constexpr char magic[4] = {'M', 'T', 'M', 'B'};
constexpr std::uint16_t batch_version = 2;  // 1 listed every entry's head before the messages
constexpr std::size_t header_size = 16;
constexpr std::size_t entry_head_size = 16;
constexpr std::size_t count_at = wire::head_size;  // the entry count follows the head

using wire::put;
using wire::take;

}  // namespace

BatchBuilder::BatchBuilder(std::size_t expected_bytes) : buffer_(std::make_shared<Buffer>()) {
    buffer_->reserve(std::max(expected_bytes, header_size));
    buffer_->resize(header_size);
    char* out = buffer_->data();
    wire::put_head(out, magic, batch_version);
    put<std::uint32_t>(out, 0);  // the count, when finished
    put<std::uint32_t>(out, 0);
}

std::size_t BatchBuilder::open_entry(Tag tag) {
    const std::size_t at = buffer_->size();
    buffer_->resize(at + entry_head_size);
    char* out = buffer_->data() + at;
    put<std::uint32_t>(out, static_cast<std::uint32_t>(tag));
    put<std::uint32_t>(out, 0);
    ++count_;
    return at + 8;
}

void BatchBuilder::close_entry(std::size_t length_at, std::size_t length) {
    char* out = buffer_->data() + length_at;
    put<std::uint64_t>(out, length);
}

std::size_t BatchBuilder::add(Tag tag, const MessageHeader& header, const std::vector<FramePtr>& frames,
                              std::span<const char* const> inputs, Remember remember) {
    const std::size_t entry_at = buffer_->size();
    const std::size_t length_at = open_entry(tag);
    try {
        const std::size_t length = append_message(buffer_, header, frames, inputs, remember, &gaps_);
        close_entry(length_at, length);
        return length;
    } catch (...) {
        // A frame that does not encode leaves no half-written entry (its bytes are not zeroed).
        buffer_->resize(entry_at);
        std::erase_if(gaps_.list, [entry_at](const Gaps::Gap& gap) { return gap.offset >= entry_at; });
        --count_;
        throw;
    }
}

void BatchBuilder::add(Tag tag, const OutgoingMessage& message) {
    const std::size_t length_at = open_entry(tag);
    if (message.size() > 0) buffer_->insert(buffer_->end(), message.bytes()->begin(), message.bytes()->end());
    close_entry(length_at, message.size());
}

OutgoingMessage BatchBuilder::finish() {
    char* out = buffer_->data() + count_at;
    put<std::uint32_t>(out, static_cast<std::uint32_t>(count_));
    return OutgoingMessage(std::move(buffer_), std::move(gaps_.list));
}

OutgoingMessage make_batch(const std::vector<std::pair<Tag, OutgoingMessage>>& messages) {
    std::size_t size = header_size;
    for (const auto& [tag, message] : messages) size += entry_head_size + message.size();
    BatchBuilder batch(size);
    for (const auto& [tag, message] : messages) batch.add(tag, message);
    return batch.finish();
}

std::vector<BatchEntry> parse_batch(const ByteView& bytes) {
    const char* in = wire::take_head(bytes, magic, batch_version, header_size, "a batch of protocol messages", "batch");
    const auto count = take<std::uint32_t>(in);
    take<std::uint32_t>(in);
    if ((bytes.size() - header_size) / entry_head_size < count)
        throw SerializationError("batch is shorter than its entry count says");
    std::vector<BatchEntry> entries;
    entries.reserve(count);
    std::size_t offset = header_size;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (bytes.size() - offset < entry_head_size)
            throw SerializationError(fmt::format("batch entry {} runs past the batch's end", i));
        in = bytes.data() + offset;
        const auto tag = Tag(static_cast<int>(take<std::uint32_t>(in)));
        take<std::uint32_t>(in);
        const auto length = take<std::uint64_t>(in);
        offset += entry_head_size;
        if (length > bytes.size() - offset)
            throw SerializationError(fmt::format("batch entry {} runs past the batch's end", i));
        entries.push_back({tag, bytes.sub(offset, length)});
        offset += length;
    }
    if (offset != bytes.size()) throw SerializationError("batch has bytes after its last entry");
    return entries;
}

}  // namespace mpitray
