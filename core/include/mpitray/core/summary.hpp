#pragma once
// One summary object of a module: what it counts, sums or histograms over a whole run. Inside a
// Dispatch every worker fills its own; the framework merges them into the serial run's, bit for
// bit whatever the split and the order (integers add exactly; sums of doubles are ExactSums), and
// writes the merged one once (summary_set.hpp).
#include <mpitray/core/exact_sum.hpp>
#include <mpitray/core/weighted_histogram.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace mpitray {

// A count of things: events generated, hits on a string.
class Counter {
public:
    void add(std::int64_t n = 1) noexcept { value_ += n; }
    std::int64_t value() const noexcept { return value_; }
    void merge(const Counter& other) noexcept { value_ += other.value_; }
    bool empty() const noexcept { return value_ == 0; }
    void clear() noexcept { value_ = 0; }
    bool operator==(const Counter&) const = default;

private:
    std::int64_t value_ = 0;
};

// A sum of weights (a generator's weights for normalisation): the number of entries and the
// exact sums of the weights and of their squares.
class WeightedSum {
public:
    void add(double weight) noexcept {
        ++entries_;
        weights_.add(weight);
        squared_weights_.add(weight * weight);
    }
    std::int64_t entries() const noexcept { return entries_; }
    double sum() const noexcept { return weights_.value(); }
    double sum_of_squares() const noexcept { return squared_weights_.value(); }
    void merge(const WeightedSum& other) noexcept {
        entries_ += other.entries_;
        weights_.merge(other.weights_);
        squared_weights_.merge(other.squared_weights_);
    }
    bool empty() const noexcept { return entries_ == 0; }
    void clear() noexcept { *this = WeightedSum{}; }
    bool operator==(const WeightedSum& other) const noexcept {
        return entries_ == other.entries_ && weights_ == other.weights_ && squared_weights_ == other.squared_weights_;
    }

    std::vector<std::int64_t> state() const;
    // Throws std::invalid_argument for a state state() did not make.
    static WeightedSum from_state(const std::vector<std::int64_t>& state);

private:
    std::int64_t entries_ = 0;
    ExactSum weights_;
    ExactSum squared_weights_;
};

class Summary {
public:
    using Value = std::variant<Counter, WeightedSum, WeightedHistogram>;

    explicit Summary(Value value) : value_(std::move(value)) {}

    // "count", "sum" or "histogram".
    const char* kind() const noexcept;
    const Value& value() const noexcept { return value_; }
    Value& value() noexcept { return value_; }
    template <class T>
    const T* get() const noexcept {
        return std::get_if<T>(&value_);
    }

    // Adds another summary of the same kind (and binning); std::invalid_argument otherwise.
    void merge(const Summary& other);
    // The same from another summary's words, without making it first: a histogram's words list
    // its filled bins only, and making the histogram would allocate all of them.
    void merge_words(const std::vector<std::int64_t>& words);
    // The same kind and binning, nothing counted.
    Summary empty_like() const;
    // Nothing counted: a count of 0, a sum of no entries, a histogram never filled.
    bool empty() const;
    // Back to empty, in place.
    void clear();
    // One line for `mpitray dump --values`: "count 1234", "sum of 1234 weights 56.7 (± 1.2)",
    // "histogram 50 bins [0, 5): 1234 fills, sum of weights 56.7, 3 under, 0 over".
    std::string describe() const;

    bool operator==(const Summary& other) const { return words() == other.words(); }

    // The kind, then the object's state, as integers: what frames and messages carry. Equal
    // summaries give equal words.
    std::vector<std::int64_t> words() const;
    // Throws std::invalid_argument for words words() did not make.
    static Summary from_words(const std::vector<std::int64_t>& words);

private:
    Value value_;
};

}  // namespace mpitray
