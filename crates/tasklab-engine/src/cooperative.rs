//! The cooperative executor: one thread, the scenario's policy deciding which task runs, a time slice at most
//! between two yields.
//!
//! The policy ([`RealSchedule`], applied by a [`Dispatcher`]) decides who runs and for how long (a *turn*: a
//! round-robin quantum, an MLFQ level's quantum, or the whole CPU burst for FCFS, SJF and priority). A turn
//! longer than the slice is cut into slices; after every slice the executor yields to the host's event loop (the
//! browser renders and handles input in between) and then goes on with the same turn, unless a task that became
//! ready meanwhile preempts it (preemptive policies). The no-yield mode never yields, to show what happens then.
//!
//! No task runs before its `arrival_ms` (counted from the run's start). A task that reaches a wait phase leaves
//! the CPU; when no task is ready, the executor sleeps until the next arrival or wake-up (the no-yield mode spins
//! instead, as a blocking program would).

use tasklab_core::report::RunRecord;
use tasklab_core::scenario::{Scenario, TaskRun, TaskStep};

use crate::host::{Clock, Host};
use crate::progress::{BatchSizer, LiveProgress};
use crate::record::RecordBuilder;
use crate::schedule::{micros, Dispatcher, Pending, RealSchedule};

/// Shortest slice cut short by a coming arrival (preemptive policies), so a slice always does some work.
pub const MIN_SLICE_MS: f64 = 0.05;

/// Timers fire late (browsers clamp nested timers to 4 ms): a wait sleeps on a timer until this long before it
/// is due, then yields to the event loop until it is, so a task wakes within a yield of its due time.
pub const TIMER_SLACK_MS: f64 = 4.0;

/// Waits about `ms` (at most `cap_ms`): a timer for all but the last [`TIMER_SLACK_MS`], a plain yield then.
pub(crate) async fn nap<H: Host>(host: &H, ms: f64, cap_ms: f64) {
    if ms > TIMER_SLACK_MS {
        host.sleep_ms((ms - TIMER_SLACK_MS).min(cap_ms)).await;
    } else {
        host.yield_now().await;
    }
}

/// Longest sleep while every task waits, so a Stop is noticed within this many milliseconds.
pub const STOP_POLL_MS: f64 = 50.0;

/// The only lane of a cooperative run: the thread it runs on.
pub const MAIN_LANE: usize = 0;

/// How the cooperative executor behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct CooperativeOptions {
    /// Longest stretch on the thread before yielding, in milliseconds.
    pub slice_ms: f64,
    /// Give the thread back to the event loop after each slice (false: the no-yield mode).
    pub yield_to_host: bool,
    /// The policy deciding who runs.
    pub schedule: RealSchedule,
}

/// The task holding the CPU, across slices.
#[derive(Debug, Clone, Copy)]
struct Turn {
    task: usize,
    /// CPU time left in the turn.
    left_us: u64,
    /// The key it was picked with ([`Dispatcher::pick`]).
    key: i128,
}

/// Runs every task of `scenario` to the end (or until Stop) and records each slice.
///
/// The scenario must be valid ([`Scenario::validate`]); the page checks it before a run.
pub async fn run_cooperative<H: Host>(
    scenario: &Scenario,
    options: &CooperativeOptions,
    host: &H,
    progress: &LiveProgress,
) -> RunRecord {
    let clock = host.clock();
    let run_start = clock.now_ms();
    let now_us = || micros(clock.now_ms() - run_start);
    let schedule = &options.schedule;
    let mut record = RecordBuilder::new(scenario, run_start);
    let mut runs: Vec<TaskRun> = scenario.tasks.iter().map(TaskRun::new).collect();
    let mut batch_sizers = vec![BatchSizer::default(); runs.len()];
    let mut dispatcher: Dispatcher<usize> = Dispatcher::new(schedule, scenario);
    let mut pending = Pending::arrivals(scenario);
    let mut turn: Option<Turn> = None;
    // End of the last slice, unless the executor slept since: the gap to the next slice is its own cost.
    let mut last_slice_end: Option<f64> = None;
    let mut stretch_start = run_start;

    loop {
        // The record marks the run stopped if any task is left unfinished.
        if progress.stop_requested() {
            break;
        }
        let now = now_us();
        if dispatcher.boost_if_due(now) {
            if let Some(current) = turn.as_mut() {
                current.left_us = dispatcher.turn_length_us(current.task, u64::MAX);
            }
        }
        admit_due(&mut pending, now, &mut dispatcher, schedule, &runs);
        if let Some(current) = turn {
            let remaining = schedule.remaining_us(&runs[current.task]);
            if dispatcher.should_preempt(current.task, remaining, current.key, now) {
                dispatcher.enter(current.task, current.task, remaining, now, true);
                turn = None;
            }
        }
        let current = match turn {
            Some(current) => current,
            None => match dispatcher.pick(now) {
                Some((task, key)) => {
                    let remaining = schedule.remaining_us(&runs[task]);
                    Turn {
                        task,
                        left_us: dispatcher.turn_length_us(task, remaining),
                        key,
                    }
                }
                None => {
                    let Some(next_due) = pending.next_at_us() else {
                        break; // nothing ready, nothing to come: every task is done
                    };
                    last_slice_end = None;
                    let wait_ms = next_due.saturating_sub(now) as f64 / 1_000.0;
                    if options.yield_to_host {
                        record.held_main_thread(stretch_start, clock.now_ms());
                        // In short naps, so Stop is seen soon even when every task waits for seconds.
                        nap(host, wait_ms, STOP_POLL_MS).await;
                        stretch_start = clock.now_ms();
                    } else {
                        while now_us() < next_due && !progress.stop_requested() {
                            std::hint::spin_loop();
                        }
                    }
                    continue;
                }
            },
        };

        let task = current.task;
        let slice_start = clock.now_ms();
        if let Some(end) = last_slice_end {
            record.overhead(slice_start - end);
        }
        record.task_started(task, slice_start);
        let mut slice_ms = options.slice_ms.min(current.left_us as f64 / 1_000.0);
        // A preemptive policy decides when a task becomes ready, not only when the slice ends.
        if dispatcher.rules().is_preemptive() {
            if let Some(until_due_ms) = pending.ms_until_next(now_us()) {
                slice_ms = slice_ms.min(until_due_ms.max(MIN_SLICE_MS));
            }
        }
        let deadline = slice_start + slice_ms;
        let mut outcome = SliceOutcome::StillComputing;
        let mut units_this_slice = 0;
        loop {
            let step_start = clock.now_ms();
            let budget = batch_sizers[task].units();
            match runs[task].step(budget) {
                TaskStep::Computed(ran) => {
                    units_this_slice += ran;
                    progress.add_units(task, ran);
                    let step_end = clock.now_ms();
                    batch_sizers[task].observe(ran, step_end - step_start);
                    if step_end >= deadline || progress.stop_requested() {
                        break;
                    }
                }
                TaskStep::Wait(ms) => {
                    outcome = SliceOutcome::Waits(ms);
                    break;
                }
                TaskStep::Finished => {
                    record.task_finished(task, clock.now_ms());
                    outcome = SliceOutcome::Finished;
                    break;
                }
            }
        }
        let slice_end = clock.now_ms();
        last_slice_end = Some(slice_end);
        let ran_us = micros(slice_end - slice_start);
        // A turn that only moved the task into a wait used no CPU worth drawing.
        if units_this_slice > 0 {
            record.slice(task, MAIN_LANE, slice_start, slice_end);
            dispatcher.account(task, ran_us);
        }
        turn = match outcome {
            SliceOutcome::StillComputing if ran_us < current.left_us => Some(Turn {
                left_us: current.left_us - ran_us,
                ..current
            }),
            SliceOutcome::StillComputing => {
                // The turn is used up: the task goes back to the ready queue, after anything that became ready
                // during its slice.
                let end = now_us();
                admit_due(&mut pending, end, &mut dispatcher, schedule, &runs);
                let remaining = schedule.remaining_us(&runs[task]);
                dispatcher.enter(task, task, remaining, end, true);
                None
            }
            SliceOutcome::Waits(ms) => {
                pending.wake_after(task, now_us(), ms);
                None
            }
            SliceOutcome::Finished => None,
        };
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

/// Moves the tasks due by `now_us` into the ready queue, in the order they became ready (ties: scenario order).
fn admit_due(
    pending: &mut Pending,
    now_us: u64,
    dispatcher: &mut Dispatcher<usize>,
    schedule: &RealSchedule,
    runs: &[TaskRun],
) {
    for ready in pending.take_due(now_us) {
        let remaining = schedule.remaining_us(&runs[ready.task]);
        dispatcher.enter(ready.task, ready.task, remaining, ready.at_us, false);
    }
}

/// How a slice ended.
#[derive(Debug, Clone, Copy)]
enum SliceOutcome {
    StillComputing,
    Waits(u32),
    Finished,
}
