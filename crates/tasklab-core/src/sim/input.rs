//! The simulator's JSON document, one path for every caller: a [`SimInput`] with its defaults filled in (one CPU
//! without switch cost, FCFS, the default conventions), simulated, and the output as the CLI's `--json` prints it
//! and the page's `window.tasklab.simulate(input)` returns it.
//!
//! ```
//! use tasklab_core::sim::{run_input_json, SimInputError, SimError};
//!
//! let input = serde_json::json!({"tasks": [{"bursts": [{"cpu": 3}]}, {"bursts": [{"cpu": 2}]}]});
//! let output = run_input_json(input).expect("valid input");
//! assert_eq!(output.result.summary.makespan, 5);
//! assert_eq!(output.to_json_value()["policy"]["kind"], "fcfs");
//!
//! let refused = run_input_json(serde_json::json!({"tasks": []})).unwrap_err();
//! assert_eq!(refused, SimInputError::Refused(SimError::EmptyScenario));
//! assert_eq!(refused.to_string(), "the scenario has no tasks");
//! ```

use serde::Serialize;
use thiserror::Error;

use super::{simulate, Conventions, Machine, Policy, SimError, SimInput, SimResult, SimScenario};

/// What a run of a [`SimInput`] gives: the machine, policy and conventions it ran with (defaults filled in) and
/// its result. As JSON ([`SimOutput::to_json_value`]) it is the document `tasklab --json` prints and the page's
/// `tasklab.simulate` returns.
///
/// The fields are in alphabetical order, the order of the JSON document's keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimOutput {
    /// The conventions the run followed.
    pub conventions: Conventions,
    /// The machine it ran on.
    pub machine: Machine,
    /// The policy it followed.
    pub policy: Policy,
    /// The figures and the trace.
    pub result: SimResult,
}

/// Why a JSON input gave no output: it is not a [`SimInput`], or the simulator refused it. The message is the
/// CLI's one line without its `tasklab: ` prefix; for a malformed document the CLI also names its source and a
/// line and column in it (``standard input: missing field `tasks` at line 1 column 2``), which a document that is
/// already a value (a JS object) does not have.
#[derive(Debug, Error)]
pub enum SimInputError {
    /// The document does not have the shape of a [`SimInput`] (a missing or unknown field, a wrong type).
    #[error("{0}")]
    Malformed(serde_json::Error),
    /// The simulator refused the scenario, machine, policy or conventions.
    #[error(transparent)]
    Refused(#[from] SimError),
}

impl PartialEq for SimInputError {
    /// Equal messages for malformed documents (serde_json's error has no equality), equal errors otherwise.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SimInputError::Malformed(left), SimInputError::Malformed(right)) => {
                left.to_string() == right.to_string()
            }
            (SimInputError::Refused(left), SimInputError::Refused(right)) => left == right,
            _ => false,
        }
    }
}

impl SimInput {
    /// The machine, or one CPU without switch cost.
    pub fn machine_or_default(&self) -> Machine {
        self.machine.unwrap_or_default()
    }

    /// The policy, or FCFS.
    pub fn policy_or_default(&self) -> Policy {
        self.policy.clone().unwrap_or(Policy::Fcfs)
    }

    /// The conventions, or [`Conventions::default`].
    pub fn conventions_or_default(&self) -> Conventions {
        self.conventions.unwrap_or_default()
    }
}

impl SimOutput {
    /// Simulates `scenario` on `machine` under `policy` ([`simulate`], default options) and keeps what it ran
    /// with beside the result.
    ///
    /// # Errors
    /// As [`simulate`].
    pub fn simulate(
        scenario: &SimScenario,
        machine: Machine,
        policy: Policy,
        conventions: Conventions,
    ) -> Result<SimOutput, SimError> {
        let result = simulate(scenario, &machine, &policy, &conventions)?;
        Ok(SimOutput {
            conventions,
            machine,
            policy,
            result,
        })
    }

    /// The output as a JSON value, with the keys of every object sorted: the document `tasklab --json` prints
    /// (pretty) and `tasklab.simulate` returns (as a JS object). Serialising plain data with string keys cannot
    /// fail; should it ever, the value is `{"error": message}` rather than a panic.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self)
            .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }))
    }
}

/// Runs `input` with its defaults filled in ([`SimInput::machine_or_default`], [`SimInput::policy_or_default`],
/// [`SimInput::conventions_or_default`]): what the CLI does with a scenario file and no flags.
///
/// # Errors
/// As [`simulate`].
pub fn run_input(input: &SimInput) -> Result<SimOutput, SimError> {
    SimOutput::simulate(
        &input.scenario(),
        input.machine_or_default(),
        input.policy_or_default(),
        input.conventions_or_default(),
    )
}

/// Reads `document` as a [`SimInput`] and runs it ([`run_input`]).
///
/// # Errors
/// [`SimInputError::Malformed`] when the document is not a [`SimInput`], [`SimInputError::Refused`] when the
/// simulator refuses it.
pub fn run_input_json(document: serde_json::Value) -> Result<SimOutput, SimInputError> {
    let input: SimInput = serde_json::from_value(document).map_err(SimInputError::Malformed)?;
    Ok(run_input(&input)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sim::{Burst, SimTask};

    #[test]
    fn defaults_are_one_cpu_fcfs_and_the_default_conventions() {
        let input = SimInput {
            tasks: vec![SimTask::cpu_only("A", 0, 3), SimTask::cpu_only("B", 0, 2)],
            ..SimInput::default()
        };
        let output = run_input(&input).unwrap();
        assert_eq!(output.machine, Machine::default());
        assert_eq!(output.policy, Policy::Fcfs);
        assert_eq!(output.conventions, Conventions::default());
        let direct = simulate(
            &input.scenario(),
            &Machine::default(),
            &Policy::Fcfs,
            &Conventions::default(),
        )
        .unwrap();
        assert_eq!(output.result, direct);
        assert_eq!(output.result.summary.makespan, 5);
        let completions: Vec<u64> = output.result.tasks.iter().map(|t| t.completion).collect();
        assert_eq!(completions, [3, 5]);
    }

    #[test]
    fn the_document_has_the_inputs_and_the_result_with_sorted_keys() {
        let document = json!({
            "tasks": [{"name": "A", "bursts": [{"cpu": 5}, {"io": 3}, {"cpu": 2}]}, {"bursts": [{"cpu": 4}]}],
            "machine": {"cpus": 2, "switch_cost": 1},
            "policy": {"kind": "rr", "quantum": 2}
        });
        let output = run_input_json(document.clone()).unwrap();
        let value = output.to_json_value();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["conventions", "machine", "policy", "result"]);
        let input: SimInput = serde_json::from_value(document).unwrap();
        assert_eq!(
            value["policy"],
            serde_json::to_value(&input.policy).unwrap()
        );
        assert_eq!(value["machine"]["cpus"], 2);
        assert_eq!(
            value["result"],
            serde_json::to_value(
                simulate(
                    &input.scenario(),
                    &input.machine_or_default(),
                    &input.policy_or_default(),
                    &Conventions::default()
                )
                .unwrap()
            )
            .unwrap()
        );
    }

    #[test]
    fn refusals_carry_the_simulators_message() {
        let zero_quantum =
            json!({"tasks": [{"bursts": [{"cpu": 3}]}], "policy": {"kind": "rr", "quantum": 0}});
        let error = run_input_json(zero_quantum).unwrap_err();
        assert_eq!(error, SimInputError::Refused(SimError::ZeroQuantum));
        assert_eq!(error.to_string(), SimError::ZeroQuantum.to_string());
        let io_only = SimInput {
            tasks: vec![SimTask {
                bursts: vec![Burst::Io(3)],
                ..SimTask::default()
            }],
            ..SimInput::default()
        };
        assert_eq!(
            run_input(&io_only).unwrap_err(),
            SimError::NoCpuBurst { task: 0 }
        );
    }

    #[test]
    fn malformed_documents_say_what_is_wrong_without_a_position() {
        let message = |document| run_input_json(document).unwrap_err().to_string();
        assert_eq!(
            message(json!({"policy": {"kind": "fcfs"}})),
            "missing field `tasks`"
        );
        assert!(message(json!({"tasks": [], "polcy": {}})).starts_with("unknown field `polcy`"));
        assert_eq!(
            message(json!({"tasks": [{"arrival": -4, "bursts": [{"cpu": 3}]}]})),
            "invalid value: integer `-4`, expected u64"
        );
        assert!(matches!(
            run_input_json(json!([1, 2])).unwrap_err(),
            SimInputError::Malformed(_)
        ));
    }
}
