//! Runs the built `tasklab` binary: good runs, JSON output, and bad input exiting with code 2.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tasklab(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasklab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tasklab");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("run tasklab")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

#[test]
fn round_robin_table() {
    let output = tasklab(
        &["--policy", "rr", "--quantum", "4", "--jobs", "24,3,3"],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("rr (quantum 4)"), "{text}");
    assert!(text.contains("makespan 30 ticks"), "{text}");
    assert!(text.contains("5.67"), "average waiting 17/3: {text}");
    assert!(
        text.contains("cpu0: 0-4 J1 | 4-7 J2 | 7-10 J3 | 10-14 J1"),
        "{text}"
    );
}

#[test]
fn arrival_run_jobs_on_two_cpus_with_switch_cost() {
    let output = tasklab(
        &[
            "--jobs",
            "0:8,1:4,2:9,3:5",
            "--policy",
            "srtf",
            "--cpus",
            "2",
            "--switch-cost",
            "1",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("switch→"), "{text}");
    assert!(text.contains("speedup"), "{text}");
}

#[test]
fn json_output_from_a_scenario_on_stdin() {
    let scenario = r#"{
        "tasks": [
            {"name": "A", "arrival": 0, "priority": 2, "bursts": [{"cpu": 5}, {"io": 3}, {"cpu": 2}]},
            {"name": "B", "arrival": 1, "priority": 1, "bursts": [{"cpu": 3}]}
        ],
        "machine": {"cpus": 1, "switch_cost": 0},
        "policy": {"kind": "priority", "preemptive": true}
    }"#;
    let output = tasklab(&["-", "--json"], Some(scenario));
    assert!(output.status.success(), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(document["policy"]["kind"], "priority");
    let tasks = document["result"]["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 2);
    // B (priority 1) preempts A at 1: A 0-1, B 1-4, A 4-8, I/O 8-11, A 11-13.
    assert_eq!(tasks[0]["completion"], 13);
    assert_eq!(tasks[1]["completion"], 4);
    assert_eq!(document["result"]["summary"]["makespan"], 13);
    assert!(document["result"]["trace"]
        .as_array()
        .is_some_and(|trace| !trace.is_empty()));
}

#[test]
fn flags_override_the_file() {
    let dir = std::env::temp_dir().join(format!("tasklab-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("scenario.json");
    std::fs::write(
        &path,
        r#"{"tasks": [{"bursts": [{"cpu": 4}]}, {"bursts": [{"cpu": 4}]}], "policy": {"kind": "fcfs"}}"#,
    )
    .expect("write scenario");
    let path_text = path.to_str().expect("utf-8 path");
    let output = tasklab(&[path_text, "--cpus", "2", "--json"], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(document["machine"]["cpus"], 2);
    assert_eq!(document["result"]["summary"]["makespan"], 4);
    assert_eq!(document["result"]["tasks"][0]["name"], "T0");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bad input: one line on standard error, nothing on standard output, exit code 2.
fn assert_rejected(args: &[&str], stdin: Option<&str>, expected: &str) {
    let output = tasklab(args, stdin);
    let error = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {error}");
    assert_eq!(
        error.lines().count(),
        1,
        "{args:?}: one line expected, got {error:?}"
    );
    assert!(
        error.contains(expected),
        "{args:?}: {error:?} should mention {expected:?}"
    );
    assert!(stdout(&output).is_empty(), "{args:?}");
}

#[test]
fn bad_input_exits_with_code_2() {
    assert_rejected(&["--jobs", "3,-1"], None, "'-1'");
    assert_rejected(
        &["--jobs", "3", "--policy", "lottery"],
        None,
        "unknown policy 'lottery'",
    );
    assert_rejected(
        &["--jobs", "3", "--policy", "rr", "--quantum", "0"],
        None,
        "quantum must be at least 1",
    );
    assert_rejected(&["--jobs", "3", "--policy", "rr"], None, "needs --quantum");
    assert_rejected(&["--jobs", "3", "--cpus", "65"], None, "1 to 64");
    assert_rejected(
        &["--jobs", "3", "--switch-cost", "-2"],
        None,
        "--switch-cost",
    );
    assert_rejected(&["--jobs", "3", "--frobnicate"], None, "unknown option");
    assert_rejected(&[], None, "no scenario");
    assert_rejected(&["/nonexistent/scenario.json"], None, "cannot read");
    assert_rejected(
        &["-"],
        Some("{\"tasks\": [{\"bursts\": [{\"cpu\": 3}"),
        "standard input",
    );
    assert_rejected(
        &["-"],
        Some("{\"tasks\": [{\"arrival\": -4, \"bursts\": [{\"cpu\": 3}]}]}"),
        "-4",
    );
    assert_rejected(&["-"], Some("{\"tasks\": []}"), "no tasks");
    assert_rejected(
        &["-"],
        Some("{\"tasks\": [{\"bursts\": [{\"io\": 3}]}]}"),
        "no CPU burst",
    );
    assert_rejected(
        &["-"],
        Some("{\"tasks\": [{\"bursts\": [{\"cpu\": 3}]}], \"polcy\": {}}"),
        "polcy",
    );
    assert_rejected(&["bench", "--repeat", "0"], None, "--repeat");
}

#[test]
fn help_succeeds() {
    let output = tasklab(&["--help"], None);
    assert!(output.status.success());
    assert!(stdout(&output).contains("usage: tasklab"));
}

#[test]
fn small_benchmark_runs() {
    let output = tasklab(
        &[
            "bench", "--sizes", "10,100", "--repeat", "1", "--ticks", "20000",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("slices/s"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
}
