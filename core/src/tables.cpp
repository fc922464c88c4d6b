#include <mpitray/core/clock.hpp>
#include <mpitray/core/error.hpp>
#include <mpitray/core/tables.hpp>

#include <limits>

namespace mpitray {
namespace {

class PrivateTable : public Table {
public:
    PrivateTable(const TableRequest& request, std::vector<double> values)
        : Table(request, std::span<const double>(values.data(), values.size())), storage_(std::move(values)) {}
    bool shared() const noexcept override { return false; }

private:
    std::vector<double> storage_;  // a moved vector keeps its buffer, so the span stays valid
};

}  // namespace

std::shared_ptr<const Table> HeldTables::find(const std::string& key) const {
    const auto it = held_.find(key);
    return it == held_.end() ? nullptr : it->second.lock();
}

void HeldTables::remember(const std::string& key, const std::shared_ptr<const Table>& table) {
    std::erase_if(held_, [](const auto& entry) { return entry.second.expired(); });
    held_[key] = table;
}

std::string table_key(const TableRequest& request) {
    std::string key = request.name + '\0' + request.identity + '\0';
    for (std::size_t d : request.shape) key += std::to_string(d) + ',';
    return key;
}

std::size_t TableRequest::values() const {
    std::size_t n = shape.empty() ? 0 : 1;
    for (std::size_t d : shape) n = d != 0 && n > std::numeric_limits<std::size_t>::max() / d ? 0 : n * d;
    return n;
}

void check_table_request(const TableRequest& request) {
    if (request.name.empty()) throw ConfigError("a table needs a name");
    if (request.shape.empty()) throw ConfigError("table '" + request.name + "' needs a shape (its dimensions)");
    std::size_t n = 1;
    for (std::size_t d : request.shape) {
        if (d == 0) throw ConfigError("table '" + request.name + "' has a dimension of size 0");
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(double) / d)
            throw ConfigError("table '" + request.name + "' is larger than memory can address");
        n *= d;
    }
}

std::shared_ptr<const Table> TableService::get(const TableRequest& request, const TableFill& fill) {
    check_table_request(request);
    const std::lock_guard lock(mutex_);
    const std::int64_t start = monotonic_ns();
    Obtained obtained = obtain(request, fill);
    if (recorded_.insert(table_key(request)).second)
        records_.push_back({request.name, ++generations_[request.name], request.bytes(), obtained.built,
                            obtained.table->shared(), double(monotonic_ns() - start) * 1e-9});
    return std::move(obtained.table);
}

std::vector<TableRecord> TableService::records() const {
    const std::lock_guard lock(mutex_);
    return records_;
}

TableService::Obtained PrivateTables::obtain(const TableRequest& request, const TableFill& fill) {
    const std::string key = table_key(request);
    if (auto held = held_.find(key)) return {held, false};
    std::vector<double> values(request.values());
    try {
        fill(values);
    } catch (const std::exception& e) {
        throw Error("building table '" + request.name + "': " + e.what());
    }
    auto table = std::make_shared<const PrivateTable>(request, std::move(values));
    held_.remember(key, table);
    return {table, true};
}

}  // namespace mpitray
