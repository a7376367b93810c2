//! Inputs of the simulator: the scenario (tasks and their bursts), the machine, the policy and the conventions.
//!
//! Every type here is serde-serializable; the JSON is meant to be written by hand, so field names are short,
//! most fields have defaults and unknown fields are rejected (a typo is an error, not a silently ignored key).

use serde::{Deserialize, Serialize};

/// One burst of a task: either computing on a CPU or waiting on I/O, for a number of ticks.
///
/// JSON: `{"cpu": 5}` or `{"io": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Burst {
    /// Needs a CPU for this many ticks.
    Cpu(u64),
    /// Leaves the CPU and waits on I/O for this many ticks. I/O devices are unlimited: the I/O of different
    /// tasks overlaps.
    Io(u64),
}

impl Burst {
    /// The length of the burst in ticks.
    pub fn ticks(self) -> u64 {
        match self {
            Burst::Cpu(ticks) | Burst::Io(ticks) => ticks,
        }
    }
}

/// One task of a scenario.
///
/// JSON: `{"name": "A", "arrival": 0, "priority": 1, "bursts": [{"cpu": 5}, {"io": 3}, {"cpu": 2}]}`;
/// `name` defaults to `T<position>` (`T0`, `T1`, …) when missing or empty, `arrival` and `priority` to 0.
///
/// Bursts run in order. A task may start or end with an I/O burst (it completes when its last burst ends);
/// consecutive bursts of the same kind are merged into one. It needs at least one CPU burst, and every burst
/// must last at least one tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimTask {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The tick at which the task arrives and becomes ready.
    #[serde(default)]
    pub arrival: u64,
    /// Priority for the priority policies; by default a lower number is a higher priority.
    #[serde(default)]
    pub priority: i64,
    /// CPU and I/O bursts, in order.
    pub bursts: Vec<Burst>,
}

impl SimTask {
    /// A task with a single CPU burst, priority 0.
    pub fn cpu_only(name: impl Into<String>, arrival: u64, run: u64) -> Self {
        SimTask {
            name: name.into(),
            arrival,
            priority: 0,
            bursts: vec![Burst::Cpu(run)],
        }
    }
}

/// The tasks to schedule. A task is referred to by its position in `tasks` (its index) everywhere in the results.
///
/// JSON: `{"tasks": [{"name": "A", "bursts": [{"cpu": 5}]}, {"name": "B", "arrival": 1, "bursts": [{"cpu": 3}]}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimScenario {
    /// The tasks, in scenario order (the order breaks ties).
    pub tasks: Vec<SimTask>,
}

/// The virtual machine: how many CPUs and what a context switch costs.
///
/// JSON: `{"cpus": 2, "switch_cost": 1}`; `cpus` defaults to 1, `switch_cost` to 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    /// Number of CPUs, 1..=64.
    #[serde(default = "default_cpus")]
    pub cpus: u32,
    /// Ticks a CPU spends switching whenever it starts a task other than the one it ran last. Nothing is charged
    /// before the very first task on a CPU. The CPU is busy (not idle) while it switches.
    #[serde(default)]
    pub switch_cost: u64,
}

fn default_cpus() -> u32 {
    1
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            cpus: 1,
            switch_cost: 0,
        }
    }
}

/// One level of a multi-level feedback queue.
///
/// JSON: `{"quantum": 2, "allotment": 4}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlfqLevel {
    /// Round-robin time slice at this level, in ticks (≥ 1).
    pub quantum: u64,
    /// CPU ticks a task may use at this level, over any number of runs, before it moves one level down (≥ 1).
    /// Ignored on the last level, where a task stays.
    pub allotment: u64,
}

/// The scheduling policy. Ties between ready tasks are always broken by [`Conventions`].
///
/// JSON (tagged by `kind`): `{"kind": "fcfs"}`, `{"kind": "sjf"}`, `{"kind": "srtf"}`,
/// `{"kind": "rr", "quantum": 4}`,
/// `{"kind": "priority", "preemptive": false, "higher_number_is_higher": false}` (both flags default to false),
/// `{"kind": "mlfq", "queues": [{"quantum": 2, "allotment": 4}, {"quantum": 8, "allotment": 8}], "boost_period": 50}`
/// (`boost_period` is optional).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Policy {
    /// First come, first served: the ready queue in order, each CPU burst runs to its end.
    Fcfs,
    /// Shortest job first, non-preemptive: the ready task with the shortest next CPU burst runs to its end.
    Sjf,
    /// Shortest remaining time first: preemptive SJF by the remaining time of the current CPU burst. A ready task
    /// preempts a running one only when its remaining time is strictly shorter.
    Srtf,
    /// Round robin: the ready queue in order, each run lasts at most `quantum` ticks, then the task goes to the
    /// back of the queue (as a preempted task, see [`Conventions::arrival_before_preempted`]).
    #[serde(rename = "rr")]
    RoundRobin {
        /// Time slice in ticks (≥ 1).
        quantum: u64,
    },
    /// Static priority. By default a lower number is a higher priority.
    Priority {
        /// When true, a ready task with a strictly higher priority preempts the running task of lowest priority.
        #[serde(default)]
        preemptive: bool,
        /// When true, a higher number is a higher priority.
        #[serde(default)]
        higher_number_is_higher: bool,
    },
    /// Multi-level feedback queue with the textbook rules: the highest non-empty queue runs first (preempting
    /// lower levels); round robin within a queue; a new task enters the top queue; a task that has used its
    /// level's allotment moves one level down; a task back from I/O keeps its level and its used allotment; every
    /// `boost_period` ticks (at ticks P, 2P, …) all tasks move back to the top queue with a fresh allotment and the
    /// running ones start a fresh slice.
    Mlfq {
        /// The levels, top (highest priority) first; 1..=64 of them.
        queues: Vec<MlfqLevel>,
        /// Period of the priority boost in ticks (≥ 1), or none.
        #[serde(default)]
        boost_period: Option<u64>,
    },
}

impl Policy {
    /// A short name for tables and logs: the [`PolicyKind`](crate::policy::PolicyKind) id.
    pub fn short_name(&self) -> &'static str {
        crate::policy::PolicyKind::of(self).id()
    }
}

/// The conventions that decide ties. They are fixed rules, stated here because they are the usual cause of
/// disagreement between scheduling tools:
///
/// - Ready tasks that are otherwise equal for the policy run in the order they (last) entered the ready queue;
///   tasks that entered at the same tick run in scenario order (by index).
/// - A task returning from I/O at tick *t* is treated exactly like a task arriving at *t*.
/// - A task arriving at *t* enters the ready queue before a task preempted (or whose quantum expired) at *t*,
///   unless `arrival_before_preempted` is false.
///
/// JSON: `{"arrival_before_preempted": true}` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conventions {
    /// Whether a task arriving (or returning from I/O) at tick *t* is queued before a task preempted at *t*.
    #[serde(default = "default_true")]
    pub arrival_before_preempted: bool,
}

fn default_true() -> bool {
    true
}

impl Default for Conventions {
    fn default() -> Self {
        Conventions {
            arrival_before_preempted: true,
        }
    }
}

/// A complete simulation input in one JSON document: the scenario plus, optionally, the machine, policy and
/// conventions. This is what the CLI reads.
///
/// JSON:
/// ```json
/// {
///   "tasks": [
///     {"name": "A", "arrival": 0, "priority": 2, "bursts": [{"cpu": 5}, {"io": 3}, {"cpu": 2}]},
///     {"name": "B", "arrival": 1, "bursts": [{"cpu": 3}]}
///   ],
///   "machine": {"cpus": 2, "switch_cost": 1},
///   "policy": {"kind": "rr", "quantum": 2},
///   "conventions": {"arrival_before_preempted": true}
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimInput {
    /// The tasks, as in [`SimScenario`].
    pub tasks: Vec<SimTask>,
    /// The machine; defaults to one CPU without switch cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<Machine>,
    /// The policy; the CLI defaults it to FCFS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// The conventions; defaults to [`Conventions::default`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conventions: Option<Conventions>,
}

impl SimInput {
    /// The scenario part of the input.
    pub fn scenario(&self) -> SimScenario {
        SimScenario {
            tasks: self.tasks.clone(),
        }
    }
}
