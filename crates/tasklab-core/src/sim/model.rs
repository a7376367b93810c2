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
    /// Multiprocessor model only ([`Machine::uses_multiprocessor_model`]): the size of the task's working set,
    /// in the unit of [`CacheModel::size`]. 0 (the default) always fits in a cache.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub working_set: u64,
    /// Multiprocessor model only: the CPUs the task may run on (each `< cpus`), or none for any CPU (the
    /// default). OSTEP `multi.py`'s `-A`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Vec<u32>>,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl Default for SimTask {
    /// An unnamed task arriving at 0 without bursts (invalid until bursts are added); meant for
    /// `..SimTask::default()` in literals.
    fn default() -> Self {
        SimTask {
            name: String::new(),
            arrival: 0,
            priority: 0,
            bursts: Vec::new(),
            working_set: 0,
            affinity: None,
        }
    }
}

impl SimTask {
    /// A task with a single CPU burst, priority 0.
    pub fn cpu_only(name: impl Into<String>, arrival: u64, run: u64) -> Self {
        SimTask {
            name: name.into(),
            arrival,
            priority: 0,
            bursts: vec![Burst::Cpu(run)],
            ..SimTask::default()
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
    /// Multiprocessor model: one ready queue shared by all CPUs (the default) or one per CPU.
    #[serde(default, skip_serializing_if = "QueueLayout::is_shared")]
    pub queues: QueueLayout,
    /// Multiprocessor model, per-CPU queues only: ticks between work-stealing rounds (OSTEP `multi.py`'s `-P`),
    /// or none for no stealing (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steal_interval: Option<u64>,
    /// Multiprocessor model: a cache per CPU that speeds up tasks whose working set is warm in it, or none (the
    /// default: every tick does one unit of work).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheModel>,
    /// Multiprocessor model: the order in which idle CPUs take tasks at each tick.
    #[serde(default, skip_serializing_if = "DispatchOrder::is_fixed")]
    pub dispatch_order: DispatchOrder,
}

fn default_cpus() -> u32 {
    1
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            cpus: 1,
            switch_cost: 0,
            queues: QueueLayout::Shared,
            steal_interval: None,
            cache: None,
            dispatch_order: DispatchOrder::Fixed,
        }
    }
}

impl Machine {
    /// A machine with `cpus` CPUs and this switch cost, without any of the multiprocessor model's features.
    pub fn new(cpus: u32, switch_cost: u64) -> Self {
        Machine {
            cpus,
            switch_cost,
            ..Machine::default()
        }
    }

    /// Whether any field of OSTEP `multi.py`'s multiprocessor model is set (per-CPU queues, stealing, a cache,
    /// a random dispatch order). Such a machine needs the `ostep` conventions.
    pub fn has_multiprocessor_fields(&self) -> bool {
        !self.queues.is_shared()
            || self.steal_interval.is_some()
            || self.cache.is_some()
            || !self.dispatch_order.is_fixed()
    }
}

/// Ready queue layout of the multiprocessor model. JSON: `"shared"` or `"per-cpu"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum QueueLayout {
    /// One queue for all CPUs.
    #[default]
    #[serde(rename = "shared")]
    Shared,
    /// One queue per CPU; tasks are placed round robin at the start and move only by stealing.
    #[serde(rename = "per-cpu")]
    PerCpu,
}

impl QueueLayout {
    /// Whether this is [`QueueLayout::Shared`].
    pub fn is_shared(&self) -> bool {
        *self == QueueLayout::Shared
    }
}

/// The order in which idle CPUs take tasks at a tick. JSON: `"fixed"` or `"random"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DispatchOrder {
    /// CPU 0, 1, … (the default).
    #[default]
    Fixed,
    /// A fresh random order at every tick (OSTEP `multi.py`'s `-o`), drawn from the run's
    /// [`crate::sim::MultiChooser`].
    Random,
}

impl DispatchOrder {
    /// Whether this is [`DispatchOrder::Fixed`].
    pub fn is_fixed(&self) -> bool {
        *self == DispatchOrder::Fixed
    }
}

/// A per-CPU cache (OSTEP `multi.py`'s `-M`, `-w`, `-r`). JSON: `{"size": 100, "warmup": 10, "warm_rate": 2}`.
///
/// A task becomes warm on a CPU after running `warmup` ticks there (counted across its runs there); a warm task
/// does `warm_rate` units of work per tick instead of 1. Warm tasks are evicted first-warmed-first-out when their
/// working sets exceed `size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheModel {
    /// Capacity, in the unit of [`SimTask::working_set`].
    pub size: u64,
    /// Ticks a task must run on a CPU before it is warm there.
    pub warmup: u64,
    /// Work units per tick of a warm task (≥ 1).
    pub warm_rate: u64,
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
        /// Aging period in ticks (≥ 1), or none: a ready task gains one priority step for every multiple of the
        /// period on the clock it waits through, and loses the gain when it runs, so no task starves forever.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        aging: Option<u64>,
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
/// disagreement between scheduling tools.
///
/// **Default conventions** (tasklab's own):
///
/// - Ready tasks that are otherwise equal for the policy run in the order they (last) entered the ready queue;
///   tasks that entered at the same tick run in scenario order (by index).
/// - A task returning from I/O at tick *t* is treated exactly like a task arriving at *t*.
/// - A task arriving at *t* enters the ready queue before a task preempted (or whose quantum expired) at *t*,
///   unless `arrival_before_preempted` is false.
///
/// **`ostep` conventions** ([`Conventions::ostep`]): the results of OSTEP's `scheduler.py` (FCFS, SJF, RR) and
/// `mlfq.py` (MLFQ), exactly, as described in `docs/ostep-semantics.md`. Within a tick: a task whose quantum
/// expired is queued first, then the MLFQ boost, then arrivals (by index), then I/O returns (in the order the I/Os
/// were issued). A task displaced by a better one goes back to the *front* of its queue. For MLFQ the quantum is a
/// budget that survives I/O and preemption, the boost queues the lowest level first and takes the CPU from a
/// task below the top level; `io_stay` and `io_bump` are `mlfq.py`'s `-S` and `-I`. Defined for one CPU without
/// switch cost only: other machines are refused ([`crate::sim::SimError::OstepMachine`]).
///
/// JSON: `{"arrival_before_preempted": true}` (the default); `"ostep"` (or `"default"`);
/// `{"preset": "ostep", "io_stay": true, "io_bump": false}` (both flags default to false).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conventions {
    /// Whether a task arriving (or returning from I/O) at tick *t* is queued before a task preempted at *t*.
    /// Always false under `ostep` (its order is fixed, expired task first).
    pub arrival_before_preempted: bool,
    /// The set of conventions: tasklab's default or OSTEP's.
    pub preset: ConventionsPreset,
    /// `ostep` only, MLFQ only (`mlfq.py -S`): a task issuing an I/O gets a fresh quantum and allotment at its
    /// level.
    pub io_stay: bool,
    /// `ostep` only, MLFQ only (`mlfq.py -I`): a task back from I/O goes to the front of its level's queue, ahead
    /// of (and taking the CPU from) a running task of that level.
    pub io_bump: bool,
}

/// Which set of conventions a [`Conventions`] follows. JSON: `"default"` or `"ostep"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConventionsPreset {
    /// tasklab's own conventions.
    #[default]
    Default,
    /// The conventions of OSTEP's `scheduler.py` and `mlfq.py`.
    Ostep,
}

impl Default for Conventions {
    fn default() -> Self {
        Conventions {
            arrival_before_preempted: true,
            preset: ConventionsPreset::Default,
            io_stay: false,
            io_bump: false,
        }
    }
}

impl Conventions {
    /// The `ostep` conventions, without `-S` and `-I`.
    pub fn ostep() -> Self {
        Self::ostep_with(false, false)
    }

    /// The `ostep` conventions with `mlfq.py`'s `-S` (`io_stay`) and `-I` (`io_bump`) as given.
    pub fn ostep_with(io_stay: bool, io_bump: bool) -> Self {
        Conventions {
            arrival_before_preempted: false,
            preset: ConventionsPreset::Ostep,
            io_stay,
            io_bump,
        }
    }

    /// Whether these are the `ostep` conventions.
    pub fn is_ostep(&self) -> bool {
        self.preset == ConventionsPreset::Ostep
    }

    /// Why these conventions contradict themselves, if they do: `io_stay` and `io_bump` need `ostep`, and `ostep`
    /// queues an expired task before the arrivals of its tick.
    pub fn inconsistency(&self) -> Option<&'static str> {
        match self.preset {
            ConventionsPreset::Default if self.io_stay || self.io_bump => {
                Some("io_stay and io_bump need the ostep preset")
            }
            ConventionsPreset::Ostep if self.arrival_before_preempted => Some(
                "arrival_before_preempted cannot be true with the ostep preset (it queues an expired task first)",
            ),
            _ => None,
        }
    }
}

/// The JSON object form of [`Conventions`]; absent fields take the preset's values.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConventionsFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    preset: Option<ConventionsPreset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arrival_before_preempted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    io_stay: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    io_bump: Option<bool>,
}

impl ConventionsFields {
    fn into_conventions(self) -> Result<Conventions, &'static str> {
        let base = match self.preset.unwrap_or_default() {
            ConventionsPreset::Default => Conventions::default(),
            ConventionsPreset::Ostep => Conventions::ostep(),
        };
        let conventions = Conventions {
            arrival_before_preempted: self
                .arrival_before_preempted
                .unwrap_or(base.arrival_before_preempted),
            io_stay: self.io_stay.unwrap_or(false),
            io_bump: self.io_bump.unwrap_or(false),
            ..base
        };
        match conventions.inconsistency() {
            Some(reason) => Err(reason),
            None => Ok(conventions),
        }
    }
}

impl Serialize for Conventions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The default conventions keep their historical form; `ostep` always names its flags.
        let ostep = self.is_ostep();
        ConventionsFields {
            preset: ostep.then_some(self.preset),
            arrival_before_preempted: (!ostep || self.arrival_before_preempted)
                .then_some(self.arrival_before_preempted),
            io_stay: (ostep || self.io_stay).then_some(self.io_stay),
            io_bump: (ostep || self.io_bump).then_some(self.io_bump),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Conventions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ConventionsVisitor)
    }
}

/// Reads the string form (a preset name) or the object form of [`Conventions`].
struct ConventionsVisitor;

impl<'de> serde::de::Visitor<'de> for ConventionsVisitor {
    type Value = Conventions;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str(
            "\"default\", \"ostep\", or an object with preset, arrival_before_preempted, io_stay, io_bump",
        )
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Conventions, E> {
        match name {
            "default" => Ok(Conventions::default()),
            "ostep" => Ok(Conventions::ostep()),
            _ => Err(E::unknown_variant(name, &["default", "ostep"])),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Conventions, A::Error> {
        let fields =
            ConventionsFields::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        fields.into_conventions().map_err(serde::de::Error::custom)
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

// ---------------------------------------------------------------------------------------------------------------
// What a recorded run keeps ([`crate::sim::simulate_recorded`]): each decision of the scheduler with its reason,
// and the state after every tick the engine handled. `crate::step` turns them into sentences and snapshots.
// ---------------------------------------------------------------------------------------------------------------

/// One decision of the scheduler, recorded by the engine at the moment it takes it (never re-derived).
///
/// Task and CPU numbers are indices (scenario order, and CPU 0 first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The tick at which it was taken.
    pub tick: u64,
    /// The CPU it concerns, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// The task it concerns, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<usize>,
    /// What was decided, and why (its fields appear beside `tick`, `cpu` and `task` in JSON).
    #[serde(flatten)]
    pub kind: DecisionKind,
}

/// What the scheduler decided, with the facts that made it decide so. JSON: tagged by `kind` (snake case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionKind {
    /// The task arrives and joins a ready queue (`queue`: the CPU whose queue, with per-CPU queues).
    Arrive {
        /// Per-CPU queues: the CPU whose queue it joins (placed round robin).
        #[serde(skip_serializing_if = "Option::is_none")]
        queue: Option<u32>,
    },
    /// The task is back from I/O and joins a ready queue.
    Wake {
        /// Per-CPU queues: the CPU whose queue it joins (the one it ran on last).
        #[serde(skip_serializing_if = "Option::is_none")]
        queue: Option<u32>,
        /// `ostep` with `io_bump` (`mlfq.py -I`): it goes to the front of its level.
        front: bool,
    },
    /// Several tasks entered one queue at the same tick with equal standing for the policy: their order there
    /// comes from the tie convention `rule`. `order` is the order they took, first first.
    Tie {
        /// The tasks and why each entered, in the order they took.
        order: Vec<Entrant>,
        /// The convention that ordered them.
        rule: TieRule,
        /// Per-CPU queues: the CPU whose queue.
        #[serde(skip_serializing_if = "Option::is_none")]
        queue: Option<u32>,
    },
    /// The task takes the CPU.
    Dispatch {
        /// Why this task.
        reason: DispatchReason,
        /// How many other tasks were ready in that queue.
        others: usize,
        /// Why this CPU (several CPUs only).
        #[serde(skip_serializing_if = "Option::is_none")]
        cpu_choice: Option<CpuChoice>,
        /// With a switch cost: the tick the switch ends and the task runs.
        #[serde(skip_serializing_if = "Option::is_none")]
        switch_until: Option<u64>,
        /// The CPU it ran on last, when that is another one (it migrates).
        #[serde(skip_serializing_if = "Option::is_none")]
        moved_from: Option<u32>,
    },
    /// The task takes the CPU from `victim`, which goes back to the ready queue.
    Preempt {
        /// The task that loses the CPU.
        victim: usize,
        /// The comparison that decided it.
        reason: PreemptReason,
        /// `ostep`: the victim goes back to the front of its queue, keeping the rest of its quantum.
        front: bool,
    },
    /// The task's quantum ran out: it goes back to the ready queue (MLFQ: to its level).
    QuantumEnd {
        /// The length of the quantum (of its level, for MLFQ).
        quantum: u64,
        /// MLFQ: its level (unchanged).
        #[serde(skip_serializing_if = "Option::is_none")]
        level: Option<usize>,
    },
    /// MLFQ: the task used its allotment at level `from` and moves down to `to`.
    Demote {
        /// Its level before.
        from: usize,
        /// Its level now.
        to: usize,
        /// The allotment of level `from`, in ticks.
        allotment: u64,
    },
    /// MLFQ boost: every task moves back to the top level.
    Boost {
        /// The boost period.
        period: u64,
    },
    /// The task finished a CPU burst and waits on I/O until `until`.
    Block {
        /// The tick it is back.
        until: u64,
    },
    /// The task finished its last burst.
    Complete,
    /// Per-CPU queues: CPU `cpu` had an empty queue and took the task from CPU `from`'s queue.
    Steal {
        /// The CPU whose queue it was in.
        from: u32,
        /// Why that queue (`ostep`: drawn at random).
        longest: bool,
    },
    /// Cache model: the task has run `warmup` ticks on the CPU and is now warm there.
    Warm {
        /// The warm-up it needed, in ticks.
        warmup: u64,
        /// Its work per tick now.
        rate: u64,
        /// Tasks evicted from that cache to make room.
        evicted: Vec<usize>,
    },
}

/// Why a task entered a ready queue, for [`DecisionKind::Tie`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Entrant {
    /// The task.
    pub task: usize,
    /// Why it entered.
    pub cause: EntryCause,
}

/// Why a task entered a ready queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryCause {
    /// It arrived.
    Arrival,
    /// It came back from I/O.
    IoReturn,
    /// Its turn ended with work left (quantum or allotment used).
    TurnEnd,
}

/// The tie convention that ordered tasks entering a queue at one tick (see [`Conventions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    /// All of one kind: scenario order (by index).
    ScenarioOrder,
    /// Arrivals and I/O returns before tasks whose turn ended (`arrival_before_preempted`, the default).
    ArrivalsFirst,
    /// Tasks whose turn ended before arrivals and I/O returns (`arrival_before_preempted: false`).
    TurnEndsFirst,
    /// `ostep`: the task whose quantum expired, then arrivals by index, then I/O returns in the order issued.
    Ostep,
}

/// Why the dispatched task was the one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum DispatchReason {
    /// FCFS, round robin: first in the queue.
    HeadOfQueue,
    /// SJF: the shortest next CPU burst.
    ShortestBurst {
        /// Its length.
        ticks: u64,
    },
    /// SRTF: the least time left in its burst.
    ShortestRemaining {
        /// Ticks left.
        ticks: u64,
    },
    /// Priority: the best priority (as aged, with aging).
    HighestPriority {
        /// Its priority, in the scenario's numbering.
        priority: i64,
    },
    /// MLFQ: the head of the highest non-empty level.
    TopLevel {
        /// The level.
        level: usize,
    },
}

/// Why the task went to this CPU (several CPUs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CpuChoice {
    /// The CPU it ran on last was free: no switch.
    LastCpu,
    /// A free CPU that never ran a task: no switch either.
    FreshCpu,
    /// The lowest-numbered free CPU.
    LowestFree,
    /// Its own queue's CPU (per-CPU queues), or the CPU that preempted.
    OwnQueue,
}

/// The comparison that made a ready task take a running task's CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum PreemptReason {
    /// SRTF: fewer ticks left.
    ShorterRemaining {
        /// The newcomer's ticks left.
        ticks: u64,
        /// The victim's ticks left.
        victim_ticks: u64,
    },
    /// Preemptive priority: a strictly better priority.
    HigherPriority {
        /// The newcomer's priority (as aged), in the scenario's numbering.
        priority: i64,
        /// The victim's.
        victim_priority: i64,
        /// Whether the priorities are aged ones.
        aged: bool,
    },
    /// MLFQ: a higher level.
    HigherLevel {
        /// The newcomer's level.
        level: usize,
        /// The victim's.
        victim_level: usize,
    },
    /// `ostep` with `io_bump`: a task back from I/O goes ahead of the running task of its level.
    IoBump {
        /// The level.
        level: usize,
    },
}

/// The state of the simulation after the decisions of one tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimState {
    /// The tick.
    pub tick: u64,
    /// Every CPU, CPU 0 first.
    pub cpus: Vec<CpuState>,
    /// The ready queues: one shared, or one per CPU (CPU 0's first).
    pub queues: Vec<QueueState>,
    /// Tasks waiting on I/O, soonest back first.
    pub io: Vec<IoWait>,
    /// Tasks done, with their completion tick, in the order they completed.
    pub completed: Vec<Completed>,
}

/// What one CPU does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CpuState {
    /// Nothing to run.
    Idle {
        /// Since when.
        since: u64,
    },
    /// Switching context to `task` until `until`.
    Switching {
        /// The task it switches to.
        task: usize,
        /// Since when.
        since: u64,
        /// When the task starts running.
        until: u64,
    },
    /// Running `task`.
    Running {
        /// The task.
        task: usize,
        /// When its current turn began.
        since: u64,
        /// Work left in its CPU burst at `tick` of the state.
        left: u64,
        /// Work done per tick (above 1 when warm in a cache).
        rate: u64,
        /// When its quantum runs out (none: the policy lets it run its burst).
        #[serde(skip_serializing_if = "Option::is_none")]
        quantum_end: Option<u64>,
        /// MLFQ: its level.
        #[serde(skip_serializing_if = "Option::is_none")]
        level: Option<usize>,
    },
}

/// One ready queue, in the order its tasks would run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueState {
    /// Per-CPU queues: the CPU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Per MLFQ level, top first (one list for other policies).
    pub levels: Vec<Vec<Queued>>,
}

/// A ready task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Queued {
    /// The task.
    pub task: usize,
    /// Work left in its CPU burst.
    pub left: u64,
}

/// A task waiting on I/O.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IoWait {
    /// The task.
    pub task: usize,
    /// The tick it is back.
    pub until: u64,
}

/// A completed task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Completed {
    /// The task.
    pub task: usize,
    /// Its completion tick.
    pub at: u64,
}

/// What a recorded run kept beside its result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Recording {
    /// Every decision, in the order taken.
    pub decisions: Vec<Decision>,
    /// The state after each tick handled, in order of tick.
    pub states: Vec<SimState>,
}
