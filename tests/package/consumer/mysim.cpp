// The mpitray command line with the project's own module: `mysim run`, `mysim modules`, ...
#include "reconstruct.hpp"

#include <mpitray/cli/command_line.hpp>

int main(int argc, char** argv) {
    register_reconstruct();
    return mpitray::run_command_line(argc, argv, "mysim");
}
