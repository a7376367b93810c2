//! Why a simulation was refused, and the limits that keep any run bounded in time and memory.

use thiserror::Error;

/// Most tasks a scenario may have.
pub const MAX_TASKS: usize = 100_000;
/// Most bursts one task may have.
pub const MAX_BURSTS_PER_TASK: usize = 10_000;
/// Most bursts over all tasks of a scenario.
pub const MAX_TOTAL_BURSTS: usize = 1_000_000;
/// Largest value of any time given in ticks (arrival, burst, quantum, allotment, switch cost, boost period):
/// 10^12, so that no sum of them can overflow.
pub const MAX_TICKS: u64 = 1_000_000_000_000;
/// Most CPUs of a machine.
pub const MAX_CPUS: u32 = 64;
/// Most levels of a multi-level feedback queue.
pub const MAX_MLFQ_LEVELS: usize = 64;
/// Default cap on the number of trace slices (task, switch and idle) of one run: 10 million, about 400 MB of
/// trace. [`crate::sim::SimOptions::max_slices`] changes it.
pub const DEFAULT_MAX_SLICES: u64 = 10_000_000;

/// A simulation that cannot be run, with a message meant for the person who wrote the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimError {
    /// No tasks at all.
    #[error("the scenario has no tasks")]
    EmptyScenario,
    /// More than [`MAX_TASKS`] tasks.
    #[error("the scenario has {count} tasks; at most {MAX_TASKS} are allowed")]
    TooManyTasks {
        /// Number of tasks given.
        count: usize,
    },
    /// A task with more than [`MAX_BURSTS_PER_TASK`] bursts.
    #[error("task {task} has {count} bursts; at most {MAX_BURSTS_PER_TASK} are allowed per task")]
    TooManyBursts {
        /// Index of the task.
        task: usize,
        /// Number of bursts given.
        count: usize,
    },
    /// More than [`MAX_TOTAL_BURSTS`] bursts in all.
    #[error("the scenario has {count} bursts in all; at most {MAX_TOTAL_BURSTS} are allowed")]
    TooManyBurstsInAll {
        /// Number of bursts given.
        count: usize,
    },
    /// A task without any CPU burst.
    #[error("task {task} has no CPU burst")]
    NoCpuBurst {
        /// Index of the task.
        task: usize,
    },
    /// A burst of zero ticks.
    #[error("burst {burst} of task {task} lasts 0 ticks; every burst must last at least 1 tick")]
    ZeroLengthBurst {
        /// Index of the task.
        task: usize,
        /// Index of the burst within the task.
        burst: usize,
    },
    /// A time above [`MAX_TICKS`].
    #[error("{what} is {value} ticks; at most {MAX_TICKS} is allowed")]
    TicksTooLarge {
        /// What the value is (for example "arrival of task 3").
        what: String,
        /// The value given.
        value: u64,
    },
    /// A CPU count outside 1..=[`MAX_CPUS`].
    #[error("the machine has {cpus} CPUs; it must have 1 to {MAX_CPUS}")]
    CpusOutOfRange {
        /// The CPU count given.
        cpus: u32,
    },
    /// A quantum of 0 ticks.
    #[error("the quantum must be at least 1 tick")]
    ZeroQuantum,
    /// An aging period of 0 ticks.
    #[error("the aging period must be at least 1 tick")]
    ZeroAging,
    /// An MLFQ without levels or with more than [`MAX_MLFQ_LEVELS`].
    #[error("an MLFQ needs 1 to {MAX_MLFQ_LEVELS} queues, not {count}")]
    MlfqLevelCount {
        /// The number of levels given.
        count: usize,
    },
    /// An MLFQ level with a quantum or allotment of 0.
    #[error("MLFQ queue {level} has a {what} of 0 ticks; it must be at least 1")]
    MlfqZero {
        /// Index of the level, 0 = top.
        level: usize,
        /// "quantum" or "allotment".
        what: &'static str,
    },
    /// A boost period of 0.
    #[error("the MLFQ boost period must be at least 1 tick")]
    ZeroBoostPeriod,
    /// The `ostep` conventions on a machine OSTEP's simulators do not model.
    #[error(
        "the ostep conventions are defined for 1 CPU without switch cost, not {cpus} CPU(s) with a switch cost of {switch_cost}"
    )]
    OstepMachine {
        /// The CPU count given.
        cpus: u32,
        /// The switch cost given.
        switch_cost: u64,
    },
    /// Conventions that contradict themselves (see [`crate::sim::Conventions::inconsistency`]).
    #[error("invalid conventions: {reason}")]
    InvalidConventions {
        /// What is wrong.
        reason: &'static str,
    },
    /// The run would produce more trace slices than allowed.
    #[error("the simulation exceeds {max} slices; shorten the scenario or use a larger quantum")]
    TooManySlices {
        /// The cap that was hit.
        max: u64,
    },
    /// The run would take more scheduling steps than allowed (for example a boost period of 1 tick against
    /// switches of a billion ticks).
    #[error("the simulation exceeds {max} scheduling steps; use a larger boost period or smaller switch cost")]
    TooManySteps {
        /// The cap that was hit.
        max: u64,
    },
    /// A multiprocessor model that tasklab does not define, or that OSTEP's `multi.py` does not define (or on
    /// which it crashes) under the `ostep` conventions.
    #[error("invalid multiprocessor model: {reason}")]
    InvalidMultiprocessor {
        /// What is wrong.
        reason: String,
    },
    /// A multiprocessor run that can never finish: the listed tasks wait in queues of CPUs that may not run
    /// them, no CPU runs anything and no steal can move them (multi.py's steal test ignores affinity, so a task
    /// can be stolen by a CPU that may not run it; multi.py then loops forever).
    #[error("the run can never finish: from tick {tick} no CPU runs and task(s) {tasks} wait on CPUs that may not run them, with no steal possible")]
    NeverFinishes {
        /// The tick from which nothing changes.
        tick: u64,
        /// Indices of the stranded tasks, comma-separated.
        tasks: String,
    },
}
