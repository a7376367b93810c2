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

/// What a cooperative run asks of its host before it is resumed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resume {
    /// Give the thread to the event loop once (render, input), then resume.
    Yield,
    /// Every task waits: resume after about this many milliseconds.
    Sleep(f64),
    /// Every task is done, or Stop was pressed: take the record with [`CooperativeRun::finish`].
    Finished,
}

/// What to ask for while every task waits `ms` more (at most `cap_ms`): a timer for all but the last
/// [`TIMER_SLACK_MS`], a plain yield then (see [`nap`]).
fn nap_request(ms: f64, cap_ms: f64) -> Resume {
    if ms > TIMER_SLACK_MS {
        Resume::Sleep((ms - TIMER_SLACK_MS).min(cap_ms))
    } else {
        Resume::Yield
    }
}

/// A cooperative run as a state machine: each [`resume`](Self::resume) runs on the calling thread until the
/// run must give the thread back (after a slice, or while every task waits) and says how.
///
/// Nothing in it waits, so a host can call it straight from its event loop's callbacks (the browser does: a
/// future resumed after every slice cost more than the yield itself) or from a future ([`run_cooperative`]).
#[derive(Debug)]
pub struct CooperativeRun<C: Clock> {
    clock: C,
    run_start: f64,
    slice_ms: f64,
    yield_to_host: bool,
    schedule: RealSchedule,
    record: RecordBuilder,
    runs: Vec<TaskRun>,
    batch_sizers: Vec<BatchSizer>,
    dispatcher: Dispatcher<usize>,
    pending: Pending,
    turn: Option<Turn>,
    /// End of the last slice, unless the executor slept since: the gap to the next slice is its own cost.
    last_slice_end: Option<f64>,
    /// Since when the run holds the thread without a break.
    stretch_start: f64,
    /// The run gave the thread back and has not been resumed yet.
    away: bool,
}

impl<C: Clock> CooperativeRun<C> {
    /// A run of every task of `scenario` starting now on `clock`.
    ///
    /// The scenario must be valid ([`Scenario::validate`]); the page checks it before a run.
    pub fn new(scenario: &Scenario, options: &CooperativeOptions, clock: C) -> Self {
        let run_start = clock.now_ms();
        let runs: Vec<TaskRun> = scenario.tasks.iter().map(TaskRun::new).collect();
        Self {
            clock,
            run_start,
            slice_ms: options.slice_ms,
            yield_to_host: options.yield_to_host,
            schedule: options.schedule.clone(),
            record: RecordBuilder::new(scenario, run_start),
            batch_sizers: vec![BatchSizer::default(); runs.len()],
            runs,
            dispatcher: Dispatcher::new(&options.schedule, scenario),
            pending: Pending::arrivals(scenario),
            turn: None,
            last_slice_end: None,
            stretch_start: run_start,
            away: false,
        }
    }

    fn now_us(&self) -> u64 {
        micros(self.clock.now_ms() - self.run_start)
    }

    /// Runs slices until the run must give the thread back, and says how ([`Resume`]). Once it says
    /// [`Resume::Finished`], it says so again.
    pub fn resume(&mut self, progress: &LiveProgress) -> Resume {
        let clock = self.clock;
        if self.away {
            self.away = false;
            self.stretch_start = clock.now_ms();
        }
        loop {
            // The record marks the run stopped if any task is left unfinished.
            if progress.stop_requested() {
                return Resume::Finished;
            }
            let now = self.now_us();
            if self.dispatcher.boost_if_due(now) {
                if let Some(current) = self.turn.as_mut() {
                    current.left_us = self.dispatcher.turn_length_us(current.task, u64::MAX);
                }
            }
            self.admit_due(now);
            if let Some(current) = self.turn {
                let remaining = self.schedule.remaining_us(&self.runs[current.task]);
                if self
                    .dispatcher
                    .should_preempt(current.task, remaining, current.key, now)
                {
                    self.dispatcher
                        .enter(current.task, current.task, remaining, now, true);
                    self.turn = None;
                }
            }
            let current = match self.turn {
                Some(current) => current,
                None => match self.dispatcher.pick(now) {
                    Some((task, key)) => {
                        let remaining = self.schedule.remaining_us(&self.runs[task]);
                        Turn {
                            task,
                            left_us: self.dispatcher.turn_length_us(task, remaining),
                            key,
                        }
                    }
                    None => {
                        let Some(next_due) = self.pending.next_at_us() else {
                            return Resume::Finished; // nothing ready, nothing to come: every task is done
                        };
                        self.last_slice_end = None;
                        let wait_ms = next_due.saturating_sub(now) as f64 / 1_000.0;
                        if self.yield_to_host {
                            self.record
                                .held_main_thread(self.stretch_start, clock.now_ms());
                            self.away = true;
                            // In short naps, so Stop is seen soon even when every task waits for seconds.
                            return nap_request(wait_ms, STOP_POLL_MS);
                        }
                        while self.now_us() < next_due && !progress.stop_requested() {
                            std::hint::spin_loop();
                        }
                        continue;
                    }
                },
            };
            let slice_end = self.run_slice(current, progress);
            if self.yield_to_host {
                self.record.held_main_thread(self.stretch_start, slice_end);
                self.away = true;
                return Resume::Yield;
            }
        }
    }

    /// Runs one slice of `current`'s turn, records it and decides what becomes of the turn; returns its end.
    fn run_slice(&mut self, current: Turn, progress: &LiveProgress) -> f64 {
        let clock = self.clock;
        let task = current.task;
        let slice_start = clock.now_ms();
        if let Some(end) = self.last_slice_end {
            self.record.overhead(slice_start - end);
        }
        self.record.task_started(task, slice_start);
        let mut slice_ms = self.slice_ms.min(current.left_us as f64 / 1_000.0);
        // A preemptive policy decides when a task becomes ready, not only when the slice ends.
        if self.dispatcher.rules().is_preemptive() {
            if let Some(until_due_ms) = self.pending.ms_until_next(self.now_us()) {
                slice_ms = slice_ms.min(until_due_ms.max(MIN_SLICE_MS));
            }
        }
        let deadline = slice_start + slice_ms;
        let mut outcome = SliceOutcome::StillComputing;
        let mut units_this_slice = 0;
        loop {
            let step_start = clock.now_ms();
            let budget = self.batch_sizers[task].units();
            match self.runs[task].step(budget) {
                TaskStep::Computed(ran) => {
                    units_this_slice += ran;
                    progress.add_units(task, ran);
                    let step_end = clock.now_ms();
                    self.batch_sizers[task].observe(ran, step_end - step_start);
                    if step_end >= deadline || progress.stop_requested() {
                        break;
                    }
                }
                TaskStep::Wait(ms) => {
                    outcome = SliceOutcome::Waits(ms);
                    break;
                }
                TaskStep::Finished => {
                    self.record.task_finished(task, clock.now_ms());
                    outcome = SliceOutcome::Finished;
                    break;
                }
            }
        }
        let slice_end = clock.now_ms();
        self.last_slice_end = Some(slice_end);
        let ran_us = micros(slice_end - slice_start);
        // A turn that only moved the task into a wait used no CPU worth drawing.
        if units_this_slice > 0 {
            self.record.slice(task, MAIN_LANE, slice_start, slice_end);
            self.dispatcher.account(task, ran_us);
        }
        self.turn = match outcome {
            SliceOutcome::StillComputing if ran_us < current.left_us => Some(Turn {
                left_us: current.left_us - ran_us,
                ..current
            }),
            SliceOutcome::StillComputing => {
                // The turn is used up: the task goes back to the ready queue, after anything that became ready
                // during its slice.
                let end = self.now_us();
                self.admit_due(end);
                let remaining = self.schedule.remaining_us(&self.runs[task]);
                self.dispatcher.enter(task, task, remaining, end, true);
                None
            }
            SliceOutcome::Waits(ms) => {
                let now = self.now_us();
                self.pending.wake_after(task, now, ms);
                None
            }
            SliceOutcome::Finished => None,
        };
        slice_end
    }

    /// Moves the tasks due by `now_us` into the ready queue, in the order they became ready (ties: scenario
    /// order).
    fn admit_due(&mut self, now_us: u64) {
        for ready in self.pending.take_due(now_us) {
            let remaining = self.schedule.remaining_us(&self.runs[ready.task]);
            self.dispatcher
                .enter(ready.task, ready.task, remaining, ready.at_us, false);
        }
    }

    /// The record of the run, ended now (a copy: the run itself is left as it was).
    pub fn finish(&self) -> RunRecord {
        let run_end = self.clock.now_ms();
        let mut record = self.record.clone();
        if !self.away {
            record.held_main_thread(self.stretch_start, run_end);
        }
        let checksums = self.runs.iter().map(TaskRun::checksum).collect();
        record.finish(run_end, checksums, false)
    }

    /// Resumes the run after awaiting the host's yield or sleep each time it asks, until it is finished.
    pub async fn run_with<H: Host<Clock = C> + ?Sized>(
        mut self,
        host: &H,
        progress: &LiveProgress,
    ) -> RunRecord {
        loop {
            match self.resume(progress) {
                Resume::Yield => host.yield_now().await,
                Resume::Sleep(ms) => host.sleep_ms(ms).await,
                Resume::Finished => break self.finish(),
            }
        }
    }
}

/// Runs every task of `scenario` to the end (or until Stop) and records each slice, resuming after awaiting the
/// host's yield or sleep ([`CooperativeRun::run_with`]).
///
/// The scenario must be valid ([`Scenario::validate`]); the page checks it before a run.
pub async fn run_cooperative<H: Host>(
    scenario: &Scenario,
    options: &CooperativeOptions,
    host: &H,
    progress: &LiveProgress,
) -> RunRecord {
    CooperativeRun::new(scenario, options, host.clock())
        .run_with(host, progress)
        .await
}

/// How a slice ended.
#[derive(Debug, Clone, Copy)]
enum SliceOutcome {
    StillComputing,
    Waits(u32),
    Finished,
}
