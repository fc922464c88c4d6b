#include <mpitray/shadowframes/launcher_watch.hpp>

#include <mpitray/core/signals.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <thread>

#ifdef MPITRAY_HAVE_PMIX
#include <pmix.h>
#endif

namespace mpitray::mpi {
namespace {

std::atomic<bool> launcher_lost{false};
std::atomic<bool> watching{false};
std::chrono::seconds end_bound{60};
bool stop_on_loss = false;
std::atomic<int> registration{0};  // 1 done, -1 refused; static: PMIx may answer after start() gave up

#ifdef MPITRAY_HAVE_PMIX
// Runs on PMIx's progress thread.
void on_lost_connection(std::size_t, pmix_status_t, const pmix_proc_t*, pmix_info_t*, std::size_t, pmix_info_t*,
                        std::size_t, pmix_event_notification_cbfunc_fn_t done, void* done_data) {
    if (!launcher_lost.exchange(true)) {
        // Output to mpirun's pipes would now raise SIGPIPE: what is printed is lost, not fatal.
        std::signal(SIGPIPE, SIG_IGN);
        if (stop_on_loss && StopSignal::received() == 0) StopSignal::request(SIGHUP);
        std::thread([] {
            std::this_thread::sleep_for(end_bound);
            std::_Exit(128 + SIGHUP);
        }).detach();
    }
    // Complete: the handlers after this one (Open MPI's, which ends the process) are not called.
    if (done) done(PMIX_EVENT_ACTION_COMPLETE, nullptr, 0, nullptr, nullptr, done_data);
}

void on_registered(pmix_status_t status, std::size_t, void*) { registration = status == PMIX_SUCCESS ? 1 : -1; }
#endif

}  // namespace

void LauncherWatch::start(std::chrono::seconds bound, bool stop_run) {
    end_bound = bound;
    stop_on_loss = stop_run;
#ifdef MPITRAY_HAVE_PMIX
    if (!PMIx_Initialized()) return;
    static pmix_status_t codes[] = {PMIX_ERR_LOST_CONNECTION};
    static pmix_info_t first;  // ahead of every handler already registered
    PMIX_INFO_LOAD(&first, PMIX_EVENT_HDLR_PREPEND, nullptr, PMIX_BOOL);
    PMIx_Register_event_handler(codes, 1, &first, 1, on_lost_connection, on_registered, nullptr);
    // Registration completes on PMIx's progress thread, promptly; bounded all the same.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (registration.load() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    watching = registration.load() == 1;
#endif
}

bool LauncherWatch::lost() noexcept { return launcher_lost.load(); }
bool LauncherWatch::active() noexcept { return watching.load(); }

}  // namespace mpitray::mpi
