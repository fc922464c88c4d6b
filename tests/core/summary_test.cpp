// Summaries: a module's counters, weighted sums and histograms, their frames, and how the tray
// pushes them after finish() and keeps what another worker's copy of a frame filled out of them.
#include <mpitray/core/frame_codec.hpp>
#include <mpitray/core/summary_set.hpp>
#include <mpitray/core/tray.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

using namespace mpitray;

namespace {

std::string bytes_of(const FramePtr& frame) {
    const ByteView bytes = encode_frame(*frame);
    return {bytes.data(), bytes.size()};
}

}  // namespace

TEST(Summary, WordsRoundTripAndDamagedOnesAreRefused) {
    Counter c;
    c.add(41);
    c.add();
    WeightedSum s;
    for (double w : {0.5, 1e-300, 3e200, -2.0}) s.add(w);
    WeightedHistogram h(3, -1.0, 1.0);
    h.fill(0.2, 1.5);
    h.fill(7.0);
    for (const Summary& summary : {Summary(c), Summary(s), Summary(h)}) {
        EXPECT_EQ(Summary::from_words(summary.words()), summary) << summary.kind();
        std::vector<std::int64_t> cut = summary.words();
        cut.pop_back();
        EXPECT_THROW(Summary::from_words(cut), std::invalid_argument) << summary.kind();
    }
    EXPECT_EQ(Summary(c).describe(), "count 42");
    EXPECT_EQ(Summary(h).describe(), "histogram 3 bins [-1, 1): 1 fills, sum of weights 1.5, 0 under, 1 over");
    EXPECT_THROW(Summary::from_words({}), std::invalid_argument);
    EXPECT_THROW(Summary::from_words({99, 1}), std::invalid_argument);
    EXPECT_THROW(Summary::from_words({1, 1, 2}), std::invalid_argument);
    EXPECT_THROW(Summary::from_words({3, 100'001, 0, 0x3ff0000000000000}), std::invalid_argument);  // too many bins
    // Only the filled bins are stored, in order: a bin twice, or past the overflow, is refused.
    const std::int64_t one = 0x3ff0000000000000;  // 1.0
    EXPECT_EQ(Summary(WeightedHistogram(3, 0, 1)).words(), (std::vector<std::int64_t>{3, 3, 0, one}));
    const std::vector<std::int64_t> cell{1, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0};  // one fill, sums of 0
    auto with_bins = [&](std::initializer_list<std::int64_t> indices) {
        std::vector<std::int64_t> words{3, 3, 0, one};
        for (std::int64_t index : indices) {
            words.push_back(index);
            words.insert(words.end(), cell.begin(), cell.end());
        }
        return words;
    };
    EXPECT_NO_THROW(Summary::from_words(with_bins({0, 2, 4})));  // underflow, a bin, overflow
    EXPECT_THROW(Summary::from_words(with_bins({2, 2})), std::invalid_argument);
    EXPECT_THROW(Summary::from_words(with_bins({3, 1})), std::invalid_argument);
    EXPECT_THROW(Summary::from_words(with_bins({5})), std::invalid_argument);

    // In a frame, through the bytes; a damaged payload is a SerializationError, not a crash.
    auto frame = std::make_shared<Frame>(Stop::summary());
    frame->put<Summary>("h", Summary(h));
    const FramePtr back = decode_frame(encode_frame(*frame));
    EXPECT_EQ(back->at<Summary>("h"), Summary(h));
    Buffer damaged;
    const std::vector<std::int64_t> words{3, 1'000'000'000, 0, 0};
    detail::direct_encode(words, damaged);
    auto bad = std::make_shared<Frame>(Stop::summary());
    bad->put_object("h", Object::from_bytes("Summary", ByteView(std::make_shared<Buffer>(damaged))));
    EXPECT_THROW(bad->at<Summary>("h"), SerializationError);
}

TEST(Summary, OnlyTheSameKindAndBinningMerge) {
    Summary count{Counter{}}, sum{WeightedSum{}}, narrow{WeightedHistogram(10, 0, 1)};
    EXPECT_THROW(count.merge(sum), std::invalid_argument);
    EXPECT_THROW(narrow.merge(Summary(WeightedHistogram(10, 0, 2))), std::invalid_argument);
    EXPECT_NO_THROW(narrow.merge(Summary(WeightedHistogram(10, 0, 1))));
}

TEST(SummarySet, DeclaringAgainGivesTheSameObjectAndNamesAreChecked) {
    SummarySet set;
    Counter& a = set.counter("a");
    a.add(3);
    EXPECT_EQ(&set.counter("a"), &a);
    EXPECT_EQ(set.counter("a").value(), 3);
    WeightedHistogram& h = set.histogram("h", 5, 0, 1);
    EXPECT_EQ(&set.histogram("h", 5, 0, 1), &h);
    EXPECT_THROW(set.histogram("h", 6, 0, 1), ConfigError);
    EXPECT_THROW(set.sum("a"), ConfigError);
    EXPECT_THROW(set.histogram("bad", 0, 0, 1), ConfigError);
    for (const char* name : {"", "a/b", ".hidden", "SummaryOf", "sp ace"})
        EXPECT_THROW(set.counter(name), ConfigError) << name;
    EXPECT_NO_THROW(set.counter("hits.string-7_a"));
}

TEST(SummarySet, RestoreKeepsEveryObjectWhereModulesPointAndEmptiesLaterOnes) {
    SummarySet set;
    Counter& events = set.counter("events");
    WeightedHistogram& energy = set.histogram("energy", 4, 0, 4);
    events.add(2);
    energy.fill(1.5, 2.0);
    const SummarySet saved = set;
    events.add(5);
    energy.fill(2.5);
    Counter& later = set.counter("later");
    later.add(1);
    set.restore(saved);
    EXPECT_EQ(events.value(), 2);  // the same reference, the old value
    EXPECT_EQ(energy.at(1).fills, 1);
    EXPECT_EQ(energy.at(2).fills, 0);
    EXPECT_EQ(later.value(), 0);
    energy.fill(3.5);  // still the set's object
    EXPECT_EQ(set.objects().at("energy").get<WeightedHistogram>()->at(3).fills, 1);
}

TEST(SummarySet, TakeFilledSendsOnlyWhatWasFilledSinceAndEmptiesIt) {
    SummarySet worker;
    Counter& events = worker.counter("events");
    Counter& never = worker.counter("never");
    WeightedHistogram& energy = worker.histogram("energy", 1000, 0, 1000);
    EXPECT_EQ(worker.take_filled("M"), nullptr);  // nothing filled yet
    events.add(2);
    energy.fill(3.5, 2.0);
    const FramePtr first = worker.take_filled("M");
    ASSERT_NE(first, nullptr);
    EXPECT_TRUE(first->has_own("events") && first->has_own("energy") && !first->has_own("never"));
    // One bin of a thousand travels: the frame stays small.
    EXPECT_LT(encode_frame(*first).size(), 400u);
    EXPECT_TRUE(events.value() == 0 && energy.empty() && never.value() == 0);
    EXPECT_EQ(worker.take_filled("M"), nullptr);
    events.add();
    energy.fill(3.7);
    worker.clear();  // a failed packet's fills
    EXPECT_EQ(worker.take_filled("M"), nullptr);
    energy.fill(999.0);
    const FramePtr second = worker.take_filled("M");

    // Rank 0 adds them up: the sums of both.
    SummarySet written;
    written.add(*first);
    written.add(*second);
    EXPECT_EQ(written.objects().at("events").get<Counter>()->value(), 2);
    const auto* h = written.objects().at("energy").get<WeightedHistogram>();
    EXPECT_EQ(h->at(3).fills, 1);
    EXPECT_EQ(h->at(3).weights.value(), 2.0);
    EXPECT_EQ(h->at(999).fills, 1);
    SummarySet other_binning;
    other_binning.histogram("energy", 10, 0, 1000);
    EXPECT_THROW(other_binning.add(*first), Error);
}

TEST(SummaryFrames, FillsSplitOverWorkersAndMergedInAnyOrderEncodeAsTheSerialFrame) {
    std::mt19937_64 random(11);
    std::lognormal_distribution<double> weight(0.0, 2.0);
    std::normal_distribution<double> x(0.0, 1.0);
    struct Fill {
        double x, w;
    };
    std::vector<Fill> fills(6000);
    for (Fill& f : fills) f = {x(random), weight(random)};
    auto fill_into = [](SummarySet& set, const Fill& f) {
        set.counter("n").add();
        set.sum("w").add(f.w);
        set.histogram("x", 12, -3, 3).fill(f.x, f.w);
    };
    SummarySet serial;
    for (const Fill& f : fills) fill_into(serial, f);
    FramePtr serial_frame = serial.frame("M");
    serial_frame->origin.position = 99;

    for (int trial = 0; trial < 5; ++trial) {
        std::vector<SummarySet> workers(std::size_t(1 + trial));
        for (std::size_t i = 0; i < fills.size(); ++i) fill_into(workers[random() % workers.size()], fills[i]);
        std::vector<FramePtr> frames;
        for (const SummarySet& w : workers) frames.push_back(w.frame("M"));
        frames.front()->origin = serial_frame->origin;
        std::shuffle(frames.begin() + 1, frames.end(), random);
        const FramePtr merged = merge_summary_frames(frames);
        EXPECT_EQ(bytes_of(merged), bytes_of(serial_frame)) << workers.size() << " workers";
        EXPECT_EQ(merged->origin.position, 99u);
    }
    // Naive per-worker double sums, added in another order, do differ (the reason for ExactSum).
    double forward = 0, split_a = 0, split_b = 0;
    for (std::size_t i = 0; i < fills.size(); ++i) {
        forward += fills[i].w;
        (i % 2 ? split_a : split_b) += fills[i].w;
    }
    EXPECT_NE(forward, split_a + split_b);
}

TEST(SummaryFrames, FramesOfOtherModulesOrBinningsAreRefused) {
    SummarySet a, b, other_binning;
    a.counter("n");
    b.counter("n");
    other_binning.histogram("n", 3, 0, 1);
    EXPECT_THROW(merge_summary_frames({a.frame("A"), b.frame("B")}), Error);
    EXPECT_THROW(merge_summary_frames({a.frame("A"), other_binning.frame("A")}), Error);
    EXPECT_THROW(merge_summary_frames({std::make_shared<Frame>(Stop::physics())}), Error);
    EXPECT_THROW(merge_summary_frames({}), Error);
    EXPECT_EQ(summary_frame_module(*a.frame("A")), "A");
    EXPECT_EQ(summary_frame_module(Frame(Stop::physics())), "");
}

namespace {

// Emits `count` P frames; with `uncounted_every` > 0, every such frame goes through uncounted().
class Source : public Module {
public:
    Source(int count, int uncounted_every) : left_(count), uncounted_every_(uncounted_every) {}
    bool is_source() const override { return true; }
    bool produce() override {
        if (left_ == 0) return false;
        --left_;
        ++made_;
        auto frame = std::make_shared<Frame>(Stop::physics());
        if (uncounted_every_ > 0 && made_ % uncounted_every_ == 0) uncounted([&] { push(frame); });
        else push(frame);
        return true;
    }

private:
    int left_;
    int uncounted_every_;
    int made_ = 0;
};

class Counting : public Module {
public:
    void physics(const FramePtr& frame) override {
        frames_.add();
        push(frame);
    }

private:
    Counter& frames_ = summaries().counter("frames");
};

class StopsSeen : public Module {
public:
    explicit StopsSeen(std::string& seen) : seen_(seen) {}
    void process(const FramePtr& frame) override {
        seen_ += frame->stop().name();
        push(frame);
    }

private:
    std::string& seen_;
};

std::vector<FramePtr> run_tray(int frames, int uncounted_every, std::string& seen) {
    Tray tray;
    auto add = [&](std::unique_ptr<Module> m, const char* name) {
        m->identify(name, name);
        tray.add(std::move(m));
    };
    add(std::make_unique<Source>(frames, uncounted_every), "Source");
    add(std::make_unique<Counting>(), "Counting");
    add(std::make_unique<StopsSeen>(seen), "StopsSeen");
    std::vector<FramePtr> out;
    tray.set_output([&](FramePtr f) { out.push_back(std::move(f)); });
    tray.configure();
    tray.run();
    return out;
}

}  // namespace

TEST(TraySummaries, AModulesSummaryFrameFollowsItsFinishAndPassesLaterModulesUnseen) {
    std::string seen;
    const std::vector<FramePtr> out = run_tray(4, 0, seen);
    ASSERT_EQ(out.size(), 5u);
    EXPECT_EQ(seen, "PPPP");  // not the Z frame
    EXPECT_EQ(summary_frame_module(*out.back()), "Counting");
    EXPECT_EQ(out.back()->at<Summary>("frames").get<Counter>()->value(), 4);
}

TEST(TraySummaries, WhatUncountedFramesFillIsTakenBack) {
    std::string seen;
    const std::vector<FramePtr> out = run_tray(9, 3, seen);
    EXPECT_EQ(seen, "PPPPPPPPP");  // processed all the same
    EXPECT_EQ(out.back()->at<Summary>("frames").get<Counter>()->value(), 6);
}
