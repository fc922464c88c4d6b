#include <mpitray/core/weighted_histogram.hpp>

#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mpitray {
namespace {

// A bin holds two exact sums, about 1.2 KB: 10^5 bins are 120 MB.
constexpr int max_bins = 100'000;

void check_binning(int bins, double low, double high) {
    if (bins < 1 || bins > max_bins)
        throw std::invalid_argument("a histogram has 1 to 10^5 bins, not " + std::to_string(bins));
    if (!(std::isfinite(low) && std::isfinite(high) && low < high))
        throw std::invalid_argument("a histogram's range goes from a finite low to a greater finite high");
}

}  // namespace

WeightedHistogram::WeightedHistogram(int bins, double low, double high)
    : histogram_((check_binning(bins, low, high),
                  boost::histogram::make_histogram_with(boost::histogram::dense_storage<Cell>(),
                                                        Axis(unsigned(bins), low, high)))) {}

void WeightedHistogram::fill(double x, double weight) { histogram_(x, boost::histogram::weight(weight)); }

void WeightedHistogram::merge(const WeightedHistogram& other) {
    if (bins() != other.bins() || low() != other.low() || high() != other.high())
        throw std::invalid_argument("histograms of different binnings do not merge");
    // Bin by bin, skipping the empty ones: a packet's summaries touch a few bins of many.
    for (int i = -1; i <= bins(); ++i)
        if (const Cell& cell = other.histogram_.at(i); cell.fills != 0) histogram_.at(i) += cell;
}

bool WeightedHistogram::empty() const {
    for (int i = -1; i <= bins(); ++i)
        if (histogram_.at(i).fills != 0) return false;
    return true;
}

void WeightedHistogram::clear() {
    for (int i = -1; i <= bins(); ++i)
        if (Cell& cell = histogram_.at(i); cell.fills != 0) cell = Cell{};
}

int WeightedHistogram::bins() const { return histogram_.axis().size(); }
double WeightedHistogram::low() const { return histogram_.axis().value(0); }
double WeightedHistogram::high() const { return histogram_.axis().value(bins()); }

std::vector<double> WeightedHistogram::edges() const {
    std::vector<double> out;
    for (int i = 0; i <= bins(); ++i) out.push_back(histogram_.axis().value(i));
    return out;
}

const WeightedHistogram::Cell& WeightedHistogram::at(int i) const {
    if (i < -1 || i > bins()) throw std::out_of_range("no bin " + std::to_string(i));
    return histogram_.at(i);
}

WeightedHistogram::Arrays WeightedHistogram::arrays() const {
    Arrays out;
    out.edges = edges();
    for (int i = -1; i <= bins(); ++i) {
        const Cell& cell = at(i);
        const bool flow = i < 0 || i == bins();
        (flow ? out.flow_counts : out.counts).push_back(cell.fills);
        (flow ? out.flow_sumw : out.sumw).push_back(cell.weights.value());
        (flow ? out.flow_sumw2 : out.sumw2).push_back(cell.squared_weights.value());
    }
    return out;
}

bool WeightedHistogram::operator==(const WeightedHistogram& other) const { return state() == other.state(); }

std::vector<std::int64_t> WeightedHistogram::state() const {
    // The binning, then the bins that were filled (a bin never filled holds nothing), each as its
    // index + 1 (0 is the underflow bin), its fills and its two sums.
    std::vector<std::int64_t> out{bins(), std::bit_cast<std::int64_t>(low()), std::bit_cast<std::int64_t>(high())};
    for (int i = -1; i <= bins(); ++i) {
        const Cell& cell = at(i);
        if (cell.fills == 0) continue;
        out.push_back(i + 1);
        out.push_back(cell.fills);
        for (const ExactSum* sum : {&cell.weights, &cell.squared_weights}) {
            const std::vector<std::int64_t> s = sum->state();
            out.push_back(std::int64_t(s.size()));
            out.insert(out.end(), s.begin(), s.end());
        }
    }
    return out;
}

namespace {

void check_state_binning(const std::vector<std::int64_t>& state) {
    if (state.size() < 3) throw std::invalid_argument("a histogram's state starts with its binning");
    if (state[0] < 1 || state[0] > max_bins) throw std::invalid_argument("a histogram's state has a bad bin count");
}

}  // namespace

template <class Use>
void WeightedHistogram::for_each_stored_bin(const std::vector<std::int64_t>& state, int bins, Use&& use) {
    std::size_t at = 3;
    auto next = [&]() -> std::int64_t {
        if (at >= state.size()) throw std::invalid_argument("a histogram's state ends early");
        return state[at++];
    };
    std::int64_t previous = -1;
    while (at < state.size()) {
        const std::int64_t index = next();
        if (index <= previous || index > std::int64_t(bins) + 1)
            throw std::invalid_argument("a histogram's bins are out of order or range");
        previous = index;
        Cell cell;
        cell.fills = next();
        if (cell.fills < 1) throw std::invalid_argument("a histogram's stored bin has no fills");
        for (ExactSum* sum : {&cell.weights, &cell.squared_weights}) {
            const std::int64_t size = next();
            if (size < 0 || std::uint64_t(size) > state.size() - at)
                throw std::invalid_argument("a histogram's state ends early");
            *sum = ExactSum::from_state(std::vector<std::int64_t>(state.begin() + std::ptrdiff_t(at),
                                                                  state.begin() + std::ptrdiff_t(at) + size));
            at += std::size_t(size);
        }
        use(int(index) - 1, cell);
    }
}

WeightedHistogram WeightedHistogram::from_state(const std::vector<std::int64_t>& state) {
    check_state_binning(state);
    WeightedHistogram h{int(state[0]), std::bit_cast<double>(state[1]), std::bit_cast<double>(state[2])};
    for_each_stored_bin(state, h.bins(), [&](int bin, const Cell& cell) { h.histogram_.at(bin) = cell; });
    return h;
}

void WeightedHistogram::merge_state(const std::vector<std::int64_t>& state) {
    check_state_binning(state);
    if (state[0] != bins() || std::bit_cast<double>(state[1]) != low() || std::bit_cast<double>(state[2]) != high())
        throw std::invalid_argument("histograms of different binnings do not merge");
    for_each_stored_bin(state, bins(), [&](int bin, const Cell& cell) { histogram_.at(bin) += cell; });
}

}  // namespace mpitray
