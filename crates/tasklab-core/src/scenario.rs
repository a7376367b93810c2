//! Scenarios: named tasks made of compute and wait phases, their limits, and the state machine that runs one
//! task step by step.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::workload::{fold_phase, ComputeProgress, WorkloadKind};

/// Most tasks a scenario may have.
pub const MAX_TASKS: usize = 64;
/// Most phases one task may have.
pub const MAX_PHASES: usize = 64;
/// Most units one compute phase may have (about 10 s of work on a fast core for the costliest kind).
pub const MAX_UNITS_PER_PHASE: u64 = 5_000_000;
/// Longest single wait, in milliseconds.
pub const MAX_WAIT_MS: u32 = 10_000;
/// Longest task name, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Latest arrival a task may have in the simulator, in milliseconds (ticks).
pub const MAX_ARRIVAL_MS: u64 = 600_000;
/// Largest priority magnitude.
pub const MAX_PRIORITY: i64 = 1_000;
/// Most CPU work a scenario may ask for, in seconds on a typical core (see
/// [`WorkloadKind::typical_unit_cost_us`]): a run on one CPU stays within a few minutes.
pub const MAX_CPU_SECONDS: u64 = 120;
/// Most waiting one task may do in all, in milliseconds.
pub const MAX_TOTAL_WAIT_MS: u64 = 120_000;

/// One step of a task: compute some units, or wait (an I/O-like pause that uses no CPU).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Phase {
    /// Run `units` units of a workload.
    Compute {
        /// What kind of work.
        kind: WorkloadKind,
        /// How many units.
        units: u64,
    },
    /// Pause without using the CPU.
    Wait {
        /// How long, in milliseconds.
        ms: u32,
    },
}

/// A task of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// Shown in the legend and the report.
    pub name: String,
    /// Its phases, run in order.
    pub phases: Vec<Phase>,
    /// Whether its compute phases may be divided into chunks run on several workers at once.
    #[serde(default)]
    pub splittable: bool,
    /// Its colour as `#rrggbb` (lower-case hex); none = the palette colour of its position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    /// For the simulator: when it arrives, in ms (ticks). Real runs start every task at once.
    #[serde(default)]
    pub arrival_ms: u64,
    /// For the simulator's priority policies: lower is more urgent.
    #[serde(default)]
    pub priority: i64,
}

/// Whether `colour` is `#rrggbb` with lower-case hex digits.
pub fn is_valid_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..]
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// Task colours for tasks without their own, chosen to stay distinct for colour-blind readers (Okabe–Ito
/// palette, lower-case `#rrggbb`), cycled past eight tasks.
pub const TASK_PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
];

/// The palette colour of the task at `index`.
pub fn palette_colour(index: usize) -> &'static str {
    TASK_PALETTE[index % TASK_PALETTE.len()]
}

impl TaskSpec {
    /// The colour this task is drawn in, being the `index`-th task: its own, or the palette's.
    pub fn colour_at(&self, index: usize) -> &str {
        self.colour.as_deref().unwrap_or(palette_colour(index))
    }

    /// Estimated CPU seconds of this task on a typical core.
    pub fn typical_cpu_seconds(&self) -> f64 {
        self.phases
            .iter()
            .map(|phase| match *phase {
                Phase::Compute { kind, units } => units as f64 * kind.typical_unit_cost_us() / 1e6,
                Phase::Wait { .. } => 0.0,
            })
            .sum()
    }

    /// Total waiting over all phases, in milliseconds.
    pub fn total_wait_ms(&self) -> u64 {
        self.phases
            .iter()
            .map(|phase| match *phase {
                Phase::Wait { ms } => u64::from(ms),
                Phase::Compute { .. } => 0,
            })
            .sum()
    }

    /// Total compute units over all phases.
    pub fn total_units(&self) -> u64 {
        self.phases
            .iter()
            .map(|phase| match phase {
                Phase::Compute { units, .. } => *units,
                Phase::Wait { .. } => 0,
            })
            .sum()
    }

    /// The checksum computed the plainest way: each phase in one go, waits skipped, on this thread.
    /// The executors' results are checked against it.
    pub fn reference_checksum(&self) -> u64 {
        let mut run = TaskRun::new(self);
        loop {
            match run.step(u64::MAX) {
                TaskStep::Finished => break run.checksum(),
                TaskStep::Computed(_) | TaskStep::Wait(_) => {}
            }
        }
    }

    /// Whether every compute phase of this task may be cut into chunks (the flag is set and every kind is
    /// splittable).
    pub fn can_split(&self) -> bool {
        self.splittable
            && self.phases.iter().all(|phase| match phase {
                Phase::Compute { kind, .. } => kind.is_splittable(),
                Phase::Wait { .. } => true,
            })
    }

    /// Whether a compute phase of `kind` in this task may be cut into chunks: the task is marked splittable and the
    /// kind's units are independent. A splittable task can still have sequential phases (Amdahl's serial part).
    pub fn splits_phase(&self, kind: WorkloadKind) -> bool {
        self.splittable && kind.is_splittable()
    }
}

/// A set of tasks to run together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// The tasks, in order (the order breaks ties).
    pub tasks: Vec<TaskSpec>,
}

/// Why a scenario cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// No task at all.
    #[error("the scenario has no task")]
    NoTasks,
    /// Too many tasks.
    #[error("the scenario has {0} tasks; at most {MAX_TASKS} are allowed")]
    TooManyTasks(usize),
    /// A task has no phase or too many.
    #[error("task {task} has {phases} phases; between 1 and {MAX_PHASES} are allowed")]
    PhaseCount {
        /// Task position (1-based).
        task: usize,
        /// Its phase count.
        phases: usize,
    },
    /// A compute phase is empty or too big.
    #[error("task {task}, phase {phase}: {units} units; between 1 and {MAX_UNITS_PER_PHASE} are allowed")]
    Units {
        /// Task position (1-based).
        task: usize,
        /// Phase position (1-based).
        phase: usize,
        /// The bad amount.
        units: u64,
    },
    /// A wait is too long.
    #[error("task {task}, phase {phase}: a wait of {ms} ms; at most {MAX_WAIT_MS} ms is allowed")]
    Wait {
        /// Task position (1-based).
        task: usize,
        /// Phase position (1-based).
        phase: usize,
        /// The bad amount.
        ms: u32,
    },
    /// A name is empty or too long.
    #[error("task {task}: a name must have 1 to {MAX_NAME_CHARS} characters")]
    Name {
        /// Task position (1-based).
        task: usize,
    },
    /// A colour is not `#rrggbb`.
    #[error("task {task}: a colour must be written #rrggbb")]
    Colour {
        /// Task position (1-based).
        task: usize,
    },
    /// An arrival is too late.
    #[error("task {task}: an arrival of {arrival_ms} ms; at most {MAX_ARRIVAL_MS} ms is allowed")]
    Arrival {
        /// Task position (1-based).
        task: usize,
        /// The bad value.
        arrival_ms: u64,
    },
    /// The whole scenario asks for too much CPU work.
    #[error("the scenario needs about {seconds} s of CPU on a typical core; at most {MAX_CPU_SECONDS} s is allowed")]
    TooMuchWork {
        /// The estimate, rounded up to whole seconds.
        seconds: u64,
    },
    /// A task waits too long in all.
    #[error("task {task} waits {total_ms} ms in all; at most {MAX_TOTAL_WAIT_MS} ms is allowed")]
    TooMuchWaiting {
        /// Task position (1-based).
        task: usize,
        /// Its total wait.
        total_ms: u64,
    },
    /// A priority is out of range.
    #[error(
        "task {task}: priority {priority}; between -{MAX_PRIORITY} and {MAX_PRIORITY} is allowed"
    )]
    Priority {
        /// Task position (1-based).
        task: usize,
        /// The bad value.
        priority: i64,
    },
}

impl Scenario {
    /// Checks every limit; a scenario that passes runs in bounded time and memory.
    ///
    /// # Errors
    /// The first limit that is broken.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.tasks.is_empty() {
            return Err(ScenarioError::NoTasks);
        }
        if self.tasks.len() > MAX_TASKS {
            return Err(ScenarioError::TooManyTasks(self.tasks.len()));
        }
        for (task_index, task) in self.tasks.iter().enumerate() {
            let task_number = task_index + 1;
            let name_chars = task.name.chars().count();
            if name_chars == 0 || name_chars > MAX_NAME_CHARS {
                return Err(ScenarioError::Name { task: task_number });
            }
            if task
                .colour
                .as_deref()
                .is_some_and(|colour| !is_valid_colour(colour))
            {
                return Err(ScenarioError::Colour { task: task_number });
            }
            if task.arrival_ms > MAX_ARRIVAL_MS {
                return Err(ScenarioError::Arrival {
                    task: task_number,
                    arrival_ms: task.arrival_ms,
                });
            }
            if !(-MAX_PRIORITY..=MAX_PRIORITY).contains(&task.priority) {
                return Err(ScenarioError::Priority {
                    task: task_number,
                    priority: task.priority,
                });
            }
            if task.phases.is_empty() || task.phases.len() > MAX_PHASES {
                return Err(ScenarioError::PhaseCount {
                    task: task_number,
                    phases: task.phases.len(),
                });
            }
            for (phase_index, phase) in task.phases.iter().enumerate() {
                match *phase {
                    Phase::Compute { units, .. } if units == 0 || units > MAX_UNITS_PER_PHASE => {
                        return Err(ScenarioError::Units {
                            task: task_number,
                            phase: phase_index + 1,
                            units,
                        })
                    }
                    Phase::Wait { ms } if ms > MAX_WAIT_MS => {
                        return Err(ScenarioError::Wait {
                            task: task_number,
                            phase: phase_index + 1,
                            ms,
                        })
                    }
                    _ => {}
                }
            }
        }
        for (task_index, task) in self.tasks.iter().enumerate() {
            let total_ms = task.total_wait_ms();
            if total_ms > MAX_TOTAL_WAIT_MS {
                return Err(ScenarioError::TooMuchWaiting {
                    task: task_index + 1,
                    total_ms,
                });
            }
        }
        let seconds: f64 = self.tasks.iter().map(TaskSpec::typical_cpu_seconds).sum();
        if seconds > MAX_CPU_SECONDS as f64 {
            return Err(ScenarioError::TooMuchWork {
                seconds: seconds.ceil() as u64,
            });
        }
        Ok(())
    }

    /// The colour of each task ([`TaskSpec::colour_at`]): the only place the page and the exports get colours.
    pub fn colours(&self) -> Vec<String> {
        self.tasks
            .iter()
            .enumerate()
            .map(|(index, task)| task.colour_at(index).to_owned())
            .collect()
    }

    /// Checksums of every task computed the plainest way ([`TaskSpec::reference_checksum`]).
    pub fn reference_checksums(&self) -> Vec<u64> {
        self.tasks
            .iter()
            .map(TaskSpec::reference_checksum)
            .collect()
    }
}

/// What one call of [`TaskRun::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStep {
    /// Ran this many units; the task still has work.
    Computed(u64),
    /// The task reached a wait phase of this many milliseconds (already passed in its state: the caller waits).
    Wait(u32),
    /// The task has no work left.
    Finished,
}

/// A task in progress: which phase it is in and how far.
#[derive(Debug, Clone)]
pub struct TaskRun {
    phases: Vec<Phase>,
    next_phase: usize,
    current: Option<ComputeProgress>,
    checksum: u64,
    units_done: u64,
}

impl TaskRun {
    /// A task at its start.
    pub fn new(spec: &TaskSpec) -> Self {
        Self {
            phases: spec.phases.clone(),
            next_phase: 0,
            current: None,
            checksum: 0,
            units_done: 0,
        }
    }

    /// Runs at most `budget` units of the current compute phase, or moves to the next phase.
    ///
    /// A compute phase that ends in this call is folded into the checksum; the next call starts the next phase.
    pub fn step(&mut self, budget: u64) -> TaskStep {
        if let Some(progress) = self.current.as_mut() {
            let ran = progress.step(budget);
            self.units_done += ran;
            if progress.is_finished() {
                self.checksum = fold_phase(self.checksum, progress.checksum());
                self.current = None;
            }
            return TaskStep::Computed(ran);
        }
        let Some(phase) = self.phases.get(self.next_phase) else {
            return TaskStep::Finished;
        };
        self.next_phase += 1;
        match *phase {
            Phase::Wait { ms } => TaskStep::Wait(ms),
            Phase::Compute { kind, units } => {
                self.current = Some(ComputeProgress::new(kind, 0, units));
                self.step(budget)
            }
        }
    }

    /// The CPU time left in the current CPU burst (the current compute phase and the compute phases right after
    /// it, up to the next wait), estimated with `ms_per_unit`: what SJF and SRTF order real tasks by. After a
    /// wait, or at the start, it is the whole next burst.
    pub fn remaining_burst_ms(&self, ms_per_unit: impl Fn(WorkloadKind) -> f64) -> f64 {
        let current = self.current.as_ref().map_or(0.0, |progress| {
            progress.remaining() as f64 * ms_per_unit(progress.kind())
        });
        let following = self.phases[self.next_phase.min(self.phases.len())..].iter();
        current
            + following
                .map_while(|phase| match *phase {
                    Phase::Compute { kind, units } => Some(units as f64 * ms_per_unit(kind)),
                    Phase::Wait { .. } => None,
                })
                .sum::<f64>()
    }

    /// Units run so far.
    pub fn units_done(&self) -> u64 {
        self.units_done
    }

    /// The task's checksum (final once [`TaskStep::Finished`] was returned).
    pub fn checksum(&self) -> u64 {
        self.checksum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(phases: Vec<Phase>) -> TaskSpec {
        TaskSpec {
            name: "t".into(),
            phases,
            splittable: false,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        }
    }

    #[test]
    fn the_whole_scenario_is_bounded_not_only_each_field() {
        // Each phase is within its own limit, but together they ask for hours of CPU.
        let heavy = task(vec![
            Phase::Compute {
                kind: WorkloadKind::Mandelbrot,
                units: MAX_UNITS_PER_PHASE,
            };
            4
        ]);
        let scenario = Scenario {
            tasks: vec![heavy; 2],
        };
        assert!(matches!(
            scenario.validate(),
            Err(ScenarioError::TooMuchWork { seconds: 440 })
        ));
        let sleepy = task(vec![Phase::Wait { ms: MAX_WAIT_MS }; 13]);
        assert_eq!(
            Scenario {
                tasks: vec![sleepy]
            }
            .validate(),
            Err(ScenarioError::TooMuchWaiting {
                task: 1,
                total_ms: 130_000
            })
        );
    }
}
