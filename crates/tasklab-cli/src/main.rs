//! `tasklab`: runs tasklab's deterministic scheduling simulator from the command line.
//!
//! ```text
//! tasklab [SCENARIO.json | -] [--policy P] [--quantum N] [--boost N] [--higher-is-higher] [--cpus N]
//!         [--switch-cost N] [--jobs LIST] [--priorities LIST] [--preempted-first]
//!         [--conventions default|ostep] [--io-stay] [--io-bump] [--json]
//! tasklab bench [--sizes LIST] [--repeat N] [--ticks N] [--no-trace]
//! ```
//!
//! The flags are declared with clap in [`options`], which also generates `--help`. Bad input prints one line on
//! standard error and exits with code 2.

mod bench;
mod options;
mod report;

use std::ffi::OsString;
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

fn main() -> ExitCode {
    match run(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(InputError(message)) => {
            eprintln!("tasklab: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: impl IntoIterator<Item = OsString>) -> Result<(), InputError> {
    match options::parse(args)? {
        Command::Help(help) => {
            // clap writes the help on standard output; a closed pipe is not an error.
            let _ = help.print();
            Ok(())
        }
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
