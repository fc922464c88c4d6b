#pragma once
// The exception hierarchy. One root type, a few children that say which part of the system
// failed; the message itself says what, where and what to do.
#include <new>
#include <stdexcept>
#include <string>

namespace mpitray {

// Root of every error mpitray throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A pipeline file, a parameter or a command line that cannot work. Found before any frame
// moves; the CLI exits with code 2.
class ConfigError : public Error {
public:
    using Error::Error;
};

// Bytes that do not decode: a bad frame encoding, a checksum mismatch, an unregistered type.
class SerializationError : public Error {
public:
    using Error::Error;
};

// A file that cannot be opened, read or written.
class StorageError : public Error {
public:
    using Error::Error;
};

// A failed MPI call; keeps the MPI error code and its string.
class MpiError : public Error {
public:
    MpiError(const std::string& what, int code) : Error(what), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

// A module's callback threw. Carries the module name and which frame it was working on, so
// the report can say where to look.
class ModuleError : public Error {
public:
    ModuleError(std::string module, std::string frame, const std::string& message)
        : Error("module '" + module + "' failed on " + frame + ": " + message),
          module_(std::move(module)),
          frame_(std::move(frame)),
          message_(message) {}
    const std::string& module() const noexcept { return module_; }
    const std::string& frame() const noexcept { return frame_; }
    const std::string& message() const noexcept { return message_; }

private:
    std::string module_;
    std::string frame_;
    std::string message_;
};

// What a std::bad_alloc means to a user: its own what() ("std::bad_alloc") says nothing. Readers
// check every length a file declares before allocating, so this is a real shortage.
inline constexpr const char* out_of_memory_message =
    "ran out of memory (a request for memory failed: the process reached its limit, ulimit -v or "
    "the job's memory, or the machine has no more)";

// What to tell the user about an exception: its what(), but for std::bad_alloc the message above.
inline const char* message_of(const std::exception& e) noexcept {
    return dynamic_cast<const std::bad_alloc*>(&e) != nullptr ? out_of_memory_message : e.what();
}

}  // namespace mpitray
