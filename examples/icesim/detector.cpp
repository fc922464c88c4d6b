#include "detector.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace icesim {

IceGeometry make_geometry(const ArrayShape& shape) {
    // Hexagonal lattice points a*(i + j/2, j*sqrt(3)/2), nearest the centre first.
    struct Point {
        double x, y, r, angle;
    };
    std::vector<Point> points;
    const long reach = static_cast<long>(std::ceil(std::sqrt(double(shape.strings)))) + 2;
    for (long i = -reach; i <= reach; ++i)
        for (long j = -reach; j <= reach; ++j) {
            const double x = shape.string_spacing * (double(i) + 0.5 * double(j));
            const double y = shape.string_spacing * (std::sqrt(3.0) / 2 * double(j));
            // Rounded so that lattice points at the same distance compare equal.
            const double r = std::round(std::hypot(x, y) * 1e6) / 1e6;
            points.push_back({x, y, r, std::atan2(y, x)});
        }
    std::sort(points.begin(), points.end(),
              [](const Point& a, const Point& b) { return a.r != b.r ? a.r < b.r : a.angle < b.angle; });
    if (std::size_t(shape.strings) > points.size()) throw std::invalid_argument("too many strings");

    IceGeometry g;
    const double top = 0.5 * shape.module_spacing * double(shape.modules_per_string - 1);
    for (std::int64_t s = 0; s < shape.strings; ++s)
        for (std::int64_t m = 0; m < shape.modules_per_string; ++m) {
            g.string.push_back(s + 1);
            g.om.push_back(m + 1);
            g.x.push_back(points[std::size_t(s)].x);
            g.y.push_back(points[std::size_t(s)].y);
            g.z.push_back(top - shape.module_spacing * double(m));
        }
    return g;
}

void check_module_indices(const std::vector<std::int64_t>& modules, std::size_t count, const char* what) {
    for (std::int64_t m : modules)
        if (m < 0 || std::size_t(m) >= count)
            throw std::runtime_error(std::string(what) + " names module " + std::to_string(m) +
                                     ", but the Geometry has " + std::to_string(count) + " modules");
}

ModuleLocator::ModuleLocator(const IceGeometry& geometry, double radius)
    : radius_(radius), cell_size_(std::max(4 * radius, 10.0)) {
    std::map<std::int64_t, std::size_t> string_of;  // string number -> index into strings_
    double extent = 0;
    for (std::size_t i = 0; i < geometry.size(); ++i) {
        auto [it, added] = string_of.emplace(geometry.string[i], strings_.size());
        if (added) strings_.push_back({geometry.x[i], geometry.y[i], {}, {}});
        String& s = strings_[it->second];
        if (geometry.x[i] != s.x || geometry.y[i] != s.y) throw std::invalid_argument("a string that is not vertical");
        s.z.push_back(geometry.z[i]);
        s.module.push_back(std::int64_t(i));
        extent = std::max({extent, std::abs(s.x), std::abs(s.y)});
    }
    for (String& s : strings_) {  // sort each string's modules by height
        std::vector<std::size_t> order(s.z.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&s](std::size_t a, std::size_t b) { return s.z[a] < s.z[b]; });
        String sorted{s.x, s.y, {}, {}};
        for (std::size_t i : order) {
            sorted.z.push_back(s.z[i]);
            sorted.module.push_back(s.module[i]);
        }
        s = std::move(sorted);
    }
    origin_ = -(extent + radius_ + cell_size_);
    cells_ = static_cast<long>(std::ceil(-2 * origin_ / cell_size_)) + 1;
    grid_.assign(std::size_t(cells_ * cells_), {});
    for (std::size_t k = 0; k < strings_.size(); ++k) {
        const String& s = strings_[k];
        const long x0 = long(std::floor((s.x - radius_ - origin_) / cell_size_));
        const long x1 = long(std::floor((s.x + radius_ - origin_) / cell_size_));
        const long y0 = long(std::floor((s.y - radius_ - origin_) / cell_size_));
        const long y1 = long(std::floor((s.y + radius_ - origin_) / cell_size_));
        for (long ix = x0; ix <= x1; ++ix)
            for (long iy = y0; iy <= y1; ++iy) grid_[std::size_t(ix * cells_ + iy)].push_back(int(k));
    }
}

const std::vector<int>* ModuleLocator::cell(long ix, long iy) const {
    if (ix < 0 || iy < 0 || ix >= cells_ || iy >= cells_) return nullptr;
    const auto& strings = grid_[std::size_t(ix * cells_ + iy)];
    return strings.empty() ? nullptr : &strings;
}

ModuleHit ModuleLocator::first_hit(const Vec3& from, const Vec3& to) const {
    ModuleHit best;
    best.fraction = 2;
    const long x0 = long(std::floor((std::min(from.x, to.x) - origin_) / cell_size_));
    const long x1 = long(std::floor((std::max(from.x, to.x) - origin_) / cell_size_));
    const long y0 = long(std::floor((std::min(from.y, to.y) - origin_) / cell_size_));
    const long y1 = long(std::floor((std::max(from.y, to.y) - origin_) / cell_size_));
    const Vec3 step = to - from;
    const double length2 = step.dot(step);
    if (length2 <= 0) return {};
    const double r2 = radius_ * radius_;
    // Modules whose height is within reach of the segment.
    const double zlow = std::min(from.z, to.z) - radius_, zhigh = std::max(from.z, to.z) + radius_;
    for (long ix = x0; ix <= x1; ++ix)
        for (long iy = y0; iy <= y1; ++iy) {
            const std::vector<int>* strings = cell(ix, iy);
            if (!strings) continue;
            for (int k : *strings) {
                const String& s = strings_[std::size_t(k)];
                auto first = std::lower_bound(s.z.begin(), s.z.end(), zlow);
                for (auto it = first; it != s.z.end() && *it <= zhigh; ++it) {
                    const Vec3 centre{s.x, s.y, *it};
                    const Vec3 rel = centre - from;
                    const double along = rel.dot(step) / length2;  // closest approach, as a fraction
                    const Vec3 miss = centre - (from + step * std::clamp(along, 0.0, 1.0));
                    if (miss.dot(miss) > r2) continue;
                    // Where the line enters the sphere, from its closest approach to the centre,
                    // which may lie beyond the segment's end.
                    const double perpendicular2 = std::max(0.0, rel.dot(rel) - along * along * length2);
                    const double entry = std::max(0.0, along - std::sqrt((r2 - perpendicular2) / length2));
                    if (entry >= best.fraction) continue;
                    best.fraction = entry;
                    best.module = s.module[std::size_t(it - s.z.begin())];
                }
            }
        }
    if (best.module < 0) return {};
    return best;
}

}  // namespace icesim
