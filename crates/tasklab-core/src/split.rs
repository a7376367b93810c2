//! Predicting tasks whose phases are split across CPUs, as the parallel executor splits them.
//!
//! The simulator's tasks are sequences of bursts; it has no fork or join. A real multiprocessing run cuts each
//! splittable compute phase into chunks that run at the same time on different workers, and the task goes on
//! only when every chunk is done. [`simulate_split`] models that on the simulator by *segments*:
//!
//! - a task's phases are cut at its splittable compute phases: runs of other phases become one simulator task
//!   (a *serial segment*), and each splittable phase becomes `chunks` simulator tasks (its *chunks*);
//! - a segment becomes ready when the one before it completes (for chunks: when the last chunk completes);
//! - since a task that arrives at time *t* cannot change anything before *t*, the segments are added in time
//!   order: simulate, take the earliest completion that starts another segment, add that segment arriving then,
//!   simulate again. Each fork or join costs one simulation, so a scenario with more than [`MAX_FORKS`] of them is
//!   simulated without splitting (and says so).

use crate::predict::UnitCosts;
use crate::scenario::{Phase, Scenario, TaskSpec};
use crate::sim::{
    simulate_with, Burst, Conventions, Machine, Policy, SimError, SimOptions, SimResult,
    SimScenario, SimTask, TaskMetrics,
};

/// Most forks and joins modelled; beyond, phases are not split (each costs one simulation).
pub const MAX_FORKS: usize = 32;

/// A part of a task that the simulator runs as one or more tasks.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// Phases run one after the other: CPU and I/O bursts (at least one CPU burst).
    Serial(Vec<Burst>),
    /// Only waits: delays the next segment.
    Delay(u64),
    /// A splittable phase: one CPU burst per chunk, all ready at once.
    Chunks(Vec<u64>),
}

/// A prediction with split phases: the simulation, and for each simulator task the scenario task it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitPrediction {
    /// The simulation of every segment.
    pub result: SimResult,
    /// For each simulator task (indexed like `result.tasks`), its scenario task.
    pub owners: Vec<usize>,
    /// Whether phases were split (false when there were none to split, or more than [`MAX_FORKS`]).
    pub split: bool,
    /// Each simulator task's bursts (so a timeline can place its I/O exactly).
    pub bursts: Vec<Vec<Burst>>,
    /// The simulator's tasks as the last simulation ran them: simulating it once gives `result` (the
    /// step-through records it).
    pub scenario: SimScenario,
}

impl SplitPrediction {
    /// The figures of each scenario task, its segments taken together: first run of the first, completion of the
    /// last, CPU and I/O time summed; waiting = turnaround − CPU − I/O, at least 0 (chunks running side by side
    /// may compute more than the turnaround).
    pub fn per_task(&self, scenario: &Scenario, ticks_per_ms: u64) -> Vec<TaskMetrics> {
        scenario
            .tasks
            .iter()
            .enumerate()
            .map(|(owner, task)| {
                let arrival = task.arrival_ms.saturating_mul(ticks_per_ms.max(1));
                let parts = || {
                    self.result
                        .tasks
                        .iter()
                        .zip(&self.owners)
                        .filter(move |(_, &of)| of == owner)
                        .map(|(metrics, _)| metrics)
                };
                let first_run = parts().map(|part| part.first_run).min().unwrap_or(arrival);
                let completion = parts().map(|part| part.completion).max().unwrap_or(arrival);
                let cpu_time = parts().map(|part| part.cpu_time).sum::<u64>();
                let io_time = task.total_wait_ms().saturating_mul(ticks_per_ms.max(1));
                let turnaround = completion.saturating_sub(arrival);
                TaskMetrics {
                    name: task.name.clone(),
                    arrival,
                    first_run,
                    completion,
                    response: first_run.saturating_sub(arrival),
                    turnaround,
                    waiting: turnaround.saturating_sub(cpu_time + io_time),
                    cpu_time,
                    io_time,
                }
            })
            .collect()
    }
}

/// Ticks of one compute phase of `units` units (at least one).
fn ticks_of(units: u64, kind_cost_ms: f64, ticks_per_ms: u64) -> u64 {
    (units as f64 * kind_cost_ms * ticks_per_ms as f64)
        .round()
        .max(1.0) as u64
}

/// The segments of `task`, its splittable phases cut into at most `chunks` chunks (never more than their units,
/// the cut the parallel executor makes).
fn segments_of(
    task: &TaskSpec,
    costs: &UnitCosts,
    chunks: usize,
    ticks_per_ms: u64,
) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut serial: Vec<Burst> = Vec::new();
    let close = |serial: &mut Vec<Burst>, segments: &mut Vec<Segment>| {
        if serial.is_empty() {
            return;
        }
        let bursts = std::mem::take(serial);
        if bursts.iter().any(|burst| matches!(burst, Burst::Cpu(_))) {
            segments.push(Segment::Serial(bursts));
        } else {
            segments.push(Segment::Delay(
                bursts.iter().map(|burst| burst.ticks()).sum(),
            ));
        }
    };
    for phase in &task.phases {
        match *phase {
            Phase::Compute { kind, units } if chunks > 1 && task.splits_phase(kind) => {
                close(&mut serial, &mut segments);
                let pieces = usize::try_from(units)
                    .unwrap_or(usize::MAX)
                    .min(chunks)
                    .max(1) as u64;
                let bursts = (0..pieces)
                    .map(|piece| {
                        let piece_units = units * (piece + 1) / pieces - units * piece / pieces;
                        ticks_of(piece_units, costs.of(kind), ticks_per_ms)
                    })
                    .collect();
                segments.push(Segment::Chunks(bursts));
            }
            Phase::Compute { kind, units } => {
                serial.push(Burst::Cpu(ticks_of(units, costs.of(kind), ticks_per_ms)));
            }
            Phase::Wait { ms } if ms > 0 => {
                serial.push(Burst::Io(u64::from(ms).saturating_mul(ticks_per_ms)));
            }
            Phase::Wait { .. } => {}
        }
    }
    close(&mut serial, &mut segments);
    segments
}

/// Where a scenario task stands while its segments are added.
#[derive(Debug, Clone, Default)]
struct Progress {
    /// Next segment to add.
    next: usize,
    /// Simulator tasks of the last segment added.
    last: Vec<usize>,
    /// Delay to add to the next segment's arrival (from `Delay` segments).
    delay: u64,
}

/// Simulates `scenario` with its splittable phases cut into `chunks` chunks, `ticks_per_ms` ticks in a millisecond
/// (see the module docs).
///
/// # Errors
/// The simulator's.
#[allow(clippy::too_many_arguments)] // The simulator's own inputs, plus how to cut and scale.
pub fn simulate_split(
    scenario: &Scenario,
    costs: &UnitCosts,
    chunks: usize,
    ticks_per_ms: u64,
    machine: &Machine,
    policy: &Policy,
    conventions: &Conventions,
    options: &SimOptions,
) -> Result<SplitPrediction, SimError> {
    simulate_split_with_working_set(
        scenario,
        costs,
        chunks,
        ticks_per_ms,
        machine,
        policy,
        conventions,
        options,
        0,
    )
}

/// [`simulate_split`] with every task's working set `working_set` for the multiprocessor model's caches: a
/// serial segment has all of it, each of `n` chunks of a splittable phase its `n`-th part (rounded up), as data
/// cut into chunks is.
///
/// # Errors
/// The simulator's.
#[allow(clippy::too_many_arguments)] // As `simulate_split`, plus the working set.
pub fn simulate_split_with_working_set(
    scenario: &Scenario,
    costs: &UnitCosts,
    chunks: usize,
    ticks_per_ms: u64,
    machine: &Machine,
    policy: &Policy,
    conventions: &Conventions,
    options: &SimOptions,
    working_set: u64,
) -> Result<SplitPrediction, SimError> {
    let ticks_per_ms = ticks_per_ms.max(1);
    let mut segments: Vec<Vec<Segment>> = scenario
        .tasks
        .iter()
        .map(|task| segments_of(task, costs, chunks, ticks_per_ms))
        .collect();
    let forks = segments
        .iter()
        .map(|task| task.len().saturating_sub(1))
        .sum::<usize>();
    let split = chunks > 1
        && forks <= MAX_FORKS
        && segments
            .iter()
            .flatten()
            .any(|segment| matches!(segment, Segment::Chunks(_)));
    if !split {
        segments = scenario
            .tasks
            .iter()
            .map(|task| segments_of(task, costs, 1, ticks_per_ms))
            .collect();
    }
    let mut sim = SimScenario::default();
    let mut owners = Vec::new();
    let mut progress = vec![Progress::default(); scenario.tasks.len()];
    let add = |owner: usize,
               arrival: u64,
               sim: &mut SimScenario,
               owners: &mut Vec<usize>,
               progress: &mut Progress| {
        let task = &scenario.tasks[owner];
        let mut arrival = arrival.saturating_add(std::mem::take(&mut progress.delay));
        while let Some(segment) = segments[owner].get(progress.next) {
            progress.next += 1;
            let bursts: Vec<Vec<Burst>> = match segment {
                Segment::Delay(ticks) => {
                    arrival = arrival.saturating_add(*ticks);
                    continue;
                }
                Segment::Serial(bursts) => vec![bursts.clone()],
                Segment::Chunks(pieces) => pieces
                    .iter()
                    .map(|ticks| vec![Burst::Cpu(*ticks)])
                    .collect(),
            };
            let count = bursts.len();
            progress.last.clear();
            for (piece, bursts) in bursts.into_iter().enumerate() {
                progress.last.push(sim.tasks.len());
                owners.push(owner);
                sim.tasks.push(SimTask {
                    name: if count == 1 {
                        task.name.clone()
                    } else {
                        format!("{} ({}/{count})", task.name, piece + 1)
                    },
                    arrival,
                    priority: task.priority,
                    bursts,
                    working_set: working_set.div_ceil(count.max(1) as u64),
                    ..SimTask::default()
                });
            }
            return;
        }
        progress.delay = 0;
    };
    for (owner, task) in scenario.tasks.iter().enumerate() {
        let arrival = task.arrival_ms.saturating_mul(ticks_per_ms);
        add(owner, arrival, &mut sim, &mut owners, &mut progress[owner]);
    }
    loop {
        let result = simulate_with(&sim, machine, policy, conventions, options)?;
        // The earliest completion of a last segment that has a successor: those successors are added next.
        let ready_at = |progress: &Progress, owner: usize| {
            (progress.next < segments[owner].len())
                .then(|| {
                    progress
                        .last
                        .iter()
                        .map(|&index| result.tasks[index].completion)
                        .max()
                })
                .flatten()
        };
        let earliest = (0..scenario.tasks.len())
            .filter_map(|owner| ready_at(&progress[owner], owner))
            .min();
        let Some(earliest) = earliest else {
            return Ok(SplitPrediction {
                result,
                owners,
                split,
                bursts: sim.tasks.iter().map(|task| task.bursts.clone()).collect(),
                scenario: sim,
            });
        };
        for (owner, task_progress) in progress.iter_mut().enumerate() {
            if ready_at(task_progress, owner) == Some(earliest) {
                add(owner, earliest, &mut sim, &mut owners, task_progress);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::Preset;
    use crate::sim::simulate;

    fn run(scenario: &Scenario, chunks: usize, cpus: u32) -> SplitPrediction {
        simulate_split(
            scenario,
            &UnitCosts::default(),
            chunks,
            1,
            &Machine {
                cpus,
                switch_cost: 0,
                ..Machine::default()
            },
            &Policy::Fcfs,
            &Conventions::default(),
            &SimOptions::default(),
        )
        .expect("simulates")
    }

    #[test]
    fn amdahl_on_eight_cpus_runs_its_parallel_part_on_all_of_them() {
        let scenario = Preset::Amdahl.scenario();
        let one = run(&scenario, 32, 1);
        let eight = run(&scenario, 32, 8);
        assert!(eight.split);
        let speedup = one.result.summary.makespan as f64 / eight.result.summary.makespan as f64;
        assert!(speedup > 1.5, "speed-up {speedup}");
        // Every CPU computed.
        assert!(eight
            .result
            .summary
            .utilisation
            .iter()
            .all(|busy| *busy > 0.0));
        // The chunks start only when the serial part is done.
        let serial_end = eight.result.tasks[0].completion;
        for metrics in &eight.result.tasks[1..] {
            assert!(metrics.first_run >= serial_end, "{metrics:?}");
        }
        assert!(eight.owners.iter().all(|&owner| owner == 0));
    }

    #[test]
    fn one_simulation_of_the_kept_scenario_gives_the_prediction() {
        let scenario = Preset::Amdahl.scenario();
        let eight = run(&scenario, 32, 8);
        let machine = Machine {
            cpus: 8,
            switch_cost: 0,
            ..Machine::default()
        };
        let again = simulate(
            &eight.scenario,
            &machine,
            &Policy::Fcfs,
            &Conventions::default(),
        )
        .expect("simulates");
        assert_eq!(again, eight.result);
        assert_eq!(eight.scenario.tasks.len(), eight.owners.len());
    }

    #[test]
    fn unsplittable_scenarios_are_the_plain_simulation() {
        let scenario = Preset::TwoChefs.scenario();
        let split = run(&scenario, 8, 2);
        assert!(!split.split);
        let plain = simulate(
            &crate::predict::to_sim_scenario(&scenario, &UnitCosts::default()),
            &Machine {
                cpus: 2,
                switch_cost: 0,
                ..Machine::default()
            },
            &Policy::Fcfs,
            &Conventions::default(),
        )
        .expect("simulates");
        assert_eq!(split.result.summary.makespan, plain.summary.makespan);
        assert_eq!(split.owners, [0, 1]);
    }

    #[test]
    fn a_task_goes_on_after_its_last_chunk_and_waits_delay_it() {
        let compute = |kind, units| Phase::Compute { kind, units };
        let scenario = Scenario {
            tasks: vec![TaskSpec {
                name: "fork-join".into(),
                phases: vec![
                    Phase::Wait { ms: 10 },
                    compute(crate::workload::WorkloadKind::Mandelbrot, 4_000),
                    Phase::Wait { ms: 5 },
                    compute(crate::workload::WorkloadKind::HashChain, 1_000),
                ],
                splittable: true,
                colour: None,
                arrival_ms: 3,
                priority: 0,
            }],
        };
        let prediction = run(&scenario, 4, 4);
        assert!(prediction.split);
        let tasks = &prediction.result.tasks;
        let names: Vec<&str> = tasks.iter().map(|task| task.name.as_str()).collect();
        assert_eq!(
            tasks.len(),
            5,
            "4 chunks and the part after the join: {names:?}"
        );
        for chunk in &tasks[..4] {
            assert_eq!(chunk.first_run, 13, "arrival 3 + wait 10");
        }
        let join = tasks[..4]
            .iter()
            .map(|chunk| chunk.completion)
            .max()
            .expect("chunks");
        // The serial part after the join starts with its 5 ms wait.
        assert_eq!(tasks[4].first_run, join + 5);
    }
}
