#include <mpitray/core/progress.hpp>

#include <mpitray/core/clock.hpp>

#include <fmt/format.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mpitray {
namespace {
constexpr std::int64_t terminal_interval_ns = 500'000'000;
constexpr std::int64_t log_interval_ns = 10'000'000'000;
constexpr std::int64_t first_print_ns = 2'000'000'000;

// MPITRAY_PROGRESS_INTERVAL=SECONDS replaces the interval between plain lines (a log, a test
// that wants lines from a short run); anything that is not a positive number leaves the default.
std::int64_t log_interval() {
    const char* text = std::getenv("MPITRAY_PROGRESS_INTERVAL");
    if (text == nullptr) return log_interval_ns;
    char* end = nullptr;
    const double seconds = std::strtod(text, &end);
    if (end == text || *end != '\0' || !(seconds > 0) || seconds > 1e6) return log_interval_ns;
    return std::int64_t(seconds * 1e9);
}

std::string duration(double seconds) {
    const auto s = std::int64_t(std::llround(seconds));
    return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                     : fmt::format("{}:{:02}", s / 60, s % 60);
}
}  // namespace

Progress::Progress(bool enabled, std::optional<std::uint64_t> expected, std::string unit)
    : enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      expected_(expected),
      unit_(std::move(unit)),
      interval_ns_(terminal_ ? terminal_interval_ns : log_interval()),
      first_ns_(terminal_ ? first_print_ns : std::min(first_print_ns, interval_ns_)),
      start_ns_(monotonic_ns()),
      last_print_ns_(start_ns_) {}

double Progress::elapsed() const { return elapsed_at(monotonic_ns()); }

double Progress::elapsed_at(std::int64_t ns) const { return double(ns - start_ns_) * 1e-9; }

void Progress::done(std::uint64_t units) {
    done_ += units;
    if (!enabled_) return;
    const std::int64_t now = monotonic_ns();
    if (now - start_ns_ < first_ns_) return;
    if (now - last_print_ns_ < interval_ns_) return;
    last_print_ns_ = now;
    print(false);
}

void Progress::print(bool final) {
    const double seconds = elapsed();
    const double rate = seconds > 0 ? double(done_) / seconds : 0.0;
    std::string line = fmt::format("mpitray: {} {} in {}, {:.1f}/s", done_, unit_, duration(seconds), rate);
    if (expected_ && *expected_ > 0 && !final) {
        const double fraction = std::min(1.0, double(done_) / double(*expected_));
        line += fmt::format(", ~{:.0f}%", 100 * fraction);
        if (rate > 0 && done_ < *expected_) line += ", ETA " + duration(double(*expected_ - done_) / rate);
    }
    if (terminal_) std::fprintf(stderr, "\r%-78s%s", line.c_str(), final ? "\n" : "");
    else std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    printed_ = true;
}

void Progress::finish() {
    if (enabled_ && printed_) print(true);
    printed_ = false;
}

}  // namespace mpitray
