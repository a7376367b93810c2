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

use tasklab_core::sim::SimOutput;

use options::Command;

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
            // The same document as the page's `tasklab.simulate` (core's `SimOutput`).
            let output = SimOutput::simulate(
                &request.scenario,
                request.machine,
                request.policy.clone(),
                request.conventions,
            )?;
            let text = if request.json {
                to_json(&output)
            } else {
                report::tables(&request, &output.result)
            };
            write_out(&text)
        }
    }
}

fn to_json(output: &SimOutput) -> String {
    // Serialising a JSON value cannot fail; fall back to a JSON error object rather than panic.
    serde_json::to_string_pretty(&output.to_json_value())
        .unwrap_or_else(|error| format!("{{\"error\": {:?}}}", error.to_string()))
}

/// Writes to standard output, ignoring a closed pipe (`tasklab … | head` must not panic).
fn write_out(text: &str) -> Result<(), InputError> {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tasklab_core::sim::run_input_json;

    /// The CLI's line for a scenario file, without `tasklab: `.
    fn message_for_file(name: &str, document: &serde_json::Value) -> String {
        let path =
            std::env::temp_dir().join(format!("tasklab-cli-{}-{name}.json", std::process::id()));
        std::fs::write(&path, document.to_string()).unwrap();
        let args = [OsString::from("tasklab"), path.clone().into_os_string()];
        let outcome = run(args);
        let _ = std::fs::remove_file(&path);
        match outcome {
            Err(InputError(message)) => message,
            Ok(()) => panic!("{document} should be refused"),
        }
    }

    /// The page's `tasklab.simulate` throws the shared function's message: for a refused input it is the CLI's
    /// line exactly; for a malformed document the CLI puts the file's name before it and a position after it.
    #[test]
    fn file_errors_are_the_shared_functions_messages() {
        let refused = serde_json::json!({
            "tasks": [{"bursts": [{"cpu": 3}]}],
            "policy": {"kind": "rr", "quantum": 0}
        });
        let shared = run_input_json(refused.clone()).unwrap_err().to_string();
        assert_eq!(shared, "the quantum must be at least 1 tick");
        assert_eq!(message_for_file("refused", &refused), shared);

        let malformed = serde_json::json!({"policy": {"kind": "fcfs"}});
        let shared = run_input_json(malformed.clone()).unwrap_err().to_string();
        assert_eq!(shared, "missing field `tasks`");
        let cli = message_for_file("malformed", &malformed);
        let (source, rest) = cli.split_once(": ").unwrap();
        assert!(source.ends_with("-malformed.json"), "{cli}");
        assert!(
            rest.starts_with(&format!("{shared} at line 1 column ")),
            "{cli}"
        );
    }
}
