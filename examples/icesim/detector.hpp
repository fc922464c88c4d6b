#pragma once
// The detector layout: building the in-ice array, and finding the modules near a line segment
// quickly enough to follow millions of photon steps.
#include "physics.hpp"
#include "types.hpp"

#include <cstdint>
#include <vector>

namespace icesim {

struct ArrayShape {
    std::int64_t strings = 86;             // vertical strings on a hexagonal grid
    std::int64_t modules_per_string = 60;  // optical modules per string, top to bottom
    double string_spacing = 125;           // m between neighbouring strings
    double module_spacing = 17;            // m between modules on a string
};

// Strings on the points of a hexagonal grid nearest the centre (ties broken by angle), numbered
// from 1 outwards; modules from 1 at the top, the array centred on z = 0.
IceGeometry make_geometry(const ArrayShape& shape);

// Throws std::runtime_error naming `what` unless every index in `modules` is a module of a
// geometry of `count` modules: objects read from a file may come from another geometry.
void check_module_indices(const std::vector<std::int64_t>& modules, std::size_t count, const char* what);

// A segment's first passage within `radius` of a module.
struct ModuleHit {
    std::int64_t module = -1;
    double fraction = 0;  // where along the segment, 0 to 1
};

// Finds modules near segments. Strings are vertical lines; a grid of square cells over the
// horizontal plane lists the strings within `radius` of each cell, so a short segment is
// checked against a string or two, not against the whole array.
class ModuleLocator {
public:
    ModuleLocator(const IceGeometry& geometry, double radius);

    // The first module (along the segment from `from` to `to`) whose centre is within `radius`
    // of the segment, if any.
    ModuleHit first_hit(const Vec3& from, const Vec3& to) const;

private:
    struct String {
        double x = 0, y = 0;
        std::vector<double> z;             // ascending
        std::vector<std::int64_t> module;  // the module at each z
    };
    const std::vector<int>* cell(long ix, long iy) const;

    double radius_;
    double cell_size_;
    double origin_ = 0;  // lower edge of the grid, both axes
    long cells_ = 0;     // per axis
    std::vector<String> strings_;
    std::vector<std::vector<int>> grid_;
};

}  // namespace icesim
