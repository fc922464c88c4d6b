#include <mpitray/core/module.hpp>

#include <mpitray/core/tray.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace mpitray {

void Module::set_parameter(const std::string& name, const ConfigValue& value) { params_.set(name, value); }

void Module::check_required_parameters(const std::set<std::string>& refused) const { params_.check_required(refused); }

bool Module::produce() { throw Error("is not a source: it cannot produce frames"); }

void Module::process(const FramePtr& frame) {
    switch (frame->stop().code()) {
        case 'G': geometry(frame); break;
        case 'C': calibration(frame); break;
        case 'D': detector_status(frame); break;
        case 'S': simulation(frame); break;
        case 'I': tray_info(frame); break;
        case 'Q': daq(frame); break;
        case 'P': physics(frame); break;
        default: other(frame); break;
    }
}

std::int64_t Module::parameter_within(const std::string& name, std::int64_t min, std::int64_t max,
                                      const std::string& note) const {
    const auto value = parameter<std::int64_t>(name);
    if (value < min || value > max)
        throw config_error(
            fmt::format("must be {} to {}{}, not {}", min, max, note.empty() ? "" : " (" + note + ")", value), name);
    return value;
}

double Module::parameter_within(const std::string& name, double min, double max, const std::string& note) const {
    const auto value = parameter<double>(name);
    if (!(value >= min && value <= max))
        throw config_error(
            fmt::format("must be {} to {}{}, not {}", min, max, note.empty() ? "" : " (" + note + ")", value), name);
    return value;
}

ConfigError Module::config_error(const std::string& message, const std::string& parameter) const {
    std::string where = parameter.empty() ? std::string() : params_.where(parameter).str();
    if (!parameter.empty())
        return ConfigError("parameter '" + parameter + "' " + message + (where.empty() ? "" : " (" + where + ")"));
    return ConfigError(message);
}

void Module::push(FramePtr frame) {
    if (tray_ == nullptr) throw Error("module '" + name_ + "' pushed a frame before it was added to a tray");
    tray_->push_from(index_, std::move(frame));
}

void Module::limit_complete_input(std::uint64_t frames) {
    auto& limit = tray_->slots_[index_].complete_input_limit;
    limit = std::min(limit.value_or(frames), frames);
}

void Module::record_skipped_packets(std::uint64_t packets, const std::string& failure_log) {
    tray_->slots_[index_].skipped_packets = packets;
    tray_->slots_[index_].failure_log = failure_log;
}

Rng& Module::rng() { return tray_->slots_[index_].rng; }

std::vector<FramePtr> Module::take_filled_summaries() {
    return tray_ ? tray_->take_filled_summaries() : std::vector<FramePtr>{};
}

void Module::drop_filled_summaries() {
    if (tray_) tray_->drop_filled_summaries();
}

void Module::uncounted(const std::function<void()>& pushes) {
    if (tray_ == nullptr) return pushes();
    tray_->run_uncounted(pushes);
}

void Module::replayed(const std::function<void()>& pushes) {
    if (tray_ == nullptr) return pushes();
    tray_->run_replayed(pushes);
}

bool Module::replaying() const { return tray_ != nullptr && tray_->replaying_; }

Checkpoint Module::checkpoint_after(Checkpoint checkpoint) {
    if (tray_ == nullptr) return checkpoint;
    return tray_->checkpoint_after(index_, std::move(checkpoint));
}

void Module::place_in_sample(std::uint64_t position) {
    if (tray_ == nullptr || index_ != 0 || !is_source())
        throw Error("module '" + name_ + "' is not the tray's source: only a source places its frames in the sample");
    tray_->place_next_in_sample(position);
}

const TrayEnvironment& Module::environment() const { return tray_->environment(); }

std::shared_ptr<const Table> Module::table(const TableRequest& request, const TableFill& fill) {
    if (TableService* service = environment().context.find<TableService>()) return service->get(request, fill);
    if (!own_tables_) own_tables_ = std::make_unique<PrivateTables>();
    return own_tables_->get(request, fill);
}

}  // namespace mpitray
