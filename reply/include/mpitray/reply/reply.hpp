#pragma once
// The Reply: the last module of every inner tray. It collects the frames that reach it and, when
// the shadow frame of an input arrives, sends them to the dispatcher as that input's result
// (possibly empty). Frames pushed in Finish go back as the worker's finished message.
#include <mpitray/core/module.hpp>
#include <mpitray/shadowframes/worker_link.hpp>

namespace mpitray {

class Reply : public Module {
public:
    explicit Reply(WorkerLink& link) : link_(link) {}
    bool sees_shadow_frames() const override { return true; }
    // The inner modules' summary frames go back with the finished message, to be merged.
    bool sees_summary_frames() const override { return true; }
    void process(const FramePtr& frame) override;
    void finish() override;

private:
    WorkerLink& link_;
};

}  // namespace mpitray
