//! Deterministic scheduling simulator: classic policies on N virtual CPUs, with exact metrics.
//!
//! Time is counted in integer **ticks**; every decision uses integers only, so a run gives identical results on
//! every platform (x86_64, wasm32). The entry point is [`simulate`] (or [`simulate_with`] for options; the JSON
//! document of the CLI and of the page's script API goes through [`run_input`] and [`SimOutput`]):
//!
//! ```
//! use tasklab_core::sim::{simulate, Conventions, Machine, Policy, SimScenario, SimTask};
//!
//! let scenario = SimScenario {
//!     tasks: vec![SimTask::cpu_only("P1", 0, 24), SimTask::cpu_only("P2", 0, 3), SimTask::cpu_only("P3", 0, 3)],
//! };
//! let result = simulate(&scenario, &Machine::default(), &Policy::Fcfs, &Conventions::default())
//!     .expect("valid scenario");
//! assert_eq!(result.summary.avg_waiting, 17.0);
//! ```
//!
//! The model: one global ready queue; a task runs on at most one CPU at a time and may move between CPUs; a CPU
//! never stays idle while a task is ready (it may be busy switching). I/O devices are unlimited. A context switch
//! is charged on a CPU when it starts a task other than the one it ran last (never before its first task); it is
//! drawn as its own slice, and the CPU is busy (not idle) while it switches. Ties follow [`Conventions`].
//!
//! When the free CPUs take ready tasks, each task goes to the CPU it ran on last if that one is free (no switch),
//! otherwise to the lowest-numbered free CPU that never ran a task, otherwise to the lowest-numbered free CPU.
//!
//! **Multiprocessor model**: per-CPU queues, work stealing, affinity and per-CPU caches, on top of the policies
//! (`docs/multiprocessor-model.md`). It is used when the machine sets any of [`Machine::queues`],
//! [`Machine::steal_interval`], [`Machine::cache`], [`Machine::dispatch_order`], or a task sets
//! [`SimTask::working_set`] or [`SimTask::affinity`]; under the `ostep` conventions also for any machine of more
//! than one CPU, and then it is exactly OSTEP `multi.py`'s model (`docs/ostep-multi-semantics.md`): its random
//! draws come from a [`MultiChooser`] ([`simulate_multi_with`]), multi.py's steal test (which ignores affinity)
//! is reproduced, and a run it would never finish ends with [`SimError::NeverFinishes`].

mod engine;
mod error;
mod input;
mod metrics;
mod model;
mod multi;

pub use error::{
    SimError, DEFAULT_MAX_SLICES, MAX_BURSTS_PER_TASK, MAX_CPUS, MAX_MLFQ_LEVELS, MAX_TASKS,
    MAX_TICKS, MAX_TOTAL_BURSTS,
};
pub use input::{run_input, run_input_json, SimInputError, SimOutput};
pub use metrics::{SimResult, SliceKind, Summary, TaskMetrics, TraceSlice};
pub use model::{
    Burst, CacheModel, Completed, Conventions, ConventionsPreset, CpuChoice, CpuState, Decision,
    DecisionKind, DispatchOrder, DispatchReason, Entrant, EntryCause, IoWait, Machine, MlfqLevel,
    Policy, PreemptReason, QueueLayout, QueueState, Queued, Recording, SimInput, SimScenario,
    SimState, SimTask, TieRule,
};
pub use multi::{MultiChooser, SeededChooser};

use engine::{PreparedTask, RunConfig, RunOutcome};
use multi::MultiConfig;

/// Options of a run beyond the scenario, machine, policy and conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Keep every slice in [`SimResult::trace`] (default true). When false the trace is empty but the slice counts
    /// of the [`Summary`] are still exact; useful for benchmarks and very large runs.
    pub record_trace: bool,
    /// For more than one CPU, also run the scenario on one CPU to compute speedup and efficiency (default true).
    /// It roughly doubles the cost of a run.
    pub compare_with_one_cpu: bool,
    /// Cap on the number of slices of the run (default [`DEFAULT_MAX_SLICES`]).
    pub max_slices: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            record_trace: true,
            compare_with_one_cpu: true,
            max_slices: DEFAULT_MAX_SLICES,
        }
    }
}

/// Simulates `scenario` on `machine` under `policy`, with the default [`SimOptions`].
///
/// # Errors
/// Any [`SimError`]: an empty scenario, a task without CPU burst or with a zero-length burst, a zero quantum,
/// a CPU count outside 1..=64, a value beyond the documented limits, or a run that exceeds the slice cap.
pub fn simulate(
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
    conventions: &Conventions,
) -> Result<SimResult, SimError> {
    simulate_with(
        scenario,
        machine,
        policy,
        conventions,
        &SimOptions::default(),
    )
}

/// Simulates `scenario` on `machine` under `policy`, with explicit options.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_with(
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
    conventions: &Conventions,
    options: &SimOptions,
) -> Result<SimResult, SimError> {
    simulate_multi_with(
        scenario,
        machine,
        policy,
        conventions,
        options,
        &mut SeededChooser::default(),
    )
}

/// [`simulate_with`] with the random draws of the multiprocessor model (steal victims, random dispatch orders)
/// taken from `chooser`; it is not consulted otherwise. Tests replay OSTEP `multi.py`'s recorded draws this way.
///
/// # Errors
/// As [`simulate`], plus [`SimError::InvalidMultiprocessor`] and [`SimError::NeverFinishes`] for the
/// multiprocessor model.
pub fn simulate_multi_with(
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
    conventions: &Conventions,
    options: &SimOptions,
    chooser: &mut dyn MultiChooser,
) -> Result<SimResult, SimError> {
    let run = Run {
        scenario,
        machine,
        policy,
        conventions,
        options,
    };
    simulate_run(&run, chooser, false).map(|(result, _)| result)
}

/// [`simulate_with`], also recording every decision of the scheduler with its reason and the state after each
/// tick it handled ([`Recording`]): what `crate::step` explains. The result is the one [`simulate_with`] gives;
/// plain runs use another instance of the engine, which records nothing.
///
/// # Errors
/// As [`simulate_multi_with`].
pub fn simulate_recorded(
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
    conventions: &Conventions,
    options: &SimOptions,
) -> Result<(SimResult, Recording), SimError> {
    let run = Run {
        scenario,
        machine,
        policy,
        conventions,
        options,
    };
    simulate_run(&run, &mut SeededChooser::default(), true)
}

/// The inputs of one simulation.
struct Run<'a> {
    scenario: &'a SimScenario,
    machine: &'a Machine,
    policy: &'a Policy,
    conventions: &'a Conventions,
    options: &'a SimOptions,
}

/// Validates and runs; `record` picks the recording instance of the engine (the recording is empty otherwise).
fn simulate_run(
    run: &Run<'_>,
    chooser: &mut dyn MultiChooser,
    record: bool,
) -> Result<(SimResult, Recording), SimError> {
    let Run {
        scenario,
        machine,
        policy,
        conventions,
        options,
    } = *run;
    let multi = uses_multiprocessor_model(scenario, machine, conventions);
    let prepared = validate(scenario, machine, policy, multi && conventions.is_ostep())?;
    validate_conventions(conventions, machine, policy, multi)?;
    if multi {
        return simulate_multiprocessor(run, &prepared, chooser, record);
    }
    let total_bursts: u64 = prepared.iter().map(|task| task.bursts.len() as u64).sum();
    // Every step either ends a slice, moves a burst along, or applies a boost; this bound is far above any
    // legitimate run and only stops pathological boost/switch combinations.
    let max_steps = options
        .max_slices
        .saturating_mul(4)
        .saturating_add(total_bursts.saturating_mul(4))
        .saturating_add(1_000);
    let config = RunConfig {
        tasks: &prepared,
        cpus: machine.cpus,
        switch_cost: machine.switch_cost,
        policy,
        conventions: *conventions,
        record_trace: options.record_trace,
        max_slices: options.max_slices,
        max_steps,
    };
    let (outcome, recording) = if record {
        engine::run_recorded(&config)?
    } else {
        (engine::run(&config)?, Recording::default())
    };
    let one_cpu_makespan = if machine.cpus > 1 && options.compare_with_one_cpu {
        let single = RunConfig {
            cpus: 1,
            record_trace: false,
            ..config
        };
        engine::run(&single)
            .ok()
            .map(|run| run.window_end - run.window_start)
    } else {
        None
    };
    let result = build_result(scenario, &prepared, outcome, machine.cpus, one_cpu_makespan);
    Ok((result, recording))
}

/// Whether the run uses the multiprocessor model (see the module docs).
fn uses_multiprocessor_model(
    scenario: &SimScenario,
    machine: &Machine,
    conventions: &Conventions,
) -> bool {
    let fields = machine.has_multiprocessor_fields()
        || scenario
            .tasks
            .iter()
            .any(|task| task.working_set != 0 || task.affinity.is_some());
    fields || (conventions.is_ostep() && machine.cpus > 1)
}

/// Checks what the multiprocessor model needs beyond [`validate`] (and, under `ostep`, what `multi.py` needs)
/// and runs it.
fn simulate_multiprocessor(
    run: &Run<'_>,
    prepared: &[PreparedTask],
    chooser: &mut dyn MultiChooser,
    record: bool,
) -> Result<(SimResult, Recording), SimError> {
    let Run {
        scenario,
        machine,
        policy,
        conventions,
        options,
    } = *run;
    let invalid = |reason: String| SimError::InvalidMultiprocessor { reason };
    let ostep = conventions.is_ostep();
    if ostep {
        check_ostep_multiprocessor(prepared, scenario, machine, policy)?;
    } else {
        if machine.switch_cost != 0 {
            return Err(invalid(
                "a switch cost is not modelled together with per-CPU queues, stealing, caches or affinity (the \
                 cache model is the cost of moving); set it to 0"
                    .into(),
            ));
        }
        if matches!(policy, Policy::Priority { aging: Some(_), .. }) {
            return Err(invalid(
                "aging is not modelled together with per-CPU queues, stealing, caches or affinity"
                    .into(),
            ));
        }
    }
    for (index, task) in scenario.tasks.iter().enumerate() {
        check_ticks(
            &format!("the working set of task {index}"),
            task.working_set,
        )?;
        if let Some(cpus) = &task.affinity {
            if cpus.is_empty() {
                return Err(invalid(format!("task {index} has an empty affinity list")));
            }
            if let Some(cpu) = cpus.iter().find(|&&cpu| cpu >= machine.cpus) {
                return Err(invalid(format!(
                    "task {index} has CPU {cpu} in its affinity; the machine has {} CPU(s)",
                    machine.cpus
                )));
            }
        }
    }
    if let Some(cache) = &machine.cache {
        if cache.warm_rate == 0 {
            return Err(invalid("the cache's warm_rate must be at least 1".into()));
        }
        check_ticks("the cache size", cache.size)?;
        check_ticks("the cache warm-up", cache.warmup)?;
        check_ticks("the cache warm rate", cache.warm_rate)?;
    }
    let per_cpu = machine.queues == QueueLayout::PerCpu;
    // multi.py ignores the peek interval with a shared queue and treats 0 as "off"; so does tasklab.
    let steal_interval = machine.steal_interval.filter(|&p| per_cpu && p > 0);
    if let Some(interval) = steal_interval {
        check_ticks("the steal interval", interval)?;
        if ostep && machine.cpus == 1 {
            return Err(invalid(
                "stealing with per-CPU queues needs at least 2 CPUs (multi.py crashes)".into(),
            ));
        }
    }
    let total_work = prepared
        .iter()
        .flat_map(|task| task.bursts.iter())
        .map(|burst| burst.ticks())
        .fold(0u64, u64::saturating_add);
    let max_steps = options
        .max_slices
        .saturating_mul(4)
        .saturating_add(total_work.saturating_mul(2))
        .saturating_add(prepared.len() as u64 * 4)
        .saturating_add(100_000);
    let config = MultiConfig {
        tasks: prepared,
        working_set: scenario.tasks.iter().map(|t| t.working_set).collect(),
        affinity: scenario
            .tasks
            .iter()
            .map(|t| t.affinity.as_deref())
            .collect(),
        cpus: machine.cpus,
        rules: crate::sched::Rules::with_conventions(policy, conventions),
        ostep,
        arrival_before_preempted: conventions.arrival_before_preempted,
        per_cpu,
        steal_interval,
        cache: machine.cache,
        random_order: machine.dispatch_order == DispatchOrder::Random,
        record_trace: options.record_trace,
        record,
        max_slices: options.max_slices,
        max_steps,
    };
    let (outcome, recording) = multi::run_multi(&config, chooser)?;
    // On one CPU, affinities, per-CPU queues and stealing mean nothing; the cache still counts. Not under
    // `ostep` (multi.py has no such figure).
    let one_cpu_makespan = if !ostep && machine.cpus > 1 && options.compare_with_one_cpu {
        let single = MultiConfig {
            cpus: 1,
            affinity: vec![None; prepared.len()],
            per_cpu: false,
            steal_interval: None,
            record_trace: false,
            record: false,
            ..config
        };
        multi::run_multi(&single, chooser)
            .ok()
            .map(|(run, _)| run.window_end - run.window_start)
    } else {
        None
    };
    let result = build_result(scenario, prepared, outcome, machine.cpus, one_cpu_makespan);
    Ok((result, recording))
}

/// What `multi.py` needs under `ostep`: round robin, every task arriving at 0 with exactly one CPU burst.
fn check_ostep_multiprocessor(
    prepared: &[PreparedTask],
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
) -> Result<(), SimError> {
    let invalid = |reason: String| SimError::InvalidMultiprocessor { reason };
    if !matches!(policy, Policy::RoundRobin { .. }) {
        // Checked by `validate_conventions`; kept as an error rather than a panic.
        return Err(SimError::OstepMachine {
            cpus: machine.cpus,
            switch_cost: machine.switch_cost,
        });
    }
    for (index, (task, prepared)) in scenario.tasks.iter().zip(prepared).enumerate() {
        if task.arrival != 0 {
            return Err(invalid(format!(
                "task {index} arrives at {}; under the ostep conventions every task arrives at 0",
                task.arrival
            )));
        }
        if !matches!(prepared.bursts.as_slice(), [Burst::Cpu(_)]) {
            return Err(invalid(format!(
                "task {index} must have exactly one CPU burst and no I/O under the ostep conventions"
            )));
        }
    }
    Ok(())
}

/// Checks every limit and normalises the tasks (consecutive bursts of one kind merged). The multiprocessor model
/// (`multi`) under `ostep` allows a CPU burst of 0 work (it still takes one tick, as in multi.py).
fn validate(
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
    ostep_multi: bool,
) -> Result<Vec<PreparedTask>, SimError> {
    if !(1..=MAX_CPUS).contains(&machine.cpus) {
        return Err(SimError::CpusOutOfRange { cpus: machine.cpus });
    }
    check_ticks("the switch cost", machine.switch_cost)?;
    validate_policy(policy)?;
    let tasks = &scenario.tasks;
    if tasks.is_empty() {
        return Err(SimError::EmptyScenario);
    }
    if tasks.len() > MAX_TASKS {
        return Err(SimError::TooManyTasks { count: tasks.len() });
    }
    let total_bursts: usize = tasks.iter().map(|task| task.bursts.len()).sum();
    if total_bursts > MAX_TOTAL_BURSTS {
        return Err(SimError::TooManyBurstsInAll {
            count: total_bursts,
        });
    }
    let higher_number_is_higher = matches!(
        policy,
        Policy::Priority {
            higher_number_is_higher: true,
            ..
        }
    );
    let mut prepared = Vec::with_capacity(tasks.len());
    for (index, task) in tasks.iter().enumerate() {
        if task.bursts.len() > MAX_BURSTS_PER_TASK {
            return Err(SimError::TooManyBursts {
                task: index,
                count: task.bursts.len(),
            });
        }
        check_ticks(&format!("the arrival of task {index}"), task.arrival)?;
        let mut bursts: Vec<Burst> = Vec::with_capacity(task.bursts.len());
        for (burst_index, &burst) in task.bursts.iter().enumerate() {
            if burst.ticks() == 0 && !(ostep_multi && matches!(burst, Burst::Cpu(_))) {
                return Err(SimError::ZeroLengthBurst {
                    task: index,
                    burst: burst_index,
                });
            }
            check_ticks(
                &format!("burst {burst_index} of task {index}"),
                burst.ticks(),
            )?;
            // Merging keeps the sum ≤ MAX_TOTAL_BURSTS · MAX_TICKS, far below u64::MAX.
            match (bursts.last_mut(), burst) {
                (Some(Burst::Cpu(last)), Burst::Cpu(more))
                | (Some(Burst::Io(last)), Burst::Io(more)) => {
                    *last += more;
                }
                _ => bursts.push(burst),
            }
        }
        if !bursts.iter().any(|burst| matches!(burst, Burst::Cpu(_))) {
            return Err(SimError::NoCpuBurst { task: index });
        }
        let priority = i128::from(task.priority);
        let priority_key = if higher_number_is_higher {
            -priority
        } else {
            priority
        };
        prepared.push(PreparedTask {
            arrival: task.arrival,
            priority_key,
            bursts,
        });
    }
    Ok(prepared)
}

/// The `ostep` conventions reproduce simulators of one CPU without switch cost, or `multi.py`'s multiprocessor
/// model (`multi`, round robin only, several CPUs allowed, no switch cost); anything else would give numbers no
/// OSTEP tool can confirm.
fn validate_conventions(
    conventions: &Conventions,
    machine: &Machine,
    policy: &Policy,
    multi: bool,
) -> Result<(), SimError> {
    if let Some(reason) = conventions.inconsistency() {
        return Err(SimError::InvalidConventions { reason });
    }
    let cpus_ok = if multi {
        matches!(policy, Policy::RoundRobin { .. })
    } else {
        machine.cpus == 1
    };
    if conventions.is_ostep() && (!cpus_ok || machine.switch_cost != 0) {
        return Err(SimError::OstepMachine {
            cpus: machine.cpus,
            switch_cost: machine.switch_cost,
        });
    }
    Ok(())
}

fn validate_policy(policy: &Policy) -> Result<(), SimError> {
    match policy {
        Policy::RoundRobin { quantum } => {
            if *quantum == 0 {
                return Err(SimError::ZeroQuantum);
            }
            check_ticks("the quantum", *quantum)
        }
        Policy::Mlfq {
            queues,
            boost_period,
        } => {
            if queues.is_empty() || queues.len() > MAX_MLFQ_LEVELS {
                return Err(SimError::MlfqLevelCount {
                    count: queues.len(),
                });
            }
            for (level, queue) in queues.iter().enumerate() {
                if queue.quantum == 0 {
                    return Err(SimError::MlfqZero {
                        level,
                        what: "quantum",
                    });
                }
                if queue.allotment == 0 {
                    return Err(SimError::MlfqZero {
                        level,
                        what: "allotment",
                    });
                }
                check_ticks(&format!("the quantum of MLFQ queue {level}"), queue.quantum)?;
                check_ticks(
                    &format!("the allotment of MLFQ queue {level}"),
                    queue.allotment,
                )?;
            }
            match boost_period {
                Some(0) => Err(SimError::ZeroBoostPeriod),
                Some(period) => check_ticks("the boost period", *period),
                None => Ok(()),
            }
        }
        Policy::Priority {
            aging: Some(period),
            ..
        } => {
            if *period == 0 {
                return Err(SimError::ZeroAging);
            }
            check_ticks("the aging period", *period)
        }
        Policy::Fcfs | Policy::Sjf | Policy::Srtf | Policy::Priority { .. } => Ok(()),
    }
}

fn check_ticks(what: &str, value: u64) -> Result<(), SimError> {
    if value > MAX_TICKS {
        return Err(SimError::TicksTooLarge {
            what: what.to_string(),
            value,
        });
    }
    Ok(())
}

fn build_result(
    scenario: &SimScenario,
    prepared: &[PreparedTask],
    outcome: RunOutcome,
    cpus: u32,
    one_cpu_makespan: Option<u64>,
) -> SimResult {
    let tasks: Vec<TaskMetrics> = scenario
        .tasks
        .iter()
        .zip(prepared)
        .enumerate()
        .map(|(index, (task, prepared))| {
            let io_time: u64 = prepared
                .bursts
                .iter()
                .filter(|b| matches!(b, Burst::Io(_)))
                .map(|b| b.ticks())
                .sum();
            let first_run = outcome.first_run[index];
            let completion = outcome.completion[index];
            // Every task completes, so it ran exactly its CPU bursts (the tests check this against the trace).
            // The multiprocessor model counts the ticks run, which a warm cache makes fewer than the work.
            let cpu_time: u64 = match outcome.cpu_ticks.get(index) {
                Some(&ticks) => ticks,
                None => prepared
                    .bursts
                    .iter()
                    .filter(|b| matches!(b, Burst::Cpu(_)))
                    .map(|b| b.ticks())
                    .sum(),
            };
            let turnaround = completion.saturating_sub(task.arrival);
            TaskMetrics {
                name: if task.name.is_empty() {
                    format!("T{index}")
                } else {
                    task.name.clone()
                },
                arrival: task.arrival,
                first_run,
                completion,
                response: first_run.saturating_sub(task.arrival),
                turnaround,
                waiting: turnaround.saturating_sub(cpu_time).saturating_sub(io_time),
                cpu_time,
                io_time,
            }
        })
        .collect();
    let count = tasks.len().max(1) as f64;
    let average = |figure: fn(&TaskMetrics) -> u64| {
        tasks.iter().map(|t| figure(t) as f64).sum::<f64>() / count
    };
    let makespan = outcome.window_end - outcome.window_start;
    let share = |ticks: u64| {
        if makespan == 0 {
            0.0
        } else {
            ticks as f64 / makespan as f64
        }
    };
    let speedup = one_cpu_makespan.map(share);
    let summary = Summary {
        avg_response: average(|t| t.response),
        avg_turnaround: average(|t| t.turnaround),
        avg_waiting: average(|t| t.waiting),
        makespan,
        throughput: if makespan == 0 {
            0.0
        } else {
            tasks.len() as f64 / makespan as f64
        },
        utilisation: outcome.busy_ticks.iter().map(|&busy| share(busy)).collect(),
        // Of the CPU's busy ticks, the share run warm.
        warm: outcome
            .warm_ticks
            .iter()
            .zip(&outcome.busy_ticks)
            .map(|(&warm, &busy)| {
                if busy == 0 {
                    0.0
                } else {
                    warm as f64 / busy as f64
                }
            })
            .collect(),
        busy_ticks: outcome.busy_ticks,
        switch_ticks: outcome.switch_ticks,
        context_switches: outcome.context_switches,
        task_slices: outcome.task_slices,
        switch_slices: outcome.switch_slices,
        idle_slices: outcome.idle_slices,
        speedup,
        efficiency: speedup.map(|speedup| speedup / f64::from(cpus)),
        warm_ticks: outcome.warm_ticks,
        migrations: outcome.migrations,
        steals: outcome.steals,
    };
    SimResult {
        trace: outcome.trace,
        tasks,
        summary,
    }
}

/// The benchmark setup: a scenario with the machine and policy to run it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchSetup {
    /// The tasks.
    pub scenario: SimScenario,
    /// 8 CPUs, no switch cost.
    pub machine: Machine,
    /// Round robin with a quantum of 1 tick.
    pub policy: Policy,
    /// Default conventions, or `ostep` for the multiprocessor model.
    pub conventions: Conventions,
}

impl BenchSetup {
    /// Simulates the setup as the benchmarks do: default conventions, no comparison run on one CPU, no slice cap,
    /// and the trace kept only when `record_trace`.
    ///
    /// # Errors
    /// As [`simulate`] (never for a setup built by [`bench_scenario`]).
    pub fn run(&self, record_trace: bool) -> Result<SimResult, SimError> {
        let options = SimOptions {
            record_trace,
            compare_with_one_cpu: false,
            max_slices: u64::MAX,
        };
        simulate_with(
            &self.scenario,
            &self.machine,
            &self.policy,
            &self.conventions,
            &options,
        )
    }
}

/// The multiprocessor model's benchmark at `tasks` tasks: the same amount of CPU work as [`bench_scenario_sized`],
/// as one CPU burst per task (the model's jobs all start at 0), working sets from 0 to 140, on 8 CPUs with per-CPU
/// queues, stealing every 30 ticks and a cache of 100 (warm after 10 ticks, twice as fast), round robin with a
/// quantum of 1 tick, under the `ostep` conventions.
pub fn bench_scenario_multiprocessor(tasks: usize, total_cpu_ticks: u64) -> BenchSetup {
    let tasks = bench_cpu_ticks(tasks, total_cpu_ticks)
        .enumerate()
        .map(|(index, total)| SimTask {
            name: format!("T{index}"),
            bursts: vec![Burst::Cpu(total)],
            working_set: (index as u64).wrapping_mul(37) % 150,
            ..SimTask::default()
        })
        .collect();
    BenchSetup {
        scenario: SimScenario { tasks },
        machine: Machine {
            queues: QueueLayout::PerCpu,
            steal_interval: Some(30),
            cache: Some(CacheModel {
                size: 100,
                warmup: 10,
                warm_rate: 2,
            }),
            ..Machine::new(8, 0)
        },
        policy: Policy::RoundRobin { quantum: 1 },
        conventions: Conventions::ostep(),
    }
}

/// The CPU ticks of each of `tasks` benchmark tasks (at least 1 task, at most [`MAX_TASKS`]): varied
/// deterministically around a mean so that all together need about `total_cpu_ticks`; each at least 2.
fn bench_cpu_ticks(tasks: usize, total_cpu_ticks: u64) -> impl Iterator<Item = u64> {
    let tasks = tasks.clamp(1, MAX_TASKS);
    let mean_per_task = (total_cpu_ticks / tasks as u64).max(2);
    (0..tasks).map(move |index| {
        let spread = (index as u64).wrapping_mul(2_654_435_761) % mean_per_task;
        (mean_per_task / 2 + spread).max(2)
    })
}

/// Total CPU ticks of a [`bench_scenario`], whatever the task count: about this many task slices per run.
pub const BENCH_TOTAL_CPU_TICKS: u64 = 8_000_000;

/// The benchmark scenario: `tasks` tasks (at least 1), Round Robin with a quantum of 1 on 8 CPUs, switch cost 0.
///
/// Every task arrives at tick `index % 100` and has a CPU burst, an I/O burst and a second CPU burst; CPU bursts
/// vary deterministically around a mean chosen so that the whole scenario needs about
/// [`BENCH_TOTAL_CPU_TICKS`] CPU ticks, hence about that many task slices, at every size. That keeps the run
/// time comparable across sizes so slices per second shows how the cost per slice grows with the task count.
pub fn bench_scenario(tasks: usize) -> BenchSetup {
    bench_scenario_sized(tasks, BENCH_TOTAL_CPU_TICKS)
}

/// [`bench_scenario`] with about `total_cpu_ticks` CPU ticks in all (at least 2 per task), for quick runs.
pub fn bench_scenario_sized(tasks: usize, total_cpu_ticks: u64) -> BenchSetup {
    let tasks = bench_cpu_ticks(tasks, total_cpu_ticks)
        .enumerate()
        .map(|(index, total)| {
            // The task's CPU ticks, in two bursts of at least 1 each.
            let first = (total / 3).max(1);
            SimTask {
                name: format!("T{index}"),
                arrival: index as u64 % 100,
                priority: 0,
                bursts: vec![
                    Burst::Cpu(first),
                    Burst::Io(1 + index as u64 % 7),
                    Burst::Cpu(total - first),
                ],
                ..SimTask::default()
            }
        })
        .collect();
    BenchSetup {
        scenario: SimScenario { tasks },
        machine: Machine::new(8, 0),
        policy: Policy::RoundRobin { quantum: 1 },
        conventions: Conventions::default(),
    }
}
