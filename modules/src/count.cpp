// Count: counts the frames it sees, per stop, and at the end pushes one frame with the counts.
// Inside Dispatch each worker counts what it processed, so the output ends with one count frame
// per worker, in worker-rank order.
#include <mpitray/core/module_registry.hpp>

#include <map>

namespace mpitray {
namespace {

class Count : public Module {
public:
    Count() {
        add_parameter<std::string>("stop", "the stop of the frame pushed at the end", "I");
        add_parameter<std::string>("key", "the key of the counts (map<string,double>: stop -> frames)", "Counts");
    }

    void configure() override {
        stop_ = parse_stop(parameter<std::string>("stop"));
        key_ = parameter<std::string>("key");
    }

    void process(const FramePtr& frame) override {
        ++counts_[frame->stop().name()];
        push(frame);
    }

    void finish() override {
        auto frame = make_frame(stop_);
        frame->put(key_, counts_);
        push(frame);
    }

private:
    Stop stop_ = Stop::tray_info();
    std::string key_;
    std::map<std::string, double> counts_;
};

}  // namespace

void register_count() {
    ModuleRegistry::instance().add({"Count", "counts frames per stop; pushes one frame with the counts at the end",
                                    [] { return std::make_unique<Count>(); }});
}

}  // namespace mpitray
