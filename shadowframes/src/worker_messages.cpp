#include <mpitray/shadowframes/worker_messages.hpp>

namespace mpitray {
namespace {

// The keys of a report's frame: a counter each, and one list per usage column.
template <class Field>
struct Named {
    const char* key;
    Field field;
};
constexpr Named<std::uint64_t WorkerStats::*> unsigned_counters[] = {{"packets", &WorkerStats::packets},
                                                                     {"metadata", &WorkerStats::metadata},
                                                                     {"failures", &WorkerStats::failures},
                                                                     {"bytes_in", &WorkerStats::bytes_in},
                                                                     {"bytes_out", &WorkerStats::bytes_out}};
constexpr Named<std::int64_t WorkerStats::*> time_counters[] = {{"busy_ns", &WorkerStats::busy_ns},
                                                                {"idle_ns", &WorkerStats::idle_ns}};
constexpr Named<std::uint64_t ProcessMemory::*> memory_counters[] = {
    {"peak_rss_bytes", &ProcessMemory::peak_rss_bytes},
    {"pss_bytes", &ProcessMemory::pss_bytes},
    {"pss_shmem_bytes", &ProcessMemory::pss_shmem_bytes}};
constexpr Named<std::uint64_t ModuleUsage::*> usage_counts[] = {{"module_calls", &ModuleUsage::calls},
                                                                {"module_frames_in", &ModuleUsage::frames_in},
                                                                {"module_frames_out", &ModuleUsage::frames_out}};
constexpr Named<double ModuleUsage::*> usage_times[] = {{"module_wall_seconds", &ModuleUsage::wall_seconds},
                                                        {"module_cpu_seconds", &ModuleUsage::cpu_seconds}};

const Frame& only_frame(const Message& message, const char* what) {
    if (message.frames.size() != 1)
        throw SerializationError(std::string("a ") + what + " message holds " + std::to_string(message.frames.size()) +
                                 " frames, not 1");
    return *message.frames.front();
}

}  // namespace

OutgoingMessage failure_message(const FailureReport& report, std::uint32_t flags) {
    auto frame = make_frame(Stop('!'));
    frame->put<std::int64_t>("rank", report.rank);
    frame->put("host", report.host);
    frame->put("module", report.module);
    frame->put("frame", report.frame);
    frame->put("message", report.message);
    return OutgoingMessage(MessageHeader{report.seq, flags, 0}, {frame});
}

FailureReport parse_failure(const Message& message) {
    const Frame& f = only_frame(message, "failure");
    FailureReport report;
    report.seq = message.header.seq;
    report.rank = static_cast<int>(f.at<std::int64_t>("rank"));
    report.host = f.at<std::string>("host");
    report.module = f.at<std::string>("module");
    report.frame = f.at<std::string>("frame");
    report.message = f.at<std::string>("message");
    return report;
}

OutgoingMessage report_message(const WorkerReport& report) {
    auto f = make_frame(Stop('R'));
    f->put<std::int64_t>("rank", report.rank);
    f->put("host", report.host);
    for (const auto& [key, field] : unsigned_counters) f->put<std::int64_t>(key, std::int64_t(report.stats.*field));
    for (const auto& [key, field] : time_counters) f->put<std::int64_t>(key, report.stats.*field);
    for (const auto& [key, field] : memory_counters) f->put<std::int64_t>(key, std::int64_t(report.memory.*field));
    std::vector<std::string> names, types;
    for (const ModuleUsage& u : report.usage) {
        names.push_back(u.name);
        types.push_back(u.type);
    }
    f->put("module_names", names);
    f->put("module_types", types);
    for (const auto& [key, field] : usage_counts) {
        std::vector<std::int64_t> column;
        for (const ModuleUsage& u : report.usage) column.push_back(std::int64_t(u.*field));
        f->put(key, column);
    }
    for (const auto& [key, field] : usage_times) {
        std::vector<double> column;
        for (const ModuleUsage& u : report.usage) column.push_back(u.*field);
        f->put(key, column);
    }
    return OutgoingMessage(MessageHeader{}, {f});
}

WorkerReport parse_report(const Message& message) {
    const Frame& f = only_frame(message, "stats");
    WorkerReport report;
    report.rank = int(f.at<std::int64_t>("rank"));
    report.host = f.at<std::string>("host");
    for (const auto& [key, field] : unsigned_counters) report.stats.*field = std::uint64_t(f.at<std::int64_t>(key));
    for (const auto& [key, field] : time_counters) report.stats.*field = f.at<std::int64_t>(key);
    for (const auto& [key, field] : memory_counters) report.memory.*field = std::uint64_t(f.at<std::int64_t>(key));
    const auto& names = f.at<std::vector<std::string>>("module_names");
    auto check = [&](const char* key, std::size_t entries) {
        if (entries != names.size())
            throw SerializationError(std::string("a stats message's ") + key + " has " + std::to_string(entries) +
                                     " entries for " + std::to_string(names.size()) + " modules");
    };
    const auto& types = f.at<std::vector<std::string>>("module_types");
    check("module_types", types.size());
    report.usage.resize(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        report.usage[i].name = names[i];
        report.usage[i].type = types[i];
    }
    for (const auto& [key, field] : usage_counts) {
        const auto& values = f.at<std::vector<std::int64_t>>(key);
        check(key, values.size());
        for (std::size_t i = 0; i < names.size(); ++i) report.usage[i].*field = std::uint64_t(values[i]);
    }
    for (const auto& [key, field] : usage_times) {
        const auto& values = f.at<std::vector<double>>(key);
        check(key, values.size());
        for (std::size_t i = 0; i < names.size(); ++i) report.usage[i].*field = values[i];
    }
    return report;
}

OutgoingMessage finished_message(const std::vector<FramePtr>& frames) {
    return OutgoingMessage(MessageHeader{}, frames);
}

OutgoingMessage control_message() { return OutgoingMessage(MessageHeader{}, {}); }

void end_worker(WorkerLink& link, int rank, const std::string& host, std::vector<ModuleUsage> usage) {
    if (link.stopped) link.sink.send(Tag::finished, finished_message({}));
    link.sink.send(Tag::stats,
                   report_message(WorkerReport{rank, host, link.stats, std::move(usage), process_memory()}));
}

}  // namespace mpitray
