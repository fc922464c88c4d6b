#include <mpitray/dispatch/worker_report.hpp>

namespace mpitray {

OutgoingMessage report_message(const WorkerReport& report) {
    auto f = make_frame(Stop('R'));
    const WorkerStats& s = report.stats;
    f->put<std::int64_t>("rank", report.rank);
    f->put("host", report.host);
    f->put("counters", std::vector<std::int64_t>{std::int64_t(s.packets), std::int64_t(s.metadata),
                                                 std::int64_t(s.failures), std::int64_t(s.bytes_in),
                                                 std::int64_t(s.bytes_out), s.busy_ns, s.idle_ns});
    std::vector<std::string> names, types;
    std::vector<std::int64_t> counts;
    std::vector<double> times;
    for (const ModuleUsage& u : report.usage) {
        names.push_back(u.name);
        types.push_back(u.type);
        counts.insert(counts.end(), {std::int64_t(u.calls), std::int64_t(u.frames_in), std::int64_t(u.frames_out)});
        times.insert(times.end(), {u.wall_seconds, u.cpu_seconds});
    }
    f->put("module_names", names);
    f->put("module_types", types);
    f->put("module_counts", counts);
    f->put("module_times", times);
    return OutgoingMessage(MessageHeader{}, {f});
}

WorkerReport parse_report(const Message& message) {
    WorkerReport report;
    const Frame& f = *message.frames.at(0);
    report.rank = int(f.at<std::int64_t>("rank"));
    report.host = f.at<std::string>("host");
    const auto& c = f.at<std::vector<std::int64_t>>("counters");
    report.stats = {std::uint64_t(c.at(0)), std::uint64_t(c.at(1)), std::uint64_t(c.at(2)), std::uint64_t(c.at(3)),
                    std::uint64_t(c.at(4)), c.at(5), c.at(6)};
    const auto& names = f.at<std::vector<std::string>>("module_names");
    const auto& types = f.at<std::vector<std::string>>("module_types");
    const auto& counts = f.at<std::vector<std::int64_t>>("module_counts");
    const auto& times = f.at<std::vector<double>>("module_times");
    for (std::size_t i = 0; i < names.size(); ++i)
        report.usage.push_back({names[i], types[i], std::uint64_t(counts.at(3 * i)), std::uint64_t(counts.at(3 * i + 1)),
                                std::uint64_t(counts.at(3 * i + 2)), times.at(2 * i), times.at(2 * i + 1)});
    return report;
}

}  // namespace mpitray
