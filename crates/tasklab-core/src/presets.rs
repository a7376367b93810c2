//! The built-in scenarios, each telling a small story about multitasking and multiprocessing.
//!
//! Sizes are in workload units; [`crate::workload`] documents what a unit is. They are chosen so each preset
//! takes roughly half a second to a second of CPU on one core of a laptop-class machine in release wasm.

use crate::scenario::{Phase, Scenario, TaskSpec};
use crate::workload::WorkloadKind;

/// A built-in scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// One long task plus short bursts separated by waits.
    ReadingWhileTexting,
    /// Two equal dishes.
    TwoChefs,
    /// Several equal CPU-bound tasks.
    CpuBatch,
    /// One splittable task.
    OneBigJob,
}

/// Units of one CPU-batch task; four of them make the benchmark's ~1 s on one worker.
pub const CPU_BATCH_UNITS_PER_TASK: u64 = 120_000;

impl Preset {
    /// Every preset, in display order.
    pub const ALL: [Preset; 4] = [
        Self::ReadingWhileTexting,
        Self::TwoChefs,
        Self::CpuBatch,
        Self::OneBigJob,
    ];

    /// Stable identifier used in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Self::ReadingWhileTexting => "reading-texts",
            Self::TwoChefs => "two-chefs",
            Self::CpuBatch => "cpu-batch",
            Self::OneBigJob => "one-big-job",
        }
    }

    /// Parses [`Preset::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|preset| preset.id() == id)
    }

    /// Title shown in the picker.
    pub fn title(self) -> &'static str {
        match self {
            Self::ReadingWhileTexting => "Reading a book while answering texts",
            Self::TwoChefs => "Two chefs, two dishes",
            Self::CpuBatch => "CPU-bound batch",
            Self::OneBigJob => "One big job",
        }
    }

    /// One sentence on what the preset shows.
    pub fn story(self) -> &'static str {
        match self {
            Self::ReadingWhileTexting => {
                "A long read is interrupted by short replies that arrive after pauses: one CPU \
                 can interleave them, and the pauses cost nothing because nobody computes while waiting."
            }
            Self::TwoChefs => {
                "Two equal dishes: one cook alternating between them needs twice as long as two \
                 cooks working side by side."
            }
            Self::CpuBatch => {
                "Four equal number-crunching tasks with no waiting: switching cannot save time, \
                 only more CPUs can."
            }
            Self::OneBigJob => {
                "A single job whose pieces are independent, so it can be cut into chunks and \
                 shared among every worker."
            }
        }
    }

    /// The scenario itself.
    pub fn scenario(self) -> Scenario {
        let compute = |kind, units| Phase::Compute { kind, units };
        let task = |name: &str, phases: Vec<Phase>, splittable| TaskSpec {
            name: name.to_owned(),
            phases,
            splittable,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        };
        let tasks = match self {
            Self::ReadingWhileTexting => {
                let mut texts = Vec::new();
                for _ in 0..4 {
                    texts.push(Phase::Wait { ms: 80 });
                    texts.push(compute(WorkloadKind::HashChain, 4_000));
                }
                vec![
                    task(
                        "Read the book",
                        vec![compute(WorkloadKind::Primes, 200_000)],
                        false,
                    ),
                    task("Answer texts", texts, false),
                ]
            }
            Self::TwoChefs => vec![
                task(
                    "Chef A: soup",
                    vec![compute(WorkloadKind::Mandelbrot, 35_000)],
                    false,
                ),
                task(
                    "Chef B: pie",
                    vec![compute(WorkloadKind::Mandelbrot, 35_000)],
                    false,
                ),
            ],
            Self::CpuBatch => (1..=4)
                .map(|number| {
                    task(
                        &format!("Batch {number}"),
                        vec![compute(WorkloadKind::Primes, CPU_BATCH_UNITS_PER_TASK)],
                        false,
                    )
                })
                .collect(),
            Self::OneBigJob => vec![task(
                "Render the fractal",
                vec![compute(WorkloadKind::Mandelbrot, 100_000)],
                true,
            )],
        };
        Scenario { tasks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_round_trips_its_id() {
        for preset in Preset::ALL {
            assert_eq!(preset.scenario().validate(), Ok(()), "{}", preset.id());
            assert_eq!(Preset::from_id(preset.id()), Some(preset));
        }
        assert!(Preset::OneBigJob.scenario().tasks[0].can_split());
    }
}
