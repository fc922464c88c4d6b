#pragma once
// A one-dimensional histogram whose merge does not depend on how its fills were split between
// workers or in what order the parts are added: Boost.Histogram's regular axis (with underflow
// and overflow bins) and, per bin, the number of fills (an exact integer) and the sums of the
// weights and of their squares (ExactSum), so the merged histogram is the serial one bit for bit.
#include <mpitray/core/exact_sum.hpp>

#include <boost/histogram.hpp>

#include <cstdint>
#include <vector>

namespace mpitray {

class WeightedHistogram {
public:
    // What one bin holds. Boost.Histogram calls it once per fill, with or without a weight.
    struct Cell {
        std::int64_t fills = 0;
        ExactSum weights;
        ExactSum squared_weights;

        void operator()() { operator()(boost::histogram::weight(1.0)); }
        void operator()(const boost::histogram::weight_type<double>& w) {
            ++fills;
            weights.add(w.value);
            squared_weights.add(w.value * w.value);
        }
        Cell& operator+=(const Cell& other) {
            fills += other.fills;
            weights.merge(other.weights);
            squared_weights.merge(other.squared_weights);
            return *this;
        }
        bool operator==(const Cell& other) const {
            return fills == other.fills && weights == other.weights && squared_weights == other.squared_weights;
        }
    };

    // `bins` equal bins from `low` to `high`. Throws std::invalid_argument unless 1 <= bins <=
    // 10^5 (a bin takes about 1.2 KB) and low < high, both finite.
    WeightedHistogram(int bins, double low, double high);

    void fill(double x, double weight = 1.0);
    // Adds another histogram of the same binning; throws std::invalid_argument for another one.
    void merge(const WeightedHistogram& other);
    // Nothing filled (every bin, under- and overflow included).
    bool empty() const;
    // Empties every bin, keeping the binning.
    void clear();

    int bins() const;  // without the underflow and overflow bins
    double low() const;
    double high() const;
    std::vector<double> edges() const;  // bins() + 1 edges
    // Bin i from -1 (underflow) to bins() (overflow).
    const Cell& at(int i) const;

    // The bins as plain numbers, for files and Python: per bin in range, then for the underflow
    // and the overflow bin (flow_*, in that order), the fills and the sums rounded to doubles.
    struct Arrays {
        std::vector<double> edges;
        std::vector<std::int64_t> counts, flow_counts;
        std::vector<double> sumw, sumw2, flow_sumw, flow_sumw2;
    };
    Arrays arrays() const;

    bool operator==(const WeightedHistogram& other) const;

    // The binning and every bin's state as integers, for frames and files.
    std::vector<std::int64_t> state() const;
    // Throws std::invalid_argument for a state state() did not make.
    static WeightedHistogram from_state(const std::vector<std::int64_t>& state);
    // Adds a state of the same binning bin by bin, without making a histogram of it first (a
    // worker's few filled bins into rank 0's sum). Throws std::invalid_argument as from_state(),
    // or for another binning; a bad state may have added some bins before it is refused.
    void merge_state(const std::vector<std::int64_t>& state);

private:
    // Calls `use(bin, cell)` for each filled bin of a state, in order (bin from -1 to bins()).
    template <class Use>
    static void for_each_stored_bin(const std::vector<std::int64_t>& state, int bins, Use&& use);

    using Axis = boost::histogram::axis::regular<double>;
    using Histogram = boost::histogram::histogram<std::tuple<Axis>, boost::histogram::dense_storage<Cell>>;
    Histogram histogram_;
};

}  // namespace mpitray
