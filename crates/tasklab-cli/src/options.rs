//! Command-line parsing: the flags are declared with clap (derive), which also writes `--help`; this module then
//! merges them with the scenario file and turns every mistake into one precise line.
//!
//! Policy names, and which knobs each policy reads, come from [`PolicyKind`], the single table shared with the
//! page; the simulator's [`Policy`] is built by [`PolicyKind::build`] (one MLFQ recipe from a quantum).

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand, ValueEnum};
use tasklab_core::policy::{PolicyKind, PolicyKnobs, MLFQ_BOOST_QUANTA};
use tasklab_core::sim::{
    Burst, CacheModel, Conventions, Machine, Policy, QueueLayout, SimInput, SimScenario, SimTask,
    MAX_CPUS,
};

use crate::bench::BenchSettings;
use crate::InputError;

/// The top MLFQ quantum when `--policy mlfq` comes without `--quantum`.
const DEFAULT_MLFQ_QUANTUM: u64 = 2;

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Print the help (clap's rendering of it, printed with [`clap::Error::print`]).
    Help(clap::Error),
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

/// Runs tasklab's deterministic CPU scheduling simulator.
///
/// Simulates a scenario file, standard input or a quick list of jobs, and prints per-task metrics, a summary and
/// the trace per CPU.
#[derive(Debug, Parser)]
#[command(
    name = "tasklab",
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true,
    after_help = examples()
)]
struct Cli {
    #[command(subcommand)]
    command: Option<CliCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Measures the simulator's throughput in task slices per second
    Bench(BenchArgs),
}

/// Flags of a simulation, as given, before they are merged with a scenario file.
#[derive(Debug, Args)]
struct RunArgs {
    /// A scenario JSON file, or - for standard input
    #[arg(value_name = "SCENARIO.json | -")]
    source: Option<PathBuf>,
    /// More scenarios: refused with a clear message (clap's own would talk about subcommands).
    #[arg(hide = true)]
    more_sources: Vec<PathBuf>,
    #[arg(long, value_name = "P", value_parser = policy_parser(), help = policy_help())]
    policy: Option<PolicyKind>,
    #[arg(
        long,
        value_name = "N",
        value_parser = quantum,
        allow_negative_numbers = true,
        help = quantum_help()
    )]
    quantum: Option<u64>,
    #[arg(
        long,
        value_name = "N",
        value_parser = ticks,
        allow_negative_numbers = true,
        help = boost_help()
    )]
    boost: Option<u64>,
    /// Priority policies: a waiting task gains one priority step every N ticks it waits (N ≥ 1) [default: no aging]
    #[arg(long, value_name = "N", value_parser = aging_period, allow_negative_numbers = true)]
    aging: Option<u64>,
    #[arg(long, help = higher_is_higher_help())]
    higher_is_higher: bool,
    /// Virtual CPUs, 1 to 64 [default: 1, or the scenario file's]
    #[arg(long, value_name = "N", value_parser = cpus, allow_negative_numbers = true)]
    cpus: Option<u32>,
    /// Ticks per context switch [default: 0, or the scenario file's]
    #[arg(long, value_name = "N", value_parser = ticks, allow_negative_numbers = true)]
    switch_cost: Option<u64>,
    /// Multiprocessor model (with --conventions ostep): one shared ready queue or one per CPU [default: shared]
    #[arg(long, value_name = "LAYOUT", value_enum)]
    queues: Option<QueuesFlag>,
    /// Multiprocessor model: with per-CPU queues, every N ticks a CPU with an empty queue steals (0: never)
    #[arg(long, value_name = "N", value_parser = ticks, allow_negative_numbers = true)]
    steal_interval: Option<u64>,
    /// Multiprocessor model: each CPU has a cache of this size (the unit of the jobs' working sets) [default with
    /// --warmup or --warm-rate: 100]
    #[arg(long, value_name = "N", value_parser = ticks, allow_negative_numbers = true)]
    cache_size: Option<u64>,
    /// Multiprocessor model: ticks a job runs on a CPU before it is warm there [default with a cache: 10]
    #[arg(long, value_name = "N", value_parser = ticks, allow_negative_numbers = true)]
    warmup: Option<u64>,
    /// Multiprocessor model: work units a warm job does per tick, ≥ 1 [default with a cache: 2]
    #[arg(long, value_name = "N", value_parser = warm_rate, allow_negative_numbers = true)]
    warm_rate: Option<u64>,
    /// Tasks from a list instead of a file: RUN or ARRIVAL:RUN, each optionally @WSET (a working set),
    /// comma-separated (24,3,3 or 0:8,1:4 or 30@50,20@100)
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    jobs: Option<String>,
    /// Priorities of the tasks (of --jobs or of the file), comma-separated
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    priorities: Option<String>,
    /// A task preempted at tick t queues before one arriving at t
    #[arg(long)]
    preempted_first: bool,
    /// Tie and MLFQ conventions [default: the scenario file's, or default]
    #[arg(long, value_name = "SET", value_enum)]
    conventions: Option<ConventionsFlag>,
    /// With ostep conventions: a task issuing an I/O keeps its MLFQ level (mlfq.py -S)
    #[arg(long)]
    io_stay: bool,
    /// With ostep conventions: a task back from I/O goes to the front of its MLFQ queue (mlfq.py -I)
    #[arg(long)]
    io_bump: bool,
    /// Print the result as JSON instead of tables
    #[arg(long)]
    json: bool,
}

/// `--queues`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum QueuesFlag {
    /// one ready queue for all CPUs
    Shared,
    /// one ready queue per CPU (jobs placed round robin, moved only by stealing)
    PerCpu,
}

/// `--conventions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ConventionsFlag {
    /// tasklab's own tie conventions
    Default,
    /// The results of OSTEP's scheduler.py and mlfq.py (1 CPU, no switch cost)
    Ostep,
}

/// Flags of `tasklab bench`.
#[derive(Debug, Args)]
struct BenchArgs {
    /// Task counts to simulate, comma-separated [default: 1000,10000,100000]
    #[arg(long, value_name = "LIST")]
    sizes: Option<String>,
    /// Timed runs per size, after one warm-up run; the median and the best are reported
    #[arg(
        long,
        value_name = "N",
        default_value_t = BenchSettings::default().repeat,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    repeat: u32,
    /// CPU ticks of the scenario at every size (about the task slices per run)
    #[arg(
        long,
        value_name = "N",
        default_value_t = BenchSettings::default().total_ticks,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000_000)
    )]
    ticks: u64,
    /// Do not record the trace during the timed runs
    #[arg(long)]
    no_trace: bool,
    /// Simulate the multiprocessor model (per-CPU queues, stealing, caches) instead of one shared queue
    #[arg(long)]
    multiprocessor: bool,
}

/// Parses the arguments (the first is the program name).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, InputError> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // --help and -h are "errors" that clap prints on standard output.
        Err(error) if !error.use_stderr() => return Ok(Command::Help(error)),
        Err(error) => return Err(InputError(one_line(&error))),
    };
    match cli.command {
        Some(CliCommand::Bench(bench)) => bench_settings(bench).map(Command::Bench),
        None => resolve(cli.run).map(Command::Simulate),
    }
}

/// A clap error as one line: its first line without `error: `, plus the suggestion or the valid values it carries,
/// or a pointer to `--help` for an unknown or misplaced argument.
fn one_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first);
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(value)) => Some(value.clone()),
        Some(ContextValue::Strings(values)) => (!values.is_empty()).then(|| values.join(", ")),
        _ => None,
    };
    let hint = if let Some(suggestion) =
        context(ContextKind::SuggestedArg).or_else(|| context(ContextKind::SuggestedValue))
    {
        format!(" (did you mean '{suggestion}'?)")
    } else if let Some(valid) = context(ContextKind::ValidValue) {
        format!(" (expected one of: {valid})")
    } else if matches!(
        error.kind(),
        ErrorKind::UnknownArgument | ErrorKind::ArgumentConflict
    ) {
        " (see tasklab --help)".to_string()
    } else {
        String::new()
    };
    format!("{message}{hint}")
}

/// `--policy`: one of the [`PolicyKind`] ids, listed in the help with their labels.
fn policy_parser() -> impl TypedValueParser<Value = PolicyKind> {
    PossibleValuesParser::new(
        PolicyKind::ALL.map(|kind| PossibleValue::new(kind.id()).help(kind.label())),
    )
    .try_map(|id| PolicyKind::from_id(&id).ok_or_else(|| format!("unknown policy '{id}'")))
}

/// A time in ticks.
fn ticks(text: &str) -> Result<u64, String> {
    text.parse::<u64>()
        .map_err(|_| "expected a whole number of ticks (0 or more)".to_string())
}

/// An aging period: a time of at least one tick.
fn aging_period(text: &str) -> Result<u64, String> {
    match ticks(text)? {
        0 => Err("the aging period must be at least 1 tick".into()),
        period => Ok(period),
    }
}

/// A quantum: a time of at least one tick.
fn quantum(text: &str) -> Result<u64, String> {
    match ticks(text)? {
        0 => Err("the quantum must be at least 1 tick".into()),
        quantum => Ok(quantum),
    }
}

/// A CPU count.
fn cpus(text: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .ok()
        .filter(|cpus| (1..=MAX_CPUS).contains(cpus))
        .ok_or_else(|| format!("expected a whole number from 1 to {MAX_CPUS}"))
}

/// The ids of the policies for which `uses` holds, comma-separated (e.g. those of round robin and MLFQ).
fn ids_where(uses: fn(PolicyKind) -> bool) -> String {
    PolicyKind::ALL
        .into_iter()
        .filter(|kind| uses(*kind))
        .map(PolicyKind::id)
        .collect::<Vec<_>>()
        .join(", ")
}

// The help of the policy flags, written from `PolicyKind`: no policy id is spelled out here.

fn policy_help() -> String {
    let default = PolicyKind::Fcfs.id();
    format!("Scheduling policy [default: {default}, or the scenario file's]")
}

fn quantum_help() -> String {
    format!(
        "Time slice in ticks for {} (required) and the top {} queue (default {DEFAULT_MLFQ_QUANTUM})",
        PolicyKind::RoundRobin.id(),
        PolicyKind::Mlfq.id()
    )
}

fn boost_help() -> String {
    format!(
        "Priority boost period of {} in ticks [default: {MLFQ_BOOST_QUANTA} × quantum; 0 = no boost]",
        PolicyKind::Mlfq.id()
    )
}

fn higher_is_higher_help() -> String {
    let ids = ids_where(PolicyKind::uses_priorities);
    format!("For the priority policies ({ids}), a higher number is a higher priority")
}

/// The examples printed after the options in `--help`.
fn examples() -> String {
    let [round_robin, shortest, preemptive, feedback] = [
        PolicyKind::RoundRobin,
        PolicyKind::Srtf,
        PolicyKind::PriorityPreemptive,
        PolicyKind::Mlfq,
    ]
    .map(PolicyKind::id);
    format!(
        "Examples:
  tasklab scenario.json
  tasklab - --json < scenario.json
  tasklab --jobs 24,3,3 --policy {round_robin} --quantum 4
  tasklab --jobs 0:8,1:4,2:9,3:5 --policy {shortest} --cpus 2 --switch-cost 1
  tasklab --jobs 5,3,8 --priorities 2,1,3 --policy {preemptive}
  tasklab --jobs 30,5,5 --policy {feedback} --quantum 2 --boost 0
  tasklab --jobs 3,5,3 --policy {round_robin} --quantum 2 --conventions ostep
  tasklab --jobs 100@50,60@50,40@50 --policy {round_robin} --quantum 10 --cpus 2 --conventions ostep --queues per-cpu --steal-interval 30 --warmup 5
  tasklab bench --sizes 1000,10000 --repeat 3

Flags override the machine and policy given in the scenario file.
Bad input prints one line on standard error and exits with code 2."
    )
}

fn bench_settings(args: BenchArgs) -> Result<BenchSettings, InputError> {
    let mut settings = BenchSettings {
        repeat: args.repeat,
        total_ticks: args.ticks,
        record_trace: !args.no_trace,
        multiprocessor: args.multiprocessor,
        ..BenchSettings::default()
    };
    if let Some(sizes) = &args.sizes {
        settings.sizes = parse_list(sizes, "--sizes", |item| {
            item.parse::<usize>().ok().filter(|&n| n > 0)
        })?;
    }
    Ok(settings)
}

fn resolve(flags: RunArgs) -> Result<RunRequest, InputError> {
    if let (Some(first), Some(second)) = (&flags.source, flags.more_sources.first()) {
        return Err(InputError(format!(
            "one scenario at a time: got '{}' and '{}'",
            first.display(),
            second.display()
        )));
    }
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
    // The defaults are core's (`SimInput::*_or_default`), shared with the page's `tasklab.simulate`.
    let mut machine = input.machine_or_default();
    if let Some(cpus) = flags.cpus {
        machine.cpus = cpus;
    }
    if let Some(switch_cost) = flags.switch_cost {
        machine.switch_cost = switch_cost;
    }
    apply_multiprocessor_flags(&mut machine, &flags);
    let tuned = flags.quantum.is_some()
        || flags.boost.is_some()
        || flags.aging.is_some()
        || flags.higher_is_higher;
    let policy = match (flags.policy, input.policy.clone()) {
        (Some(kind), _) => policy_from_flags(kind, &flags)?,
        (None, Some(policy)) if tuned => adjust_policy(policy, &flags)?,
        (None, Some(policy)) => policy,
        (None, None) if tuned => {
            return Err(InputError(
                "--quantum, --boost and --higher-is-higher need --policy".into(),
            ))
        }
        (None, None) => input.policy_or_default(),
    };
    let conventions = conventions(input.conventions_or_default(), &flags)?;
    Ok(RunRequest {
        scenario: SimScenario { tasks },
        machine,
        policy,
        conventions,
        json: flags.json,
    })
}

/// The file's conventions with --conventions, --io-stay, --io-bump and --preempted-first applied.
fn conventions(from_file: Conventions, flags: &RunArgs) -> Result<Conventions, InputError> {
    let mut conventions = match flags.conventions {
        None => from_file,
        Some(ConventionsFlag::Default) if from_file.is_ostep() => Conventions::default(),
        Some(ConventionsFlag::Default) => from_file,
        Some(ConventionsFlag::Ostep) if from_file.is_ostep() => from_file,
        Some(ConventionsFlag::Ostep) => Conventions::ostep(),
    };
    if conventions.is_ostep() {
        if flags.preempted_first {
            return Err(InputError(
                "--preempted-first does not apply to the ostep conventions (their tie order is fixed)".into(),
            ));
        }
        conventions.io_stay |= flags.io_stay;
        conventions.io_bump |= flags.io_bump;
    } else if flags.io_stay || flags.io_bump {
        return Err(InputError(
            "--io-stay and --io-bump need the ostep conventions (--conventions ostep)".into(),
        ));
    } else if flags.preempted_first {
        conventions.arrival_before_preempted = false;
    }
    Ok(conventions)
}

/// Applies --quantum / --boost / --higher-is-higher to the policy of a scenario file.
fn adjust_policy(policy: Policy, flags: &RunArgs) -> Result<Policy, InputError> {
    let mut adjusted = policy_from_flags(PolicyKind::of(&policy), flags)?;
    // Keep the file's priority direction and aging unless the flags set them.
    if let (
        Policy::Priority {
            higher_number_is_higher,
            aging,
            ..
        },
        Policy::Priority {
            higher_number_is_higher: new_direction,
            aging: new_aging,
            ..
        },
    ) = (&policy, &mut adjusted)
    {
        *new_direction |= *higher_number_is_higher;
        if flags.aging.is_none() {
            *new_aging = *aging;
        }
    }
    // Keep the file's MLFQ levels unless --quantum asks for new ones, and its boost unless --boost is given.
    if let (
        Policy::Mlfq {
            queues,
            boost_period,
        },
        Policy::Mlfq {
            queues: new_queues,
            boost_period: new_boost,
        },
    ) = (policy, &mut adjusted)
    {
        if flags.quantum.is_none() {
            *new_queues = queues;
        }
        if flags.boost.is_none() {
            *new_boost = boost_period;
        }
    }
    Ok(adjusted)
}

/// The policy `kind` tuned by the flags, after checking that each given flag applies to it.
fn policy_from_flags(kind: PolicyKind, flags: &RunArgs) -> Result<Policy, InputError> {
    let name = kind.id();
    if flags.quantum.is_some() && !kind.uses_quantum() {
        return Err(InputError(format!(
            "--quantum does not apply to --policy {name} (only {})",
            ids_where(PolicyKind::uses_quantum)
        )));
    }
    if flags.boost.is_some() && !kind.uses_boost() {
        return Err(InputError(format!(
            "--boost does not apply to --policy {name} (only {})",
            ids_where(PolicyKind::uses_boost)
        )));
    }
    if flags.aging.is_some() && !kind.uses_aging() {
        return Err(InputError(format!(
            "--aging does not apply to --policy {name} (only {})",
            ids_where(PolicyKind::uses_aging)
        )));
    }
    if flags.higher_is_higher && !kind.uses_priorities() {
        return Err(InputError(format!(
            "--higher-is-higher does not apply to --policy {name} (only {})",
            ids_where(PolicyKind::uses_priorities)
        )));
    }
    let quantum = match (kind, flags.quantum) {
        (_, Some(quantum)) => quantum,
        (PolicyKind::RoundRobin, None) => {
            return Err(InputError(format!("--policy {name} needs --quantum N")))
        }
        (_, None) => DEFAULT_MLFQ_QUANTUM,
    };
    Ok(kind.build(&PolicyKnobs {
        quantum,
        // None: the recipe's boost; Some(0): no boost.
        boost_period: flags.boost,
        higher_number_is_higher: flags.higher_is_higher,
        levels: None,
        aging: flags.aging,
    }))
}

fn read_input(source: &Path) -> Result<SimInput, InputError> {
    let stdin = source.as_os_str() == "-";
    let text = if stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| InputError(format!("cannot read standard input: {error}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|error| InputError(format!("cannot read {}: {error}", source.display())))?
    };
    let name = if stdin {
        "standard input".to_string()
    } else {
        source.display().to_string()
    };
    serde_json::from_str::<SimInput>(&text).map_err(|error| InputError(format!("{name}: {error}")))
}

/// The multiprocessor model's flags, over the file's machine: queues, stealing and the cache (missing cache
/// figures take multi.py's defaults: size 100, warm-up 10, warm rate 2).
fn apply_multiprocessor_flags(machine: &mut Machine, flags: &RunArgs) {
    if let Some(queues) = flags.queues {
        machine.queues = match queues {
            QueuesFlag::Shared => QueueLayout::Shared,
            QueuesFlag::PerCpu => QueueLayout::PerCpu,
        };
    }
    if let Some(interval) = flags.steal_interval {
        machine.steal_interval = (interval > 0).then_some(interval);
    }
    if flags.cache_size.is_some() || flags.warmup.is_some() || flags.warm_rate.is_some() {
        let base = machine.cache.unwrap_or(CacheModel {
            size: 100,
            warmup: 10,
            warm_rate: 2,
        });
        machine.cache = Some(CacheModel {
            size: flags.cache_size.unwrap_or(base.size),
            warmup: flags.warmup.unwrap_or(base.warmup),
            warm_rate: flags.warm_rate.unwrap_or(base.warm_rate),
        });
    }
}

/// Parses `24,3,3` (run times, all arriving at 0) or `0:8,1:4` (arrival:run), each optionally followed by
/// `@WSET` (a working set for the multiprocessor model's caches); forms can be mixed.
fn parse_jobs(text: &str) -> Result<Vec<SimTask>, InputError> {
    let jobs = parse_list(text, "--jobs", |item| {
        let (job, working_set) = match item.split_once('@') {
            Some((job, working_set)) => (job, working_set.trim().parse::<u64>().ok()?),
            None => (item, 0),
        };
        let (arrival, run) = match job.split_once(':') {
            Some((arrival, run)) => (
                arrival.trim().parse::<u64>().ok()?,
                run.trim().parse::<u64>().ok()?,
            ),
            None => (0, job.trim().parse::<u64>().ok()?),
        };
        Some((arrival, run, working_set))
    })?;
    Ok(jobs
        .into_iter()
        .enumerate()
        .map(|(index, (arrival, run, working_set))| SimTask {
            name: format!("J{}", index + 1),
            arrival,
            priority: 0,
            bursts: vec![Burst::Cpu(run)],
            working_set,
            ..SimTask::default()
        })
        .collect())
}

/// A warm rate: at least 1 unit per tick.
fn warm_rate(text: &str) -> Result<u64, String> {
    match ticks(text)? {
        0 => Err("the warm rate must be at least 1".into()),
        rate => Ok(rate),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
