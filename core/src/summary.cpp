#include <mpitray/core/summary.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace mpitray {
namespace {

// The first word of a summary's words: which object follows. Stored in files: never renumber.
enum class Kind : std::int64_t { count = 1, sum = 2, histogram = 3 };

// Appends a length, then the integers.
void append_part(std::vector<std::int64_t>& out, const std::vector<std::int64_t>& part) {
    out.push_back(std::int64_t(part.size()));
    out.insert(out.end(), part.begin(), part.end());
}

// Reads what append_part() wrote, from `at`.
std::vector<std::int64_t> take_part(const std::vector<std::int64_t>& words, std::size_t& at, const char* what) {
    if (at >= words.size()) throw std::invalid_argument(std::string(what) + " ends early");
    const std::int64_t size = words[at++];
    if (size < 0 || std::uint64_t(size) > words.size() - at)
        throw std::invalid_argument(std::string(what) + " ends early");
    std::vector<std::int64_t> part(words.begin() + std::ptrdiff_t(at), words.begin() + std::ptrdiff_t(at) + size);
    at += std::size_t(size);
    return part;
}

}  // namespace

std::vector<std::int64_t> WeightedSum::state() const {
    std::vector<std::int64_t> out{entries_};
    append_part(out, weights_.state());
    append_part(out, squared_weights_.state());
    return out;
}

WeightedSum WeightedSum::from_state(const std::vector<std::int64_t>& state) {
    if (state.empty() || state[0] < 0) throw std::invalid_argument("a weighted sum's state starts with its entries");
    WeightedSum sum;
    sum.entries_ = state[0];
    std::size_t at = 1;
    sum.weights_ = ExactSum::from_state(take_part(state, at, "a weighted sum's state"));
    sum.squared_weights_ = ExactSum::from_state(take_part(state, at, "a weighted sum's state"));
    if (at != state.size()) throw std::invalid_argument("a weighted sum's state has more than its sums");
    return sum;
}

const char* Summary::kind() const noexcept {
    switch (value_.index()) {
        case 0: return "count";
        case 1: return "sum";
        default: return "histogram";
    }
}

void Summary::merge(const Summary& other) {
    if (value_.index() != other.value_.index())
        throw std::invalid_argument(std::string("a ") + kind() + " and a " + other.kind() + " do not merge");
    std::visit(
        [&](auto& mine) {
            using T = std::decay_t<decltype(mine)>;
            mine.merge(std::get<T>(other.value_));
        },
        value_);
}

void Summary::merge_words(const std::vector<std::int64_t>& words) {
    if (auto* h = std::get_if<WeightedHistogram>(&value_); h && !words.empty() && Kind(words[0]) == Kind::histogram) {
        h->merge_state(std::vector<std::int64_t>(words.begin() + 1, words.end()));
        return;
    }
    merge(from_words(words));  // a count or a sum: a few numbers
}

Summary Summary::empty_like() const {
    if (const auto* h = get<WeightedHistogram>()) return Summary(WeightedHistogram(h->bins(), h->low(), h->high()));
    if (get<WeightedSum>()) return Summary(WeightedSum{});
    return Summary(Counter{});
}

bool Summary::empty() const {
    return std::visit([](const auto& object) { return object.empty(); }, value_);
}

void Summary::clear() {
    std::visit([](auto& object) { object.clear(); }, value_);
}

std::string Summary::describe() const {
    if (const auto* c = get<Counter>()) return fmt::format("count {}", c->value());
    if (const auto* s = get<WeightedSum>())
        return fmt::format("sum of {} weights {:.6g} (sum of squares {:.6g})", s->entries(), s->sum(),
                           s->sum_of_squares());
    const auto& h = std::get<WeightedHistogram>(value_);
    std::int64_t fills = 0;
    ExactSum weights;
    for (int i = 0; i < h.bins(); ++i) {
        fills += h.at(i).fills;
        weights.merge(h.at(i).weights);
    }
    return fmt::format("histogram {} bins [{:g}, {:g}): {} fills, sum of weights {:.6g}, {} under, {} over", h.bins(),
                       h.low(), h.high(), fills, weights.value(), h.at(-1).fills, h.at(h.bins()).fills);
}

std::vector<std::int64_t> Summary::words() const {
    std::vector<std::int64_t> out;
    if (const auto* c = get<Counter>()) {
        out = {std::int64_t(Kind::count), c->value()};
    } else if (const auto* s = get<WeightedSum>()) {
        out = {std::int64_t(Kind::sum)};
        const std::vector<std::int64_t> state = s->state();
        out.insert(out.end(), state.begin(), state.end());
    } else {
        out = {std::int64_t(Kind::histogram)};
        const std::vector<std::int64_t> state = std::get<WeightedHistogram>(value_).state();
        out.insert(out.end(), state.begin(), state.end());
    }
    return out;
}

Summary Summary::from_words(const std::vector<std::int64_t>& words) {
    if (words.empty()) throw std::invalid_argument("a summary holds at least its kind");
    const std::vector<std::int64_t> state(words.begin() + 1, words.end());
    switch (Kind(words[0])) {
        case Kind::count: {
            if (state.size() != 1) throw std::invalid_argument("a count is one number");
            Counter c;
            c.add(state[0]);
            return Summary(c);
        }
        case Kind::sum: return Summary(WeightedSum::from_state(state));
        case Kind::histogram: return Summary(WeightedHistogram::from_state(state));
    }
    throw std::invalid_argument(fmt::format("a summary of unknown kind {}", words[0]));
}

}  // namespace mpitray
