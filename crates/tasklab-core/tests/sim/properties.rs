//! Property tests over random scenarios, for every policy.

use proptest::prelude::*;
use tasklab_core::sim::{
    simulate, simulate_with, Burst, Conventions, Machine, MlfqLevel, Policy, SimOptions,
    SimScenario, SimTask, SliceKind,
};

use super::check::check_invariants;

/// A task of 1 to 5 alternating bursts, sometimes starting with I/O; every burst 1..=8 ticks.
pub fn task_strategy() -> impl Strategy<Value = SimTask> {
    (
        0u64..16,
        -3i64..=3,
        any::<bool>(),
        prop::collection::vec(1u64..=8, 1..=5),
    )
        .prop_map(|(arrival, priority, io_first, lengths)| {
            let bursts = lengths
                .iter()
                .enumerate()
                .map(|(position, &ticks)| {
                    // Alternate kinds; with `io_first`, even positions are I/O (a task of one burst stays CPU).
                    let io = lengths.len() > 1 && (position % 2 == 0) == io_first;
                    if io {
                        Burst::Io(ticks)
                    } else {
                        Burst::Cpu(ticks)
                    }
                })
                .collect();
            SimTask {
                name: String::new(),
                arrival,
                priority,
                bursts,
                ..SimTask::default()
            }
        })
}

pub fn scenario_strategy() -> impl Strategy<Value = SimScenario> {
    prop::collection::vec(task_strategy(), 1..=7).prop_map(|tasks| SimScenario { tasks })
}

fn machine_strategy() -> impl Strategy<Value = Machine> {
    (1u32..=4, prop_oneof![Just(0u64), 1u64..=2]).prop_map(|(cpus, switch_cost)| Machine {
        cpus,
        switch_cost,
        ..Machine::default()
    })
}

pub fn conventions_strategy() -> impl Strategy<Value = Conventions> {
    any::<bool>().prop_map(|arrival_before_preempted| Conventions {
        arrival_before_preempted,
        ..Conventions::default()
    })
}

pub fn mlfq_strategy() -> impl Strategy<Value = Policy> {
    (
        prop::collection::vec((1u64..=4, 1u64..=6), 1..=3),
        prop_oneof![Just(None), (3u64..=20).prop_map(Some)],
    )
        .prop_map(|(levels, boost_period)| Policy::Mlfq {
            queues: levels
                .into_iter()
                .map(|(quantum, allotment)| MlfqLevel { quantum, allotment })
                .collect(),
            boost_period,
        })
}

fn check(scenario: &SimScenario, machine: &Machine, policy: &Policy, conventions: &Conventions) {
    let first = simulate(scenario, machine, policy, conventions).expect("valid scenario");
    check_invariants(scenario, machine, policy, &first);
    let second = simulate(scenario, machine, policy, conventions).expect("valid scenario");
    assert_eq!(first, second, "not deterministic");
    if machine.cpus > 1 {
        assert!(first.summary.speedup.is_some_and(|s| s > 0.0));
    }
}

const CASES: u32 = 256;

macro_rules! policy_properties {
    ($name:ident, $policy:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]
            #[test]
            fn $name(
                scenario in scenario_strategy(),
                machine in machine_strategy(),
                conventions in conventions_strategy(),
                policy in $policy,
            ) {
                check(&scenario, &machine, &policy, &conventions);
            }
        }
    };
}

policy_properties!(fcfs_invariants, Just(Policy::Fcfs));
policy_properties!(sjf_invariants, Just(Policy::Sjf));
policy_properties!(srtf_invariants, Just(Policy::Srtf));
policy_properties!(
    round_robin_invariants,
    (1u64..=4).prop_map(|quantum| Policy::RoundRobin { quantum })
);
policy_properties!(
    priority_invariants,
    any::<bool>().prop_map(|higher_number_is_higher| Policy::Priority {
        preemptive: false,
        higher_number_is_higher,
        aging: None,
    })
);
policy_properties!(
    priority_preemptive_invariants,
    any::<bool>().prop_map(|higher_number_is_higher| Policy::Priority {
        preemptive: true,
        higher_number_is_higher,
        aging: None,
    })
);
policy_properties!(mlfq_invariants, mlfq_strategy());

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// For CPU-only tasks all arriving at 0 on one CPU, SJF's average waiting time never exceeds FCFS's.
    #[test]
    fn sjf_waits_no_more_than_fcfs(
        runs in prop::collection::vec(1u64..=30, 1..=10),
        switch_cost in 0u64..=2,
    ) {
        let tasks = runs.iter().map(|&run| SimTask::cpu_only("", 0, run)).collect();
        let scenario = SimScenario { tasks };
        let machine = Machine { cpus: 1, switch_cost, ..Machine::default() };
        let conventions = Conventions::default();
        let fcfs = simulate(&scenario, &machine, &Policy::Fcfs, &conventions).expect("valid");
        let sjf = simulate(&scenario, &machine, &Policy::Sjf, &conventions).expect("valid");
        prop_assert!(sjf.summary.avg_waiting <= fcfs.summary.avg_waiting);
    }

    /// Without preemption, every CPU burst runs as a single slice.
    #[test]
    fn non_preemptive_policies_run_bursts_whole(scenario in scenario_strategy(), machine in machine_strategy()) {
        for policy in [Policy::Fcfs, Policy::Sjf, Policy::Priority { preemptive: false, higher_number_is_higher: false, aging: None }] {
            let result = simulate(&scenario, &machine, &policy, &Conventions::default()).expect("valid");
            let cpu_bursts: usize = scenario
                .tasks
                .iter()
                .map(|task| {
                    // Count maximal runs of CPU bursts (consecutive ones are merged).
                    let mut count = 0;
                    let mut previous_cpu = false;
                    for burst in &task.bursts {
                        let is_cpu = matches!(burst, Burst::Cpu(_));
                        if is_cpu && !previous_cpu {
                            count += 1;
                        }
                        previous_cpu = is_cpu;
                    }
                    count
                })
                .sum();
            let task_slices = result.trace.iter().filter(|s| matches!(s.kind, SliceKind::Task(_))).count();
            prop_assert_eq!(task_slices, cpu_bursts, "{:?}", policy);
        }
    }
}

fn wild_policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Fcfs),
        Just(Policy::Sjf),
        Just(Policy::Srtf),
        (0u64..=3).prop_map(|quantum| Policy::RoundRobin { quantum }),
        (any::<bool>(), any::<bool>()).prop_map(|(preemptive, higher_number_is_higher)| {
            Policy::Priority {
                preemptive,
                higher_number_is_higher,
                aging: None,
            }
        }),
        (
            prop::collection::vec((0u64..=3, 0u64..=3), 0..=3),
            prop_oneof![Just(None), (0u64..=3).prop_map(Some), Just(Some(u64::MAX))],
        )
            .prop_map(|(levels, boost_period)| Policy::Mlfq {
                queues: levels
                    .into_iter()
                    .map(|(quantum, allotment)| MlfqLevel { quantum, allotment })
                    .collect(),
                boost_period,
            }),
    ]
}

fn wild_ticks() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..=5,
        Just(1_000_000_000_000),
        Just(1_000_000_000_001),
        Just(u64::MAX)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any input gives a result or an error, never a panic or a runaway run.
    #[test]
    fn any_input_is_answered_without_panic(
        tasks in prop::collection::vec(
            (wild_ticks(), any::<i64>(), prop::collection::vec((any::<bool>(), wild_ticks()), 0..=4)),
            0..=5,
        ),
        cpus in prop_oneof![0u32..=3, Just(64), Just(65), Just(u32::MAX)],
        switch_cost in wild_ticks(),
        policy in wild_policy(),
        arrival_before_preempted in any::<bool>(),
    ) {
        let tasks = tasks
            .into_iter()
            .map(|(arrival, priority, bursts)| SimTask {
                name: String::new(),
                arrival,
                priority,
                bursts: bursts
                    .into_iter()
                    .map(|(io, ticks)| if io { Burst::Io(ticks) } else { Burst::Cpu(ticks) })
                    .collect(), ..SimTask::default() })
            .collect();
        let scenario = SimScenario { tasks };
        let machine = Machine { cpus, switch_cost, ..Machine::default() };
        let options = SimOptions { max_slices: 5_000, ..SimOptions::default() };
        let conventions = Conventions { arrival_before_preempted, ..Conventions::default() };
        if let Ok(result) = simulate_with(&scenario, &machine, &policy, &conventions, &options) {
            prop_assert_eq!(result.tasks.len(), scenario.tasks.len());
        }
    }
}
