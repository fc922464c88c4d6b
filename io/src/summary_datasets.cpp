#include <mpitray/io/summary_datasets.hpp>

#include <mpitray/core/summary_set.hpp>
#include <mpitray/io/hdf5.hpp>

#include <fmt/format.h>

#include <array>
#include <vector>

namespace mpitray::io {
namespace {

bool exists(hid_t location, const std::string& path) { return H5Lexists(location, path.c_str(), H5P_DEFAULT) > 0; }

hdf5::Handle make_group(hid_t location, const std::string& name) {
    return hdf5::group(H5Gcreate2(location, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       "creating group '" + name + "'");
}

// A 1-D dataset (or a scalar, for `scalar`) of `count` elements of `type` from `data`.
hdf5::Handle put(hid_t location, const std::string& name, hid_t type, const void* data, std::size_t count,
                 bool scalar = false) {
    const hsize_t dims[1] = {count};
    const hdf5::Handle space =
        hdf5::dataspace(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, nullptr), "summary dataspace");
    hdf5::Handle set =
        hdf5::dataset(H5Dcreate2(location, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "creating summary dataset '" + name + "'");
    hdf5::check_status(H5Dwrite(set.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
                       "writing summary dataset '" + name + "'");
    return set;
}

hdf5::Handle put_scalar(hid_t location, const std::string& name, std::int64_t value) {
    return put(location, name, H5T_NATIVE_INT64, &value, 1, true);
}
void put_scalar(hid_t location, const std::string& name, double value) {
    put(location, name, H5T_NATIVE_DOUBLE, &value, 1, true);
}
template <class T>
void put_vector(hid_t location, const std::string& name, const std::vector<T>& values) {
    put(location, name, std::is_same_v<T, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, values.data(), values.size());
}

void write_histogram(hid_t group, const WeightedHistogram& h) {
    const WeightedHistogram::Arrays a = h.arrays();
    put_vector(group, "edges", a.edges);
    put_vector(group, "counts", a.counts);
    put_vector(group, "sumw", a.sumw);
    put_vector(group, "sumw2", a.sumw2);
    put_vector(group, "flow_counts", a.flow_counts);
    put_vector(group, "flow_sumw", a.flow_sumw);
    put_vector(group, "flow_sumw2", a.flow_sumw2);
}

}  // namespace

void write_summary_datasets(hid_t file, const Frame& frame) {
    const std::string module = summary_frame_module(frame);
    if (module.empty()) return;
    if (!exists(file, "summaries")) make_group(file, "summaries");
    std::string path = "summaries/" + module;
    for (int again = 2; exists(file, path); ++again) path = fmt::format("summaries/{}.{}", module, again);
    const hdf5::Handle group = make_group(file, path);
    for (const auto& [key, object] : frame.own()) {
        if (object->type() != "Summary") continue;
        const Summary& summary = frame.at<Summary>(key);
        if (const auto* count = summary.get<Counter>()) {
            hdf5::set_attribute(put_scalar(group.get(), key, count->value()).get(), "kind", summary.kind());
            continue;
        }
        const hdf5::Handle inner = make_group(group.get(), key);
        hdf5::set_attribute(inner.get(), "kind", summary.kind());
        if (const auto* sum = summary.get<WeightedSum>()) {
            put_scalar(inner.get(), "entries", sum->entries());
            put_scalar(inner.get(), "sumw", sum->sum());
            put_scalar(inner.get(), "sumw2", sum->sum_of_squares());
        } else {
            write_histogram(inner.get(), *summary.get<WeightedHistogram>());
        }
    }
}

}  // namespace mpitray::io
