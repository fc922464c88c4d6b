// Sequence: numbers the frames of chosen stops in the order they reach it (0, 1, 2, ...), as an
// event counter or a module that merges neighbouring events would see them. It must see every
// event of the stream in order, so it runs in the serial tray, never inside Dispatch; between two
// Dispatch stages it numbers what the first stage let through.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>

namespace mpitray {
namespace {

class Sequence : public Module {
public:
    Sequence() {
        add_parameter<std::vector<std::string>>("stops", "the stops to number", {"P"});
        add_parameter<std::string>("key", "the key of the number (an int64)", "Sequence");
    }

    std::string needs_every_event_in_order() const override {
        return "it numbers the events in the order they reach it";
    }

    void configure() override {
        stops_ = StopSet(parameter<std::vector<std::string>>("stops"));
        key_ = parameter<std::string>("key");
    }

    void process(const FramePtr& frame) override {
        if (stops_.contains(frame->stop())) {
            frame->erase(key_);
            frame->put<std::int64_t>(key_, next_++);
        }
        push(frame);
    }

private:
    StopSet stops_;
    std::string key_;
    std::int64_t next_ = 0;
};

}  // namespace

void register_sequence() {
    ModuleRegistry::instance().add({"Sequence",
                                    "numbers the frames of chosen stops in the order they reach it "
                                    "(must see every event in order: not inside Dispatch)",
                                    [] { return std::make_unique<Sequence>(); }});
}

}  // namespace mpitray
