#pragma once
// `mpitray run --resume`, before the tray is built (rank 0): what the earlier run left of this
// pipeline's outputs, whether it was the same run, and the checkpoint to go on from. Nothing is
// changed until every output has been read and checked; then each is rewound to that checkpoint
// (io/output_rewind.hpp), and the Writers write on from there.
#include <mpitray/core/checkpoint.hpp>
#include <mpitray/core/pipeline.hpp>
#include <mpitray/io/output_file.hpp>

#include <memory>
#include <string>

namespace mpitray::cli {

struct ResumeDecision {
    enum class Kind {
        start,     // nothing to go on from: the run starts at the beginning
        resume,    // go on from `from`
        complete,  // the earlier run finished: nothing to do
    };
    Kind kind = Kind::start;
    std::shared_ptr<const Checkpoint> from;
    std::string message;  // for the user, one line
};

// Throws ConfigError for a pipeline that cannot resume (not one Dispatch, outputs before it),
// and StorageError for outputs of another run (pipeline, seed or options differ), missing,
// damaged or being written; nothing is changed then.
ResumeDecision prepare_resume(const Pipeline& pipeline, const io::Provenance& run);

}  // namespace mpitray::cli
