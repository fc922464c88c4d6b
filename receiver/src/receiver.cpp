#include <mpitray/receiver/receiver.hpp>

#include <mpitray/receiver/batch_runner.hpp>
#include <mpitray/shadowframes/worker_messages.hpp>

#include <fmt/format.h>

namespace mpitray {

namespace {
constexpr int dispatcher_rank = 0;
}  // namespace

Receiver::Receiver(WorkerLink& link, mpi::Communicator& comm, int rank, std::string host)
    : link_(link), comm_(comm), rank_(rank), feeder_(link, rank, std::move(host)) {}

bool Receiver::produce() {
    const std::int64_t waiting_since = monotonic_ns();
    const mpi::Received received = comm_.receive(dispatcher_rank);
    link_.stats.idle_ns += monotonic_ns() - waiting_since;
    switch (received.tag) {
        case Tag::metadata:
        case Tag::packet: feed(ByteView(received.bytes)); return true;
        case Tag::batch: feed_batch(ByteView(received.bytes)); return true;
        case Tag::claims: {
            const ClaimsNotice notice = parse_claims(parse_message(ByteView(received.bytes)));
            claims_ = ClaimBoard::attach(notice.path, notice.nonce, notice.worker);
            claims_worker_ = notice.worker;
            return true;
        }
        case Tag::end_of_stream:
            drop_filled_summaries();  // what a last packet that failed filled: never in the output
            return false;
        case Tag::stop:  // the run is abandoned: the tray fails, so inner modules close as failed
            link_.stopped = true;
            throw Error("the dispatcher abandoned the run");
        default:
            throw MpiError(
                fmt::format("rank {} got an unexpected {} message from the dispatcher", rank_, tag_name(received.tag)),
                0);
    }
}

void Receiver::feed_batch(const ByteView& bytes) {
    const std::vector<BatchEntry> entries = parse_batch(bytes);
    for (const BatchEntry& entry : entries)  // refused whole, before any of it runs
        if (entry.tag != Tag::packet && entry.tag != Tag::metadata)
            throw MpiError(fmt::format("rank {} got a batch holding a {} message", rank_, tag_name(entry.tag)), 0);
    run_batch(link_, entries, [this](const ByteView& packet) { feed(packet); });
}

void Receiver::feed(const ByteView& bytes) {
    const Message message = parse_message(bytes);
    auto feed_all = [&] { feeder_.feed(message, bytes.size(), [this](FramePtr frame) { push(std::move(frame)); }); };
    // Another worker's copy of a metadata frame: its result is not kept, so what the inner
    // modules count on it is not either; the replying worker counts it once.
    if (message.header.flags & message_flags::reply) {
        drop_filled_summaries();  // what a packet that failed before this one filled
        // A packet rank 0 took back before this worker started it: another worker runs it.
        const bool packet = !(message.header.flags & message_flags::metadata);
        if (packet && claims_ && !claims_->start(claims_worker_, value(message.header.seq)))
            return;  // skipped: it pushes nothing and is answered by the worker that took it
        feed_all();
    } else {
        uncounted(feed_all);
    }
}

}  // namespace mpitray
