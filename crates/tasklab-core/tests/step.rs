//! Step-through recording: the reasons the scheduler records, their sentences, and snapshots consistent with the
//! trace.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use tasklab_core::sim::{
    simulate_with, Burst, CacheModel, Conventions, CpuState, DecisionKind, EntryCause, Machine,
    MlfqLevel, Policy, PreemptReason, QueueLayout, SimOptions, SimScenario, SimTask, SliceKind,
    TieRule,
};
use tasklab_core::step::{self, StepTrace};

fn task(name: &str, arrival: u64, priority: i64, run: u64) -> SimTask {
    SimTask {
        name: name.to_string(),
        arrival,
        priority,
        bursts: vec![Burst::Cpu(run)],
        ..SimTask::default()
    }
}

fn record(
    tasks: Vec<SimTask>,
    machine: Machine,
    policy: Policy,
    conventions: Conventions,
) -> StepTrace {
    step::record(&SimScenario { tasks }, &machine, &policy, &conventions).expect("valid scenario")
}

/// Every sentence of the run as "tick: sentence".
fn sentences(trace: &StepTrace) -> Vec<String> {
    trace
        .steps()
        .iter()
        .flat_map(|step| {
            step.decisions
                .iter()
                .map(move |d| format!("{}: {}", step.tick, d.sentence))
        })
        .collect()
}

fn has(trace: &StepTrace, sentence: &str) -> bool {
    sentences(trace).iter().any(|line| line == sentence)
}

fn srtf_textbook() -> StepTrace {
    let tasks = vec![
        task("P1", 0, 0, 8),
        task("P2", 1, 0, 4),
        task("P3", 2, 0, 9),
        task("P4", 3, 0, 5),
    ];
    record(
        tasks,
        Machine::default(),
        Policy::Srtf,
        Conventions::default(),
    )
}

#[test]
fn srtf_preemption_names_the_remaining_times() {
    let trace = srtf_textbook();
    let step = trace.at_tick(1).unwrap();
    let preempt = step
        .decisions
        .iter()
        .find(|d| matches!(d.decision.kind, DecisionKind::Preempt { .. }))
        .expect("P2 preempts P1 at 1");
    assert_eq!(
        preempt.decision.kind,
        DecisionKind::Preempt {
            victim: 0,
            reason: PreemptReason::ShorterRemaining {
                ticks: 4,
                victim_ticks: 7
            },
            front: false
        }
    );
    assert_eq!(
        preempt.sentence,
        "P2 preempts P1 on CPU 1: 4 ticks left against P1's 7 (SRTF)"
    );
    // P3 (9 left) and P4 (5 left) arrive later and preempt nobody: P2 has fewer ticks left.
    assert_eq!(
        sentences(&trace)
            .iter()
            .filter(|line| line.contains("preempts"))
            .count(),
        1
    );
    assert!(has(
        &trace,
        "5: P4 starts on CPU 1: its 5 ticks left are the fewest ready (SRTF)"
    ));
    assert!(has(
        &trace,
        "10: P1 starts on CPU 1: its 7 ticks left are the fewest ready (SRTF)"
    ));
    // The queue at 4, in the order it would run, with the work left.
    let queue: Vec<(usize, u64)> = trace.at_tick(4).unwrap().snapshot.queues[0].levels[0]
        .iter()
        .map(|queued| (queued.task, queued.left))
        .collect();
    assert_eq!(queue, [(3, 5), (0, 7), (2, 9)]);
}

/// A's quantum expires at 2, exactly when B arrives (the example of `tests/sim/examples.rs`).
fn rr_tie(conventions: Conventions) -> StepTrace {
    let tasks = vec![task("A", 0, 0, 4), task("B", 2, 0, 2), task("C", 1, 0, 2)];
    record(
        tasks,
        Machine::default(),
        Policy::RoundRobin { quantum: 2 },
        conventions,
    )
}

#[test]
fn a_same_tick_tie_names_the_convention_and_flips_with_it() {
    let default = rr_tie(Conventions::default());
    assert!(has(
        &default,
        "2: A's 2-tick quantum ends: it goes to the back of the queue"
    ));
    assert!(has(&default, "2: B arrives and A's turn ends at 2; B first: arrivals queue before a task whose turn ended (arrival_before_preempted)"));
    let swapped = rr_tie(Conventions {
        arrival_before_preempted: false,
        ..Conventions::default()
    });
    assert!(has(&swapped, "2: B arrives and A's turn ends at 2; A first: a task whose turn ended queues before arrivals (arrival_before_preempted off)"));
    let tie = |trace: &StepTrace| {
        trace
            .steps()
            .iter()
            .flat_map(|step| &step.decisions)
            .find_map(|d| match &d.decision.kind {
                DecisionKind::Tie { order, rule, .. } => {
                    Some((order.iter().map(|e| e.task).collect::<Vec<_>>(), *rule))
                }
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(tie(&default), (vec![1, 0], TieRule::ArrivalsFirst));
    assert_eq!(tie(&swapped), (vec![0, 1], TieRule::TurnEndsFirst));
    // The queue the snapshots show follows the same order.
    let queued = |trace: &StepTrace| -> Vec<usize> {
        trace.at_tick(2).unwrap().snapshot.queues[0].levels[0]
            .iter()
            .map(|q| q.task)
            .collect()
    };
    assert_eq!(queued(&default), [1, 0]);
    assert_eq!(queued(&swapped), [0, 1]);
}

#[test]
fn same_tick_arrivals_follow_scenario_order() {
    let fcfs = |tasks| {
        record(
            tasks,
            Machine::default(),
            Policy::Fcfs,
            Conventions::default(),
        )
    };
    let forward = fcfs(vec![
        task("A", 0, 0, 3),
        task("C", 5, 0, 2),
        task("D", 5, 0, 2),
    ]);
    assert!(has(
        &forward,
        "5: C and D arrive at 5; C first: scenario order"
    ));
    let backward = fcfs(vec![
        task("A", 0, 0, 3),
        task("D", 5, 0, 2),
        task("C", 5, 0, 2),
    ]);
    assert!(has(
        &backward,
        "5: D and C arrive at 5; D first: scenario order"
    ));
    let three = fcfs(vec![
        task("A", 0, 0, 1),
        task("B", 0, 0, 1),
        task("C", 0, 0, 1),
    ]);
    assert!(has(
        &three,
        "0: A, B and C arrive at 0; in the order A, B and C: scenario order"
    ));
    assert!(has(&three, "0: A starts on CPU 1: it heads the queue"));
    assert!(has(&three, "1: C completes at 3").not());
}

trait Not {
    fn not(self) -> bool;
}

impl Not for bool {
    fn not(self) -> bool {
        !self
    }
}

fn three_levels() -> Vec<MlfqLevel> {
    [(2, 2), (4, 4), (8, 8)]
        .into_iter()
        .map(|(quantum, allotment)| MlfqLevel { quantum, allotment })
        .collect()
}

#[test]
fn mlfq_demotion_names_the_allotment_and_a_new_task_preempts_a_lower_level() {
    // 0-2 A, 2-4 B, 4-5 A (preempted by C), 5-7 C, 7-8 B, 8-11 A (rest of its level-1 allotment), 11-12 A.
    let tasks = vec![task("A", 0, 0, 7), task("B", 1, 0, 3), task("C", 5, 0, 2)];
    let policy = Policy::Mlfq {
        queues: three_levels(),
        boost_period: None,
    };
    let trace = record(tasks, Machine::default(), policy, Conventions::default());
    for line in [
        "2: A moves down to level 1: it used its 2-tick allotment at level 0",
        "2: B starts on CPU 1: it heads level 0, the highest level with a ready task",
        "4: B moves down to level 1: it used its 2-tick allotment at level 0",
        "5: C preempts A on CPU 1: level 0 is above A's level 1 (MLFQ)",
        "11: A moves down to level 2: it used its 4-tick allotment at level 1",
    ] {
        assert!(
            has(&trace, line),
            "missing {line:?} in {:#?}",
            sentences(&trace)
        );
    }
    // At 6 the levels are shown apart: A and B wait at level 1, C runs at level 0.
    let at_six = trace.at_tick(6).unwrap().snapshot;
    let levels: Vec<Vec<usize>> = at_six.queues[0]
        .levels
        .iter()
        .map(|level| level.iter().map(|q| q.task).collect())
        .collect();
    assert_eq!(levels, [vec![], vec![1, 0], vec![]]);
    assert!(matches!(
        at_six.cpus[0].state,
        CpuState::Running {
            task: 2,
            since: 5,
            level: Some(0),
            ..
        }
    ));
    assert_eq!(at_six.cpus[0].quantum_left, Some(1));
}

#[test]
fn mlfq_boost_and_round_robin_quantum_left() {
    let queues = vec![
        MlfqLevel {
            quantum: 1,
            allotment: 1,
        },
        MlfqLevel {
            quantum: 10,
            allotment: 10,
        },
    ];
    let tasks = vec![task("A", 0, 0, 8), task("B", 0, 0, 8)];
    let policy = Policy::Mlfq {
        queues,
        boost_period: Some(5),
    };
    let trace = record(tasks, Machine::default(), policy, Conventions::default());
    assert!(has(
        &trace,
        "5: Boost at 5: every task moves back to level 0 (a boost every 5 ticks)"
    ));
    let rr = record(
        vec![task("P1", 0, 0, 24), task("P2", 0, 0, 3)],
        Machine::default(),
        Policy::RoundRobin { quantum: 4 },
        Conventions::default(),
    );
    let at_one = rr.at_tick(1).unwrap().snapshot;
    assert_eq!(at_one.cpus[0].quantum_left, Some(3));
    assert!(matches!(
        at_one.cpus[0].state,
        CpuState::Running {
            task: 0,
            since: 0,
            left: 23,
            ..
        }
    ));
}

#[test]
fn io_blocks_and_wakes_with_their_ticks() {
    // A computes 2, waits 3 on I/O, computes 1; B computes 4. FCFS on one CPU.
    let a = SimTask {
        name: "A".into(),
        bursts: vec![Burst::Cpu(2), Burst::Io(3), Burst::Cpu(1)],
        ..SimTask::default()
    };
    let trace = record(
        vec![a, task("B", 0, 0, 4)],
        Machine::default(),
        Policy::Fcfs,
        Conventions::default(),
    );
    assert!(has(&trace, "2: A blocks for I/O until 5"));
    assert!(has(
        &trace,
        "5: A is back from I/O at 5 and joins the ready queue"
    ));
    let at_three = trace.at_tick(3).unwrap().snapshot;
    assert_eq!(at_three.io.len(), 1);
    assert_eq!((at_three.io[0].task, at_three.io[0].until), (0, 5));
    let end = trace.at_tick(trace.end()).unwrap().snapshot;
    let done: Vec<(usize, u64)> = end.completed.iter().map(|c| (c.task, c.at)).collect();
    assert_eq!(done, [(1, 6), (0, 7)]);
}

#[test]
fn priorities_switch_costs_and_cpus_are_explained() {
    let policy = Policy::Priority {
        preemptive: true,
        higher_number_is_higher: true,
        aging: None,
    };
    let tasks = vec![task("Low", 0, 1, 5), task("High", 1, 9, 2)];
    let trace = record(tasks, Machine::new(1, 1), policy, Conventions::default());
    assert!(has(
        &trace,
        "1: High preempts Low on CPU 1: priority 9 against Low's 1"
    ));
    let two = record(
        vec![task("A", 0, 0, 3), task("B", 0, 0, 3), task("C", 0, 0, 3)],
        Machine::new(2, 0),
        Policy::Fcfs,
        Conventions::default(),
    );
    assert!(has(
        &two,
        "0: B starts on CPU 2: it heads the queue; that CPU has run nothing yet"
    ));
    assert!(has(
        &two,
        "3: C starts on CPU 1: it is the only ready task; it is the lowest-numbered free CPU"
    ));
}

#[test]
fn per_cpu_queues_steal_and_warm_up() {
    let tasks = vec![
        SimTask {
            working_set: 10,
            ..task("A", 0, 0, 2)
        },
        SimTask {
            working_set: 10,
            ..task("B", 0, 0, 20)
        },
        SimTask {
            working_set: 10,
            ..task("C", 0, 0, 20)
        },
    ];
    let machine = Machine {
        queues: QueueLayout::PerCpu,
        steal_interval: Some(5),
        cache: Some(CacheModel {
            size: 100,
            warmup: 2,
            warm_rate: 2,
        }),
        ..Machine::new(2, 0)
    };
    let trace = record(
        tasks,
        machine,
        Policy::RoundRobin { quantum: 4 },
        Conventions::default(),
    );
    let all = sentences(&trace);
    for line in [
        "0: A and C arrive at 0; A first in CPU 1's queue: scenario order",
        "0: B arrives at 0 and joins CPU 2's queue: new tasks are placed round robin",
        "2: A is warm on CPU 1 after 2 ticks there: it now does 2 units of work a tick",
        "10: CPU 2 steals C from CPU 1's queue: its own queue was empty and that queue was the longest",
        "11: C starts on CPU 2: it is the only ready task (it moves from CPU 1)",
    ] {
        assert!(has(&trace, line), "missing {line:?} in {all:#?}");
    }
    let per_cpu = &trace.steps()[0].snapshot.queues;
    assert_eq!(per_cpu.len(), 2);
    assert_eq!(per_cpu[1].cpu, Some(1));
}

#[test]
fn the_trace_is_json_and_sizes_are_capped() {
    let value = serde_json::to_value(srtf_textbook()).unwrap();
    let first = &value["steps"][1]["decisions"][1];
    assert_eq!(first["kind"], "preempt");
    assert_eq!(first["reason"]["by"], "shorter_remaining");
    assert_eq!(
        first["sentence"],
        "P2 preempts P1 on CPU 1: 4 ticks left against P1's 7 (SRTF)"
    );
    assert_eq!(value["steps"][1]["snapshot"]["cpus"][0]["state"], "running");
    let many: Vec<SimTask> = (0..=step::MAX_STEP_TASKS)
        .map(|i| task(&format!("T{i}"), 0, 0, 1))
        .collect();
    let refused = step::record(
        &SimScenario { tasks: many },
        &Machine::default(),
        &Policy::Fcfs,
        &Conventions::default(),
    );
    assert!(matches!(refused, Err(step::StepError::TooManyTasks { .. })));
    assert!(srtf_textbook().at_tick(27).is_none());
}

/// The snapshot at every tick shows on each CPU what the trace has there.
fn assert_snapshots_follow_the_trace(trace: &StepTrace) -> Result<(), TestCaseError> {
    for slice in &trace.result().trace {
        for tick in slice.start..slice.end {
            let step = trace.at_tick(tick).unwrap();
            let shown = step.snapshot.cpus[slice.cpu as usize].state;
            let agrees = match (slice.kind, shown) {
                (
                    SliceKind::Task(task),
                    CpuState::Running {
                        task: running,
                        left,
                        ..
                    },
                ) => running == task as usize && left > 0,
                (SliceKind::Switch(task), CpuState::Switching { task: to, .. }) => {
                    to == task as usize
                }
                (SliceKind::Idle, CpuState::Idle { .. }) => true,
                _ => false,
            };
            prop_assert!(
                agrees,
                "tick {tick} CPU {}: trace {:?}, snapshot {:?}",
                slice.cpu,
                slice.kind,
                shown
            );
        }
    }
    // Every ready task is in exactly one queue; every decision falls on a step.
    let mut steps = trace.steps().iter().map(|step| step.tick);
    prop_assert!(steps.clone().zip(steps.clone().skip(1)).all(|(a, b)| a < b));
    prop_assert!(steps.all(|tick| tick >= trace.start()));
    Ok(())
}

fn small_task() -> impl Strategy<Value = SimTask> {
    (
        0u64..10,
        -3i64..=3,
        prop::collection::vec(1u64..=6, 1..=4),
        0u64..40,
    )
        .prop_map(|(arrival, priority, lengths, working_set)| SimTask {
            name: String::new(),
            arrival,
            priority,
            bursts: lengths
                .iter()
                .enumerate()
                .map(|(i, &t)| {
                    if i % 2 == 0 {
                        Burst::Cpu(t)
                    } else {
                        Burst::Io(t)
                    }
                })
                .collect(),
            working_set,
            ..SimTask::default()
        })
}

fn policy() -> impl Strategy<Value = Policy> {
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
        (1u64..=3, prop::option::of(5u64..=20)).prop_map(|(q, boost_period)| Policy::Mlfq {
            queues: vec![
                MlfqLevel {
                    quantum: q,
                    allotment: 2 * q
                },
                MlfqLevel {
                    quantum: 2 * q,
                    allotment: 4 * q
                },
                MlfqLevel {
                    quantum: 4 * q,
                    allotment: 4 * q
                },
            ],
            boost_period,
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Recording changes nothing, and the snapshots replay the trace, on the shared-queue engine.
    #[test]
    fn engine_snapshots_replay_the_trace(
        tasks in prop::collection::vec(small_task(), 1..=6),
        cpus in 1u32..=3,
        switch_cost in 0u64..=2,
        policy in policy(),
        arrival_before_preempted in any::<bool>(),
    ) {
        let tasks: Vec<SimTask> = tasks.into_iter().map(|t| SimTask { working_set: 0, ..t }).collect();
        let scenario = SimScenario { tasks };
        let machine = Machine::new(cpus, switch_cost);
        let conventions = Conventions { arrival_before_preempted, ..Conventions::default() };
        let trace = step::record(&scenario, &machine, &policy, &conventions).unwrap();
        let options = SimOptions { max_slices: step::MAX_STEP_SLICES, ..SimOptions::default() };
        let plain = simulate_with(&scenario, &machine, &policy, &conventions, &options).unwrap();
        prop_assert_eq!(trace.result(), &plain);
        assert_snapshots_follow_the_trace(&trace)?;
        // Each task completes once, and its Complete decision is at its completion tick.
        for (index, metrics) in plain.tasks.iter().enumerate() {
            let completes: Vec<u64> = trace.steps().iter().flat_map(|s| &s.decisions)
                .filter(|d| d.decision.task == Some(index) && d.decision.kind == DecisionKind::Complete)
                .map(|d| d.decision.tick)
                .collect();
            prop_assert_eq!(completes, vec![metrics.completion]);
        }
        prop_assert!(trace.steps().iter().flat_map(|s| &s.decisions).all(|d| !d.sentence.is_empty()));
    }

    /// The same on the multiprocessor model: per-CPU queues, stealing and caches.
    #[test]
    fn multiprocessor_snapshots_replay_the_trace(
        tasks in prop::collection::vec(small_task(), 1..=6),
        cpus in 1u32..=3,
        per_cpu in any::<bool>(),
        steal_interval in prop::option::of(1u64..=6),
        cache in any::<bool>(),
        policy in policy(),
    ) {
        let scenario = SimScenario { tasks };
        let machine = Machine {
            queues: if per_cpu { QueueLayout::PerCpu } else { QueueLayout::Shared },
            steal_interval,
            cache: cache.then_some(CacheModel { size: 50, warmup: 2, warm_rate: 2 }),
            ..Machine::new(cpus, 0)
        };
        let conventions = Conventions::default();
        let trace = step::record(&scenario, &machine, &policy, &conventions).unwrap();
        let options = SimOptions { max_slices: step::MAX_STEP_SLICES, ..SimOptions::default() };
        let plain = simulate_with(&scenario, &machine, &policy, &conventions, &options).unwrap();
        prop_assert_eq!(trace.result(), &plain);
        assert_snapshots_follow_the_trace(&trace)?;
        let entered = trace.steps().iter().flat_map(|s| &s.decisions).filter(|d| match &d.decision.kind {
            DecisionKind::Tie { order, .. } => order.iter().any(|e| e.cause == EntryCause::Arrival),
            DecisionKind::Arrive { .. } => true,
            _ => false,
        }).count();
        prop_assert!(entered >= 1);
    }
}
