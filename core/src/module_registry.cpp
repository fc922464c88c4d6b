#include <mpitray/core/module_registry.hpp>

#include <mpitray/core/error.hpp>

#include <algorithm>

namespace mpitray {

ModuleRegistry& ModuleRegistry::instance() {
    static ModuleRegistry registry;
    return registry;
}

void ModuleRegistry::add(ModuleInfo info) {
    if (auto it = modules_.find(info.type); it != modules_.end()) {
        if (it->second.doc == info.doc) return;
        throw ConfigError("two different modules are registered as '" + info.type + "'");
    }
    modules_.emplace(info.type, std::move(info));
}

bool ModuleRegistry::remove(const std::string& type) { return modules_.erase(type) != 0; }

const ModuleInfo* ModuleRegistry::find(const std::string& type) const {
    auto it = modules_.find(type);
    return it == modules_.end() ? nullptr : &it->second;
}

std::vector<const ModuleInfo*> ModuleRegistry::all() const {
    std::vector<const ModuleInfo*> out;
    for (const auto& [type, info] : modules_) out.push_back(&info);
    return out;
}

std::unique_ptr<Module> ModuleRegistry::create(const std::string& type, const std::string& name) const {
    const ModuleInfo* info = find(type);
    if (info == nullptr) {
        std::vector<std::string> names;
        for (const auto& [known, unused] : modules_) names.push_back(known);
        std::string message = "unknown module '" + type + "'";
        if (auto close = closest_names(type, names); !close.empty())
            message += "; did you mean '" + close.front() + "'?";
        message += " ('mpitray modules' lists them all)";
        throw ConfigError(message);
    }
    std::unique_ptr<Module> module = info->make();
    module->name_ = name;
    module->type_ = type;
    return module;
}

std::vector<std::string> closest_names(const std::string& word, const std::vector<std::string>& candidates) {
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t above = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diagonal = above;
            }
        }
        return row[b.size()];
    };
    const std::string w = lower(word);
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const std::string& c : candidates) {
        const std::size_t d = distance(w, lower(c));
        if (d <= std::max<std::size_t>(2, w.size() / 3)) scored.emplace_back(d, c);
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::string> out;
    out.reserve(scored.size());
    for (auto& [d, c] : scored) out.push_back(c);
    return out;
}

}  // namespace mpitray
