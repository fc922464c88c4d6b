#include <mpitray/receiver/batch_runner.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace mpitray;

namespace {

// What the worker sent back: the seqs each message answered, one vector per message.
class RecordingSink : public ResultSink {
public:
    std::vector<std::vector<std::uint64_t>> sent;  // batches
    std::vector<std::uint64_t> alone;              // answers sent on their own
    void send(Tag tag, OutgoingMessage message) override {
        if (tag != Tag::batch) {
            alone.push_back(value(peek_header(ByteView(message.bytes())).seq));
            return;
        }
        std::vector<std::uint64_t> seqs;
        for (const BatchEntry& entry : parse_batch(ByteView(message.bytes())))
            seqs.push_back(value(peek_header(entry.bytes).seq));
        sent.push_back(seqs);
    }
};

// A batch of `count` packets, numbered from 0.
std::vector<BatchEntry> packets(std::size_t count, SharedBuffer& keep) {
    std::vector<std::pair<Tag, OutgoingMessage>> messages;
    for (std::size_t i = 0; i < count; ++i)
        messages.emplace_back(Tag::packet, OutgoingMessage(MessageHeader{Seq{i}, message_flags::reply, 0}, {}));
    keep = make_batch(messages).bytes();
    return parse_batch(ByteView(keep));
}

// Runs a packet as an inner tray would: its answer goes to the link, after `pause`.
struct Answering {
    WorkerLink& link;
    std::vector<std::chrono::milliseconds> pauses;  // per packet; none: at once
    void operator()(const ByteView& bytes) const {
        const Seq seq = peek_header(bytes).seq;
        if (value(seq) < pauses.size()) std::this_thread::sleep_for(pauses[value(seq)]);
        link.answer(Tag::result, OutgoingMessage(MessageHeader{seq, message_flags::reply, 0}, {}));
    }
};

}  // namespace

TEST(BatchRunner, AQuickBatchAnswersInOneMessage) {
    RecordingSink sink;
    WorkerLink link(sink);
    SharedBuffer keep;
    run_batch(link, packets(5, keep), Answering{link, {}}, std::int64_t{10'000'000'000});
    EXPECT_EQ(sink.sent, (std::vector<std::vector<std::uint64_t>>{{0, 1, 2, 3, 4}}));
    EXPECT_EQ(link.held, nullptr);
}

// Past its time, a batch's answers go back after each packet: a slow packet does not keep the
// finished ones back, and the worker is heard from while the rest runs.
TEST(BatchRunner, ALateBatchSendsWhatItHoldsAfterEachPacket) {
    RecordingSink sink;
    WorkerLink link(sink);
    SharedBuffer keep;
    // Margins wide enough for a loaded machine: the first packet would have to take 50 ms.
    const std::chrono::milliseconds quick{0}, slow{200};
    run_batch(link, packets(4, keep), Answering{link, {quick, slow, quick, quick}}, std::int64_t{50'000'000});
    EXPECT_EQ(sink.sent, (std::vector<std::vector<std::uint64_t>>{{0, 1}, {2}, {3}}));
    EXPECT_EQ(link.held, nullptr);
}

TEST(BatchRunner, AThrowingPacketLeavesNothingHeld) {
    RecordingSink sink;
    WorkerLink link(sink);
    SharedBuffer keep;
    const auto entries = packets(3, keep);
    EXPECT_THROW(run_batch(link, entries,
                           [&](const ByteView& bytes) {
                               if (value(peek_header(bytes).seq) == 1) throw std::runtime_error("lost rank");
                               link.answer(Tag::result, OutgoingMessage(MessageHeader{peek_header(bytes).seq}, {}));
                           }),
                 std::runtime_error);
    EXPECT_EQ(link.held, nullptr);
    EXPECT_TRUE(sink.sent.empty()) << "the run ends: nothing more goes back";
    link.answer(Tag::result, OutgoingMessage(MessageHeader{Seq{9}}, {}));  // a packet alone is not held
    EXPECT_EQ(sink.alone, std::vector<std::uint64_t>{9});
}
