//! The one way an executor turns what it saw into a [`RunRecord`]: when each task started and ended, every slice,
//! and the longest stretch it held the main thread.
//!
//! Every time handed to the builder is a raw clock reading ([`crate::Clock::now_ms`]); the builder makes them
//! relative to the run's start, so no executor does that subtraction itself.

use tasklab_core::report::{checksum_hex, RunRecord, Slice, TaskResult};
use tasklab_core::scenario::Scenario;
use tasklab_core::settings::Placement;

/// Collects a run's timings while it goes, then builds its [`RunRecord`].
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    run_start_ms: f64,
    names: Vec<String>,
    arrivals_ms: Vec<u64>,
    priorities: Vec<i64>,
    start_ms: Vec<Option<f64>>,
    end_ms: Vec<Option<f64>>,
    slices: Vec<Slice>,
    longest_main_stretch_ms: f64,
    overhead_ms: f64,
    dispatch_overhead_ms: f64,
    dispatches: u64,
    placement: Placement,
    forked_chunks: u64,
    stolen_chunks: u64,
    failure: Option<String>,
}

impl RecordBuilder {
    /// A record of a run of `scenario` that started at the clock reading `run_start_ms`.
    pub fn new(scenario: &Scenario, run_start_ms: f64) -> Self {
        let tasks = scenario.tasks.len();
        Self {
            run_start_ms,
            names: scenario
                .tasks
                .iter()
                .map(|task| task.name.clone())
                .collect(),
            arrivals_ms: scenario.tasks.iter().map(|task| task.arrival_ms).collect(),
            priorities: scenario.tasks.iter().map(|task| task.priority).collect(),
            start_ms: vec![None; tasks],
            end_ms: vec![None; tasks],
            slices: Vec::new(),
            longest_main_stretch_ms: 0.0,
            overhead_ms: 0.0,
            dispatch_overhead_ms: 0.0,
            dispatches: 0,
            placement: Placement::Pinned,
            forked_chunks: 0,
            stolen_chunks: 0,
            failure: None,
        }
    }

    /// The same builder for a run that places its work as `placement` says.
    pub fn with_placement(self, placement: Placement) -> Self {
        Self { placement, ..self }
    }

    /// The clock reading the run started at.
    pub fn run_start_ms(&self) -> f64 {
        self.run_start_ms
    }

    /// A clock reading as milliseconds from the run's start.
    pub fn since_start(&self, at_ms: f64) -> f64 {
        at_ms - self.run_start_ms
    }

    /// `task` got a CPU at `at_ms`; only its earliest start is kept (pieces of a task may report out of order).
    pub fn task_started(&mut self, task: usize, at_ms: f64) {
        let since_start = self.since_start(at_ms);
        if let Some(start) = self.start_ms.get_mut(task) {
            *start = Some(start.map_or(since_start, |earlier| earlier.min(since_start)));
        }
    }

    /// `task` finished its last phase at `at_ms`.
    pub fn task_finished(&mut self, task: usize, at_ms: f64) {
        let since_start = self.since_start(at_ms);
        if let Some(end) = self.end_ms.get_mut(task) {
            *end = Some(since_start);
        }
    }

    /// Whether every task has finished.
    pub fn all_finished(&self) -> bool {
        self.end_ms.iter().all(Option::is_some)
    }

    /// `lane` ran `task` from `start_ms` to `end_ms` (clock readings).
    pub fn slice(&mut self, task: usize, lane: usize, start_ms: f64, end_ms: f64) {
        self.slices.push(Slice {
            task,
            lane,
            start_ms: self.since_start(start_ms),
            end_ms: self.since_start(end_ms),
        });
    }

    /// The executor spent `ms` between two slices while a task was ready.
    pub fn overhead(&mut self, ms: f64) {
        self.overhead_ms += ms.max(0.0);
    }

    /// A worker waited `ms` between finishing one piece of work and starting the next one it was handed.
    pub fn dispatch_overhead(&mut self, ms: f64) {
        self.dispatch_overhead_ms += ms.max(0.0);
        self.dispatches += 1;
    }

    /// A chunk of a forked phase ran; `stolen` if on another thread than the one that queued it.
    pub fn forked_chunk(&mut self, stolen: bool) {
        self.forked_chunks += 1;
        self.stolen_chunks += u64::from(stolen);
    }

    /// The executor held the main thread from `from_ms` to `to_ms` without giving it back to the event loop.
    pub fn held_main_thread(&mut self, from_ms: f64, to_ms: f64) {
        self.longest_main_stretch_ms = self.longest_main_stretch_ms.max(to_ms - from_ms);
    }

    /// Notes why the run ends early (a crashed job), in words for the page.
    pub fn failed(&mut self, why: String) {
        self.failure = Some(why);
    }

    /// The record of a run that ended at `end_ms`, with each task's raw checksum in scenario order.
    ///
    /// The run counts as stopped if the executor says it was `interrupted` or if any task has not finished.
    pub fn finish(self, end_ms: f64, checksums: Vec<u64>, interrupted: bool) -> RunRecord {
        let stopped = interrupted || !self.all_finished();
        let wall_ms = self.since_start(end_ms);
        let tasks = self
            .names
            .into_iter()
            .zip(&checksums)
            .zip(self.start_ms.into_iter().zip(self.end_ms))
            .zip(self.arrivals_ms.into_iter().zip(self.priorities))
            .map(
                |(((name, &checksum), (first_run_ms, end_ms)), (arrival_ms, priority))| {
                    TaskResult {
                        name,
                        checksum: end_ms.is_some().then(|| checksum_hex(checksum)),
                        arrival_ms,
                        priority,
                        first_run_ms,
                        end_ms,
                        model_first_run_ms: None,
                        model_end_ms: None,
                    }
                },
            )
            .collect();
        RunRecord {
            tasks,
            checksums,
            slices: self.slices,
            wall_ms,
            stopped,
            longest_main_stretch_ms: self.longest_main_stretch_ms,
            overhead_ms: self.overhead_ms,
            dispatch_overhead_ms: self.dispatch_overhead_ms,
            dispatches: self.dispatches,
            placement: self.placement,
            forked_chunks: self.forked_chunks,
            stolen_chunks: self.stolen_chunks,
            failure: self.failure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tasklab_core::scenario::{Phase, TaskSpec};
    use tasklab_core::workload::WorkloadKind;

    fn two_tasks() -> Scenario {
        let task = |name: &str| TaskSpec {
            name: name.into(),
            phases: vec![Phase::Compute {
                kind: WorkloadKind::Primes,
                units: 10,
            }],
            splittable: false,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        };
        Scenario {
            tasks: vec![task("a"), task("b")],
        }
    }

    #[test]
    fn times_are_relative_to_the_run_start_and_the_first_start_is_kept() {
        let mut builder = RecordBuilder::new(&two_tasks(), 1_000.0);
        builder.task_started(0, 1_002.0);
        builder.task_started(0, 1_005.0);
        builder.slice(0, 1, 1_002.0, 1_007.0);
        builder.task_finished(0, 1_007.0);
        builder.task_started(1, 1_007.0);
        builder.task_finished(1, 1_009.0);
        builder.held_main_thread(1_000.0, 1_003.0);
        builder.held_main_thread(1_003.0, 1_004.0);
        assert!(builder.all_finished());
        let record = builder.finish(1_010.0, vec![0xab, 1], false);
        assert_eq!(record.tasks[0].name, "a");
        assert_eq!(
            record.tasks[0].checksum.as_deref(),
            Some("00000000000000ab")
        );
        assert_eq!(record.tasks[0].first_run_ms, Some(2.0));
        assert_eq!(record.tasks[0].end_ms, Some(7.0));
        assert_eq!(record.tasks[1].first_run_ms, Some(7.0));
        assert_eq!(record.checksums, vec![0xab, 1]);
        assert_eq!(
            record.slices,
            vec![Slice {
                task: 0,
                lane: 1,
                start_ms: 2.0,
                end_ms: 7.0
            }]
        );
        assert_eq!(record.wall_ms, 10.0);
        assert_eq!(record.longest_main_stretch_ms, 3.0);
        assert!(!record.stopped);
        assert_eq!(record.placement, Placement::Pinned);
        assert_eq!((record.forked_chunks, record.stolen_chunks), (0, 0));
    }

    #[test]
    fn forked_chunks_and_the_stolen_ones_are_counted() {
        let mut builder = RecordBuilder::new(&two_tasks(), 0.0).with_placement(Placement::Stealing);
        builder.forked_chunk(false);
        builder.forked_chunk(true);
        builder.forked_chunk(true);
        let record = builder.finish(1.0, vec![0, 0], false);
        assert_eq!(record.placement, Placement::Stealing);
        assert_eq!((record.forked_chunks, record.stolen_chunks), (3, 2));
    }

    #[test]
    fn an_unfinished_task_or_an_interruption_means_stopped() {
        let mut builder = RecordBuilder::new(&two_tasks(), 0.0);
        builder.task_finished(0, 1.0);
        // Out-of-range task numbers are ignored rather than panicking.
        builder.task_started(7, 1.0);
        builder.task_finished(7, 1.0);
        let record = builder.clone().finish(2.0, vec![0, 0], false);
        assert!(record.stopped);
        assert_eq!(record.tasks[1].end_ms, None);

        builder.task_finished(1, 2.0);
        assert!(!builder.clone().finish(2.0, vec![0, 0], false).stopped);
        assert!(builder.finish(2.0, vec![0, 0], true).stopped);
    }
}
