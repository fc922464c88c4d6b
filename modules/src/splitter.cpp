// Splitter: for each Q frame, n P frames that see the Q's keys.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/standard_types.hpp>

namespace mpitray {
namespace {

class Splitter : public Module {
public:
    Splitter() { add_parameter<std::int64_t>("n", "P frames to make for each Q frame (0 to 2^53)", 1); }

    void configure() override { n_ = parameter_within("n", 0, limits::count, limits::count_note); }

    void daq(const FramePtr& q) override {
        EventHeader header;
        if (q->has(event_header_key)) header = q->at<EventHeader>(event_header_key);
        push(q);
        for (std::int64_t k = 0; k < n_; ++k) {
            auto p = make_frame(Stop::physics());
            header.sub_event = k;
            p->put(event_header_key, header);
            push(p);
        }
    }

private:
    std::int64_t n_ = 1;
};

}  // namespace

void register_splitter() {
    ModuleRegistry::instance().add({"Splitter", "pushes each Q frame, then n P frames that see its keys",
                                    [] { return std::make_unique<Splitter>(); }});
}

}  // namespace mpitray
