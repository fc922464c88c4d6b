// icesim: the mpitray command line with the toy in-ice simulation's modules added.
#include "modules.hpp"

#include <mpitray/cli/command_line.hpp>

int main(int argc, char** argv) {
    icesim::register_icesim();
    return mpitray::run_command_line(argc, argv, "icesim");
}
