#include <mpitray/core/summary_set.hpp>

#include <mpitray/core/error.hpp>
#include <mpitray/core/type_registry.hpp>

#include <algorithm>
#include <stdexcept>

namespace mpitray {
namespace {

// A name becomes a frame key and an HDF5 group or dataset name (summaries/MODULE/NAME).
void check_name(const std::string& name) {
    const bool usable = !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
    if (!usable)
        throw ConfigError("'" + name +
                          "' cannot name a summary: use letters, digits, '_', '-' and '.', not starting with '.'");
    if (name == summary_module_key)
        throw ConfigError("'" + name + "' cannot name a summary: the summary frame uses it");
}

FramePtr summary_frame(const std::string& module, const std::map<std::string, Summary>& objects) {
    auto out = std::make_shared<Frame>(Stop::summary());
    out->put<std::string>(summary_module_key, module);
    for (const auto& [name, summary] : objects) out->put<Summary>(name, summary);
    return out;
}

// A Summary object straight from its words, as the codec writes them (type_registry.cpp): a
// filled histogram's few bins travel without a copy of all its bins being made.
std::shared_ptr<const Object> summary_object(const Summary& summary) {
    auto bytes = std::make_shared<Buffer>();
    detail::direct_encode(summary.words(), *bytes);
    return Object::from_bytes("Summary", ByteView(std::move(bytes)));
}

std::vector<std::int64_t> words_of(const Object& object, const std::string& key) {
    if (object.type() != "Summary")
        throw Error("key '" + key + "' of a summary frame holds " + object.type() + ", not a Summary");
    std::vector<std::int64_t> words;
    detail::direct_decode(object.bytes().span(), words);
    return words;
}

}  // namespace

template <class T>
T& SummarySet::declare(const std::string& name, Summary made) {
    check_name(name);
    auto [it, added] = objects_.try_emplace(name, std::move(made));
    if (!added) {
        // Declared again (a module's configure() run twice): the same kind and binning is the same
        // object; anything else is two objects under one name.
        const Summary& had = it->second;
        const bool same_kind = had.value().index() == made.value().index();
        const auto* h = had.get<WeightedHistogram>();
        const auto* m = made.get<WeightedHistogram>();
        if (!same_kind || (h && (h->bins() != m->bins() || h->low() != m->low() || h->high() != m->high())))
            throw ConfigError("summary '" + name + "' is declared twice, as a " + had.kind() + " and as a " +
                              made.kind() + (same_kind ? " of another binning" : ""));
    }
    return std::get<T>(it->second.value());
}

Counter& SummarySet::counter(const std::string& name) { return declare<Counter>(name, Summary(Counter{})); }

WeightedSum& SummarySet::sum(const std::string& name) { return declare<WeightedSum>(name, Summary(WeightedSum{})); }

WeightedHistogram& SummarySet::histogram(const std::string& name, int bins, double low, double high) {
    try {
        return declare<WeightedHistogram>(name, Summary(WeightedHistogram(bins, low, high)));
    } catch (const std::invalid_argument& e) {
        throw ConfigError("histogram '" + name + "': " + e.what());
    }
}

void SummarySet::restore(const SummarySet& saved) {
    for (auto& [name, summary] : objects_) {
        const auto it = saved.objects_.find(name);
        // The same alternative is assigned in place: the object stays where modules point.
        summary.value() = it != saved.objects_.end() ? it->second.value() : summary.empty_like().value();
    }
}

FramePtr SummarySet::frame(const std::string& module) const { return summary_frame(module, objects_); }

FramePtr SummarySet::take_filled(const std::string& module) {
    FramePtr out;
    for (auto& [name, summary] : objects_) {
        if (summary.empty()) continue;
        if (!out) {
            out = std::make_shared<Frame>(Stop::summary());
            out->put<std::string>(summary_module_key, module);
        }
        out->put_object(name, summary_object(summary));
        summary.clear();
    }
    return out;
}

void SummarySet::add(const Frame& summary_frame) {
    for (const auto& [key, object] : summary_frame.own()) {
        if (key == summary_module_key) continue;
        const std::vector<std::int64_t> words = words_of(*object, key);
        try {
            if (auto it = objects_.find(key); it != objects_.end()) it->second.merge_words(words);
            else objects_.emplace(key, Summary::from_words(words));
        } catch (const std::invalid_argument& e) {
            throw Error("summary '" + key + "' of module '" + summary_frame_module(summary_frame) +
                        "' cannot merge: " + e.what());
        }
    }
}

void SummarySet::clear() {
    for (auto& [name, summary] : objects_) summary.clear();
}

std::string summary_frame_module(const Frame& frame) {
    if (frame.stop() != Stop::summary() || !frame.has_own(summary_module_key)) return {};
    return frame.at<std::string>(summary_module_key);
}

FramePtr merge_summary_frames(const std::vector<FramePtr>& frames) {
    if (frames.empty()) throw Error("no summary frames to merge");
    const std::string module = summary_frame_module(*frames.front());
    if (module.empty()) throw Error(frames.front()->describe() + " is not a summary frame");
    SummarySet merged;
    for (const FramePtr& frame : frames) {
        if (const std::string of = summary_frame_module(*frame); of != module)
            throw Error("the summaries of module '" + module + "' cannot merge with " +
                        (of.empty() ? frame->describe() : "those of module '" + of + "'"));
        merged.add(*frame);
    }
    FramePtr out = merged.frame(module);
    out->origin = frames.front()->origin;
    return out;
}

}  // namespace mpitray
