//! The `ostep` conventions against OSTEP's own simulators: every case of `ostep/fixtures.json` (outputs of
//! `cpu-sched/scheduler.py` and `cpu-sched-mlfq/mlfq.py`, written by `scripts/ostep_fixtures.py`) must give the
//! same first run, completion and turnaround for every job. The rules are in `docs/ostep-semantics.md`.
//!
//! The same file runs natively (`cargo test -p tasklab-core --test ostep`) and in a browser
//! (`wasm-pack test --headless --chrome crates/tasklab-core`), where `#[test]` is wasm-bindgen-test's.

use serde_json::Value;
use tasklab_core::sim::{
    simulate, Conventions, ConventionsPreset, Machine, Policy, SimError, SimInput, SimTask,
};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Compiled in: the browser has no file system.
const FIXTURES: &str = include_str!("ostep/fixtures.json");

/// Simulates every fixture case; returns how many cases matched per tool, or every mismatch.
fn check_fixtures() -> Result<(usize, usize), Vec<String>> {
    let fixtures: Value = serde_json::from_str(FIXTURES).expect("fixtures.json is JSON");
    let cases = fixtures["cases"].as_array().expect("a cases array");
    let mut problems = Vec::new();
    let (mut scheduler, mut mlfq) = (0, 0);
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        let args = case["args"].to_string();
        match check_case(case) {
            Ok(()) if case["tool"] == "mlfq.py" => mlfq += 1,
            Ok(()) => scheduler += 1,
            Err(problem) => problems.push(format!("{id} {args}: {problem}")),
        }
    }
    if problems.is_empty() {
        Ok((scheduler, mlfq))
    } else {
        Err(problems)
    }
}

fn check_case(case: &Value) -> Result<(), String> {
    let input: SimInput =
        serde_json::from_value(case["input"].clone()).map_err(|error| format!("input: {error}"))?;
    let result = simulate(
        &input.scenario(),
        &input.machine.unwrap_or_default(),
        &input.policy.clone().unwrap_or(Policy::Fcfs),
        &input.conventions.unwrap_or_default(),
    )
    .map_err(|error| format!("simulate: {error}"))?;
    let expected = case["expected"].as_array().ok_or("no expected array")?;
    let mut wrong = Vec::new();
    for job in expected {
        let index = job["job"].as_u64().ok_or("job without number")? as usize;
        let got = result.tasks.get(index).ok_or("job missing from result")?;
        let figure = |name: &str| job[name].as_u64();
        let arrival = got.arrival;
        let want = (
            figure("response").map(|response| arrival + response),
            figure("completion"),
            figure("turnaround"),
        );
        let have = (
            Some(got.first_run),
            Some(got.completion),
            Some(got.turnaround),
        );
        if want != have {
            wrong.push(format!(
                "job {index}: expected (first run, completion, turnaround) {:?}, got {:?}",
                (
                    want.0.unwrap_or(0),
                    want.1.unwrap_or(0),
                    want.2.unwrap_or(0)
                ),
                (got.first_run, got.completion, got.turnaround)
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

#[test]
fn every_fixture_case_equals_ostep() {
    match check_fixtures() {
        Ok((scheduler, mlfq)) => {
            let message = format!("{scheduler} scheduler.py and {mlfq} mlfq.py cases equal OSTEP");
            #[cfg(target_arch = "wasm32")]
            wasm_bindgen_test::console_log!("{message}");
            #[cfg(not(target_arch = "wasm32"))]
            eprintln!("{message}");
            assert_eq!((scheduler, mlfq), (164, 292), "fixture counts");
        }
        Err(problems) => panic!(
            "{} case(s) differ from OSTEP:\n{}",
            problems.len(),
            problems.join("\n")
        ),
    }
}

#[test]
fn conventions_json_forms_and_round_trip() {
    let parse = |text: &str| serde_json::from_str::<Conventions>(text);
    assert_eq!(parse(r#""ostep""#).expect("ostep"), Conventions::ostep());
    assert_eq!(
        parse(r#""default""#).expect("default"),
        Conventions::default()
    );
    assert_eq!(
        parse(r#"{"preset": "ostep", "io_stay": true, "io_bump": false}"#).expect("object"),
        Conventions::ostep_with(true, false)
    );
    assert_eq!(
        parse(r#"{"preset": "ostep"}"#).expect("preset only"),
        Conventions::ostep()
    );
    let after = parse(r#"{"arrival_before_preempted": false}"#).expect("historical form");
    assert!(!after.arrival_before_preempted);
    assert_eq!(after.preset, ConventionsPreset::Default);
    assert_eq!(parse("{}").expect("empty"), Conventions::default());
    for conventions in [
        Conventions::default(),
        after,
        Conventions::ostep(),
        Conventions::ostep_with(true, true),
        Conventions::ostep_with(false, true),
    ] {
        let text = serde_json::to_string(&conventions).expect("serialize");
        assert_eq!(parse(&text).expect(&text), conventions, "{text}");
    }
    // The default conventions keep the form they always had.
    assert_eq!(
        serde_json::to_string(&Conventions::default()).expect("serialize"),
        r#"{"arrival_before_preempted":true}"#
    );
    for bad in [
        r#""OSTEP""#,
        r#"{"preset": "bsd"}"#,
        r#"{"io_stay": true}"#,
        r#"{"preset": "ostep", "arrival_before_preempted": true}"#,
        r#"{"preset": "ostep", "io_stya": true}"#,
        "3",
    ] {
        assert!(parse(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn ostep_refuses_machines_it_does_not_model() {
    let scenario = SimInput {
        tasks: vec![SimTask::cpu_only("A", 0, 3)],
        ..SimInput::default()
    }
    .scenario();
    for machine in [
        Machine {
            cpus: 2,
            switch_cost: 0,
            ..Machine::default()
        },
        Machine {
            cpus: 1,
            switch_cost: 1,
            ..Machine::default()
        },
    ] {
        let error = simulate(&scenario, &machine, &Policy::Fcfs, &Conventions::ostep())
            .expect_err("refused");
        assert_eq!(
            error,
            SimError::OstepMachine {
                cpus: machine.cpus,
                switch_cost: machine.switch_cost
            }
        );
    }
    let inconsistent = Conventions {
        io_bump: true,
        ..Conventions::default()
    };
    assert!(matches!(
        simulate(&scenario, &Machine::default(), &Policy::Fcfs, &inconsistent),
        Err(SimError::InvalidConventions { .. })
    ));
}

/// Beyond the fixtures: random scenarios under every policy (I/O first or last, boosts, equal arrivals) run to
/// completion under `ostep`, and the trace gives every task exactly its CPU time, one slice at a time.
#[test]
fn ostep_runs_every_policy_consistently() {
    use tasklab_core::sim::{Burst, MlfqLevel, SimScenario, SliceKind};
    let mut seed: u64 = 0x5eed;
    let mut next = |bound: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % bound
    };
    let policies = [
        Policy::Fcfs,
        Policy::Sjf,
        Policy::Srtf,
        Policy::RoundRobin { quantum: 2 },
        Policy::Priority {
            preemptive: true,
            higher_number_is_higher: false,
            aging: None,
        },
        Policy::Mlfq {
            queues: vec![
                MlfqLevel {
                    quantum: 2,
                    allotment: 4,
                },
                MlfqLevel {
                    quantum: 3,
                    allotment: 3,
                },
                MlfqLevel {
                    quantum: 5,
                    allotment: 1,
                },
            ],
            boost_period: Some(7),
        },
    ];
    for round in 0..300 {
        let mut tasks = Vec::new();
        for index in 0..1 + next(6) {
            let mut bursts = Vec::new();
            for _ in 0..1 + next(5) {
                bursts.push(if next(3) == 0 {
                    Burst::Io(1 + next(4))
                } else {
                    Burst::Cpu(1 + next(7))
                });
            }
            bursts.push(Burst::Cpu(1 + next(3)));
            tasks.push(SimTask {
                name: format!("T{index}"),
                arrival: next(10),
                priority: next(3) as i64,
                bursts,
                ..SimTask::default()
            });
        }
        let scenario = SimScenario { tasks };
        let policy = &policies[round % policies.len()];
        let conventions = Conventions::ostep_with(next(2) == 0, next(2) == 0);
        let result = simulate(&scenario, &Machine::default(), policy, &conventions)
            .unwrap_or_else(|error| panic!("round {round}: {error}"));
        let mut ran = vec![0u64; scenario.tasks.len()];
        let mut last_end = 0;
        for slice in &result.trace {
            assert!(slice.start >= last_end, "round {round}: overlapping slices");
            last_end = slice.end;
            if let SliceKind::Task(task) = slice.kind {
                ran[task as usize] += slice.end - slice.start;
            }
        }
        for (task, metrics) in result.tasks.iter().enumerate() {
            assert_eq!(ran[task], metrics.cpu_time, "round {round} task {task}");
            assert!(metrics.first_run >= metrics.arrival, "round {round}");
            assert!(
                metrics.completion >= metrics.arrival + metrics.cpu_time + metrics.io_time,
                "round {round}"
            );
        }
    }
}
