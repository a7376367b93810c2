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
    /// Its checksum as 16 hex digits (a string: JSON numbers lose 64-bit precision); `None` (JSON `null`) for a
    /// task a stopped run did not finish, whose partial checksum proves nothing.
    pub checksum: Option<String>,
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
    /// Why the run ended early other than by Stop (a worker job crashed), in words for the page; `None` normally.
    pub failure: Option<String>,
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

/// How long the keystrokes typed during a run waited to be drawn: how many there were, their 95th percentile and
/// the worst one, in milliseconds (all zero when nothing was typed). Each latency runs from the key event's
/// timestamp to the frame that painted it, as the page measures it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct InputLatency {
    /// Keystrokes measured.
    pub count: u32,
    /// The 95th percentile by the nearest-rank method (see [`InputLatency::from_latencies`]), ms.
    pub p95: f64,
    /// The longest wait, ms.
    pub worst: f64,
}

impl InputLatency {
    /// The figures of `latencies_ms` (one per keystroke, in any order). Values that are not finite are left out,
    /// negative ones count as 0.
    ///
    /// The p95 is the **nearest-rank** percentile: with the *n* values sorted, the ⌈0.95·*n*⌉-th smallest, i.e. the
    /// smallest value that at least 95 % of the keystrokes do not exceed. It is always one of the measured values
    /// (never interpolated), so with fewer than 20 keystrokes it is the worst one.
    pub fn from_latencies(latencies_ms: &[f64]) -> Self {
        let mut sorted: Vec<f64> = latencies_ms
            .iter()
            .filter(|ms| ms.is_finite())
            .map(|ms| ms.max(0.0))
            .collect();
        if sorted.is_empty() {
            return Self::default();
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        // ⌈95·n/100⌉ in integers (0.95 has no exact binary form), at least 1.
        let rank = (95 * n).div_ceil(100).max(1);
        Self {
            count: u32::try_from(n).unwrap_or(u32::MAX),
            p95: sorted[rank - 1],
            worst: sorted[n - 1],
        }
    }
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
    /// Keystrokes typed in the page's reply box during the run: how long they waited to be drawn (zeros when
    /// nothing was typed; reports written before it read as zeros too).
    #[serde(default)]
    pub input_latency_ms: InputLatency,
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
    /// Why the run ended early other than by Stop (a worker job crashed, or the watchdog stopped a run that took
    /// far longer than estimated), in words; absent normally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_keystrokes_give_zeros() {
        assert_eq!(InputLatency::from_latencies(&[]), InputLatency::default());
        assert_eq!(
            InputLatency::from_latencies(&[f64::NAN, f64::INFINITY]),
            InputLatency {
                count: 0,
                p95: 0.0,
                worst: 0.0
            }
        );
    }

    #[test]
    fn the_p95_is_the_nearest_rank_value() {
        // 1..=20: rank ⌈0.95·20⌉ = 19.
        let twenty: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let latency = InputLatency::from_latencies(&twenty);
        assert_eq!(latency.count, 20);
        assert_eq!(latency.p95, 19.0);
        assert_eq!(latency.worst, 20.0);
        // 1..=100: rank 95; 1..=101: rank ⌈95.95⌉ = 96.
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(InputLatency::from_latencies(&hundred).p95, 95.0);
        let hundred_one: Vec<f64> = (1..=101).map(f64::from).collect();
        assert_eq!(InputLatency::from_latencies(&hundred_one).p95, 96.0);
        // Under 20 keystrokes the p95 is the worst one.
        let few = InputLatency::from_latencies(&[16.0, 690.0, 17.5]);
        assert_eq!((few.count, few.p95, few.worst), (3, 690.0, 690.0));
        let one = InputLatency::from_latencies(&[12.0]);
        assert_eq!((one.count, one.p95, one.worst), (1, 12.0, 12.0));
    }

    #[test]
    fn odd_values_are_left_out_or_clamped() {
        let latency = InputLatency::from_latencies(&[f64::NAN, -3.0, 8.0]);
        assert_eq!((latency.count, latency.p95, latency.worst), (2, 8.0, 8.0));
    }

    #[test]
    fn input_latency_is_serialized_as_the_report_says() {
        let latency = InputLatency {
            count: 12,
            p95: 17.0,
            worst: 24.5,
        };
        assert_eq!(
            serde_json::to_string(&latency).expect("serializes"),
            r#"{"count":12,"p95":17.0,"worst":24.5}"#
        );
        let zeros: serde_json::Value =
            serde_json::to_value(InputLatency::default()).expect("serializes");
        assert_eq!(
            zeros,
            serde_json::json!({"count": 0, "p95": 0.0, "worst": 0.0})
        );
    }

    #[test]
    fn reports_without_input_latency_read_as_zeros() {
        let mut report = serde_json::json!({
            "preset": "cpu-batch", "mode": "multitasking", "policy": "rr", "workers": 1, "slice_ms": 5,
            "wall_ms": 700.0, "stopped": false, "checksums_agree": true, "tasks": [], "slices": [],
            "lanes_used": 1, "busy_per_lane": [1.0], "frames": 40, "longest_frame_gap_ms": 20.0,
            "longest_main_task_ms": 9.0, "speedup_vs_one_worker": null, "model_makespan_ms": null,
            "model": null, "ended_at_epoch_ms": 0.0, "page_was_hidden": false
        });
        let old: RunReport = serde_json::from_value(report.clone()).expect("an old report reads");
        assert_eq!(old.input_latency_ms, InputLatency::default());
        report["input_latency_ms"] = serde_json::json!({"count": 3, "p95": 690.0, "worst": 690.0});
        let new: RunReport = serde_json::from_value(report).expect("a new report reads");
        assert_eq!(new.input_latency_ms.count, 3);
        let written = serde_json::to_value(&new).expect("serializes");
        assert_eq!(
            written["input_latency_ms"],
            serde_json::json!({"count": 3, "p95": 690.0, "worst": 690.0})
        );
    }
}
