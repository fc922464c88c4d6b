#pragma once
// The services a tray's modules may use, handed in by whoever builds the tray (the program's
// main(), a test), as IceTray's context does: a module asks for a service by its type instead of
// reaching for a process-wide global. So two trays in one process (two runs of the command line,
// a test next to a run) each see their own.
//
// The context holds pointers, not the services: the builder keeps each service alive for as long
// as any tray built with it. Core knows nothing of the services' types (a Dispatch's MPI
// communicator, say), so it stays free of MPI and HDF5.
#include <mpitray/core/error.hpp>

#include <boost/core/demangle.hpp>

#include <map>
#include <typeindex>
#include <typeinfo>

namespace mpitray {

class Context {
public:
    // Makes `service` the tray's T; replaces an earlier one.
    template <class T>
    void put(T& service) {
        services_[std::type_index(typeid(T))] = &service;
    }
    template <class T>
    void remove() {
        services_.erase(std::type_index(typeid(T)));
    }
    // The tray's T, or nullptr when none was handed in.
    template <class T>
    T* find() const {
        const auto it = services_.find(std::type_index(typeid(T)));
        return it == services_.end() ? nullptr : static_cast<T*>(it->second);
    }
    // The tray's T; ConfigError when none was handed in.
    template <class T>
    T& get() const {
        if (T* service = find<T>()) return *service;
        throw ConfigError("this tray was built without a " + boost::core::demangle(typeid(T).name()) +
                          " in its context, which a module needs");
    }

private:
    std::map<std::type_index, void*> services_;
};

}  // namespace mpitray
