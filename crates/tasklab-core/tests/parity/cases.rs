//! The scenarios of the native/wasm parity check, shared by `sim_parity.rs` (native) and `sim_parity_wasm.rs`
//! (headless browser), and the comparison both use.
//!
//! `golden.json` next to this file maps each case name to the serde_json of its [`SimResult`]; it is written by
//! the native test with `TASKLAB_BLESS=1`. Both builds must reproduce it exactly, floats included (serde_json's
//! `float_roundtrip` feature is on for the tests, so parsing the fixture is exact).

use serde_json::Value;
use tasklab_core::sim::{
    simulate, Burst, Conventions, Machine, MlfqLevel, Policy, SimResult, SimScenario, SimTask,
};

/// One simulation to compare.
pub struct ParityCase {
    /// Unique name, the key in the fixture.
    pub name: String,
    /// The tasks.
    pub scenario: SimScenario,
    /// CPUs and switch cost.
    pub machine: Machine,
    /// The policy.
    pub policy: Policy,
    /// Tie-breaking conventions.
    pub conventions: Conventions,
}

impl ParityCase {
    /// Runs the simulator on the case (default options: trace recorded, speedup against one CPU).
    pub fn run(&self) -> SimResult {
        simulate(
            &self.scenario,
            &self.machine,
            &self.policy,
            &self.conventions,
        )
        .unwrap_or_else(|error| panic!("case {}: {error}", self.name))
    }

    /// The result as JSON, the form stored in the fixture.
    pub fn result_json(&self) -> Value {
        serde_json::to_value(self.run()).expect("a SimResult serializes")
    }
}

fn cpu_task(name: &str, arrival: u64, priority: i64, run: u64) -> SimTask {
    SimTask {
        name: name.to_string(),
        arrival,
        priority,
        bursts: vec![Burst::Cpu(run)],
        ..SimTask::default()
    }
}

fn case(name: &str, tasks: Vec<SimTask>, cpus: u32, policy: Policy) -> ParityCase {
    ParityCase {
        name: name.to_string(),
        scenario: SimScenario { tasks },
        machine: Machine {
            cpus,
            switch_cost: 0,
            ..Machine::default()
        },
        policy,
        conventions: Conventions::default(),
    }
}

fn level(quantum: u64, allotment: u64) -> MlfqLevel {
    MlfqLevel { quantum, allotment }
}

/// Worked examples of the textbooks (Silberschatz et al., OSTEP), as in `tests/sim/examples.rs`.
fn textbook_cases() -> Vec<ParityCase> {
    let convoy = || {
        vec![
            cpu_task("P1", 0, 0, 24),
            cpu_task("P2", 0, 0, 3),
            cpu_task("P3", 0, 0, 3),
        ]
    };
    let sjf = vec![
        cpu_task("P1", 0, 0, 6),
        cpu_task("P2", 0, 0, 8),
        cpu_task("P3", 0, 0, 7),
        cpu_task("P4", 0, 0, 3),
    ];
    let srtf = vec![
        cpu_task("P1", 0, 0, 8),
        cpu_task("P2", 1, 0, 4),
        cpu_task("P3", 2, 0, 9),
        cpu_task("P4", 3, 0, 5),
    ];
    let priority = |arrivals: [u64; 5]| {
        vec![
            cpu_task("P1", arrivals[0], 3, 10),
            cpu_task("P2", arrivals[1], 1, 1),
            cpu_task("P3", arrivals[2], 4, 2),
            cpu_task("P4", arrivals[3], 5, 1),
            cpu_task("P5", arrivals[4], 2, 5),
        ]
    };
    let three_levels = vec![level(2, 2), level(4, 4), level(8, 8)];
    let mut switch_cost = case(
        "textbook/fcfs-convoy-switch-cost-2",
        convoy(),
        1,
        Policy::Fcfs,
    );
    switch_cost.machine.switch_cost = 2;
    vec![
        case("textbook/fcfs-convoy", convoy(), 1, Policy::Fcfs),
        switch_cost,
        case("textbook/sjf", sjf, 1, Policy::Sjf),
        case("textbook/srtf", srtf.clone(), 1, Policy::Srtf),
        case(
            "textbook/rr-quantum-4",
            convoy(),
            1,
            Policy::RoundRobin { quantum: 4 },
        ),
        case(
            "textbook/priority",
            priority([0; 5]),
            1,
            Policy::Priority {
                preemptive: false,
                higher_number_is_higher: false,
                aging: None,
            },
        ),
        case(
            "textbook/priority-higher-number",
            priority([0; 5]),
            1,
            Policy::Priority {
                preemptive: false,
                higher_number_is_higher: true,
                aging: None,
            },
        ),
        case(
            "textbook/priority-preemptive",
            priority([0, 1, 2, 3, 4]),
            1,
            Policy::Priority {
                preemptive: true,
                higher_number_is_higher: false,
                aging: None,
            },
        ),
        case(
            "textbook/mlfq-three-levels",
            srtf,
            1,
            Policy::Mlfq {
                queues: three_levels,
                boost_period: None,
            },
        ),
        case(
            "textbook/mlfq-boost",
            vec![cpu_task("A", 0, 0, 8), cpu_task("B", 0, 0, 8)],
            1,
            Policy::Mlfq {
                queues: vec![level(1, 1), level(10, 10)],
                boost_period: Some(5),
            },
        ),
        case(
            "textbook/rr-two-cpus",
            convoy(),
            2,
            Policy::RoundRobin { quantum: 2 },
        ),
    ]
}

/// A small deterministic generator (SplitMix64), so the generated scenarios are the same on every platform
/// without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// `count` tasks with 1 to 5 alternating CPU/I-O bursts (some start with I/O), arrivals spread over 0..20 and
/// priorities −2..=3.
fn generated_tasks(seed: u64, count: usize) -> Vec<SimTask> {
    let mut random = SplitMix64(seed);
    (0..count)
        .map(|index| {
            let burst_count = random.between(1, 5);
            let io_first = burst_count > 1 && random.next().is_multiple_of(4);
            let bursts = (0..burst_count)
                .map(|position| {
                    let ticks = random.between(1, 9);
                    if (position % 2 == 0) == io_first && burst_count > 1 {
                        Burst::Io(ticks)
                    } else {
                        Burst::Cpu(ticks)
                    }
                })
                .collect();
            SimTask {
                name: format!("G{index}"),
                arrival: random.between(0, 20),
                priority: random.between(0, 5) as i64 - 2,
                bursts,
                ..SimTask::default()
            }
        })
        .collect()
}

/// Every policy, each on a few machines and with both conventions, over generated scenarios with I/O.
fn generated_cases() -> Vec<ParityCase> {
    let policies = [
        Policy::Fcfs,
        Policy::Sjf,
        Policy::Srtf,
        Policy::RoundRobin { quantum: 1 },
        Policy::RoundRobin { quantum: 3 },
        Policy::Priority {
            preemptive: false,
            higher_number_is_higher: false,
            aging: None,
        },
        Policy::Priority {
            preemptive: true,
            higher_number_is_higher: false,
            aging: None,
        },
        Policy::Priority {
            preemptive: true,
            higher_number_is_higher: true,
            aging: None,
        },
        Policy::Mlfq {
            queues: vec![level(1, 2), level(3, 6), level(6, 6)],
            boost_period: None,
        },
        Policy::Mlfq {
            queues: vec![level(2, 2), level(4, 8), level(8, 8)],
            boost_period: Some(17),
        },
    ];
    let machines = [(1, 0), (2, 1), (3, 0), (4, 2)];
    let mut cases = Vec::new();
    for (policy_index, policy) in policies.iter().enumerate() {
        for (machine_index, &(cpus, switch_cost)) in machines.iter().enumerate() {
            for arrival_before_preempted in [true, false] {
                let seed = (policy_index * 16 + machine_index * 2) as u64
                    + u64::from(arrival_before_preempted);
                let task_count = 6 + (seed % 7) as usize;
                let name = format!(
                    "generated/{policy}{variant}/cpus-{cpus}-switch-{switch_cost}/{convention}",
                    policy = policy.short_name(),
                    variant = match policy {
                        Policy::RoundRobin { quantum } => format!("-q{quantum}"),
                        Policy::Priority {
                            higher_number_is_higher: true,
                            ..
                        } => "-higher-number".to_string(),
                        Policy::Mlfq {
                            boost_period: Some(period),
                            ..
                        } => format!("-boost-{period}"),
                        _ => String::new(),
                    },
                    convention = if arrival_before_preempted {
                        "arrival-first"
                    } else {
                        "preempted-first"
                    },
                );
                cases.push(ParityCase {
                    name,
                    scenario: SimScenario {
                        tasks: generated_tasks(seed, task_count),
                    },
                    machine: Machine {
                        cpus,
                        switch_cost,
                        ..Machine::default()
                    },
                    policy: policy.clone(),
                    conventions: Conventions {
                        arrival_before_preempted,
                        ..Conventions::default()
                    },
                });
            }
        }
    }
    // One larger run: many slices, 8 CPUs, a switch cost, MLFQ with boost.
    cases.push(ParityCase {
        name: "generated/large-mlfq-boost-8-cpus".to_string(),
        scenario: SimScenario {
            tasks: generated_tasks(0x7a5c_1ab5, 60),
        },
        machine: Machine {
            cpus: 8,
            switch_cost: 1,
            ..Machine::default()
        },
        policy: Policy::Mlfq {
            queues: vec![level(1, 1), level(2, 4), level(4, 8), level(8, 8)],
            boost_period: Some(23),
        },
        conventions: Conventions::default(),
    });
    cases
}

/// Every case, textbook first; names are unique.
pub fn cases() -> Vec<ParityCase> {
    let mut all = textbook_cases();
    all.extend(generated_cases());
    all
}

/// The first place two JSON values differ, as a path like `summary.utilisation[1]`, with both values.
pub fn first_difference(path: &str, expected: &Value, actual: &Value) -> Option<String> {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                let inner = format!("{path}.{key}");
                match actual.get(key) {
                    Some(other) => {
                        if let Some(found) = first_difference(&inner, value, other) {
                            return Some(found);
                        }
                    }
                    None => return Some(format!("{inner}: missing")),
                }
            }
            actual
                .keys()
                .find(|key| !expected.contains_key(*key))
                .map(|key| format!("{path}.{key}: unexpected"))
        }
        (Value::Array(expected), Value::Array(actual)) => {
            for (index, (value, other)) in expected.iter().zip(actual).enumerate() {
                if let Some(found) = first_difference(&format!("{path}[{index}]"), value, other) {
                    return Some(found);
                }
            }
            (expected.len() != actual.len()).then(|| {
                format!(
                    "{path}: {} elements expected, {} found",
                    expected.len(),
                    actual.len()
                )
            })
        }
        _ => (expected != actual).then(|| format!("{path}: expected {expected}, got {actual}")),
    }
}

/// Compares every case with the fixture; returns the number of cases compared, or one line per problem.
pub fn compare_with_golden(golden_json: &str) -> Result<usize, Vec<String>> {
    let golden: Value = serde_json::from_str(golden_json).expect("golden.json is JSON");
    let golden = golden.as_object().expect("golden.json is an object");
    let cases = cases();
    let mut problems = Vec::new();
    for case in &cases {
        match golden.get(&case.name) {
            Some(expected) => {
                if let Some(difference) = first_difference("", expected, &case.result_json()) {
                    problems.push(format!("{}: {difference}", case.name));
                }
            }
            None => problems.push(format!("{}: not in golden.json", case.name)),
        }
    }
    for name in golden.keys() {
        if !cases.iter().any(|case| &case.name == name) {
            problems.push(format!("{name}: in golden.json but no longer a case"));
        }
    }
    if problems.is_empty() {
        Ok(cases.len())
    } else {
        Err(problems)
    }
}
