//! The cooperative executor: one thread, round-robin over ready tasks, a time slice per turn.
//!
//! After every slice it yields to the host's event loop (the browser renders and handles input in between), unless
//! it runs in the no-yield mode, which holds the thread for the whole run to show what happens without yielding.
//! A task that reaches a wait phase leaves the CPU; when every task waits, the executor sleeps until the earliest
//! wakes (the no-yield mode spins instead, as a blocking program would).

use std::collections::VecDeque;

use tasklab_core::report::RunRecord;
use tasklab_core::scenario::{Scenario, TaskRun, TaskStep};

use crate::host::{Clock, Host};
use crate::progress::{BatchSizer, LiveProgress};
use crate::record::RecordBuilder;

/// Longest sleep while every task waits, so a Stop is noticed within this many milliseconds.
pub const STOP_POLL_MS: f64 = 50.0;

/// The only lane of a cooperative run: the thread it runs on.
pub const MAIN_LANE: usize = 0;

/// How the cooperative executor behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CooperativeOptions {
    /// Longest turn of one task before switching, in milliseconds.
    pub slice_ms: f64,
    /// Give the thread back to the event loop after each slice (false: the no-yield mode).
    pub yield_to_host: bool,
}

struct Sleeper {
    wake_at_ms: f64,
    task: usize,
}

/// Runs every task of `scenario` to the end (or until Stop) and records each slice.
///
/// The scenario must be valid ([`Scenario::validate`]); the page checks it before a run.
pub async fn run_cooperative<H: Host>(
    scenario: &Scenario,
    options: CooperativeOptions,
    host: &H,
    progress: &LiveProgress,
) -> RunRecord {
    let clock = host.clock();
    let run_start = clock.now_ms();
    let mut record = RecordBuilder::new(scenario, run_start);
    let mut runs: Vec<TaskRun> = scenario.tasks.iter().map(TaskRun::new).collect();
    let mut batch_sizers = vec![BatchSizer::default(); runs.len()];
    let mut ready: VecDeque<usize> = (0..runs.len()).collect();
    let mut sleepers: Vec<Sleeper> = Vec::new();
    let mut stretch_start = run_start;

    loop {
        // The record marks the run stopped if any task is left unfinished.
        if progress.stop_requested() {
            break;
        }
        let now = clock.now_ms();
        // Tasks whose wait is over join the back of the queue, earliest first (stable: ties keep task order).
        sleepers.sort_by(|a, b| a.wake_at_ms.total_cmp(&b.wake_at_ms));
        while sleepers
            .first()
            .is_some_and(|sleeper| sleeper.wake_at_ms <= now)
        {
            ready.push_back(sleepers.remove(0).task);
        }
        let Some(task) = ready.pop_front() else {
            let Some(earliest) = sleepers.first().map(|sleeper| sleeper.wake_at_ms) else {
                break; // nothing ready, nothing waiting: every task is done
            };
            if options.yield_to_host {
                record.held_main_thread(stretch_start, now);
                // In short naps, so Stop is seen soon even when every task waits for seconds.
                host.sleep_ms((earliest - now).min(STOP_POLL_MS)).await;
                stretch_start = clock.now_ms();
            } else {
                while clock.now_ms() < earliest && !progress.stop_requested() {
                    std::hint::spin_loop();
                }
            }
            continue;
        };

        let slice_start = clock.now_ms();
        record.task_started(task, slice_start);
        let deadline = slice_start + options.slice_ms;
        let mut still_computing = false;
        let mut units_this_turn = 0;
        loop {
            let step_start = clock.now_ms();
            let budget = batch_sizers[task].units();
            match runs[task].step(budget) {
                TaskStep::Computed(ran) => {
                    units_this_turn += ran;
                    progress.add_units(task, ran);
                    let step_end = clock.now_ms();
                    batch_sizers[task].observe(ran, step_end - step_start);
                    if step_end >= deadline || progress.stop_requested() {
                        still_computing = true;
                        break;
                    }
                }
                TaskStep::Wait(ms) => {
                    sleepers.push(Sleeper {
                        wake_at_ms: clock.now_ms() + f64::from(ms),
                        task,
                    });
                    break;
                }
                TaskStep::Finished => {
                    record.task_finished(task, clock.now_ms());
                    break;
                }
            }
        }
        let slice_end = clock.now_ms();
        // A turn that only moved the task into a wait used no CPU worth drawing.
        if units_this_turn > 0 {
            record.slice(task, MAIN_LANE, slice_start, slice_end);
        }
        if still_computing {
            ready.push_back(task);
        }
        if options.yield_to_host {
            record.held_main_thread(stretch_start, slice_end);
            host.yield_now().await;
            stretch_start = clock.now_ms();
        }
    }

    let run_end = clock.now_ms();
    record.held_main_thread(stretch_start, run_end);
    record.finish(run_end, runs.iter().map(TaskRun::checksum).collect(), false)
}
