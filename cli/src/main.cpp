// mpitray: run pipelines, list modules, inspect and compare frame files.
#include <mpitray/cli/command_line.hpp>

int main(int argc, char** argv) { return mpitray::run_command_line(argc, argv); }
