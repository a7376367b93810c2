//! The built-in scenarios, each telling a small story about multitasking and multiprocessing.
//!
//! Sizes are in workload units; [`crate::workload`] documents what a unit is. They are chosen so each preset
//! takes roughly half a second to a second of CPU on one core of a laptop-class machine in release wasm.

use crate::policy::PolicyKind;
use crate::predict::PredictSettings;
use crate::scenario::{Phase, Scenario, TaskSpec};
use crate::sim::{CacheModel, QueueLayout};
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
    /// Tasks that mostly wait.
    IoBoundMix,
    /// A long task ahead of short ones.
    Convoy,
    /// Dozens of very short tasks.
    ManyTinyTasks,
    /// A serial part followed by a parallel part.
    Amdahl,
    /// A low-priority task among a stream of urgent ones.
    PriorityStarvation,
    /// A short task arriving while a long one runs.
    LateArrival,
    /// Tasks that stay warm in their CPU's cache under per-CPU queues.
    CacheAffinity,
    /// Per-CPU queues without stealing: one CPU idles while the other has a queue.
    LoadImbalance,
    /// The same load with work stealing on.
    WorkStealing,
    /// Short interactive tasks beside a long batch job, under MLFQ.
    MlfqInteractive,
}

/// Units of one CPU-batch task; four of them make the benchmark's ~1 s on one worker.
pub const CPU_BATCH_UNITS_PER_TASK: u64 = 120_000;

impl Preset {
    /// Every preset, in display order.
    pub const ALL: [Preset; 14] = [
        Self::ReadingWhileTexting,
        Self::TwoChefs,
        Self::CpuBatch,
        Self::OneBigJob,
        Self::IoBoundMix,
        Self::Convoy,
        Self::ManyTinyTasks,
        Self::Amdahl,
        Self::PriorityStarvation,
        Self::LateArrival,
        Self::MlfqInteractive,
        Self::CacheAffinity,
        Self::LoadImbalance,
        Self::WorkStealing,
    ];

    /// Stable identifier used in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Self::ReadingWhileTexting => "reading-texts",
            Self::TwoChefs => "two-chefs",
            Self::CpuBatch => "cpu-batch",
            Self::OneBigJob => "one-big-job",
            Self::IoBoundMix => "io-bound-mix",
            Self::Convoy => "convoy",
            Self::ManyTinyTasks => "many-tiny-tasks",
            Self::Amdahl => "amdahl",
            Self::PriorityStarvation => "priority-starvation",
            Self::LateArrival => "late-arrival",
            Self::MlfqInteractive => "mlfq-interactive",
            Self::CacheAffinity => "cache-affinity",
            Self::LoadImbalance => "load-imbalance",
            Self::WorkStealing => "work-stealing",
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
            Self::IoBoundMix => "I/O-bound mix",
            Self::Convoy => "Convoy effect",
            Self::ManyTinyTasks => "Many tiny tasks",
            Self::Amdahl => "Amdahl's law",
            Self::PriorityStarvation => "Priority starvation",
            Self::LateArrival => "A short task arrives late",
            Self::MlfqInteractive => "Interactive tasks under MLFQ",
            Self::CacheAffinity => "Cache affinity",
            Self::LoadImbalance => "Load imbalance",
            Self::WorkStealing => "Work stealing",
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
            Self::IoBoundMix => {
                "Three tasks that compute a little and then wait a lot: one CPU overlaps their \
                 waits, so multitasking alone already finishes close to the longest task."
            }
            Self::Convoy => {
                "A long task arrives just ahead of three short ones: served in arrival order (FCFS), the \
                 short ones queue behind it; switch the policy to round robin and they finish early."
            }
            Self::ManyTinyTasks => {
                "Forty-eight tasks of well under a millisecond each: handing work out and switching \
                 costs about as much as the work, so extra CPUs help far less than you would hope."
            }
            Self::Amdahl => {
                "A job with a sequential first part and a parallel second part: however many workers \
                 share the second part, the first still runs on one, which caps the speed-up."
            }
            Self::PriorityStarvation => {
                "A low-priority report and urgent jobs that keep arriving faster than they finish: under \
                 preemptive priority the report gets the CPU only when the stream has been served."
            }
            Self::LateArrival => {
                "A long job starts alone; a short one arrives 30 ms later. Under FCFS it waits for the \
                 long job to end; under SRTF (shortest remaining time first) it runs at once."
            }
            Self::MlfqInteractive => {
                "A long batch job and two tasks that compute for a moment and then wait, like someone \
                 typing: the feedback queue keeps the short bursts on the top level while the batch job \
                 sinks to the bottom, so the interactive tasks barely wait."
            }
            Self::CacheAffinity => {
                "Seven tasks, each reusing its own 25 KiB of data, on two CPUs whose 100 KiB caches hold four \
                 tasks' data. With one queue per CPU each task stays where its data is warm and runs three times \
                 as fast; switch Predict to one shared queue and the tasks take turns on both CPUs, so their data \
                 is cold again and again."
            }
            Self::LoadImbalance => {
                "Two long and two short tasks placed in turn on two per-CPU queues: both long ones land on \
                 CPU 1. Without stealing, CPU 2 finishes its short tasks and then sits idle while CPU 1 still \
                 has a queue."
            }
            Self::WorkStealing => {
                "The same four tasks with work stealing: every 10 ms a CPU whose queue is empty takes a task \
                 from the longest other queue, so the idle CPU picks up the second long task and the work \
                 ends much sooner."
            }
        }
    }

    /// The scenario itself.
    pub fn scenario(self) -> Scenario {
        let compute = |kind, units| Phase::Compute { kind, units };
        let task = |name: &str, phases: Vec<Phase>, splittable: bool| TaskSpec {
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
            Self::IoBoundMix => ["Download", "Query database", "Read disk"]
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    let mut phases = Vec::new();
                    for _ in 0..5 {
                        phases.push(compute(
                            WorkloadKind::HashChain,
                            3_000 + 1_000 * index as u64,
                        ));
                        phases.push(Phase::Wait { ms: 60 });
                    }
                    task(name, phases, false)
                })
                .collect(),
            Self::Convoy => {
                let mut tasks = vec![task(
                    "Long report",
                    vec![compute(WorkloadKind::Primes, 150_000)],
                    false,
                )];
                for (number, arrival_ms) in [(1, 1), (2, 2), (3, 3)] {
                    let mut short = task(
                        &format!("Quick fix {number}"),
                        vec![compute(WorkloadKind::Primes, 6_000)],
                        false,
                    );
                    short.arrival_ms = arrival_ms;
                    tasks.push(short);
                }
                tasks
            }
            Self::ManyTinyTasks => (1..=48)
                .map(|number| {
                    task(
                        &format!("Tiny {number}"),
                        vec![compute(WorkloadKind::HashChain, 300)],
                        false,
                    )
                })
                .collect(),
            Self::Amdahl => vec![task(
                "Prepare, then render",
                vec![
                    compute(WorkloadKind::HashChain, 100_000),
                    compute(WorkloadKind::Mandelbrot, 50_000),
                ],
                true,
            )],
            Self::PriorityStarvation => {
                let mut report = task(
                    "Monthly report",
                    vec![compute(WorkloadKind::Primes, 60_000)],
                    false,
                );
                report.priority = 5;
                let mut tasks = vec![report];
                for number in 0..8u64 {
                    let mut urgent = task(
                        &format!("Urgent {}", number + 1),
                        vec![compute(WorkloadKind::Primes, 12_000)],
                        false,
                    );
                    // Each urgent job needs more CPU (about 40 ms) than the gap to the next one (15 ms), so the queue of
                    // urgent work never empties while the stream lasts, even on a machine twice as fast.
                    urgent.arrival_ms = 10 + number * 15;
                    urgent.priority = 1;
                    tasks.push(urgent);
                }
                tasks
            }
            Self::LateArrival => {
                let mut short = task(
                    "Short task",
                    vec![compute(WorkloadKind::Primes, 6_000)],
                    false,
                );
                short.arrival_ms = 30;
                vec![
                    task(
                        "Long job",
                        vec![compute(WorkloadKind::Primes, 60_000)],
                        false,
                    ),
                    short,
                ]
            }
            Self::MlfqInteractive => {
                let mut typing = Vec::new();
                for _ in 0..8 {
                    typing.push(compute(WorkloadKind::HashChain, 600));
                    typing.push(Phase::Wait { ms: 25 });
                }
                vec![
                    task(
                        "Batch job",
                        vec![compute(WorkloadKind::Primes, 90_000)],
                        false,
                    ),
                    task("Editor", typing.clone(), false),
                    task("Chat", typing, false),
                ]
            }
            Self::CacheAffinity => (1..=7)
                .map(|number| {
                    task(
                        &format!("Matrix {number}"),
                        vec![compute(WorkloadKind::Primes, 20_000)],
                        false,
                    )
                })
                .collect(),
            Self::LoadImbalance | Self::WorkStealing => vec![
                task("Long A", vec![compute(WorkloadKind::Primes, 40_000)], false),
                task("Short A", vec![compute(WorkloadKind::Primes, 6_000)], false),
                task("Long B", vec![compute(WorkloadKind::Primes, 40_000)], false),
                task("Short B", vec![compute(WorkloadKind::Primes, 6_000)], false),
            ],
        };
        Scenario { tasks }
    }

    /// The policy, CPUs, quantum and multiprocessor model the preset's story needs; the page applies them when
    /// the preset is chosen (the switch cost and the tie convention stay as they were).
    pub fn schedule(self) -> PredictSettings {
        let with = |policy, cpus| PredictSettings {
            policy,
            cpus,
            ..PredictSettings::default()
        };
        match self {
            Self::ReadingWhileTexting | Self::IoBoundMix => with(PolicyKind::RoundRobin, 1),
            Self::Convoy => with(PolicyKind::Fcfs, 1),
            Self::PriorityStarvation => with(PolicyKind::PriorityPreemptive, 1),
            Self::LateArrival => with(PolicyKind::Srtf, 1),
            Self::MlfqInteractive => with(PolicyKind::Mlfq, 1),
            Self::Amdahl => with(PolicyKind::Fcfs, 8),
            Self::OneBigJob | Self::ManyTinyTasks => with(PolicyKind::Fcfs, 2),
            Self::TwoChefs | Self::CpuBatch => with(PolicyKind::RoundRobin, 2),
            Self::CacheAffinity => PredictSettings {
                queues: QueueLayout::PerCpu,
                quantum: 10,
                cache: Some(CacheModel {
                    size: 100,
                    warmup: 10,
                    warm_rate: 3,
                }),
                working_set: 25,
                ..with(PolicyKind::RoundRobin, 2)
            },
            Self::LoadImbalance => PredictSettings {
                queues: QueueLayout::PerCpu,
                quantum: 10,
                ..with(PolicyKind::RoundRobin, 2)
            },
            Self::WorkStealing => PredictSettings {
                queues: QueueLayout::PerCpu,
                steal_ms: 10,
                quantum: 10,
                ..with(PolicyKind::RoundRobin, 2)
            },
        }
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
        let amdahl = &Preset::Amdahl.scenario().tasks[0];
        assert!(!amdahl.can_split(), "its first phase is sequential");
        assert!(amdahl.splits_phase(WorkloadKind::Mandelbrot));
    }

    /// Predicts a preset at the typical unit costs with its own settings (or `settings` changed by `adjust`).
    fn predict(preset: Preset, adjust: impl FnOnce(&mut PredictSettings)) -> crate::sim::SimResult {
        let mut settings = preset.schedule();
        adjust(&mut settings);
        let scenario = crate::predict::to_sim_scenario(
            &preset.scenario(),
            &crate::predict::UnitCosts::default(),
        );
        let scenario = crate::sim::SimScenario {
            tasks: scenario
                .tasks
                .into_iter()
                .map(|task| crate::sim::SimTask {
                    working_set: settings.working_set,
                    ..task
                })
                .collect(),
        };
        crate::sim::simulate(
            &scenario,
            &settings.machine(),
            &settings.policy(),
            &settings.conventions(),
        )
        .expect("the preset predicts")
    }

    #[test]
    fn the_multiprocessor_presets_tell_their_stories() {
        let warm_share = |result: &crate::sim::SimResult| {
            let busy: u64 = result.summary.busy_ticks.iter().sum();
            result.summary.warm_ticks.iter().sum::<u64>() as f64 / busy.max(1) as f64
        };
        // Load imbalance: CPU 2 idles most of the run while CPU 1 still has a queue.
        let imbalance = predict(Preset::LoadImbalance, |_| {});
        let busy = &imbalance.summary.busy_ticks;
        assert!(busy[1] * 3 < busy[0], "{busy:?}");
        // Work stealing: the idle CPU takes the second long task.
        let stealing = predict(Preset::WorkStealing, |_| {});
        assert!(stealing.summary.steals.is_some_and(|steals| steals >= 1));
        assert!(stealing.summary.makespan * 10 < imbalance.summary.makespan * 8);
        // Cache affinity: per-CPU queues keep the tasks warm; one shared queue moves them and runs colder, longer.
        let per_cpu = predict(Preset::CacheAffinity, |_| {});
        let shared = predict(Preset::CacheAffinity, |settings| {
            settings.queues = crate::sim::QueueLayout::Shared;
        });
        assert!(per_cpu.summary.makespan < shared.summary.makespan);
        assert!(warm_share(&per_cpu) > warm_share(&shared));
        println!(
            "load-imbalance: makespan {} ms, busy {:?}; work-stealing: makespan {} ms, steals {:?}; \
             cache-affinity per-CPU: makespan {} ms, warm {:.0}%, migrations {:?}; shared: makespan {} ms, \
             warm {:.0}%, migrations {:?}",
            imbalance.summary.makespan,
            imbalance.summary.busy_ticks,
            stealing.summary.makespan,
            stealing.summary.steals,
            per_cpu.summary.makespan,
            warm_share(&per_cpu) * 100.0,
            per_cpu.summary.migrations,
            shared.summary.makespan,
            warm_share(&shared) * 100.0,
            shared.summary.migrations,
        );
    }
}
