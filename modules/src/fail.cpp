// Fail: for fault tests. Fails on one event, on every Nth, or on every event; or asks the run to
// stop there.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>
#include "event_index.hpp"

#include <csignal>
#include <cstdlib>

namespace mpitray {
namespace {

class Fail : public Module {
public:
    Fail() {
        add_optional_parameter<std::int64_t>("at", "event number to fail on; unset: every event");
        add_optional_parameter<std::int64_t>("every", "with at: fail on at, at + every, at + 2 every, ...");
        add_parameter<std::string>("action", "throw, abort, segfault, exit, or stop (SIGTERM to itself)", "throw");
        add_parameter<std::int64_t>("exit_code", "the exit code for action exit (0 to 255)", 3);
        add_parameter<std::vector<std::string>>("stops", "the stops it may fail on", {"Q", "P"});
    }

    void configure() override {
        at_ = optional_parameter<std::int64_t>("at");
        every_ = optional_parameter<std::int64_t>("every");
        if (every_ && !at_) throw config_error("needs at, the first event to fail on", "every");
        if (every_ && *every_ < 1) throw config_error("must be 1 or more", "every");
        action_ = parameter<std::string>("action");
        if (action_ != "throw" && action_ != "abort" && action_ != "segfault" && action_ != "exit" && action_ != "stop")
            throw config_error("must be throw, abort, segfault, exit or stop, not '" + action_ + "'", "action");
        exit_code_ = static_cast<int>(
            parameter_within("exit_code", std::int64_t{0}, std::int64_t{255}, "what a process can exit with"));
        stops_ = StopSet(parameter<std::vector<std::string>>("stops"));
    }

    void process(const FramePtr& frame) override {
        if (stops_.contains(frame->stop()) && chosen(event_index(*frame))) fail(*frame);
        push(frame);
    }

private:
    bool chosen(std::int64_t event) const {
        if (!at_) return true;
        if (!every_) return event == *at_;
        return event >= *at_ && (event - *at_) % *every_ == 0;
    }

    void fail(const Frame& frame) {
        if (action_ == "stop") {  // as kill -TERM: the run stops in order after this frame
            std::raise(SIGTERM);
            return;
        }
        if (action_ == "throw")
            throw std::runtime_error("Fail module: deliberate failure on event " + std::to_string(event_index(frame)));
        if (action_ == "abort") std::abort();
        if (action_ == "segfault") std::raise(SIGSEGV);
        std::exit(exit_code_);
    }

    std::optional<std::int64_t> at_;
    std::optional<std::int64_t> every_;
    std::string action_;
    int exit_code_ = 3;
    StopSet stops_;
};

}  // namespace

void register_fail() {
    ModuleRegistry::instance().add({"Fail",
                                    "for fault tests: throws, aborts, segfaults or exits on an event (or every Nth)",
                                    [] { return std::make_unique<Fail>(); }});
}

}  // namespace mpitray
