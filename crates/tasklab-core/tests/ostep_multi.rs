//! The multiprocessor model under the `ostep` conventions against OSTEP's `cpu-sched-multi/multi.py`: every case
//! of `ostep/multi_fixtures.json` (written by `scripts/ostep_multi_fixtures.py`) must give the same finish time,
//! first run and completion of every job, and busy and warm ticks of every CPU. The rules are in
//! `docs/ostep-multi-semantics.md`.
//!
//! multi.py draws the steal victim (three CPUs or more) and the `-o` dispatch order at random; the fixtures
//! record those draws (`steals`, `cpu_orders`) and [`Replay`] feeds them back through
//! [`simulate_multi_with`]. The `hanging` cases (multi.py never ends) must end with [`SimError::NeverFinishes`].

use std::collections::HashMap;

use serde_json::Value;
use tasklab_core::sim::{
    simulate_multi_with, Burst, CacheModel, Conventions, Machine, MultiChooser, Policy,
    QueueLayout, SimError, SimInput, SimOptions, SimResult, SimTask,
};

// The same tests run in the browser (`wasm-pack test`), as the other OSTEP fixtures do.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Compiled in, like the other OSTEP fixtures, so the test needs no file system.
const FIXTURES: &str = include_str!("ostep/multi_fixtures.json");

/// Replays multi.py's recorded random draws.
#[derive(Default)]
struct Replay {
    /// (tick, thief) → victim.
    victims: HashMap<(u64, u32), u32>,
    /// tick → order of the CPUs.
    orders: HashMap<u64, Vec<u32>>,
    /// Draws asked for that the fixture did not record (a sign the simulation diverged).
    missing: Vec<String>,
}

impl Replay {
    fn from_case(case: &Value) -> Self {
        let mut replay = Replay::default();
        for steal in case["steals"].as_array().into_iter().flatten() {
            let field = |i: usize| steal[i].as_u64().expect("steal fields are integers");
            replay
                .victims
                .insert((field(0), field(1) as u32), field(2) as u32);
        }
        for entry in case["cpu_orders"].as_array().into_iter().flatten() {
            let tick = entry[0].as_u64().expect("a tick");
            let order = entry[1]
                .as_array()
                .expect("an order")
                .iter()
                .map(|cpu| cpu.as_u64().expect("a CPU") as u32)
                .collect();
            replay.orders.insert(tick, order);
        }
        replay
    }
}

impl MultiChooser for Replay {
    fn victim(&mut self, tick: u64, thief: u32, candidates: &[u32]) -> u32 {
        match self.victims.get(&(tick, thief)) {
            Some(&victim) => victim,
            None => {
                self.missing
                    .push(format!("victim of CPU {thief} at {tick}"));
                candidates[0]
            }
        }
    }

    fn cpu_order(&mut self, tick: u64, order: &mut [u32]) {
        match self.orders.get(&tick) {
            Some(recorded) if recorded.len() == order.len() => order.copy_from_slice(recorded),
            _ => self.missing.push(format!("CPU order at {tick}")),
        }
    }
}

fn run(input: &SimInput, replay: &mut Replay) -> Result<SimResult, SimError> {
    simulate_multi_with(
        &input.scenario(),
        &input.machine.unwrap_or_default(),
        input.policy.as_ref().expect("a policy"),
        &input.conventions.unwrap_or_default(),
        &SimOptions::default(),
        replay,
    )
}

/// Compares one case; returns what differs.
fn check_case(case: &Value) -> Vec<String> {
    let id = case["id"].as_str().unwrap_or("?");
    let args = case["args"].to_string();
    let fail = |what: String| format!("{id} {args}: {what}");
    let input: SimInput = match serde_json::from_value(case["input"].clone()) {
        Ok(input) => input,
        Err(error) => return vec![fail(format!("input does not parse: {error}"))],
    };
    let mut replay = Replay::from_case(case);
    let result = match run(&input, &mut replay) {
        Ok(result) => result,
        Err(error) => return vec![fail(format!("refused: {error}"))],
    };
    let mut problems: Vec<String> = replay.missing.iter().map(|m| fail(m.clone())).collect();
    let expected = &case["expected"];
    let finish = expected["finish_time"].as_u64().expect("finish_time");
    if result.summary.makespan != finish {
        problems.push(fail(format!(
            "finish time {} instead of {finish}",
            result.summary.makespan
        )));
    }
    for (index, job) in expected["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .enumerate()
    {
        let name = job["name"].as_str().unwrap_or("?");
        let Some(got) = result.tasks.get(index) else {
            problems.push(fail(format!("no job {name}")));
            continue;
        };
        for (what, value) in [("first_run", got.first_run), ("completion", got.completion)] {
            let want = job[what].as_u64().expect("an integer");
            if value != want {
                problems.push(fail(format!(
                    "job {name}: {what} {value} instead of {want}"
                )));
            }
        }
        let ticks = job["ticks"].as_u64().expect("ticks");
        if got.cpu_time != ticks {
            problems.push(fail(format!(
                "job {name}: ran {} ticks instead of {ticks}",
                got.cpu_time
            )));
        }
    }
    for cpu in expected["cpus"].as_array().expect("cpus") {
        let index = cpu["cpu"].as_u64().expect("cpu") as usize;
        let busy = result.summary.busy_ticks.get(index).copied();
        let warm = result.summary.warm_ticks.get(index).copied();
        if busy != cpu["busy"].as_u64() {
            problems.push(fail(format!(
                "CPU {index}: busy {busy:?} instead of {}",
                cpu["busy"]
            )));
        }
        if warm != cpu["warm"].as_u64() {
            problems.push(fail(format!(
                "CPU {index}: warm {warm:?} instead of {}",
                cpu["warm"]
            )));
        }
        // The printed percentages follow from the integers; check them too, as multi.py prints them.
        if finish > 0 {
            let pct = |ticks: u64| format!("{:.2}", 100.0 * ticks as f64 / finish as f64);
            if busy.map(pct).as_deref() != cpu["utilization"].as_str() {
                problems.push(fail(format!("CPU {index}: utilization string differs")));
            }
            if warm.map(pct).as_deref() != cpu["warm_pct"].as_str() {
                problems.push(fail(format!("CPU {index}: warm string differs")));
            }
        }
    }
    let stolen = case["steals"].as_array().map_or(0, |steals| {
        steals.iter().filter(|s| !s[3].is_null()).count() as u64
    });
    if result.summary.steals != Some(stolen) {
        problems.push(fail(format!(
            "{:?} steals instead of {stolen}",
            result.summary.steals
        )));
    }
    problems
}

#[test]
fn every_multi_fixture_case_matches_multi_py() {
    let fixtures: Value = serde_json::from_str(FIXTURES).expect("multi_fixtures.json is JSON");
    let cases = fixtures["cases"].as_array().expect("a cases array");
    let mut problems = Vec::new();
    let mut passed: HashMap<String, (usize, usize)> = HashMap::new();
    for case in cases {
        let found = check_case(case);
        let theme = case["theme"].as_str().unwrap_or("?").to_string();
        let entry = passed.entry(theme).or_default();
        entry.1 += 1;
        if found.is_empty() {
            entry.0 += 1;
        }
        problems.extend(found);
    }
    assert_eq!(cases.len(), 364, "the fixture file has 364 cases");
    let mut themes: Vec<_> = passed.into_iter().collect();
    themes.sort();
    assert!(
        problems.is_empty(),
        "{} problem(s); passed per theme {themes:?}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Builds the input of a `hanging` case from its `options` and `-L` / `-A` arguments (it has no `input`).
fn hanging_input(case: &Value) -> SimInput {
    let options = &case["options"];
    let args: Vec<&str> = case["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("a string"))
        .collect();
    let after = |flag: &str| {
        args.iter()
            .position(|&a| a == flag)
            .and_then(|i| args.get(i + 1).copied())
    };
    let number = |key: &str| options[key].as_u64().expect("a number");
    let mut tasks: Vec<SimTask> = after("-L")
        .expect("-L")
        .split(',')
        .map(|job| {
            let fields: Vec<&str> = job.split(':').collect();
            SimTask {
                name: fields[0].to_string(),
                bursts: vec![Burst::Cpu(fields[1].parse().expect("run"))],
                working_set: fields[2].parse().expect("working set"),
                ..SimTask::default()
            }
        })
        .collect();
    for entry in after("-A").into_iter().flat_map(|a| a.split(',')) {
        let (name, cpus) = entry.split_once(':').expect("name:cpus");
        let task = tasks.iter_mut().find(|t| t.name == name).expect("a job");
        task.affinity = Some(cpus.split('.').map(|c| c.parse().expect("a CPU")).collect());
    }
    SimInput {
        tasks,
        machine: Some(Machine {
            cpus: number("num_cpus") as u32,
            queues: if options["queues"] == "per-cpu" {
                QueueLayout::PerCpu
            } else {
                QueueLayout::Shared
            },
            steal_interval: options["peek_interval"].as_u64(),
            cache: Some(CacheModel {
                size: number("cache_size"),
                warmup: number("warmup_time"),
                warm_rate: number("warm_rate"),
            }),
            ..Machine::default()
        }),
        policy: Some(Policy::RoundRobin {
            quantum: number("quantum"),
        }),
        conventions: Some(Conventions::ostep()),
    }
}

#[test]
fn hanging_cases_end_with_a_clear_error() {
    let fixtures: Value = serde_json::from_str(FIXTURES).expect("multi_fixtures.json is JSON");
    let hanging = fixtures["hanging"].as_array().expect("a hanging array");
    assert!(!hanging.is_empty());
    for case in hanging {
        let input = hanging_input(case);
        let error = run(&input, &mut Replay::from_case(case))
            .expect_err(&format!("{} must be refused", case["args"]));
        assert!(
            matches!(error, SimError::NeverFinishes { .. }),
            "{}: {error}",
            case["args"]
        );
        assert!(error.to_string().contains("never finish"), "{error}");
    }
}

#[test]
fn the_multiprocessor_fields_work_without_ostep_and_default_to_today() {
    let input = SimInput {
        tasks: vec![SimTask {
            working_set: 10,
            ..SimTask::cpu_only("a", 0, 3)
        }],
        machine: None,
        policy: Some(Policy::RoundRobin { quantum: 2 }),
        conventions: None,
    };
    // Outside `ostep` the model runs too (here: one CPU, a cold cache-less run of 3 ticks).
    let result = run(&input, &mut Replay::default()).expect("runs without ostep");
    assert_eq!(result.summary.makespan, 3);
    // A plain task and machine serialise as before: no new keys.
    let json = serde_json::to_string(&SimTask::cpu_only("a", 0, 3)).expect("serialises");
    assert_eq!(
        json,
        r#"{"name":"a","arrival":0,"priority":0,"bursts":[{"cpu":3}]}"#
    );
    let json = serde_json::to_string(&Machine::default()).expect("serialises");
    assert_eq!(json, r#"{"cpus":1,"switch_cost":0}"#);
}

#[test]
fn stealing_on_one_cpu_and_zero_warm_rate_are_refused() {
    let base = SimInput {
        tasks: vec![SimTask::cpu_only("a", 0, 3)],
        machine: Some(Machine {
            queues: QueueLayout::PerCpu,
            steal_interval: Some(5),
            ..Machine::default()
        }),
        policy: Some(Policy::RoundRobin { quantum: 2 }),
        conventions: Some(Conventions::ostep()),
    };
    assert!(matches!(
        run(&base, &mut Replay::default()),
        Err(SimError::InvalidMultiprocessor { .. })
    ));
    let zero_rate = SimInput {
        machine: Some(Machine {
            cpus: 2,
            cache: Some(CacheModel {
                size: 100,
                warmup: 1,
                warm_rate: 0,
            }),
            ..Machine::default()
        }),
        ..base
    };
    assert!(matches!(
        run(&zero_rate, &mut Replay::default()),
        Err(SimError::InvalidMultiprocessor { .. })
    ));
}
