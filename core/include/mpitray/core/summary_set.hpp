#pragma once
// A module's summary objects by name, and the summary frame they become at the end of a run.
//
//   class Trigger : public mpitray::Module {
//       mpitray::Counter& passed_ = summaries().counter("passed");
//       mpitray::WeightedHistogram& energy_ = summaries().histogram("energy", 50, 0.0, 5.0);
//       void physics(const FramePtr& frame) override {
//           ...
//           passed_.add();
//           energy_.fill(std::log10(frame->at<double>("Energy")), frame->at<double>("Weight"));
//       }
//   };
//
// After the module's finish() the tray pushes one frame of stop Z holding the module's name
// (key "SummaryOf") and each object under its name. It passes the later modules unseen; Writers
// write it. Inside a Dispatch every worker's frame goes back to rank 0, which merges them into the
// frame a serial run would have made (merge_summary_frames) and pushes that one, once.
#include <mpitray/core/frame.hpp>
#include <mpitray/core/summary.hpp>

#include <map>
#include <string>
#include <vector>

namespace mpitray {

// The key of a summary frame that names the module whose summaries it holds.
inline constexpr const char* summary_module_key = "SummaryOf";

class SummarySet {
public:
    // Declares a summary object, or returns the one declared before under the same name. The
    // reference stays valid for the module's life. ConfigError when the name is taken by another
    // kind of object (or a histogram of another binning), or cannot be a key.
    Counter& counter(const std::string& name);
    WeightedSum& sum(const std::string& name);
    WeightedHistogram& histogram(const std::string& name, int bins, double low, double high);

    bool empty() const noexcept { return objects_.empty(); }
    const std::map<std::string, Summary>& objects() const noexcept { return objects_; }

    // Puts back the values a copy of this set had, keeping every object where it is (modules hold
    // references to them); objects declared since the copy are emptied. What a worker filled while
    // running another worker's copy of a metadata frame is taken back so: each frame is counted
    // once, by the worker whose result is kept.
    void restore(const SummarySet& saved);

    // The summary frame of the module named `module`: stop Z, its origin not yet set.
    FramePtr frame(const std::string& module) const;

    // What a worker sends with each result: the summary frame of the objects filled since the
    // last call (null when none was), after which they are empty again. Rank 0 adds these up in
    // the order the results are written, so its sum always covers exactly the output so far.
    FramePtr take_filled(const std::string& module);
    // Empties every object: what was filled since the last take_filled() is dropped (a packet
    // that failed).
    void clear();
    // Adds a summary frame's objects (rank 0 summing what the workers filled); an object not yet
    // here is taken as it is. Throws Error when one differs in kind or binning from this set's.
    void add(const Frame& summary_frame);

private:
    template <class T>
    T& declare(const std::string& name, Summary made);

    std::map<std::string, Summary> objects_;
};

// The module a summary frame is of; empty for any other frame.
std::string summary_frame_module(const Frame& frame);

// One summary frame from several of the same module: the workers' of a Dispatch, or the slices'
// of a sample. Each key's summaries are added (a key only some frames have is taken as it is);
// the result has the first frame's origin. The sum is exact, so the order of `frames` does not
// matter. Throws Error when the frames are of different modules, or a key's objects differ in
// kind or binning.
FramePtr merge_summary_frames(const std::vector<FramePtr>& frames);

}  // namespace mpitray
