#include <mpitray/dispatch/dispatch_metrics.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace mpitray {
namespace {

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", int(c));
                else out += c;
        }
    }
    return out + "\"";
}

double mb(std::uint64_t bytes) { return double(bytes) / 1e6; }

}  // namespace

std::vector<HostMemory> memory_by_host(const DispatchMetrics& m) {
    std::vector<HostMemory> hosts;
    auto add = [&](const std::string& host, std::uint64_t pss, std::uint64_t shmem) {
        auto it = std::find_if(hosts.begin(), hosts.end(), [&](const HostMemory& h) { return h.host == host; });
        if (it == hosts.end()) it = hosts.insert(hosts.end(), HostMemory{host});
        ++it->ranks;
        it->pss_bytes += pss;
        it->pss_shmem_bytes += shmem;
    };
    add(m.host, m.pss_bytes, m.pss_shmem_bytes);
    for (const WorkerReport& w : m.workers)
        if (w.rank != 0) add(w.host, w.memory.pss_bytes, w.memory.pss_shmem_bytes);  // rank 0: the in-process one
    return hosts;
}

std::vector<TableGeneration> table_generations(const DispatchMetrics& m) {
    std::vector<TableGeneration> generations;
    for (const WorkerReport& w : m.workers)
        for (const TableRecord& t : w.tables) {
            auto it = std::find_if(generations.begin(), generations.end(), [&](const TableGeneration& g) {
                return g.name == t.name && g.generation == t.generation;
            });
            if (it == generations.end())
                it = generations.insert(generations.end(),
                                        TableGeneration{t.name, t.generation, t.bytes, t.shared, {}, 0, 0});
            if (t.built) {
                it->builds.push_back({w.rank, w.host, t.seconds});
            } else {
                ++it->mapped;
                it->longest_wait = std::max(it->longest_wait, t.seconds);
            }
        }
    return generations;
}

std::string format_dispatch_summary(const DispatchMetrics& m) {
    std::string out = fmt::format(
        "\nDispatch{}: {} packets, {} metadata frames, {} skipped on {} worker{} ({} schedule, {} credits, window "
        "{})\n",
        m.stage.empty() ? "" : " '" + m.stage + "'", m.packets, m.metadata, m.skipped, m.workers.size(),
        m.workers.size() == 1 ? "" : "s", m.schedule, m.credits, m.window);
    out += fmt::format(
        "  {:.1f} packets/s; peak in flight {}; reorder buffer peak {} slots, {:.1f} MB; "
        "rank 0 CPU {:.2f} s of {:.2f} s wall ({:.1f}%)\n",
        m.wall_seconds > 0 ? double(m.packets) / m.wall_seconds : 0.0, m.peak_in_flight, m.peak_reorder_slots,
        mb(m.peak_reorder_bytes), m.cpu_seconds, m.wall_seconds,
        m.wall_seconds > 0 ? 100.0 * m.cpu_seconds / m.wall_seconds : 0.0);
    if (m.batches > 0)
        out += fmt::format("  {} packets went in {} batches ({:.1f} each)\n", m.batched_packets, m.batches,
                           double(m.batched_packets) / double(m.batches));
    if (m.taken_back > 0)
        out += fmt::format("  {} packet{} taken back from a busy worker for an idle one at the end\n", m.taken_back,
                           m.taken_back == 1 ? "" : "s");
    out += fmt::format("  {:>5}  {:<16}  {:>8}  {:>8}  {:>9}  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}\n", "rank", "host",
                       "packets", "metadata", "busy [s]", "idle [s]", "MB in", "MB out", "RSS MB", "PSS MB");
    for (const WorkerReport& w : m.workers)
        out +=
            fmt::format("  {:>5}  {:<16}  {:>8}  {:>8}  {:>9.3f}  {:>9.3f}  {:>9.2f}  {:>9.2f}  {:>8.1f}  {:>8.1f}\n",
                        w.rank, w.host.substr(0, 16), w.stats.packets, w.stats.metadata, double(w.stats.busy_ns) * 1e-9,
                        double(w.stats.idle_ns) * 1e-9, mb(w.stats.bytes_in), mb(w.stats.bytes_out),
                        mb(w.memory.peak_rss_bytes), mb(w.memory.pss_bytes));
    // PSS divides shared pages among the processes mapping them, so a host's sum is what its
    // ranks use together: a node-shared table once, not once per rank.
    out += fmt::format("  memory: rank 0 peak RSS {:.1f} MB, PSS {:.1f} MB; PSS by host:", mb(m.peak_rss_bytes),
                       mb(m.pss_bytes));
    for (const HostMemory& h : memory_by_host(m))
        out += fmt::format(
            " {} ({} rank{}) {:.1f} MB{};", h.host, h.ranks, h.ranks == 1 ? "" : "s", mb(h.pss_bytes),
            h.pss_shmem_bytes > 0 ? fmt::format(", {:.1f} MB of it shared", mb(h.pss_shmem_bytes)) : std::string());
    out.back() = '\n';
    for (const TableGeneration& g : table_generations(m)) {
        std::string builders;
        for (std::size_t i = 0; i < g.builds.size() && i < 8; ++i)
            builders += fmt::format("{}rank {} ({}) in {:.2f} s", i ? ", " : "", g.builds[i].rank, g.builds[i].host,
                                    g.builds[i].seconds);
        if (g.builds.size() > 8) builders += fmt::format(" and {} more", g.builds.size() - 8);
        out += fmt::format("  table '{}' generation {}: {:.1f} MB, {}; built {} by {}", g.name, g.generation,
                           mb(g.bytes), g.shared ? "node-shared" : "private",
                           g.builds.size() == 1 ? "once" : fmt::format("{} times", g.builds.size()),
                           builders.empty() ? "no worker" : builders);
        if (g.mapped > 0)
            out += fmt::format("; mapped by {} more rank{} (waited up to {:.2f} s)", g.mapped, g.mapped == 1 ? "" : "s",
                               g.longest_wait);
        out += '\n';
    }
    // The inner section's modules, summed over workers.
    std::vector<ModuleUsage> inner;
    std::map<std::string, std::size_t> index;
    for (const WorkerReport& w : m.workers)
        for (const ModuleUsage& u : w.usage) {
            auto [it, fresh] = index.emplace(u.name, inner.size());
            if (fresh) inner.push_back({u.name, u.type});
            ModuleUsage& sum = inner[it->second];
            sum.calls += u.calls;
            sum.frames_in += u.frames_in;
            sum.frames_out += u.frames_out;
            sum.wall_seconds += u.wall_seconds;
            sum.cpu_seconds += u.cpu_seconds;
        }
    if (!inner.empty()) {
        double busy = 0;
        for (const WorkerReport& w : m.workers) busy += double(w.stats.busy_ns) * 1e-9;
        out += "Inner section, summed over workers:\n" + format_usage(inner, busy);
    }
    return out;
}

std::string dispatch_metrics_json(const DispatchMetrics& m) {
    std::string out = "{\n";
    if (!m.stage.empty()) out += fmt::format("  \"stage\": {},\n", json_string(m.stage));
    out += fmt::format(
        "  \"ranks\": {},\n  \"schedule\": {},\n  \"credits\": {},\n  \"window\": {},\n"
        "  \"window_bytes\": {},\n",
        m.ranks, json_string(m.schedule), m.credits, m.window, m.window_bytes);
    out += fmt::format(
        "  \"dispatcher\": {{\"packets\": {}, \"metadata\": {}, \"skipped\": {}, \"frames_in\": {}, "
        "\"frames_out\": {}, \"bytes_sent\": {}, \"bytes_received\": {}, \"peak_reorder_slots\": {}, "
        "\"peak_reorder_bytes\": {}, \"peak_in_flight\": {}, \"wall_seconds\": {:.6f}, "
        "\"cpu_seconds\": {:.6f}, \"peak_rss_bytes\": {}, \"pss_bytes\": {}, \"pss_shmem_bytes\": {}, "
        "\"checkpoints\": {}, \"checkpoint_wall_seconds\": {:.6f}, \"batches\": {}, \"batched_packets\": {}, "
        "\"taken_back\": {}, \"packets_per_second\": {:.3f}}},\n",
        m.packets, m.metadata, m.skipped, m.frames_in, m.frames_out, m.bytes_sent, m.bytes_received,
        m.peak_reorder_slots, m.peak_reorder_bytes, m.peak_in_flight, m.wall_seconds, m.cpu_seconds, m.peak_rss_bytes,
        m.pss_bytes, m.pss_shmem_bytes, m.checkpoints, m.checkpoint_wall_seconds, m.batches, m.batched_packets,
        m.taken_back, m.wall_seconds > 0 ? double(m.packets) / m.wall_seconds : 0.0);
    out += "  \"hosts\": [";
    const std::vector<HostMemory> hosts = memory_by_host(m);
    for (std::size_t i = 0; i < hosts.size(); ++i)
        out +=
            fmt::format("{}{{\"host\": {}, \"ranks\": {}, \"pss_bytes\": {}, \"pss_shmem_bytes\": {}}}", i ? ", " : "",
                        json_string(hosts[i].host), hosts[i].ranks, hosts[i].pss_bytes, hosts[i].pss_shmem_bytes);
    out += "],\n";
    out += "  \"tables\": [";
    const std::vector<TableGeneration> tables = table_generations(m);
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const TableGeneration& g = tables[i];
        out += fmt::format("{}\n    {{\"name\": {}, \"generation\": {}, \"bytes\": {}, \"shared\": {}, \"built_by\": [",
                           i ? "," : "", json_string(g.name), g.generation, g.bytes, g.shared);
        for (std::size_t j = 0; j < g.builds.size(); ++j)
            out += fmt::format("{}{{\"rank\": {}, \"host\": {}, \"seconds\": {:.6f}}}", j ? ", " : "", g.builds[j].rank,
                               json_string(g.builds[j].host), g.builds[j].seconds);
        out += fmt::format("], \"mapped_by\": {}, \"longest_wait_seconds\": {:.6f}}}", g.mapped, g.longest_wait);
    }
    out += tables.empty() ? "],\n" : "\n  ],\n";
    out += "  \"workers\": [";
    for (std::size_t i = 0; i < m.workers.size(); ++i) {
        const WorkerReport& w = m.workers[i];
        out += fmt::format(
            "{}\n    {{\"rank\": {}, \"host\": {}, \"packets\": {}, \"metadata\": {}, \"failures\": {}, "
            "\"busy_seconds\": {:.6f}, \"idle_seconds\": {:.6f}, \"bytes_in\": {}, \"bytes_out\": {}, "
            "\"peak_rss_bytes\": {}, \"pss_bytes\": {}, \"pss_shmem_bytes\": {}, \"modules\": [",
            i ? "," : "", w.rank, json_string(w.host), w.stats.packets, w.stats.metadata, w.stats.failures,
            double(w.stats.busy_ns) * 1e-9, double(w.stats.idle_ns) * 1e-9, w.stats.bytes_in, w.stats.bytes_out,
            w.memory.peak_rss_bytes, w.memory.pss_bytes, w.memory.pss_shmem_bytes);
        for (std::size_t j = 0; j < w.usage.size(); ++j) {
            const ModuleUsage& u = w.usage[j];
            out += fmt::format(
                "{}{{\"name\": {}, \"type\": {}, \"calls\": {}, \"frames_in\": {}, \"frames_out\": {}, "
                "\"wall_seconds\": {:.6f}, \"cpu_seconds\": {:.6f}}}",
                j ? ", " : "", json_string(u.name), json_string(u.type), u.calls, u.frames_in, u.frames_out,
                u.wall_seconds, u.cpu_seconds);
        }
        out += "]}";
    }
    out += "\n  ],\n  \"timeline\": [";
    for (std::size_t i = 0; i < m.timeline.size(); ++i) {
        const PacketSpan& p = m.timeline[i];
        out += fmt::format("{}\n    {{\"seq\": {}, \"rank\": {}, \"start\": {:.6f}, \"end\": {:.6f}}}", i ? "," : "",
                           p.seq, p.rank, p.start, p.end);
    }
    out += "\n  ]\n}\n";
    return out;
}

std::string dispatch_metrics_file(const std::vector<std::string>& by_stage, bool several_stages) {
    if (!several_stages && by_stage.size() == 1) return by_stage.front();
    std::string out = "{\"stages\": [";
    for (std::size_t i = 0; i < by_stage.size(); ++i) out += (i ? ",\n" : "\n") + by_stage[i];
    return out + "]}\n";
}

}  // namespace mpitray
