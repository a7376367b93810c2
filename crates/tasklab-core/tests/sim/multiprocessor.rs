//! Property tests of the multiprocessor model (per-CPU queues, stealing, affinity, caches) outside the `ostep`
//! conventions; `tests/ostep_multi.rs` checks it against OSTEP `multi.py` under `ostep`.

use proptest::prelude::*;
use tasklab_core::sim::{
    simulate, Burst, CacheModel, Conventions, Machine, Policy, QueueLayout, SimResult, SimScenario,
    SimTask, SliceKind,
};

use super::check::check_invariants;
use super::properties::{conventions_strategy, mlfq_strategy, scenario_strategy};

/// Every policy the multiprocessor model runs on (all but aging priority).
fn policy_strategy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Fcfs),
        Just(Policy::Sjf),
        Just(Policy::Srtf),
        (1u64..=4).prop_map(|quantum| Policy::RoundRobin { quantum }),
        (any::<bool>(), any::<bool>()).prop_map(|(preemptive, higher_number_is_higher)| {
            Policy::Priority {
                preemptive,
                higher_number_is_higher,
                aging: None,
            }
        }),
        mlfq_strategy(),
    ]
}

fn cache_strategy() -> impl Strategy<Value = Option<CacheModel>> {
    prop_oneof![
        Just(None),
        (0u64..=60, 0u64..=4, 1u64..=3).prop_map(|(size, warmup, warm_rate)| Some(CacheModel {
            size,
            warmup,
            warm_rate
        })),
    ]
}

fn cpu_work(task: &SimTask) -> u64 {
    task.bursts
        .iter()
        .filter(|b| matches!(b, Burst::Cpu(_)))
        .map(|b| b.ticks())
        .sum()
}

/// The model's own invariants, whatever the queues and caches:
/// - each CPU's slices tile the window without overlap, and its busy ticks are its task slices;
/// - no task runs before it arrives, on two CPUs at once, or on a CPU outside its affinity;
/// - each task runs at most its CPU work in ticks (exactly, without a cache), and at least its work divided by
///   the warm rate;
/// - a CPU runs warm at most the ticks it is busy;
/// - the trace is in order of end.
fn check_model(scenario: &SimScenario, machine: &Machine, result: &SimResult) {
    let window_start = scenario.tasks.iter().map(|t| t.arrival).min().unwrap_or(0);
    let window_end = window_start + result.summary.makespan;
    assert!(
        result
            .trace
            .windows(2)
            .all(|pair| pair[0].end <= pair[1].end),
        "the trace is in order of end"
    );
    for cpu in 0..machine.cpus {
        let mut slices: Vec<_> = result.trace.iter().filter(|s| s.cpu == cpu).collect();
        slices.sort_by_key(|s| s.start);
        let mut at = window_start;
        let mut busy = 0;
        for slice in slices {
            assert_eq!(slice.start, at, "gap or overlap on CPU {cpu}: {slice:?}");
            at = slice.end;
            if let SliceKind::Task(_) = slice.kind {
                busy += slice.end - slice.start;
            }
        }
        assert_eq!(at, window_end, "CPU {cpu} timeline");
        assert_eq!(
            busy, result.summary.busy_ticks[cpu as usize],
            "CPU {cpu} busy"
        );
        if let Some(&warm) = result.summary.warm_ticks.get(cpu as usize) {
            assert!(warm <= busy, "CPU {cpu} warm {warm} > busy {busy}");
        }
    }
    let warm_rate = machine.cache.map_or(1, |cache| cache.warm_rate.max(1));
    for (index, task) in scenario.tasks.iter().enumerate() {
        let mut runs: Vec<_> = result
            .trace
            .iter()
            .filter(|s| s.kind == SliceKind::Task(index as u32))
            .collect();
        runs.sort_by_key(|s| s.start);
        assert!(!runs.is_empty(), "task {index} never ran");
        assert!(
            runs[0].start >= task.arrival,
            "task {index} ran before arriving"
        );
        for pair in runs.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "task {index} on two CPUs at once: {pair:?}"
            );
        }
        if let Some(allowed) = &task.affinity {
            for run in &runs {
                assert!(
                    allowed.contains(&run.cpu),
                    "task {index} ran on CPU {} outside {allowed:?}",
                    run.cpu
                );
            }
        }
        let ran: u64 = runs.iter().map(|s| s.end - s.start).sum();
        let work = cpu_work(task);
        assert_eq!(ran, result.tasks[index].cpu_time, "task {index} CPU time");
        if machine.cache.is_none() {
            assert_eq!(ran, work, "task {index}: every unit of work is done once");
        } else {
            assert!(
                ran <= work && ran >= work.div_ceil(warm_rate),
                "task {index} ran {ran} for work {work}"
            );
        }
    }
}

/// Gives every task an affinity and working set drawn from `extras`.
fn with_extras(scenario: &SimScenario, cpus: u32, extras: &[(u64, u64)]) -> SimScenario {
    let tasks = scenario
        .tasks
        .iter()
        .zip(extras.iter().cycle())
        .map(|(task, &(mask, working_set))| {
            let allowed: Vec<u32> = (0..cpus).filter(|cpu| mask & (1 << cpu) != 0).collect();
            SimTask {
                affinity: (!allowed.is_empty()).then_some(allowed),
                working_set,
                ..task.clone()
            }
        })
        .collect();
    SimScenario { tasks }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// With one shared queue, no cache and every CPU allowed, the multiprocessor model schedules exactly as the
    /// main engine (which never sees affinities): the same first run and completion for every task, under every
    /// policy and tie convention; and it meets all of the engine's invariants, work conservation included.
    #[test]
    fn the_shared_queue_model_agrees_with_the_engine(
        scenario in scenario_strategy(),
        cpus in 1u32..=4,
        policy in policy_strategy(),
        conventions in conventions_strategy(),
    ) {
        let machine = Machine { cpus, ..Machine::default() };
        let engine = simulate(&scenario, &machine, &policy, &conventions).expect("valid");
        let everywhere: Vec<u32> = (0..cpus).collect();
        let model_scenario = SimScenario {
            tasks: scenario.tasks.iter().map(|task| SimTask { affinity: Some(everywhere.clone()), ..task.clone() }).collect(),
        };
        let model = simulate(&model_scenario, &machine, &policy, &conventions).expect("valid");
        prop_assert!(model.summary.migrations.is_some(), "the model ran");
        for (index, (a, b)) in engine.tasks.iter().zip(&model.tasks).enumerate() {
            prop_assert_eq!((a.first_run, a.completion), (b.first_run, b.completion), "task {} under {:?}", index, policy);
        }
        prop_assert_eq!(engine.summary.busy_ticks.iter().sum::<u64>(), model.summary.busy_ticks.iter().sum::<u64>());
        prop_assert_eq!(engine.summary.speedup, model.summary.speedup);
        check_invariants(&model_scenario, &machine, &policy, &model);
    }

    /// Any queue layout, stealing, affinity and cache: the model's invariants hold and runs are deterministic.
    #[test]
    fn per_cpu_queues_stealing_affinity_and_caches_keep_the_invariants(
        scenario in scenario_strategy(),
        cpus in 1u32..=4,
        per_cpu in any::<bool>(),
        steal_interval in prop_oneof![Just(None), (1u64..=6).prop_map(Some)],
        cache in cache_strategy(),
        extras in prop::collection::vec((0u64..16, 0u64..=40), 1..=7),
        policy in policy_strategy(),
        conventions in conventions_strategy(),
    ) {
        let machine = Machine {
            cpus,
            queues: if per_cpu { QueueLayout::PerCpu } else { QueueLayout::Shared },
            steal_interval,
            cache,
            ..Machine::default()
        };
        let scenario = with_extras(&scenario, cpus, &extras);
        let first = simulate(&scenario, &machine, &policy, &conventions).expect("valid");
        check_model(&scenario, &machine, &first);
        let second = simulate(&scenario, &machine, &policy, &conventions).expect("valid");
        prop_assert_eq!(first, second, "not deterministic");
    }

    /// A warm cache never makes a task slower: with FCFS on per-CPU queues without stealing (where the order of
    /// each queue cannot depend on speed), every task completes no later with a cache than without.
    #[test]
    fn a_warm_task_never_runs_slower_than_a_cold_one(
        runs in prop::collection::vec((0u64..20, 1u64..=30, 0u64..=60), 1..=8),
        cpus in 1u32..=3,
        size in 0u64..=100,
        warmup in 0u64..=5,
        warm_rate in 1u64..=4,
    ) {
        let tasks = runs.iter().map(|&(arrival, run, working_set)| SimTask { working_set, ..SimTask::cpu_only("", arrival, run) }).collect();
        let scenario = SimScenario { tasks };
        let cold = Machine { cpus, queues: QueueLayout::PerCpu, ..Machine::default() };
        let warm = Machine { cache: Some(CacheModel { size, warmup, warm_rate }), ..cold };
        let conventions = Conventions::default();
        let without = simulate(&scenario, &cold, &Policy::Fcfs, &conventions).expect("valid");
        let with = simulate(&scenario, &warm, &Policy::Fcfs, &conventions).expect("valid");
        for (index, (a, b)) in without.tasks.iter().zip(&with.tasks).enumerate() {
            prop_assert!(b.completion <= a.completion, "task {} completes at {} warm, {} cold", index, b.completion, a.completion);
        }
    }
}

/// Per-CPU queues without stealing leave a CPU idle while another has a queue; stealing evens the load; keeping
/// tasks on their CPU keeps them warm. The three stories of the presets, on a small case.
#[test]
fn per_cpu_queues_imbalance_stealing_and_warmth() {
    // Placed round robin: the long tasks land on CPU 0, the short ones on CPU 1.
    let tasks = vec![
        SimTask::cpu_only("long1", 0, 40),
        SimTask::cpu_only("short1", 0, 5),
        SimTask::cpu_only("long2", 0, 40),
        SimTask::cpu_only("short2", 0, 5),
    ];
    let scenario = SimScenario { tasks };
    let per_cpu = Machine {
        cpus: 2,
        queues: QueueLayout::PerCpu,
        ..Machine::default()
    };
    let rr = Policy::RoundRobin { quantum: 5 };
    let conventions = Conventions::default();
    let imbalanced = simulate(&scenario, &per_cpu, &rr, &conventions).expect("valid");
    assert_eq!(imbalanced.summary.makespan, 80);
    assert_eq!(imbalanced.summary.busy_ticks, vec![80, 10]);
    let stealing = Machine {
        steal_interval: Some(5),
        ..per_cpu
    };
    let balanced = simulate(&scenario, &stealing, &rr, &conventions).expect("valid");
    assert!(balanced.summary.steals.is_some_and(|steals| steals >= 1));
    assert!(
        balanced.summary.makespan < 60,
        "{}",
        balanced.summary.makespan
    );
}
