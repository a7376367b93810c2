//! Outputs of the simulator: the trace, per-task figures and the summary.

use serde::{Deserialize, Serialize};

/// What a CPU does during a slice.
///
/// JSON: `{"task": 3}`, `{"switch": 3}` or `"idle"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SliceKind {
    /// Runs the task with this index.
    Task(u32),
    /// Switches context to the task with this index (which then runs on this CPU, unless it is preempted the
    /// very tick its switch ends).
    Switch(u32),
    /// Has nothing to run.
    Idle,
}

/// One slice of the timeline: a CPU doing one thing over `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TraceSlice {
    /// CPU index, from 0.
    pub cpu: u32,
    /// What the CPU does.
    pub kind: SliceKind,
    /// First tick of the slice.
    pub start: u64,
    /// Tick after the last one (exclusive); always greater than `start`.
    pub end: u64,
    /// Multiprocessor model with a cache: the task ran warm (its working set in this CPU's cache) for the whole
    /// slice. A run that warms up is cut in two slices where it turns warm. JSON: present only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warm: bool,
}

impl TraceSlice {
    /// Length of the slice in ticks.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the slice is empty (never true for a slice of a trace).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Figures of one task, all in ticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMetrics {
    /// The task's name (`T<index>` when the scenario gave none).
    pub name: String,
    /// Arrival tick (copied from the scenario).
    pub arrival: u64,
    /// Tick at which the task first ran on a CPU (after any switch to it).
    pub first_run: u64,
    /// Tick at which its last burst ended.
    pub completion: u64,
    /// `first_run − arrival`.
    pub response: u64,
    /// `completion − arrival`.
    pub turnaround: u64,
    /// Time ready but not running: `turnaround − cpu_time − io_time` (it includes the switches to the task).
    pub waiting: u64,
    /// Ticks spent running (the sum of its CPU bursts).
    pub cpu_time: u64,
    /// Ticks spent in I/O (the sum of its I/O bursts).
    pub io_time: u64,
}

/// Figures of the whole run.
///
/// The run's window starts at the earliest arrival and ends at the last completion; makespan, utilisation and
/// throughput refer to that window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Mean response time.
    pub avg_response: f64,
    /// Mean turnaround time.
    pub avg_turnaround: f64,
    /// Mean waiting time.
    pub avg_waiting: f64,
    /// Last completion − earliest arrival.
    pub makespan: u64,
    /// Tasks completed per tick over the makespan (0 when the makespan is 0).
    pub throughput: f64,
    /// Per CPU, the share of the makespan spent running tasks (switches and idle excluded), 0..=1.
    pub utilisation: Vec<f64>,
    /// Per CPU, ticks spent running tasks.
    pub busy_ticks: Vec<u64>,
    /// Per CPU, ticks spent switching context.
    pub switch_ticks: Vec<u64>,
    /// Number of context switches (counted even when the switch cost is 0).
    pub context_switches: u64,
    /// Number of task slices (runs of a task on a CPU between two scheduling decisions; with round robin, one per
    /// quantum). Counted even when the trace is not recorded.
    pub task_slices: u64,
    /// Number of switch slices (0 when the switch cost is 0).
    pub switch_slices: u64,
    /// Number of idle slices.
    pub idle_slices: u64,
    /// For more than one CPU: the makespan of the same scenario, policy and switch cost on one CPU divided by
    /// this makespan. `None` on one CPU, when [`crate::sim::SimOptions::compare_with_one_cpu`] is off, or when
    /// the one-CPU run exceeds the slice cap.
    pub speedup: Option<f64>,
    /// For more than one CPU: speedup divided by the number of CPUs.
    pub efficiency: Option<f64>,
    /// Multiprocessor model with a cache only (empty otherwise, and then absent from JSON): per CPU, the busy
    /// ticks run warm (at the cache's warm rate, when it is above 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warm_ticks: Vec<u64>,
    /// Per CPU, the share of its busy ticks run warm, 0..=1 (empty when `warm_ticks` is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warm: Vec<f64>,
    /// Multiprocessor model only: how many times a task started a run on another CPU than the one it ran on
    /// last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrations: Option<u64>,
    /// Multiprocessor model only: how many tasks were stolen from another CPU's queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steals: Option<u64>,
}

/// Everything a simulation produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimResult {
    /// The slices, in order of their end tick (slices ending at the same tick in a fixed but unspecified order).
    /// Empty when the trace was not recorded ([`crate::sim::SimOptions::record_trace`]).
    pub trace: Vec<TraceSlice>,
    /// Per-task figures, in scenario order.
    pub tasks: Vec<TaskMetrics>,
    /// Overall figures.
    pub summary: Summary,
}
