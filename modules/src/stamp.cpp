// Stamp: puts a number drawn from the framework RNG into frames of chosen stops. In an inner
// section it changes metadata frames on every worker, which is what the dispatch tests need:
// exactly one processed copy must reach the output, the same as in a serial run.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/stop_set.hpp>

namespace mpitray {
namespace {

class Stamp : public Module {
public:
    Stamp() {
        add_parameter<std::vector<std::string>>("stops", "the stops to stamp", {"G"});
        add_parameter<std::string>("key", "the key of the stamp (a double)", "Stamp");
        add_parameter<std::string>("copy", "instead of a random number, copy the object this frame sees under this key",
                                   "");
    }

    void configure() override {
        stops_ = StopSet(parameter<std::vector<std::string>>("stops"));
        key_ = parameter<std::string>("key");
        copy_ = parameter<std::string>("copy");
    }

    void process(const FramePtr& frame) override {
        if (stops_.contains(frame->stop())) {
            frame->erase(key_);
            if (copy_.empty()) frame->put(key_, rng().uniform());
            else if (auto object = frame->find_shared(copy_)) frame->put_object(key_, std::move(object));
        }
        push(frame);
    }

private:
    StopSet stops_;
    std::string key_;
    std::string copy_;
};

}  // namespace

void register_stamp() {
    ModuleRegistry::instance().add(
        {"Stamp", "puts a random number (framework RNG), or a copy of a key it sees, into frames of chosen stops",
         [] { return std::make_unique<Stamp>(); }});
}

}  // namespace mpitray
