//! Worked examples with known answers, most from Silberschatz, Galvin & Gagne, *Operating System Concepts*
//! (chapter "CPU Scheduling"); the MLFQ ones follow the rules of Arpaci-Dusseau, *OSTEP* ch. 8, worked by hand.

use tasklab_core::sim::{
    simulate, Burst, Conventions, Machine, MlfqLevel, Policy, SimInput, SimResult, SimScenario,
    SimTask, SliceKind,
};

use super::check::check_invariants;

/// Per-task expectations: (first_run, completion, response, turnaround, waiting).
type Expected = (u64, u64, u64, u64, u64);

fn task(name: &str, arrival: u64, priority: i64, run: u64) -> SimTask {
    SimTask {
        name: name.to_string(),
        arrival,
        priority,
        bursts: vec![Burst::Cpu(run)],
        ..SimTask::default()
    }
}

fn run(tasks: Vec<SimTask>, machine: Machine, policy: Policy) -> SimResult {
    let scenario = SimScenario { tasks };
    let result =
        simulate(&scenario, &machine, &policy, &Conventions::default()).expect("valid scenario");
    check_invariants(&scenario, &machine, &policy, &result);
    result
}

fn assert_figures(result: &SimResult, expected: &[Expected], averages: (f64, f64, f64)) {
    assert_eq!(result.tasks.len(), expected.len());
    for (index, (metrics, &(first_run, completion, response, turnaround, waiting))) in
        result.tasks.iter().zip(expected).enumerate()
    {
        let actual = (
            metrics.first_run,
            metrics.completion,
            metrics.response,
            metrics.turnaround,
            metrics.waiting,
        );
        assert_eq!(
            actual,
            (first_run, completion, response, turnaround, waiting),
            "task {index} ({}): (first_run, completion, response, turnaround, waiting)",
            metrics.name
        );
    }
    let (response, turnaround, waiting) = averages;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(
        close(result.summary.avg_response, response),
        "avg response {}",
        result.summary.avg_response
    );
    assert!(
        close(result.summary.avg_turnaround, turnaround),
        "avg turnaround {}",
        result.summary.avg_turnaround
    );
    assert!(
        close(result.summary.avg_waiting, waiting),
        "avg waiting {}",
        result.summary.avg_waiting
    );
}

/// The task slices of one task, as (start, end).
fn slices_of(result: &SimResult, task: usize) -> Vec<(u64, u64)> {
    let mut slices: Vec<(u64, u64)> = result
        .trace
        .iter()
        .filter(|slice| slice.kind == SliceKind::Task(task as u32))
        .map(|slice| (slice.start, slice.end))
        .collect();
    slices.sort_unstable();
    slices
}

fn convoy() -> Vec<SimTask> {
    vec![
        task("P1", 0, 0, 24),
        task("P2", 0, 0, 3),
        task("P3", 0, 0, 3),
    ]
}

#[test]
fn fcfs_convoy_effect() {
    let result = run(convoy(), Machine::default(), Policy::Fcfs);
    assert_figures(
        &result,
        &[
            (0, 24, 0, 24, 0),
            (24, 27, 24, 27, 24),
            (27, 30, 27, 30, 27),
        ],
        (17.0, 27.0, 17.0),
    );
    assert_eq!(result.summary.makespan, 30);
    assert_eq!(result.summary.context_switches, 2);
    assert_eq!(result.summary.task_slices, 3);
    assert_eq!(result.summary.speedup, None);
}

#[test]
fn fcfs_short_jobs_first_in_queue() {
    let tasks = vec![
        task("P2", 0, 0, 3),
        task("P3", 0, 0, 3),
        task("P1", 0, 0, 24),
    ];
    let result = run(tasks, Machine::default(), Policy::Fcfs);
    assert_figures(
        &result,
        &[(0, 3, 0, 3, 0), (3, 6, 3, 6, 3), (6, 30, 6, 30, 6)],
        (3.0, 13.0, 3.0),
    );
}

#[test]
fn sjf_all_at_zero() {
    let tasks = vec![
        task("P1", 0, 0, 6),
        task("P2", 0, 0, 8),
        task("P3", 0, 0, 7),
        task("P4", 0, 0, 3),
    ];
    let result = run(tasks, Machine::default(), Policy::Sjf);
    assert_figures(
        &result,
        &[
            (3, 9, 3, 9, 3),
            (16, 24, 16, 24, 16),
            (9, 16, 9, 16, 9),
            (0, 3, 0, 3, 0),
        ],
        (7.0, 13.0, 7.0),
    );
}

#[test]
fn sjf_is_not_preemptive() {
    // P1 starts alone and keeps the CPU although shorter jobs arrive.
    let tasks = vec![
        task("P1", 0, 0, 8),
        task("P2", 1, 0, 4),
        task("P3", 2, 0, 9),
        task("P4", 3, 0, 5),
    ];
    let result = run(tasks, Machine::default(), Policy::Sjf);
    // 0-8 P1, 8-12 P2, 12-17 P4, 17-26 P3.
    assert_figures(
        &result,
        &[
            (0, 8, 0, 8, 0),
            (8, 12, 7, 11, 7),
            (17, 26, 15, 24, 15),
            (12, 17, 9, 14, 9),
        ],
        (31.0 / 4.0, 57.0 / 4.0, 31.0 / 4.0),
    );
}

#[test]
fn srtf_textbook() {
    let tasks = vec![
        task("P1", 0, 0, 8),
        task("P2", 1, 0, 4),
        task("P3", 2, 0, 9),
        task("P4", 3, 0, 5),
    ];
    let result = run(tasks, Machine::default(), Policy::Srtf);
    // 0-1 P1, 1-5 P2, 5-10 P4, 10-17 P1, 17-26 P3: average waiting 6.5.
    assert_figures(
        &result,
        &[
            (0, 17, 0, 17, 9),
            (1, 5, 0, 4, 0),
            (17, 26, 15, 24, 15),
            (5, 10, 2, 7, 2),
        ],
        (4.25, 13.0, 6.5),
    );
    assert_eq!(slices_of(&result, 0), vec![(0, 1), (10, 17)]);
}

#[test]
fn round_robin_quantum_4() {
    let result = run(
        convoy(),
        Machine::default(),
        Policy::RoundRobin { quantum: 4 },
    );
    // 0-4 P1, 4-7 P2, 7-10 P3, then P1 alone in slices of 4 up to 30.
    assert_figures(
        &result,
        &[(0, 30, 0, 30, 6), (4, 7, 4, 7, 4), (7, 10, 7, 10, 7)],
        (11.0 / 3.0, 47.0 / 3.0, 17.0 / 3.0),
    );
    assert_eq!(
        slices_of(&result, 0),
        vec![(0, 4), (10, 14), (14, 18), (18, 22), (22, 26), (26, 30)]
    );
    assert_eq!(result.summary.task_slices, 8);
    assert_eq!(result.summary.context_switches, 3);
}

#[test]
fn round_robin_arrival_before_preempted_convention() {
    // A's quantum expires at 2, exactly when B arrives.
    let tasks = vec![task("A", 0, 0, 4), task("B", 2, 0, 2), task("C", 1, 0, 2)];
    let scenario = SimScenario { tasks };
    let policy = Policy::RoundRobin { quantum: 2 };
    let machine = Machine::default();
    let default = simulate(&scenario, &machine, &policy, &Conventions::default()).expect("valid");
    // Queue at 2: C (arrived 1), B (arrives 2), then A (preempted 2).
    assert_eq!(slices_of(&default, 2), vec![(2, 4)]);
    assert_eq!(slices_of(&default, 1), vec![(4, 6)]);
    assert_eq!(slices_of(&default, 0), vec![(0, 2), (6, 8)]);
    let after = Conventions {
        arrival_before_preempted: false,
        ..Conventions::default()
    };
    let swapped = simulate(&scenario, &machine, &policy, &after).expect("valid");
    // Queue at 2: C, A (preempted 2), then B.
    assert_eq!(slices_of(&swapped, 2), vec![(2, 4)]);
    assert_eq!(slices_of(&swapped, 0), vec![(0, 2), (4, 6)]);
    assert_eq!(slices_of(&swapped, 1), vec![(6, 8)]);
}

fn priority_tasks(arrivals: [u64; 5]) -> Vec<SimTask> {
    vec![
        task("P1", arrivals[0], 3, 10),
        task("P2", arrivals[1], 1, 1),
        task("P3", arrivals[2], 4, 2),
        task("P4", arrivals[3], 5, 1),
        task("P5", arrivals[4], 2, 5),
    ]
}

#[test]
fn priority_non_preemptive_textbook() {
    let policy = Policy::Priority {
        preemptive: false,
        higher_number_is_higher: false,
        aging: None,
    };
    let result = run(priority_tasks([0; 5]), Machine::default(), policy);
    // 0-1 P2, 1-6 P5, 6-16 P1, 16-18 P3, 18-19 P4: average waiting 8.2.
    assert_figures(
        &result,
        &[
            (6, 16, 6, 16, 6),
            (0, 1, 0, 1, 0),
            (16, 18, 16, 18, 16),
            (18, 19, 18, 19, 18),
            (1, 6, 1, 6, 1),
        ],
        (8.2, 12.0, 8.2),
    );
}

#[test]
fn priority_higher_number_is_higher() {
    let policy = Policy::Priority {
        preemptive: false,
        higher_number_is_higher: true,
        aging: None,
    };
    let result = run(priority_tasks([0; 5]), Machine::default(), policy);
    // 0-1 P4, 1-3 P3, 3-13 P1, 13-18 P5, 18-19 P2.
    assert_figures(
        &result,
        &[
            (3, 13, 3, 13, 3),
            (18, 19, 18, 19, 18),
            (1, 3, 1, 3, 1),
            (0, 1, 0, 1, 0),
            (13, 18, 13, 18, 13),
        ],
        (7.0, 10.8, 7.0),
    );
}

#[test]
fn priority_preemptive() {
    let policy = Policy::Priority {
        preemptive: true,
        higher_number_is_higher: false,
        aging: None,
    };
    let result = run(priority_tasks([0, 1, 2, 3, 4]), Machine::default(), policy);
    // 0-1 P1, 1-2 P2, 2-4 P1, 4-9 P5, 9-16 P1, 16-18 P3, 18-19 P4.
    assert_figures(
        &result,
        &[
            (0, 16, 0, 16, 6),
            (1, 2, 0, 1, 0),
            (16, 18, 14, 16, 14),
            (18, 19, 15, 16, 15),
            (4, 9, 0, 5, 0),
        ],
        (5.8, 10.8, 7.0),
    );
    assert_eq!(slices_of(&result, 0), vec![(0, 1), (2, 4), (9, 16)]);
}

fn three_levels() -> Vec<MlfqLevel> {
    vec![
        MlfqLevel {
            quantum: 2,
            allotment: 2,
        },
        MlfqLevel {
            quantum: 4,
            allotment: 4,
        },
        MlfqLevel {
            quantum: 8,
            allotment: 8,
        },
    ]
}

#[test]
fn mlfq_demotes_after_allotment() {
    let tasks = vec![task("A", 0, 0, 7), task("B", 1, 0, 3)];
    let result = run(
        tasks,
        Machine::default(),
        Policy::Mlfq {
            queues: three_levels(),
            boost_period: None,
        },
    );
    // 0-2 A (→ level 1), 2-4 B (→ level 1), 4-8 A (→ level 2), 8-9 B, 9-10 A.
    assert_figures(
        &result,
        &[(0, 10, 0, 10, 3), (2, 9, 1, 8, 5)],
        (0.5, 9.0, 4.0),
    );
    assert_eq!(slices_of(&result, 0), vec![(0, 2), (4, 8), (9, 10)]);
    assert_eq!(result.summary.context_switches, 4);
}

#[test]
fn mlfq_new_task_preempts_lower_level() {
    let tasks = vec![task("A", 0, 0, 7), task("B", 1, 0, 3), task("C", 5, 0, 2)];
    let result = run(
        tasks,
        Machine::default(),
        Policy::Mlfq {
            queues: three_levels(),
            boost_period: None,
        },
    );
    // 0-2 A, 2-4 B, 4-5 A (preempted by C), 5-7 C, 7-8 B, 8-11 A (rest of its level-1 allotment), 11-12 A.
    assert_figures(
        &result,
        &[(0, 12, 0, 12, 5), (2, 8, 1, 7, 4), (5, 7, 0, 2, 0)],
        (1.0 / 3.0, 7.0, 3.0),
    );
    assert_eq!(
        slices_of(&result, 0),
        vec![(0, 2), (4, 5), (8, 11), (11, 12)]
    );
}

#[test]
fn mlfq_boost_moves_everything_to_the_top() {
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
    let result = run(
        tasks,
        Machine::default(),
        Policy::Mlfq {
            queues,
            boost_period: Some(5),
        },
    );
    assert_eq!(slices_of(&result, 0), vec![(0, 1), (2, 5), (5, 6), (7, 10)]);
    assert_eq!(
        slices_of(&result, 1),
        vec![(1, 2), (6, 7), (10, 11), (11, 15), (15, 16)]
    );
    assert_figures(
        &result,
        &[(0, 10, 0, 10, 2), (1, 16, 1, 16, 8)],
        (0.5, 13.0, 5.0),
    );
    assert_eq!(result.summary.context_switches, 5);
}

#[test]
fn switch_cost_is_its_own_slice() {
    let machine = Machine {
        cpus: 1,
        switch_cost: 1,
        ..Machine::default()
    };
    let result = run(
        vec![task("A", 0, 0, 3), task("B", 0, 0, 2)],
        machine,
        Policy::Fcfs,
    );
    assert_figures(
        &result,
        &[(0, 3, 0, 3, 0), (4, 6, 4, 6, 4)],
        (2.0, 4.5, 2.0),
    );
    let switches: Vec<_> = result
        .trace
        .iter()
        .filter(|s| matches!(s.kind, SliceKind::Switch(_)))
        .collect();
    assert_eq!(switches.len(), 1);
    assert_eq!(
        (switches[0].kind, switches[0].start, switches[0].end),
        (SliceKind::Switch(1), 3, 4)
    );
    assert_eq!(result.summary.makespan, 6);
    assert_eq!(result.summary.busy_ticks, vec![5]);
    assert_eq!(result.summary.switch_ticks, vec![1]);
    assert_eq!(result.summary.idle_slices, 0);
}

#[test]
fn io_bursts_overlap_and_return_as_arrivals() {
    // A computes 2, waits 3 on I/O, computes 1; B computes 4. FCFS on one CPU.
    let a = SimTask {
        name: "A".into(),
        arrival: 0,
        priority: 0,
        bursts: vec![Burst::Cpu(2), Burst::Io(3), Burst::Cpu(1)],
        ..SimTask::default()
    };
    let result = run(
        vec![a, task("B", 0, 0, 4)],
        Machine::default(),
        Policy::Fcfs,
    );
    // 0-2 A, 2-6 B (A back at 5), 6-7 A.
    assert_figures(
        &result,
        &[(0, 7, 0, 7, 1), (2, 6, 2, 6, 2)],
        (1.0, 6.5, 1.5),
    );
    assert_eq!(result.tasks[0].io_time, 3);
    assert_eq!(result.tasks[0].cpu_time, 3);
}

#[test]
fn two_cpus_round_robin_with_speedup() {
    let tasks = vec![task("A", 0, 0, 3), task("B", 0, 0, 3), task("C", 0, 0, 3)];
    let machine = Machine {
        cpus: 2,
        switch_cost: 0,
        ..Machine::default()
    };
    let result = run(tasks, machine, Policy::RoundRobin { quantum: 2 });
    // CPU0: A 0-2, C 2-4, C 4-5. CPU1: B 0-2, A 2-3, B 3-4.
    assert_figures(
        &result,
        &[(0, 3, 0, 3, 0), (0, 4, 0, 4, 1), (2, 5, 2, 5, 2)],
        (2.0 / 3.0, 4.0, 1.0),
    );
    assert_eq!(result.summary.makespan, 5);
    assert_eq!(result.summary.context_switches, 3);
    assert_eq!(result.summary.speedup, Some(9.0 / 5.0));
    assert_eq!(result.summary.efficiency, Some(0.9));
    assert_eq!(result.summary.busy_ticks, vec![5, 4]);
}

#[test]
fn idle_gaps_are_in_the_trace() {
    let result = run(
        vec![task("A", 0, 0, 2), task("B", 5, 0, 1)],
        Machine::default(),
        Policy::Fcfs,
    );
    let idle: Vec<_> = result
        .trace
        .iter()
        .filter(|s| s.kind == SliceKind::Idle)
        .map(|s| (s.start, s.end))
        .collect();
    assert_eq!(idle, vec![(2, 5)]);
    assert_eq!(result.summary.idle_slices, 1);
    assert_eq!(result.summary.makespan, 6);
    assert!((result.summary.utilisation[0] - 0.5).abs() < 1e-12);
}

#[test]
fn documented_json_input_parses() {
    let json = r#"{
      "tasks": [
        {"name": "A", "arrival": 0, "priority": 2, "bursts": [{"cpu": 5}, {"io": 3}, {"cpu": 2}]},
        {"name": "B", "arrival": 1, "bursts": [{"cpu": 3}]}
      ],
      "machine": {"cpus": 2, "switch_cost": 1},
      "policy": {"kind": "rr", "quantum": 2},
      "conventions": {"arrival_before_preempted": true}
    }"#;
    let input: SimInput = serde_json::from_str(json).expect("documented example parses");
    assert_eq!(
        input.tasks[0].bursts,
        vec![Burst::Cpu(5), Burst::Io(3), Burst::Cpu(2)]
    );
    assert_eq!(input.tasks[1].priority, 0);
    assert_eq!(
        input.machine,
        Some(Machine {
            cpus: 2,
            switch_cost: 1,
            ..Machine::default()
        })
    );
    assert_eq!(input.policy, Some(Policy::RoundRobin { quantum: 2 }));

    let policies = [
        (r#"{"kind": "fcfs"}"#, Policy::Fcfs),
        (r#"{"kind": "sjf"}"#, Policy::Sjf),
        (r#"{"kind": "srtf"}"#, Policy::Srtf),
        (
            r#"{"kind": "priority"}"#,
            Policy::Priority {
                preemptive: false,
                higher_number_is_higher: false,
                aging: None,
            },
        ),
        (
            r#"{"kind": "priority", "preemptive": true, "higher_number_is_higher": true}"#,
            Policy::Priority {
                preemptive: true,
                higher_number_is_higher: true,
                aging: None,
            },
        ),
        (
            r#"{"kind": "mlfq", "queues": [{"quantum": 2, "allotment": 4}], "boost_period": 50}"#,
            Policy::Mlfq {
                queues: vec![MlfqLevel {
                    quantum: 2,
                    allotment: 4,
                }],
                boost_period: Some(50),
            },
        ),
    ];
    for (text, expected) in policies {
        let policy: Policy = serde_json::from_str(text).expect("policy parses");
        assert_eq!(policy, expected);
        let again: Policy =
            serde_json::from_str(&serde_json::to_string(&policy).expect("serialises"))
                .expect("round trip");
        assert_eq!(again, expected);
    }
    assert!(
        serde_json::from_str::<Policy>(r#"{"kind": "rr"}"#).is_err(),
        "rr needs a quantum"
    );
    assert!(
        serde_json::from_str::<SimTask>(r#"{"bursts": [{"cpu": 1}], "arival": 3}"#).is_err(),
        "typo rejected"
    );

    let result = simulate(
        &input.scenario(),
        &input.machine.unwrap_or_default(),
        &input.policy.unwrap_or(Policy::Fcfs),
        &input.conventions.unwrap_or_default(),
    )
    .expect("valid");
    let json = serde_json::to_value(&result).expect("result serialises");
    assert!(json["trace"][0]["kind"].is_object() || json["trace"][0]["kind"].is_string());
    assert_eq!(json["tasks"][0]["name"], "A");
}

#[test]
fn invalid_inputs_are_refused_with_clear_errors() {
    use tasklab_core::sim::SimError;
    let one = SimScenario {
        tasks: vec![task("A", 0, 0, 1)],
    };
    let fcfs = Policy::Fcfs;
    let conventions = Conventions::default();
    let machine = Machine::default();
    let empty = SimScenario::default();
    assert_eq!(
        simulate(&empty, &machine, &fcfs, &conventions),
        Err(SimError::EmptyScenario)
    );
    let rr0 = Policy::RoundRobin { quantum: 0 };
    assert_eq!(
        simulate(&one, &machine, &rr0, &conventions),
        Err(SimError::ZeroQuantum)
    );
    let no_cpus = Machine {
        cpus: 0,
        switch_cost: 0,
        ..Machine::default()
    };
    assert_eq!(
        simulate(&one, &no_cpus, &fcfs, &conventions),
        Err(SimError::CpusOutOfRange { cpus: 0 })
    );
    let io_only = SimScenario {
        tasks: vec![SimTask {
            name: "X".into(),
            arrival: 0,
            priority: 0,
            bursts: vec![Burst::Io(3)],
            ..SimTask::default()
        }],
    };
    assert_eq!(
        simulate(&io_only, &machine, &fcfs, &conventions),
        Err(SimError::NoCpuBurst { task: 0 })
    );
    let zero = SimScenario {
        tasks: vec![SimTask {
            name: "X".into(),
            arrival: 0,
            priority: 0,
            bursts: vec![Burst::Cpu(2), Burst::Io(0)],
            ..SimTask::default()
        }],
    };
    let error = simulate(&zero, &machine, &fcfs, &conventions).expect_err("zero-length burst");
    assert_eq!(
        error.to_string(),
        "burst 1 of task 0 lasts 0 ticks; every burst must last at least 1 tick"
    );
    let huge = SimScenario {
        tasks: vec![task("A", 0, 0, 2_000_000_000_000)],
    };
    assert!(matches!(
        simulate(&huge, &machine, &fcfs, &conventions),
        Err(SimError::TicksTooLarge { .. })
    ));
    let long = SimScenario {
        tasks: vec![task("A", 0, 0, 50_000_000)],
    };
    let rr1 = Policy::RoundRobin { quantum: 1 };
    let two = Machine {
        cpus: 2,
        switch_cost: 0,
        ..Machine::default()
    };
    let options = tasklab_core::sim::SimOptions {
        max_slices: 1_000,
        ..Default::default()
    };
    assert_eq!(
        tasklab_core::sim::simulate_with(&long, &two, &rr1, &conventions, &options),
        Err(SimError::TooManySlices { max: 1_000 })
    );
}

#[test]
fn aging_lets_a_starving_task_run_during_the_stream() {
    // A low-priority task and a stream of urgent ones, back to back from 0 to 40.
    let mut tasks = vec![task("Low", 0, 5, 10)];
    tasks.extend((0..10).map(|index| task(&format!("High {index}"), index * 4, 1, 4)));
    let policy = |aging| Policy::Priority {
        preemptive: true,
        higher_number_is_higher: false,
        aging,
    };
    let starved = run(tasks.clone(), Machine::default(), policy(None));
    assert_eq!(
        starved.tasks[0].first_run, 40,
        "without aging Low waits for the whole stream"
    );
    let aged = run(tasks, Machine::default(), policy(Some(5)));
    // Waiting through 5, 10, 15 and 20 brings Low from 5 to 1, level with the stream, and it has waited longer:
    // it gets the CPU at 20 and keeps its aged priority while it runs. At 25 the urgent task that queued at 20 has
    // aged one step too (1 → 0) and takes the CPU back.
    assert_eq!(aged.tasks[0].first_run, 20);
    assert_eq!(slices_of(&aged, 0)[0], (20, 25));
}
