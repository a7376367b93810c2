//! `tasklab`: runs tasklab's deterministic scheduling simulator from the command line.
//!
//! ```text
//! tasklab [SCENARIO.json | -] [--policy P] [--quantum N] [--boost N] [--cpus N] [--switch-cost N]
//!         [--jobs LIST] [--priorities LIST] [--preempted-first] [--json]
//! tasklab bench [--sizes LIST] [--repeat N] [--ticks N] [--no-trace]
//! ```
//!
//! Bad input prints one line on standard error and exits with code 2.

mod bench;
mod options;
mod report;

use std::io::Write;
use std::process::ExitCode;

use tasklab_core::sim::{simulate, SimResult};

use options::{Command, RunRequest};

/// A failure caused by the input, reported as one line with exit code 2.
#[derive(Debug)]
pub struct InputError(pub String);

impl<T: std::fmt::Display> From<T> for InputError {
    fn from(message: T) -> Self {
        InputError(message.to_string())
    }
}

/// The usage text printed by `--help`.
pub const USAGE: &str = "\
usage: tasklab [SCENARIO.json | -] [options]      simulate a scenario (a JSON file, or - for standard input)
       tasklab --jobs 24,3,3 [options]             simulate quick jobs: run times, or arrival:run (0:8,1:4)
       tasklab bench [--sizes 1000,10000,100000] [--repeat 3] [--ticks 8000000] [--no-trace]

options:
  --policy P          fcfs | sjf | srtf | rr | priority | priority-preemptive | mlfq (default fcfs)
  --quantum N         time slice for rr (required) and the top mlfq queue (default 2)
  --boost N           mlfq priority boost period in ticks
  --higher-is-higher  for priority policies, a higher number is a higher priority
  --cpus N            virtual CPUs, 1 to 64 (default 1)
  --switch-cost N     ticks per context switch (default 0)
  --jobs LIST         tasks from a list instead of a file: RUN or ARRIVAL:RUN, comma-separated
  --priorities LIST   priorities of the --jobs tasks, comma-separated
  --preempted-first   a task preempted at tick t queues before one arriving at t
  --json              print the result as JSON instead of tables
  -h, --help          print this help

Flags override the machine and policy given in the scenario file.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(InputError(message)) => {
            eprintln!("tasklab: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), InputError> {
    match options::parse(args)? {
        Command::Help => write_out(USAGE),
        Command::Bench(settings) => {
            bench::run(&settings, &mut std::io::stdout().lock());
            Ok(())
        }
        Command::Simulate(request) => {
            let result = simulate(
                &request.scenario,
                &request.machine,
                &request.policy,
                &request.conventions,
            )?;
            let text = if request.json {
                to_json(&request, &result)
            } else {
                report::tables(&request, &result)
            };
            write_out(&text)
        }
    }
}

fn to_json(request: &RunRequest, result: &SimResult) -> String {
    let document = serde_json::json!({
        "machine": request.machine,
        "policy": request.policy,
        "conventions": request.conventions,
        "result": result,
    });
    // Serialising plain data with string keys cannot fail; fall back to a JSON error object rather than panic.
    serde_json::to_string_pretty(&document)
        .unwrap_or_else(|error| format!("{{\"error\": {:?}}}", error.to_string()))
}

/// Writes to standard output, ignoring a closed pipe (`tasklab … | head` must not panic).
fn write_out(text: &str) -> Result<(), InputError> {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    Ok(())
}
