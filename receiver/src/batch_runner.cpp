#include <mpitray/receiver/batch_runner.hpp>

#include <mpitray/core/clock.hpp>

namespace mpitray {

void run_batch(WorkerLink& link, const std::vector<BatchEntry>& entries,
               const std::function<void(const ByteView&)>& feed, std::int64_t answer_within_ns) {
    std::vector<std::pair<Tag, OutgoingMessage>> answers;
    auto send_answers = [&] {
        if (!answers.empty()) link.sink.send(Tag::batch, make_batch(answers));
        answers.clear();
    };
    struct Holding {  // the answers are held while the packets run, however that ends
        WorkerLink& link;
        ~Holding() { link.held = nullptr; }
    } holding{link};
    link.held = &answers;
    const std::int64_t started = monotonic_ns();
    for (const BatchEntry& entry : entries) {
        feed(entry.bytes);
        if (monotonic_ns() - started > answer_within_ns) send_answers();
    }
    link.held = nullptr;
    send_answers();
}

}  // namespace mpitray
