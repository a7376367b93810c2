//! The words on the page: what each mode is and what the user is looking at.

use tasklab_core::settings::Mode;

/// Two or three plain sentences on what a run in `mode` shows.
pub fn mode_explanation(mode: Mode) -> &'static str {
    match mode {
        Mode::Multitasking => {
            "One CPU — this page's main thread — takes the tasks in turns: each gets a short time slice, then \
             the executor hands the thread back to the browser so it can draw and react to you, and the next task \
             continues. The tasks only look simultaneous: in the timeline there is a single lane, and the slices \
             never overlap. A task that is waiting gives up its turn, so pauses cost nothing."
        }
        Mode::Multiprocessing => {
            "The tasks go to several Web Workers, each on its own core, and really run at the same moment: the \
             timeline shows one lane per worker with slices side by side. With as many free cores as workers, \
             CPU-bound work finishes up to that many times sooner, and the page stays smooth because the main \
             thread only hands out work and collects results."
        }
        Mode::SingleThread => {
            "The same tasks on the main thread, but the executor never gives the thread back until everything is \
             done. The work takes about as long as in multitasking, yet the page is frozen the whole time: \
             progress bars do not move and clicks wait. That is why an event loop must yield."
        }
    }
}

/// Why a run in `mode` of this page may differ from a textbook's ideal.
pub const MEASUREMENT_NOTE: &str =
    "Times are measured in this browser on this machine: other programs, the browser \
    itself and a background tab (whose timers are throttled) all take their share.";
