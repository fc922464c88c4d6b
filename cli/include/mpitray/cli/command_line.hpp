#pragma once
// The mpitray command line (run, modules, dump, diff, merge) as a function, so a program with modules
// of its own is the `mpitray` program plus those modules:
//
//     // mysim.cpp: register your modules and types (or use the MPITRAY_REGISTER_* macros), then
//     int main(int argc, char** argv) {
//         register_my_modules();
//         return mpitray::run_command_line(argc, argv, "mysim");
//     }
//
// `mysim run pipeline.yaml` then runs under mpirun or srun on many ranks exactly as `mpitray run`
// does. The built-in, io and Dispatch modules are registered too.
namespace mpitray {

// Parses the arguments, runs the subcommand and returns the process exit code (0, 1, 2, or 75
// for a clean stop by a signal). `program` names the program in --help and --version.
int run_command_line(int argc, char** argv, const char* program = "mpitray");

}  // namespace mpitray
