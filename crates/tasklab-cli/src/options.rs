//! Command-line parsing: a small hand parser, so every mistake gets one precise message.

use std::io::Read;

use tasklab_core::sim::{
    Burst, Conventions, Machine, MlfqLevel, Policy, SimInput, SimScenario, SimTask,
};

use crate::bench::BenchSettings;
use crate::InputError;

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Print the usage text.
    Help,
    /// Run the benchmark.
    Bench(BenchSettings),
    /// Simulate one scenario.
    Simulate(RunRequest),
}

/// A fully resolved simulation request.
#[derive(Debug)]
pub struct RunRequest {
    /// The tasks.
    pub scenario: SimScenario,
    /// CPUs and switch cost.
    pub machine: Machine,
    /// The policy.
    pub policy: Policy,
    /// Tie-breaking conventions.
    pub conventions: Conventions,
    /// Print JSON instead of tables.
    pub json: bool,
}

/// Flags as given, before they are merged with a scenario file.
#[derive(Debug, Default)]
struct Flags {
    source: Option<String>,
    policy: Option<String>,
    quantum: Option<u64>,
    boost: Option<u64>,
    higher_is_higher: bool,
    cpus: Option<u32>,
    switch_cost: Option<u64>,
    jobs: Option<String>,
    priorities: Option<String>,
    preempted_first: bool,
    json: bool,
}

/// Parses the arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Command, InputError> {
    if args.first().map(String::as_str) == Some("bench") {
        return parse_bench(&args[1..]).map(Command::Bench);
    }
    let mut flags = Flags::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| InputError(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--json" => flags.json = true,
            "--higher-is-higher" => flags.higher_is_higher = true,
            "--preempted-first" => flags.preempted_first = true,
            "--policy" => flags.policy = Some(value(arg)?),
            "--quantum" => flags.quantum = Some(ticks(arg, &value(arg)?)?),
            "--boost" => flags.boost = Some(ticks(arg, &value(arg)?)?),
            "--switch-cost" => flags.switch_cost = Some(ticks(arg, &value(arg)?)?),
            "--cpus" => {
                let text = value(arg)?;
                let cpus = text.parse::<u32>().map_err(|_| {
                    InputError(format!(
                        "--cpus expects a whole number from 1 to 64, got '{text}'"
                    ))
                })?;
                flags.cpus = Some(cpus);
            }
            "--jobs" => flags.jobs = Some(value(arg)?),
            "--priorities" => flags.priorities = Some(value(arg)?),
            "-" => set_source(&mut flags, arg)?,
            other if other.starts_with('-') => {
                return Err(InputError(format!(
                    "unknown option '{other}' (see tasklab --help)"
                )));
            }
            _ => set_source(&mut flags, arg)?,
        }
    }
    resolve(flags).map(Command::Simulate)
}

fn set_source(flags: &mut Flags, arg: &str) -> Result<(), InputError> {
    if let Some(previous) = &flags.source {
        return Err(InputError(format!(
            "one scenario at a time: got '{previous}' and '{arg}'"
        )));
    }
    flags.source = Some(arg.to_string());
    Ok(())
}

fn ticks(flag: &str, text: &str) -> Result<u64, InputError> {
    text.parse::<u64>().map_err(|_| {
        InputError(format!(
            "{flag} expects a whole number of ticks (0 or more), got '{text}'"
        ))
    })
}

fn resolve(flags: Flags) -> Result<RunRequest, InputError> {
    let input = match (&flags.source, &flags.jobs) {
        (Some(_), Some(_)) => {
            return Err(InputError(
                "give a scenario file or --jobs, not both".into(),
            ))
        }
        (None, None) => {
            return Err(InputError(
                "no scenario: give a JSON file, - for standard input, or --jobs".into(),
            ))
        }
        (Some(source), None) => read_input(source)?,
        (None, Some(jobs)) => SimInput {
            tasks: parse_jobs(jobs)?,
            ..SimInput::default()
        },
    };
    let mut tasks = input.tasks.clone();
    if let Some(priorities) = &flags.priorities {
        let values = parse_list(priorities, "--priorities", |item| item.parse::<i64>().ok())?;
        if values.len() != tasks.len() {
            return Err(InputError(format!(
                "--priorities has {} values for {} tasks",
                values.len(),
                tasks.len()
            )));
        }
        for (task, priority) in tasks.iter_mut().zip(values) {
            task.priority = priority;
        }
    }
    let mut machine = input.machine.unwrap_or_default();
    if let Some(cpus) = flags.cpus {
        machine.cpus = cpus;
    }
    if let Some(switch_cost) = flags.switch_cost {
        machine.switch_cost = switch_cost;
    }
    let policy = match &flags.policy {
        Some(name) => policy_from_flags(name, &flags)?,
        None => {
            if flags.quantum.is_some() || flags.boost.is_some() || flags.higher_is_higher {
                match &input.policy {
                    Some(policy) => adjust_policy(policy.clone(), &flags)?,
                    None => {
                        return Err(InputError(
                            "--quantum, --boost and --higher-is-higher need --policy".into(),
                        ))
                    }
                }
            } else {
                input.policy.clone().unwrap_or(Policy::Fcfs)
            }
        }
    };
    let mut conventions = input.conventions.unwrap_or_default();
    if flags.preempted_first {
        conventions.arrival_before_preempted = false;
    }
    Ok(RunRequest {
        scenario: SimScenario { tasks },
        machine,
        policy,
        conventions,
        json: flags.json,
    })
}

/// Applies --quantum / --boost / --higher-is-higher to the policy of a scenario file.
fn adjust_policy(policy: Policy, flags: &Flags) -> Result<Policy, InputError> {
    policy_from_flags(policy.short_name(), flags).map(|from_flags| match (policy, from_flags) {
        // Keep the file's MLFQ levels unless --quantum asks for new ones.
        (Policy::Mlfq { queues, .. }, Policy::Mlfq { boost_period, .. })
            if flags.quantum.is_none() =>
        {
            Policy::Mlfq {
                queues,
                boost_period,
            }
        }
        (_, from_flags) => from_flags,
    })
}

fn policy_from_flags(name: &str, flags: &Flags) -> Result<Policy, InputError> {
    let uses_quantum = matches!(name, "rr" | "mlfq");
    if flags.quantum.is_some() && !uses_quantum {
        return Err(InputError(format!(
            "--quantum does not apply to --policy {name} (only rr and mlfq)"
        )));
    }
    if flags.boost.is_some() && name != "mlfq" {
        return Err(InputError(format!(
            "--boost does not apply to --policy {name} (only mlfq)"
        )));
    }
    if flags.higher_is_higher && !name.starts_with("priority") {
        return Err(InputError(format!(
            "--higher-is-higher does not apply to --policy {name}"
        )));
    }
    let higher_number_is_higher = flags.higher_is_higher;
    Ok(match name {
        "fcfs" => Policy::Fcfs,
        "sjf" => Policy::Sjf,
        "srtf" => Policy::Srtf,
        "rr" => Policy::RoundRobin {
            quantum: flags
                .quantum
                .ok_or_else(|| InputError("--policy rr needs --quantum N".into()))?,
        },
        "priority" => Policy::Priority {
            preemptive: false,
            higher_number_is_higher,
        },
        "priority-preemptive" => Policy::Priority {
            preemptive: true,
            higher_number_is_higher,
        },
        "mlfq" => {
            // Three levels with doubling quanta; each level's allotment is two of its quanta.
            let quantum = flags.quantum.unwrap_or(2);
            let queues = [1u64, 2, 4]
                .iter()
                .map(|factor| {
                    let level_quantum = quantum.saturating_mul(*factor);
                    MlfqLevel {
                        quantum: level_quantum,
                        allotment: level_quantum.saturating_mul(2),
                    }
                })
                .collect();
            Policy::Mlfq {
                queues,
                boost_period: flags.boost,
            }
        }
        other => {
            return Err(InputError(format!(
            "unknown policy '{other}' (fcfs, sjf, srtf, rr, priority, priority-preemptive, mlfq)"
        )))
        }
    })
}

fn read_input(source: &str) -> Result<SimInput, InputError> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| InputError(format!("cannot read standard input: {error}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|error| InputError(format!("cannot read {source}: {error}")))?
    };
    let name = if source == "-" {
        "standard input"
    } else {
        source
    };
    serde_json::from_str::<SimInput>(&text).map_err(|error| InputError(format!("{name}: {error}")))
}

/// Parses `24,3,3` (run times, all arriving at 0) or `0:8,1:4` (arrival:run); forms can be mixed.
fn parse_jobs(text: &str) -> Result<Vec<SimTask>, InputError> {
    let jobs = parse_list(text, "--jobs", |item| match item.split_once(':') {
        Some((arrival, run)) => Some((
            arrival.trim().parse::<u64>().ok()?,
            run.trim().parse::<u64>().ok()?,
        )),
        None => Some((0, item.parse::<u64>().ok()?)),
    })?;
    Ok(jobs
        .into_iter()
        .enumerate()
        .map(|(index, (arrival, run))| SimTask {
            name: format!("J{}", index + 1),
            arrival,
            priority: 0,
            bursts: vec![Burst::Cpu(run)],
        })
        .collect())
}

fn parse_list<T>(
    text: &str,
    flag: &str,
    item: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, InputError> {
    text.split(',')
        .map(str::trim)
        .map(|part| {
            item(part).ok_or_else(|| {
                let expected = if flag == "--jobs" {
                    "RUN or ARRIVAL:RUN, whole numbers of ticks"
                } else {
                    "whole numbers"
                };
                InputError(format!(
                    "invalid item '{part}' in {flag}: expected {expected}"
                ))
            })
        })
        .collect()
}

fn parse_bench(args: &[String]) -> Result<BenchSettings, InputError> {
    let mut settings = BenchSettings::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| InputError(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--sizes" => {
                let text = value(arg)?;
                settings.sizes = parse_list(&text, "--sizes", |item| {
                    item.parse::<usize>().ok().filter(|&n| n > 0)
                })?;
            }
            "--repeat" => {
                let text = value(arg)?;
                settings.repeat = text
                    .parse::<u32>()
                    .ok()
                    .filter(|&n| (1..=100).contains(&n))
                    .ok_or_else(|| {
                        InputError(format!("--repeat expects 1 to 100, got '{text}'"))
                    })?;
            }
            "--ticks" => {
                let text = value(arg)?;
                settings.total_ticks = text
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| (1..=1_000_000_000).contains(&n))
                    .ok_or_else(|| {
                        InputError(format!("--ticks expects 1 to 1000000000, got '{text}'"))
                    })?;
            }
            "--no-trace" => settings.record_trace = false,
            other => {
                return Err(InputError(format!(
                    "unknown bench option '{other}' (see tasklab --help)"
                )))
            }
        }
    }
    Ok(settings)
}
