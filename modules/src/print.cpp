// Print: one line per frame on standard output.
#include <mpitray/core/module_registry.hpp>

#include <fmt/format.h>

#include <cstdio>

namespace mpitray {
namespace {

class Print : public Module {
public:
    Print() { add_parameter<bool>("mixed", "also list the keys the frame sees from other frames", false); }

    void configure() override { mixed_ = parameter<bool>("mixed"); }

    void process(const FramePtr& frame) override {
        std::string line = frame->describe() + ":";
        for (const std::string& key : mixed_ ? frame->keys() : own_keys(*frame)) {
            const Object* object = frame->find(key);
            line += fmt::format(" {}[{}]", key, object->type());
        }
        std::fputs((line + "\n").c_str(), stdout);
        push(frame);
    }

private:
    static std::vector<std::string> own_keys(const Frame& frame) {
        std::vector<std::string> keys;
        for (const auto& [key, object] : frame.own()) keys.push_back(key);
        return keys;
    }
    bool mixed_ = false;
};

}  // namespace

void register_print() {
    ModuleRegistry::instance().add(
        {"Print", "prints one line per frame: stop, event and keys", [] { return std::make_unique<Print>(); }});
}

}  // namespace mpitray
