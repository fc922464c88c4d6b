#include <mpitray/core/standard_types.hpp>
#include <mpitray/shadowframes/batch.hpp>
#include <mpitray/shadowframes/gathered.hpp>
#include <mpitray/shadowframes/message.hpp>
#include <mpitray/shadowframes/reorder_buffer.hpp>
#include <mpitray/shadowframes/shadow_frame.hpp>
#include <mpitray/shadowframes/worker_messages.hpp>

#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/type_registry.hpp>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

using namespace mpitray;

namespace {

FramePtr event(std::int64_t i) {
    auto f = make_frame(Stop::physics());
    f->put(event_header_key, EventHeader{1, i, 0});
    f->origin = {std::uint64_t(100 + i), std::uint64_t(7 * i)};
    return f;
}

Result result(std::uint64_t seq, std::size_t bytes = 10) { return {Seq{seq}, {}, bytes}; }

}  // namespace

TEST(Message, RoundTripsHeaderFramesAndOrigins) {
    const OutgoingMessage out(MessageHeader{Seq{42}, message_flags::metadata | message_flags::reply, 12345},
                              {event(1), event(2), event(3)});
    EXPECT_EQ(out.frame_count(), 3u);
    const SharedBuffer bytes = out.bytes();
    EXPECT_EQ(bytes->size(), out.size());
    const Message in = parse_message(ByteView(bytes));
    EXPECT_EQ(value(in.header.seq), 42u);
    EXPECT_EQ(in.header.flags, message_flags::metadata | message_flags::reply);
    EXPECT_EQ(in.header.busy_ns, 12345);
    ASSERT_EQ(in.frames.size(), 3u);
    for (std::int64_t i = 0; i < 3; ++i) {
        EXPECT_EQ(in.frames[std::size_t(i)]->at<EventHeader>(event_header_key).event, i + 1);
        EXPECT_EQ(in.frames[std::size_t(i)]->origin.position, std::uint64_t(101 + i));
        EXPECT_EQ(in.frames[std::size_t(i)]->origin.lineage, std::uint64_t(7 * (i + 1)));
    }
}

// New frames are encoded straight into the message's one buffer, which grows (and moves) when a
// payload's size could not be told in advance (a Boost-encoded map); frames sharing an object,
// and one frame sent twice, copy bytes from that same buffer.
TEST(Message, NewFramesEncodeIntoOneBufferThatMayMove) {
    using Map = std::map<std::string, double>;
    Map big;
    for (int i = 0; i < 2000; ++i) big["key" + std::to_string(i)] = i * 0.5;
    FramePtr a = event(1);
    a->put("Map", big);
    FramePtr b = event(2);
    b->put_object("Shared", a->find_shared("Map"));  // the same object, not yet encoded
    const OutgoingMessage out(MessageHeader{Seq{3}, 0, 0}, {a, b, a});
    const Message in = parse_message(ByteView(out.bytes()));
    ASSERT_EQ(in.frames.size(), 3u);
    EXPECT_EQ(in.frames[0]->at<Map>("Map"), big);
    EXPECT_EQ(in.frames[1]->at<Map>("Shared"), big);
    EXPECT_EQ(in.frames[1]->at<EventHeader>(event_header_key).event, 2);
    EXPECT_EQ(in.frames[2]->at<Map>("Map"), big);
    // The sent frames now have their encoding in the message, and it still decodes.
    EXPECT_TRUE(same_bytes(a->pristine_encoding(), encode_frame(*in.frames[0])));
    EXPECT_EQ(a->at<Map>("Map"), big);
}

TEST(Message, UnchangedInputFramesGoBackAsReferences) {
    // The dispatcher's packet, as a worker receives it.
    const std::vector<FramePtr> sent = {event(1), event(2)};
    const Message received = parse_message(ByteView(OutgoingMessage(MessageHeader{Seq{5}, 0, 0}, sent).bytes()));
    std::vector<const char*> inputs;
    for (const FramePtr& f : received.frames) inputs.push_back(f->pristine_encoding().data());
    // The inner section changes frame 1, passes frame 0 unchanged, and adds one.
    received.frames[1]->put("Fit", 1.0);
    const std::vector<FramePtr> results = {received.frames[0], received.frames[1], event(9)};
    const OutgoingMessage with_refs(MessageHeader{Seq{5}, 0, 0}, results, inputs);
    const OutgoingMessage without(MessageHeader{Seq{5}, 0, 0}, results);
    EXPECT_LT(with_refs.size(), without.size()) << "the unchanged frame is not sent back";
    const Message back = parse_message(ByteView(with_refs.bytes()), &sent);
    ASSERT_EQ(back.frames.size(), 3u);
    EXPECT_EQ(back.frames[0].get(), sent[0].get()) << "the dispatcher's own frame, not a copy";
    EXPECT_TRUE(back.frames[1]->has("Fit"));
    EXPECT_EQ(back.frames[2]->at<EventHeader>(event_header_key).event, 9);
    EXPECT_THROW(parse_message(ByteView(with_refs.bytes())), SerializationError) << "a reference needs the inputs";
}

TEST(Message, AnEmptyResultIsAMessageToo) {
    const OutgoingMessage out(MessageHeader{Seq{3}, 0, 0}, {});
    const Message in = parse_message(ByteView(out.bytes()));
    EXPECT_EQ(value(in.header.seq), 3u);
    EXPECT_TRUE(in.frames.empty());
}

TEST(Message, DamageIsDetected) {
    const SharedBuffer good = OutgoingMessage(MessageHeader{Seq{1}, 0, 0}, {event(1)}).bytes();
    auto bad_magic = std::make_shared<Buffer>(*good);
    (*bad_magic)[0] = 'X';
    EXPECT_THROW(parse_message(ByteView(bad_magic)), SerializationError);
    auto bad_frame = std::make_shared<Buffer>(*good);
    bad_frame->back() ^= 1;  // the frame's checksum
    EXPECT_THROW(parse_message(ByteView(bad_frame)), SerializationError);
    auto cut = std::make_shared<Buffer>(good->begin(), good->end() - 10);
    EXPECT_THROW(parse_message(ByteView(cut)), SerializationError);
}

// Two frames of one message sharing a payload: the second copies the first's bytes from the very
// buffer being written (FrameCodec.CopiesAPayloadFromTheBufferItGrows makes that buffer move).
TEST(Message, APayloadSharedByTwoFramesIsCopiedFromTheGrowingBuffer) {
    FramePtr first = event(1);
    first->put("Payload", std::vector<std::uint8_t>(100000, 7));
    FramePtr second = event(2);
    second->put_object("Payload", first->find_shared("Payload"));
    const OutgoingMessage out(MessageHeader{Seq{3}, 0, 0}, {first, second});
    const Message in = parse_message(ByteView(out.bytes()));  // checks both frames' checksums
    ASSERT_EQ(in.frames.size(), 2u);
    EXPECT_EQ(in.frames[1]->at<std::vector<std::uint8_t>>("Payload"), std::vector<std::uint8_t>(100000, 7));
}

TEST(Batch, CarriesWholeMessagesWithTheirTags) {
    std::vector<std::pair<Tag, OutgoingMessage>> messages;
    messages.emplace_back(Tag::result, OutgoingMessage(MessageHeader{Seq{5}, message_flags::reply, 7}, {event(1)}));
    messages.emplace_back(Tag::failure, OutgoingMessage(MessageHeader{Seq{6}, 0, 0}, {}));
    messages.emplace_back(Tag::result, OutgoingMessage(MessageHeader{Seq{7}, 0, 0}, {event(2), event(3)}));
    const OutgoingMessage batch = make_batch(messages);
    const std::vector<BatchEntry> entries = parse_batch(ByteView(batch.bytes()));
    ASSERT_EQ(entries.size(), 3u);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].tag, messages[i].first);
        EXPECT_EQ(std::string(entries[i].bytes.data(), entries[i].bytes.size()),
                  std::string(messages[i].second.bytes()->data(), messages[i].second.size()));
    }
    const Message third = parse_message(entries[2].bytes);
    EXPECT_EQ(value(third.header.seq), 7u);
    ASSERT_EQ(third.frames.size(), 2u);
    EXPECT_EQ(third.frames[1]->origin.position, 103u);
    EXPECT_TRUE(parse_batch(ByteView(make_batch({}).bytes())).empty());
}

// Encoding a packet straight into a batch gives the bytes it has alone, and its frames remember
// their encodings in the batch's buffer (so unchanged frames can come back as references).
TEST(Batch, ABuilderEncodesEachMessageAsItWouldGoAlone) {
    BatchBuilder builder(64);  // too small: the buffer grows as the entries come
    std::vector<std::vector<FramePtr>> packets;
    for (std::int64_t i = 0; i < 20; ++i) packets.push_back({event(2 * i), event(2 * i + 1)});
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < packets.size(); ++i)
        sizes.push_back(builder.add(Tag::packet, MessageHeader{Seq{i}, message_flags::reply, 0}, packets[i]));
    EXPECT_EQ(builder.count(), packets.size());
    const OutgoingMessage batch = builder.finish();
    const std::vector<BatchEntry> entries = parse_batch(ByteView(batch.bytes()));
    ASSERT_EQ(entries.size(), packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i) {
        std::vector<FramePtr> fresh = {event(std::int64_t(2 * i)), event(std::int64_t(2 * i + 1))};
        const OutgoingMessage alone(MessageHeader{Seq{i}, message_flags::reply, 0}, fresh);
        EXPECT_EQ(entries[i].tag, Tag::packet);
        EXPECT_EQ(sizes[i], alone.size());
        EXPECT_EQ(std::string(entries[i].bytes.data(), entries[i].bytes.size()),
                  std::string(alone.bytes()->data(), alone.size()))
            << "entry " << i;
        for (const FramePtr& frame : packets[i]) EXPECT_EQ(frame->pristine_encoding().owner(), batch.bytes());
    }
}

namespace {
// A value whose encoding fails halfway, as a Boost archive can.
struct Unwritable {
    template <class Archive>
    void serialize(Archive&, unsigned) {
        throw std::runtime_error("cannot write this");
    }
};
}  // namespace

// A packet that does not encode leaves nothing in the batch: the entries before it and after it
// are whole (the buffer's bytes are not zeroed, so a half-written entry would be garbage).
TEST(Batch, APacketThatDoesNotEncodeLeavesNoEntry) {
    TypeRegistry::instance().add<Unwritable>("UnwritableForTest");
    BatchBuilder builder;
    builder.add(Tag::packet, MessageHeader{Seq{1}, 0, 0}, {event(1)});
    FramePtr bad = event(2);
    bad->put("Broken", Unwritable{});
    EXPECT_THROW(builder.add(Tag::packet, MessageHeader{Seq{2}, 0, 0}, {bad}), std::runtime_error);
    builder.add(Tag::packet, MessageHeader{Seq{3}, 0, 0}, {event(3)});
    EXPECT_EQ(builder.count(), 2u);
    const OutgoingMessage batch = builder.finish();
    const std::vector<BatchEntry> entries = parse_batch(ByteView(batch.bytes()));
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(value(parse_message(entries[0].bytes).header.seq), 1u);
    EXPECT_EQ(value(parse_message(entries[1].bytes).header.seq), 3u);
}

namespace {

FramePtr with_payload(std::int64_t i, std::size_t bytes) {
    FramePtr f = event(i);
    f->put("Payload", std::vector<std::uint8_t>(bytes, std::uint8_t(i)));
    return f;
}

// What a receiver of the head and the gap messages puts together (mpi.cpp does it over MPI).
SharedBuffer through_gathered(Tag tag, const OutgoingMessage& message) {
    const auto head = gathered_head(tag, *message.bytes_with_gaps(), message.gaps());
    Scattered scattered = open_gathered(ByteView(head));
    EXPECT_EQ(scattered.tag, tag);
    EXPECT_EQ(scattered.gaps.size(), message.gaps().size());
    for (std::size_t i = 0; i < scattered.gaps.size(); ++i) {
        const Gaps::Gap& gap = message.gaps()[i];
        EXPECT_EQ(scattered.gaps[i].size, gap.bytes.size());
        std::memcpy(scattered.whole->data() + scattered.gaps[i].offset, gap.bytes.data(), gap.bytes.size());
    }
    return scattered.whole;
}

}  // namespace

TEST(Gathered, APacketWithLargePayloadsArrivesAsTheMessageItWouldBe) {
    const std::vector<FramePtr> frames{with_payload(1, 40000), with_payload(2, 10), with_payload(3, 100000)};
    const OutgoingMessage in_place(MessageHeader{Seq{4}, message_flags::reply, 0}, frames, {}, Remember::nothing);
    EXPECT_EQ(in_place.gaps().size(), 2u) << "the 40 kB and 100 kB payloads; the 10-byte one is copied";
    const OutgoingMessage copied(MessageHeader{Seq{4}, message_flags::reply, 0}, frames);  // no gaps
    EXPECT_TRUE(copied.gaps().empty());
    const SharedBuffer received = through_gathered(Tag::packet, in_place);
    ASSERT_EQ(received->size(), copied.size());
    EXPECT_TRUE(std::equal(received->begin(), received->end(), copied.bytes()->begin()));
    const Message parsed = parse_message(ByteView(received));  // every checksum verified
    EXPECT_EQ(parsed.frames[2]->at<std::vector<std::uint8_t>>("Payload").size(), 100000u);
    // Filled in place once asked for its bytes (the in-process worker), the same again.
    EXPECT_TRUE(std::equal(received->begin(), received->end(), in_place.bytes()->begin()));
    EXPECT_TRUE(in_place.gaps().empty());
}

TEST(Gathered, ABatchKeepsTheGapsOfEachPacketAndDropsThoseOfOneThatFailed) {
    TypeRegistry::instance().add<Unwritable>("UnwritableForTest");
    BatchBuilder builder;
    builder.add(Tag::packet, MessageHeader{Seq{1}, 0, 0}, {with_payload(1, 50000)}, {}, Remember::nothing);
    FramePtr bad = with_payload(2, 60000);
    bad->put("Zzz", Unwritable{});  // after the payload (key order): its gap was taken
    EXPECT_THROW(builder.add(Tag::packet, MessageHeader{Seq{2}, 0, 0}, {bad}, {}, Remember::nothing),
                 std::runtime_error);
    builder.add(Tag::packet, MessageHeader{Seq{3}, 0, 0}, {with_payload(3, 70000)}, {}, Remember::nothing);
    const OutgoingMessage batch = builder.finish();
    ASSERT_EQ(batch.gaps().size(), 2u);
    EXPECT_EQ(batch.gaps()[0].bytes.size(), 50000u);
    EXPECT_EQ(batch.gaps()[1].bytes.size(), 70000u);
    const std::vector<BatchEntry> entries = parse_batch(ByteView(through_gathered(Tag::batch, batch)));
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(parse_message(entries[1].bytes).frames[0]->at<std::vector<std::uint8_t>>("Payload"),
              std::vector<std::uint8_t>(70000, 3));
}

TEST(Gathered, ADamagedHeadIsRefused) {
    const OutgoingMessage message(MessageHeader{Seq{1}, 0, 0}, {with_payload(1, 50000), with_payload(2, 50000)}, {},
                                  Remember::nothing);
    const auto good = gathered_head(Tag::packet, *message.bytes_with_gaps(), message.gaps());
    EXPECT_NO_THROW(open_gathered(ByteView(good)));
    auto damaged = [&](std::size_t at, char byte) {
        auto bytes = std::make_shared<Buffer>(*good);
        (*bytes)[at] = byte;
        return ByteView(bytes);
    };
    EXPECT_THROW(open_gathered(damaged(0, 'X')), SerializationError);                   // magic
    EXPECT_THROW(open_gathered(damaged(12, char(0x7f))), SerializationError);           // gap count
    EXPECT_THROW(open_gathered(damaged(23, char(0x7f))), SerializationError);           // the whole size
    EXPECT_THROW(open_gathered(damaged(24 + 16 + 7, char(0x7f))), SerializationError);  // second gap's offset
    auto overlapping = std::make_shared<Buffer>(*good);
    std::memcpy(overlapping->data() + 24 + 16, good->data() + 24, 8);  // the second gap starts where the first does
    EXPECT_THROW(open_gathered(ByteView(overlapping)), SerializationError);
    auto cut = std::make_shared<Buffer>(good->begin(), good->end() - 1);
    EXPECT_THROW(open_gathered(ByteView(cut)), SerializationError);
    EXPECT_THROW(open_gathered(damaged(8, char(Tag::gap))), SerializationError);  // a message of the transport's own
    std::vector<Gaps::Gap> backwards(message.gaps().rbegin(), message.gaps().rend());
    EXPECT_THROW(gathered_head(Tag::packet, *message.bytes_with_gaps(), backwards), Error);
}

TEST(Batch, DamageIsDetected) {
    std::vector<std::pair<Tag, OutgoingMessage>> messages;
    messages.emplace_back(Tag::packet, OutgoingMessage(MessageHeader{Seq{1}, 0, 0}, {event(1)}));
    const SharedBuffer good = make_batch(messages).bytes();
    auto bad_magic = std::make_shared<Buffer>(*good);
    (*bad_magic)[0] = 'X';
    EXPECT_THROW(parse_batch(ByteView(bad_magic)), SerializationError);
    auto cut = std::make_shared<Buffer>(good->begin(), good->end() - 1);
    EXPECT_THROW(parse_batch(ByteView(cut)), SerializationError);
    auto longer = std::make_shared<Buffer>(*good);
    longer->push_back('x');
    EXPECT_THROW(parse_batch(ByteView(longer)), SerializationError);
    auto many = std::make_shared<Buffer>(*good);
    (*many)[8] = char(0xff);  // the entry count
    EXPECT_THROW(parse_batch(ByteView(many)), SerializationError);
}

TEST(ShadowFrame, CarriesItsSequenceNumberAndFlags) {
    const FramePtr shadow = make_shadow_frame({Seq{99}, message_flags::reply});
    EXPECT_EQ(shadow->stop(), Stop::shadow());
    const ShadowInfo info = shadow_info(*shadow);
    EXPECT_EQ(value(info.seq), 99u);
    EXPECT_EQ(info.flags, message_flags::reply);
    EXPECT_THROW(shadow_info(*event(1)), Error);
}

TEST(ReorderBuffer, HandsResultsOutInInputOrder) {
    ReorderBuffer buffer;
    for (int i = 0; i < 4; ++i) buffer.open();
    buffer.fill(result(2));
    buffer.fill(result(1));
    EXPECT_FALSE(buffer.pop()) << "0 has not arrived";
    buffer.fill(result(0));
    std::vector<std::uint64_t> order;
    while (auto r = buffer.pop()) order.push_back(value(r->seq));
    EXPECT_EQ(order, (std::vector<std::uint64_t>{0, 1, 2}));
    EXPECT_EQ(buffer.slots(), 1u) << "3 is still awaited";
    buffer.fill(result(3));
    EXPECT_EQ(value(buffer.pop()->seq), 3u);
    EXPECT_TRUE(buffer.empty());
}

TEST(ReorderBuffer, CountsSlotsAndBytesAndTheirPeaks) {
    ReorderBuffer buffer;
    buffer.open();
    buffer.open();
    buffer.fill(result(1, 500));
    EXPECT_EQ(buffer.slots(), 2u);
    EXPECT_EQ(buffer.bytes(), 500u);
    buffer.fill(result(0, 100));
    buffer.pop();
    buffer.pop();
    EXPECT_EQ(buffer.bytes(), 0u);
    EXPECT_EQ(buffer.peak_slots(), 2u);
    EXPECT_EQ(buffer.peak_bytes(), 600u);
}

TEST(ReorderBuffer, RejectsResultsNobodyAwaits) {
    ReorderBuffer buffer;
    buffer.open();
    EXPECT_THROW(buffer.fill(result(1)), Error) << "never opened";
    buffer.fill(result(0));
    EXPECT_THROW(buffer.fill(result(0)), Error) << "twice";
    buffer.pop();
    EXPECT_THROW(buffer.fill(result(0)), Error) << "already handed out";
}

// Through the bytes, as the other end reads it.
Message delivered(const OutgoingMessage& message) {
    static std::vector<SharedBuffer> kept;  // the parsed frames view the message
    kept.push_back(message.bytes());
    return parse_message(ByteView(kept.back()));
}

TEST(WorkerMessages, AFailureReportArrivesWhole) {
    const FailureReport sent{Seq{41}, 3, "node3", "Work", "Q frame 7 (run 1 event 7)", "negative energy"};
    const OutgoingMessage message = failure_message(sent, message_flags::metadata);
    const Message received = delivered(message);
    EXPECT_EQ(received.header.flags, message_flags::metadata) << "the dispatcher reads on_metadata from the flags";
    const FailureReport got = parse_failure(received);
    EXPECT_EQ(value(got.seq), 41u);
    EXPECT_EQ(got.rank, 3);
    EXPECT_EQ(got.host, "node3");
    EXPECT_EQ(got.module, "Work");
    EXPECT_EQ(got.frame, sent.frame);
    EXPECT_EQ(got.message, "negative energy");
}

TEST(WorkerMessages, AReportKeepsEveryCounterModuleAndTableByName) {
    WorkerReport sent{4,
                      "node4",
                      WorkerStats{10, 2, 1, 4096, 8192, 123456789, 987654321},
                      {{"sim", "Work", 12, 10, 9, 1.5, 1.25}, {"cut", "Filter", 9, 9, 3, 0.25, 0.125}},
                      ProcessMemory{300'000'000, 200'000'000, 150'000'000},
                      {{"photons", 1, 1 << 20, true, true, 2.5}, {"photons", 2, 1 << 21, false, true, 0.75}}};
    const WorkerReport got = parse_report(delivered(report_message(sent)));
    EXPECT_EQ(got.rank, 4);
    EXPECT_EQ(got.host, "node4");
    EXPECT_EQ(got.stats.packets, 10u);
    EXPECT_EQ(got.stats.metadata, 2u);
    EXPECT_EQ(got.stats.failures, 1u);
    EXPECT_EQ(got.stats.bytes_in, 4096u);
    EXPECT_EQ(got.stats.bytes_out, 8192u);
    EXPECT_EQ(got.stats.busy_ns, 123456789);
    EXPECT_EQ(got.stats.idle_ns, 987654321);
    ASSERT_EQ(got.usage.size(), 2u);
    EXPECT_EQ(got.usage[1].name, "cut");
    EXPECT_EQ(got.usage[1].type, "Filter");
    EXPECT_EQ(got.usage[1].calls, 9u);
    EXPECT_EQ(got.usage[1].frames_in, 9u);
    EXPECT_EQ(got.usage[1].frames_out, 3u);
    EXPECT_EQ(got.usage[0].wall_seconds, 1.5);
    EXPECT_EQ(got.usage[0].cpu_seconds, 1.25);
    EXPECT_EQ(got.memory.peak_rss_bytes, 300'000'000u);
    EXPECT_EQ(got.memory.pss_bytes, 200'000'000u);
    EXPECT_EQ(got.memory.pss_shmem_bytes, 150'000'000u);
    ASSERT_EQ(got.tables.size(), 2u);
    EXPECT_EQ(got.tables[1].name, "photons");
    EXPECT_EQ(got.tables[1].generation, 2);
    EXPECT_EQ(got.tables[1].bytes, 1u << 21);
    EXPECT_TRUE(got.tables[0].built);
    EXPECT_FALSE(got.tables[1].built);
    EXPECT_TRUE(got.tables[1].shared);
    EXPECT_EQ(got.tables[0].seconds, 2.5);
}

TEST(WorkerMessages, AReportOrFailureOfAnotherShapeIsRefused) {
    EXPECT_THROW(parse_report(delivered(control_message())), SerializationError);
    EXPECT_THROW(parse_failure(delivered(finished_message({event(1), event(2)}))), SerializationError);
    const OutgoingMessage good = report_message(WorkerReport{1, "h", {}, {{"a", "Work", 1, 1, 1, 0, 0}}, {}, {}});
    Message damaged = delivered(good);
    damaged.frames[0]->erase("module_calls");
    damaged.frames[0]->put("module_calls", std::vector<std::int64_t>{1, 2});
    EXPECT_THROW(parse_report(damaged), SerializationError);
    Message no_tables = delivered(good);
    no_tables.frames[0]->erase("table_built");
    EXPECT_THROW(parse_report(no_tables), SerializationError);
}

namespace {
struct Sent {
    Tag tag;
    std::size_t frames;
};
struct RecordingSink : ResultSink {
    std::vector<Sent> sent;
    void send(Tag tag, OutgoingMessage message) override { sent.push_back({tag, message.frame_count()}); }
};
}  // namespace

TEST(WorkerMessages, AStoppedWorkerSendsAnEmptyFinishedThenItsReport) {
    RecordingSink sink;
    WorkerLink link(sink);
    end_worker(link, 2, "h", {}, nullptr);
    ASSERT_EQ(sink.sent.size(), 1u) << "ended in order: the Reply sent finished";
    EXPECT_EQ(sink.sent[0].tag, Tag::stats);
    link.stopped = true;
    end_worker(link, 2, "h", {}, nullptr);
    ASSERT_EQ(sink.sent.size(), 3u);
    EXPECT_EQ(sink.sent[1].tag, Tag::finished);
    EXPECT_EQ(sink.sent[1].frames, 0u);
    EXPECT_EQ(sink.sent[2].tag, Tag::stats);
}
