//! What a real run produced: slices per lane, per-task results, and the summary figures the page shows.
//!
//! The engine fills [`RunRecord`]; the page adds the responsiveness figures and publishes a [`RunReport`] as
//! JSON (`window.tasklabLastRun` and *Export run*). Times are milliseconds from the run's start.

use serde::{Deserialize, Serialize};

use crate::settings::Placement;

/// One stretch of time a lane spent on one task.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Slice {
    /// Task position in the scenario.
    pub task: usize,
    /// The CPU that ran it: 0 for the main thread, the worker index in multiprocessing.
    pub lane: usize,
    /// Start, ms from the run's start.
    pub start_ms: f64,
    /// End, ms from the run's start.
    pub end_ms: f64,
}

/// How one task of a run went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskResult {
    /// Its name.
    pub name: String,
    /// Its checksum as 16 hex digits (a string: JSON numbers lose 64-bit precision).
    pub checksum: String,
    /// When it may start, ms from the run's start (the scenario's arrival).
    #[serde(default)]
    pub arrival_ms: u64,
    /// Its priority (lower is more urgent unless the policy says otherwise).
    #[serde(default)]
    pub priority: i64,
    /// First slice start, ms from the run's start (None if it never ran).
    #[serde(alias = "start_ms")]
    pub first_run_ms: Option<f64>,
    /// When its last phase ended (None if stopped before).
    pub end_ms: Option<f64>,
    /// Its first run in the model of the run (`RunReport::model`), if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_first_run_ms: Option<f64>,
    /// Its completion in the model of the run, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_end_ms: Option<f64>,
}

/// Formats a checksum the way reports show it.
pub fn checksum_hex(checksum: u64) -> String {
    format!("{checksum:016x}")
}

/// The executor's side of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunRecord {
    /// Per task, in scenario order.
    pub tasks: Vec<TaskResult>,
    /// Raw checksums, in scenario order (meaningful only for finished tasks).
    pub checksums: Vec<u64>,
    /// Every slice, in the order recorded.
    pub slices: Vec<Slice>,
    /// From start to the end of the last task (or the stop).
    pub wall_ms: f64,
    /// Whether the run was stopped before every task finished.
    pub stopped: bool,
    /// Longest stretch the executor held the main thread without giving it back to the browser.
    pub longest_main_stretch_ms: f64,
    /// Time between two slices while a task was ready (yielding to the browser, deciding): the executor's own
    /// cost, which the model of the run spreads over the CPU time.
    pub overhead_ms: f64,
    /// Time workers waited between finishing one piece of work and starting a new one handed to them, summed over
    /// `dispatches` such hand-overs: the cost of dispatching, which the model charges per dispatch.
    pub dispatch_overhead_ms: f64,
    /// Hand-overs counted in `dispatch_overhead_ms`.
    pub dispatches: u64,
    /// How multiprocessing placed the work (a main-thread run is `Pinned`: it has one place).
    pub placement: Placement,
    /// Chunks of forked phases that ran, placed by rayon's work stealing (0 when pinned).
    pub forked_chunks: u64,
    /// Of those, the chunks that ran on another worker than the one that queued them.
    pub stolen_chunks: u64,
}

impl RunRecord {
    /// Busy fraction of each lane over the wall time, indexed by lane number.
    pub fn busy_fraction_per_lane(&self) -> Vec<f64> {
        let lanes = self
            .slices
            .iter()
            .map(|slice| slice.lane + 1)
            .max()
            .unwrap_or(0);
        let mut busy = vec![0.0; lanes];
        for slice in &self.slices {
            busy[slice.lane] += slice.end_ms - slice.start_ms;
        }
        if self.wall_ms > 0.0 {
            busy.iter_mut()
                .for_each(|ms| *ms = (*ms / self.wall_ms).min(1.0));
        }
        busy
    }

    /// Number of distinct lanes that ran at least one slice.
    pub fn lanes_used(&self) -> usize {
        let mut lanes: Vec<usize> = self.slices.iter().map(|slice| slice.lane).collect();
        lanes.sort_unstable();
        lanes.dedup();
        lanes.len()
    }
}

/// Placement of reports written before there was a choice.
fn pinned_id() -> String {
    Placement::Pinned.id().to_owned()
}

/// The JSON report of a run, as exported and published on `window.tasklabLastRun`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Scenario preset id.
    pub preset: String,
    /// Mode id.
    pub mode: String,
    /// Policy id (`rr`, `fcfs`, …): the policy the run followed.
    pub policy: String,
    /// Workers setting (multiprocessing).
    pub workers: u32,
    /// How multiprocessing placed the work: `pinned` (by the policy) or `stealing` (rayon's work stealing).
    #[serde(default = "pinned_id")]
    pub placement: String,
    /// Chunks placed by rayon's work stealing that ran (0 when pinned).
    #[serde(default)]
    pub forked_chunks: u64,
    /// Of those, the chunks that ran on another worker than the one that queued them.
    #[serde(default)]
    pub stolen_chunks: u64,
    /// Time slice setting (multitasking).
    pub slice_ms: u32,
    /// Wall time of the run.
    pub wall_ms: f64,
    /// Whether the run was stopped early.
    pub stopped: bool,
    /// Whether every task's checksum equals the reference (computed each phase in one go).
    pub checksums_agree: bool,
    /// Per task.
    pub tasks: Vec<TaskResult>,
    /// Every slice.
    pub slices: Vec<Slice>,
    /// Distinct lanes used.
    pub lanes_used: usize,
    /// Busy fraction per lane.
    pub busy_per_lane: Vec<f64>,
    /// Animation frames drawn during the run.
    pub frames: u32,
    /// Longest gap between two animation frames during the run.
    pub longest_frame_gap_ms: f64,
    /// Longest main-thread task seen during the run.
    pub longest_main_task_ms: f64,
    /// Speed-up against the last single-worker run of the same scenario, if any.
    pub speedup_vs_one_worker: Option<f64>,
    /// The makespan the model of this very run predicts (see `model`), ms; none for a stopped run.
    pub model_makespan_ms: Option<f64>,
    /// What the model of this run is: policy, CPUs and calibration.
    pub model: Option<String>,
    /// When the executor returned, as `performance.timeOrigin + performance.now()` (ms since the epoch), so a
    /// script can time what happened around the run (e.g. how long Stop took).
    pub ended_at_epoch_ms: f64,
    /// Whether the page was hidden (a background tab) at the start or the end of the run: browsers throttle such
    /// tabs, so its times are not comparable with others.
    pub page_was_hidden: bool,
}
