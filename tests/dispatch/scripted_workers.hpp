#pragma once
// Workers for Dispatch unit tests, in the test's own process and under its script: a WorkerChannel
// that takes what Dispatch sends, answers it the way a worker's Receiver and Reply would (every
// frame unchanged, so as references to the input), and lets a test decide which input is answered
// next, which fail, which workers fall silent or die, and check every send as it happens.
//
// It answers only while Dispatch waits (in idle()): Dispatch then fills every credit before any
// result comes back, so a script can answer out of order.
#include <mpitray/dispatch/worker_channel.hpp>
#include <mpitray/receiver/packet_feeder.hpp>
#include <mpitray/shadowframes/batch.hpp>
#include <mpitray/shadowframes/worker_messages.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mpitray::testing {

class ScriptedWorkers : public WorkerChannel {
public:
    struct Sent {
        int worker = 0;
        Tag tag{};
        Message message;  // parsed, as the worker receives it
    };
    struct Pending {
        int worker = 0;
        Tag tag{};
        Message message;
    };

    explicit ScriptedWorkers(int workers) : workers_(workers) {}

    // --- the script
    // Which pending input to answer next (an index into `pending`); default: the oldest.
    std::function<std::size_t(const std::vector<Pending>& pending)> choose = [](const auto&) { return std::size_t{0}; };
    std::set<std::uint64_t> failing;           // inputs (by seq) whose answer is a failure report
    std::set<int> silent;                      // workers that never answer anything
    std::set<int> dead;                        // workers whose process has ended
    std::function<void(const Sent&)> on_send;  // called at every send, after it is recorded
    bool new_frames = false;                   // answer with copies (as frames a module changed), not references
    bool fail_eagerly = false;  // a failing input that is the oldest fails at any poll, not only once Dispatch waits
    // Packets can be taken back (as with a claim board): any a worker holds behind its oldest
    // input, which is the one it runs.
    bool takes_back = false;
    // The time each answer reports the worker spent on its input.
    std::function<std::int64_t(const Pending& input)> busy_ns = [](const Pending&) { return std::int64_t{1000}; };

    // --- what happened
    std::vector<Sent> sent;
    std::vector<std::uint64_t> answered;    // seqs, in the order answered (results and failures)
    std::vector<std::uint64_t> taken_back;  // seqs Dispatch took back, in order
    int batches = 0;                        // batch messages received
    // The lowest cap on its sleeps Dispatch gave when it waited.
    std::chrono::microseconds lowest_sleep_cap = std::chrono::microseconds::max();
    struct Ended {
        int worker = 0;
        std::size_t answered_before = 0;  // answers given (by any worker) when it ended
    };
    std::vector<Ended> ended;

    // Packets sent to the worker and not answered (what its credits count).
    int in_flight(int worker) const {
        int n = 0;
        for (const Pending& p : pending_) n += p.worker == worker && p.tag == Tag::packet ? 1 : 0;
        return n;
    }
    // Inputs sent to the worker and not answered, metadata frames it answers included.
    int owes(int worker) const {
        return int(
            std::count_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.worker == worker; }));
    }
    // The oldest input sent but not answered, if any.
    std::optional<std::uint64_t> oldest_pending() const {
        std::optional<std::uint64_t> oldest;
        for (const Pending& p : pending_)
            oldest = std::min(oldest.value_or(value(p.message.header.seq)), value(p.message.header.seq));
        return oldest;
    }
    std::vector<Tag> ends_sent(int worker) const {
        std::vector<Tag> tags;
        for (const Sent& s : sent)
            if (s.worker == worker && (s.tag == Tag::end_of_stream || s.tag == Tag::stop)) tags.push_back(s.tag);
        return tags;
    }

    // --- WorkerChannel
    int workers() const override { return workers_; }
    int rank_of(int worker) const override { return worker + 1; }
    void send(int worker, Tag tag, OutgoingMessage message) override {
        // A batch is its packets, each recorded and answered as if it came alone.
        if (tag == Tag::batch) {
            ++batches;
            for (const BatchEntry& entry : parse_batch(ByteView(message.bytes())))
                receive(worker, entry.tag, entry.bytes);
            return;
        }
        const SharedBuffer bytes = message.bytes();
        receive(worker, tag, bytes ? ByteView(bytes) : ByteView());
    }
    void receive(int worker, Tag tag, const ByteView& bytes) {
        // Kept alive with its bytes: the answer refers to the frames in it.
        Sent record{worker, tag, bytes.size() > 0 ? parse_message(bytes) : Message{}};
        sent.push_back(record);
        if ((tag == Tag::packet || tag == Tag::metadata) && (record.message.header.flags & message_flags::reply))
            pending_.push_back({worker, tag, record.message});
        if (tag == Tag::end_of_stream || tag == Tag::stop) ending_.push_back(worker);
        if (on_send) on_send(sent.back());
    }
    std::optional<Incoming> poll() override {
        if (ready_.empty() && (waiting_ || (fail_eagerly && oldest_is_failing()))) {
            waiting_ = false;
            answer_one();
        }
        if (ready_.empty()) return std::nullopt;
        Incoming next = std::move(ready_.front());
        ready_.pop_front();
        return next;
    }
    void idle(bool, std::chrono::microseconds allowed) override {
        lowest_sleep_cap = std::min(lowest_sleep_cap, allowed);
        waiting_ = true;
        if (!can_answer()) {
            // Real time passes (the watchdog counts it), but a test never hangs on a script
            // that left Dispatch waiting for nothing.
            if (stuck_since_ == std::chrono::steady_clock::time_point{})
                stuck_since_ = std::chrono::steady_clock::now();
            if (std::chrono::steady_clock::now() - stuck_since_ > std::chrono::seconds(10))
                throw std::runtime_error("ScriptedWorkers: Dispatch waited 10 s for an answer the script never gives");
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        } else {
            stuck_since_ = {};
        }
    }
    bool waiting(int worker, std::uint64_t seq) const override { return takes_back && waiting_at(worker, seq); }
    bool withdraw(int worker, std::uint64_t seq) override {
        if (!waiting(worker, seq)) return false;
        std::erase_if(pending_,
                      [&](const Pending& p) { return p.worker == worker && value(p.message.header.seq) == seq; });
        taken_back.push_back(seq);
        return true;
    }
    bool flush(double) override { return true; }
    bool worker_died(int worker) override { return dead.count(worker) != 0; }
    int worker_pid(int worker) const override { return 1000 + worker; }

private:
    bool oldest_is_failing() const {
        const std::optional<std::uint64_t> oldest = oldest_pending();
        return oldest && failing.count(*oldest) != 0;
    }
    bool answers(int worker) const { return silent.count(worker) == 0 && dead.count(worker) == 0; }
    bool can_answer() const {
        for (const Pending& p : pending_)
            if (answers(p.worker)) return true;
        for (int w : ending_)
            if (answers(w)) return true;
        return false;
    }
    void answer_one() {
        // A worker told to end that has answered all it holds ends, as a real one does, while
        // others may still work.
        for (std::size_t i = 0; i < ending_.size(); ++i) {
            const int w = ending_[i];
            if (!answers(w) || owes(w) > 0) continue;
            ending_.erase(ending_.begin() + std::ptrdiff_t(i));
            ended.push_back({w, answered.size()});
            ready_.push_back({w, Tag::finished, OutgoingMessage(MessageHeader{}, {}).bytes()});
            ready_.push_back(
                {w, Tag::stats, report_message(WorkerReport{rank_of(w), "testhost", {}, {}, {}, {}}).bytes()});
            return;
        }
        std::vector<Pending> answerable;
        std::vector<std::size_t> where;
        for (std::size_t i = 0; i < pending_.size(); ++i)
            if (answers(pending_[i].worker)) {
                answerable.push_back(pending_[i]);
                where.push_back(i);
            }
        if (!answerable.empty()) {
            const std::size_t pick = where.at(choose(answerable));
            const Pending input = pending_[pick];
            pending_.erase(pending_.begin() + std::ptrdiff_t(pick));
            const std::uint64_t seq = value(input.message.header.seq);
            answered.push_back(seq);
            if (failing.count(seq)) {
                const FailureReport report{
                    input.message.header.seq,           rank_of(input.worker), "testhost", "Scripted",
                    "its input " + std::to_string(seq), "scripted failure"};
                ready_.push_back(
                    {input.worker, Tag::failure, failure_message(report, input.message.header.flags).bytes()});
                return;
            }
            // Every frame unchanged: sent back as references to the input, as a Reply does; or,
            // with new_frames, as new frames with the same contents and sample positions.
            std::vector<const char*> inputs;
            if (!new_frames)
                for (const FramePtr& frame : input.message.frames) inputs.push_back(frame->pristine_encoding().data());
            OutgoingMessage result(MessageHeader{input.message.header.seq, input.message.header.flags, busy_ns(input)},
                                   input.message.frames, inputs);
            ready_.push_back({input.worker, Tag::result, result.bytes()});
            return;
        }
    }
    bool waiting_at(int worker, std::uint64_t seq) const {
        bool oldest = true;
        for (const Pending& p : pending_) {
            if (p.worker != worker) continue;
            if (!oldest && p.tag == Tag::packet && value(p.message.header.seq) == seq) return true;
            oldest = false;
        }
        return false;
    }

    int workers_;
    std::vector<Pending> pending_;
    std::vector<int> ending_;
    std::deque<Incoming> ready_;
    bool waiting_ = false;
    std::chrono::steady_clock::time_point stuck_since_{};
};

}  // namespace mpitray::testing
