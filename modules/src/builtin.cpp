#include <mpitray/modules/builtin.hpp>

namespace mpitray {

void register_generator();
void register_splitter();
void register_filter();
void register_work();
void register_fail();
void register_print();
void register_stamp();
void register_count();
void register_histogram();
void register_sequence();

void register_builtin_modules() {
    register_generator();
    register_splitter();
    register_filter();
    register_work();
    register_fail();
    register_print();
    register_stamp();
    register_count();
    register_histogram();
    register_sequence();
}

}  // namespace mpitray
