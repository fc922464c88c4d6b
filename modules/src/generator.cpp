// Generator: a synthetic stream for tests and benchmarks.
#include <mpitray/core/module_registry.hpp>
#include <mpitray/core/standard_types.hpp>

#include <algorithm>
#include <cstring>
#include <map>

namespace mpitray {
namespace {

class Generator : public Module {
public:
    Generator() {
        add_parameter<std::int64_t>("events", "number of event frames to make (0 to 2^53)", 10);
        add_parameter<std::int64_t>("metadata_every",
                                    "emit new G, C and D frames (with changed content) every this many events; "
                                    "0: only at the start (0 to 2^53)",
                                    0);
        add_parameter<std::int64_t>("payload_bytes",
                                    "size of the random 'Payload' object in each event frame (0 to 1 GiB)", 256);
        add_parameter<bool>("packets", "make Q frames (for a Splitter) instead of P frames", false);
        add_parameter<std::int64_t>("run", "run number in every EventHeader", 1);
        add_parameter<std::int64_t>("first_event",
                                    "event number of the first event frame: this run is the slice of a larger "
                                    "sample that starts there, and draws the same random numbers as the whole "
                                    "sample run at once (merge slices with 'mpitray merge'); 0 to 2^53",
                                    0);
        add_parameter<bool>("random_payload",
                            "fill the Payload from the framework RNG; false: with the event number's low byte "
                            "(cheap, for benchmarks that measure what happens to frames, not their making)",
                            true);
    }

    bool is_source() const override { return true; }

    void configure() override {
        // Sample places are counted in 64 bits: keep first event, events and metadata well inside.
        events_ = parameter_within("events", 0, limits::count, limits::count_note);
        metadata_every_ = parameter_within("metadata_every", 0, limits::count, limits::count_note);
        payload_bytes_ = parameter_within("payload_bytes", 0, limits::object_bytes, limits::object_bytes_note);
        run_ = parameter<std::int64_t>("run");  // a label: any 64-bit number
        first_event_ = parameter_within("first_event", 0, limits::count, limits::count_note);
        random_payload_ = parameter<bool>("random_payload");
        event_stop_ = parameter<bool>("packets") ? Stop::daq() : Stop::physics();
    }

    // The whole sample is: metadata (version 0), events 0 .. metadata_every - 1, metadata
    // (version 1), and so on. A slice (first_event > 0) starts with the metadata in force at its
    // first event, then follows the whole sample's layout from there; every frame is placed where
    // it sits in the whole sample, so a slice draws the same random numbers as the whole sample
    // there, and its leading metadata frames are byte for byte the ones `mpitray merge` leaves out
    // as repeated.
    bool produce() override {
        const std::int64_t event = first_event_ + next_event_;
        if (next_event_ == 0) push_metadata(version_at(event));
        else if (metadata_every_ > 0 && event % metadata_every_ == 0 && next_event_ < events_)
            push_metadata(event / metadata_every_);
        if (next_event_ >= events_) return false;
        push_event(next_event_++);
        return next_event_ < events_;
    }

private:
    static constexpr std::int64_t metadata_frames = 3;  // G, C, D

    // The metadata version in force at `event` of the whole sample.
    std::int64_t version_at(std::int64_t event) const { return metadata_every_ > 0 ? event / metadata_every_ : 0; }
    // Places in the whole sample: metadata version v comes just before event v * metadata_every.
    std::uint64_t metadata_place(std::int64_t version) const {
        return std::uint64_t(version * metadata_every_ + version * metadata_frames);
    }
    std::uint64_t event_place(std::int64_t event) const {
        return std::uint64_t(event + (version_at(event) + 1) * metadata_frames);
    }

    void push_metadata(std::int64_t version) {
        place_in_sample(metadata_place(version));
        auto geometry = make_frame(Stop::geometry());
        geometry->put<std::int64_t>("GeometryVersion", version);
        std::vector<double> positions;
        positions.reserve(16);
        for (int i = 0; i < 16; ++i) positions.push_back(125.0 * i + 0.5 * double(version));
        geometry->put("ModulePositions", positions);
        push(geometry);

        auto calibration = make_frame(Stop::calibration());
        calibration->put<std::int64_t>("CalibrationVersion", version);
        calibration->put("Gains", std::map<std::string, double>{{"low", 0.1 * double(version + 1)},
                                                                {"high", 10.0 + double(version)}});
        push(calibration);

        auto status = make_frame(Stop::detector_status());
        status->put<std::int64_t>("StatusVersion", version);
        status->put("DeadModules", std::vector<std::int64_t>{version % 16, (version * 7 + 3) % 16});
        push(status);
    }

    void push_event(std::int64_t index) {
        place_in_sample(event_place(first_event_ + index));
        auto frame = make_frame(event_stop_);
        frame->put(event_header_key, EventHeader{run_, first_event_ + index, 0});
        std::vector<std::uint8_t> payload(static_cast<std::size_t>(payload_bytes_), std::uint8_t(first_event_ + index));
        Rng& random = rng();
        for (std::size_t i = 0; random_payload_ && i < payload.size(); i += 8) {
            const std::uint64_t word = random.next();  // little-endian bytes of each draw
            std::memcpy(payload.data() + i, &word, std::min<std::size_t>(8, payload.size() - i));
        }
        frame->put("Payload", std::move(payload));
        frame->put("Energy", rng().lognormal(2.0, 1.0));
        push(frame);
    }

    std::int64_t events_ = 0;
    std::int64_t metadata_every_ = 0;
    std::int64_t payload_bytes_ = 0;
    std::int64_t run_ = 1;
    std::int64_t first_event_ = 0;
    bool random_payload_ = true;
    Stop event_stop_ = Stop::physics();
    std::int64_t next_event_ = 0;
};

}  // namespace

void register_generator() {
    ModuleRegistry::instance().add({"Generator",
                                    "synthetic stream: G, C, D metadata frames, then event frames with an EventHeader, "
                                    "an Energy and a random Payload",
                                    [] { return std::make_unique<Generator>(); }});
}

}  // namespace mpitray
