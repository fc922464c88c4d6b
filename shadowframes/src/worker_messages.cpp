#include <mpitray/shadowframes/worker_messages.hpp>

#include <fmt/format.h>

#include <type_traits>

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

// A column of the report: one entry per module, or per table.
template <class Value, class Row, class Field>
void put_column(Frame& f, const char* key, const std::vector<Row>& rows, Field field) {
    std::vector<Value> column;
    column.reserve(rows.size());
    for (const Row& row : rows) column.push_back(Value(row.*field));
    f.put(key, std::move(column));
}
template <class Value, class Row, class Field>
void read_column(const Frame& f, const char* key, std::vector<Row>& rows, Field field, const char* rows_are) {
    const auto& column = f.at<std::vector<Value>>(key);
    if (column.size() != rows.size())
        throw SerializationError(
            fmt::format("a stats message's {} has {} entries for {} {}", key, column.size(), rows.size(), rows_are));
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i].*field = static_cast<std::remove_reference_t<decltype(rows[i].*field)>>(column[i]);
}

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
    put_column<std::string>(*f, "module_names", report.usage, &ModuleUsage::name);
    put_column<std::string>(*f, "module_types", report.usage, &ModuleUsage::type);
    for (const auto& [key, field] : usage_counts) put_column<std::int64_t>(*f, key, report.usage, field);
    for (const auto& [key, field] : usage_times) put_column<double>(*f, key, report.usage, field);
    put_column<std::string>(*f, "table_names", report.tables, &TableRecord::name);
    put_column<std::int64_t>(*f, "table_generations", report.tables, &TableRecord::generation);
    put_column<std::int64_t>(*f, "table_bytes", report.tables, &TableRecord::bytes);
    put_column<std::int64_t>(*f, "table_built", report.tables, &TableRecord::built);
    put_column<std::int64_t>(*f, "table_shared", report.tables, &TableRecord::shared);
    put_column<double>(*f, "table_seconds", report.tables, &TableRecord::seconds);
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
    report.usage.resize(f.at<std::vector<std::string>>("module_names").size());
    read_column<std::string>(f, "module_names", report.usage, &ModuleUsage::name, "modules");
    read_column<std::string>(f, "module_types", report.usage, &ModuleUsage::type, "modules");
    for (const auto& [key, field] : usage_counts) read_column<std::int64_t>(f, key, report.usage, field, "modules");
    for (const auto& [key, field] : usage_times) read_column<double>(f, key, report.usage, field, "modules");
    report.tables.resize(f.at<std::vector<std::string>>("table_names").size());
    read_column<std::string>(f, "table_names", report.tables, &TableRecord::name, "tables");
    read_column<std::int64_t>(f, "table_generations", report.tables, &TableRecord::generation, "tables");
    read_column<std::int64_t>(f, "table_bytes", report.tables, &TableRecord::bytes, "tables");
    read_column<std::int64_t>(f, "table_built", report.tables, &TableRecord::built, "tables");
    read_column<std::int64_t>(f, "table_shared", report.tables, &TableRecord::shared, "tables");
    read_column<double>(f, "table_seconds", report.tables, &TableRecord::seconds, "tables");
    return report;
}

OutgoingMessage finished_message(const std::vector<FramePtr>& frames) {
    return OutgoingMessage(MessageHeader{}, frames);
}

OutgoingMessage control_message() { return OutgoingMessage(MessageHeader{}, {}); }

OutgoingMessage claims_message(const ClaimsNotice& notice) {
    auto f = make_frame(Stop('B'));  // B for board
    f->put("path", notice.path);
    f->put<std::int64_t>("nonce", std::int64_t(notice.nonce));
    f->put<std::int64_t>("worker", notice.worker);
    return OutgoingMessage(MessageHeader{}, {f});
}

ClaimsNotice parse_claims(const Message& message) {
    const Frame& f = only_frame(message, "claims");
    return {f.at<std::string>("path"), std::uint64_t(f.at<std::int64_t>("nonce")), int(f.at<std::int64_t>("worker"))};
}

void end_worker(WorkerLink& link, int rank, const std::string& host, std::vector<ModuleUsage> usage,
                const TableService* tables) {
    if (link.stopped) link.sink.send(Tag::finished, finished_message({}));
    link.sink.send(Tag::stats, report_message(WorkerReport{rank, host, link.stats, std::move(usage), process_memory(),
                                                           tables ? tables->records() : std::vector<TableRecord>{}}));
}

}  // namespace mpitray
