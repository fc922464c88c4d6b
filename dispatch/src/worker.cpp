#include <mpitray/dispatch/worker.hpp>

#include <mpitray/core/tray_builder.hpp>
#include <mpitray/receiver/receiver.hpp>
#include <mpitray/reply/reply.hpp>

namespace mpitray {

std::vector<const ModuleSpec*> find_dispatches(const Pipeline& pipeline) {
    std::vector<const ModuleSpec*> found;
    for (const ModuleSpec& m : pipeline.tray)
        if (m.type == "Dispatch") found.push_back(&m);
    return found;
}

WorkerProcess::WorkerProcess(const ModuleSpec& dispatch, TrayEnvironment environment, mpi::Communicator& comm,
                             int world_rank, std::string host)
    : comm_(comm), world_rank_(world_rank), host_(std::move(host)), link_(*this) {
    tray_ = build_tray(dispatch.inner, std::move(environment), TrayRole::inner);
    auto receiver = std::make_unique<Receiver>(link_, comm_, world_rank_, host_);
    receiver->identify("Receiver", "Receiver");
    tray_->add_front(std::move(receiver));
    auto reply = std::make_unique<Reply>(link_);
    reply->identify("Reply", "Reply");
    tray_->add(std::move(reply));
}

WorkerProcess::~WorkerProcess() = default;

void WorkerProcess::send(Tag tag, OutgoingMessage message) { comm_.send(0, tag, std::move(message)); }

void WorkerProcess::run() {
    try {
        tray_->run();  // ends with the Reply's finished message
    } catch (const Error&) {
        if (!link_.stopped) throw;  // stopped: the tray failed, as it should
    }
    std::vector<ModuleUsage> usage = tray_->usage();
    usage.erase(usage.begin());  // the Receiver
    usage.pop_back();            // the Reply
    end_worker(link_, world_rank_, host_, std::move(usage), tray_->environment().context.find<TableService>());
    comm_.flush();
}

}  // namespace mpitray
