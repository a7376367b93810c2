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
    // clap names the bad value and the flag; the valid ids come from PolicyKind.
    assert_rejected(
        &["--jobs", "3", "--policy", "lottery"],
        None,
        "invalid value 'lottery' for '--policy",
    );
    assert_rejected(
        &["--jobs", "3", "--policy", "lottery"],
        None,
        "rr, fcfs, sjf, srtf, priority, priority-preemptive, mlfq",
    );
    assert_rejected(
        &[
            "--jobs",
            "3",
            "--policy",
            "rr",
            "--quantum",
            "2",
            "--boost",
            "9",
        ],
        None,
        "--boost does not apply to --policy rr",
    );
    assert_rejected(
        &["--jobs", "3", "--policy", "fcfs", "--higher-is-higher"],
        None,
        "--higher-is-higher does not apply",
    );
    assert_rejected(
        &["--jobs", "3,4", "--priorities", "1,2,3"],
        None,
        "--priorities has 3 values for 2 tasks",
    );
    assert_rejected(
        &["--jobs", "3", "scenario.json"],
        None,
        "a scenario file or --jobs, not both",
    );
    assert_rejected(
        &["a.json", "b.json"],
        None,
        "one scenario at a time: got 'a.json' and 'b.json'",
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
    assert_rejected(
        &["--jobs", "3", "--frobnicate"],
        None,
        "unexpected argument '--frobnicate'",
    );
    assert_rejected(&["--jobs", "3", "--jsn"], None, "did you mean '--json'");
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
    assert_rejected(&["bench", "--sizes", "10,x"], None, "'x' in --sizes");
    assert_rejected(&["bench", "--json"], None, "'--json'");
}

#[test]
fn help_succeeds() {
    for flag in ["--help", "-h"] {
        let output = tasklab(&[flag], None);
        assert!(output.status.success(), "{flag}");
        assert!(stderr(&output).is_empty(), "{flag}");
        let text = stdout(&output);
        assert!(text.contains("Usage: tasklab"), "{flag}: {text}");
        assert!(text.contains("--preempted-first"), "{flag}: {text}");
        assert!(text.contains("priority-preemptive"), "{flag}: {text}");
        assert!(text.contains("Examples:"), "{flag}: {text}");
    }
    let output = tasklab(&["bench", "--help"], None);
    assert!(output.status.success());
    assert!(stdout(&output).contains("--no-trace"));
}

fn policy_json(args: &[&str], stdin: Option<&str>) -> serde_json::Value {
    let output = tasklab(args, stdin);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    document["policy"].clone()
}

/// `--policy mlfq` builds the one MLFQ recipe: levels q, 2q, 4q, allotments twice each quantum, a boost every
/// 50 quanta unless `--boost` gives another period (0 = none).
#[test]
fn mlfq_uses_the_recipe_and_its_boost() {
    let jobs = ["--jobs", "30,5,5", "--json", "--policy", "mlfq"];
    let policy = policy_json(&[&jobs[..], &["--quantum", "2"]].concat(), None);
    assert_eq!(policy["kind"], "mlfq");
    assert_eq!(policy["boost_period"], 100);
    let quanta: Vec<u64> = policy["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .map(|level| level["quantum"].as_u64().expect("quantum"))
        .collect();
    assert_eq!(quanta, [2, 4, 8]);
    assert_eq!(policy["queues"][0]["allotment"], 4);

    let policy = policy_json(
        &[&jobs[..], &["--quantum", "2", "--boost", "0"]].concat(),
        None,
    );
    assert!(policy["boost_period"].is_null(), "{policy}");

    // Without --quantum the quantum is 2, so the boost is again 100; --boost N sets the period.
    assert_eq!(policy_json(&jobs, None)["boost_period"], 100);
    assert_eq!(
        policy_json(&[&jobs[..], &["--boost", "7"]].concat(), None)["boost_period"],
        7
    );

    let output = tasklab(&["--jobs", "30,5,5", "--policy", "mlfq"], None);
    assert!(
        stdout(&output).contains("mlfq (q2/a4, q4/a8, q8/a16; boost every 100)"),
        "{}",
        stdout(&output)
    );
}

/// A scenario file's own MLFQ keeps its levels (and boost) unless --quantum (or --boost) replaces them.
#[test]
fn a_file_mlfq_keeps_its_levels_without_quantum() {
    let scenario = r#"{
        "tasks": [{"bursts": [{"cpu": 9}]}, {"bursts": [{"cpu": 3}]}],
        "policy": {"kind": "mlfq", "queues": [{"quantum": 3, "allotment": 3}, {"quantum": 9, "allotment": 9}], "boost_period": 40}
    }"#;
    let policy = policy_json(&["-", "--json", "--boost", "0"], Some(scenario));
    assert_eq!(policy["queues"].as_array().map(Vec::len), Some(2));
    assert_eq!(policy["queues"][0]["quantum"], 3);
    assert!(policy["boost_period"].is_null(), "{policy}");

    let policy = policy_json(&["-", "--json", "--quantum", "1"], Some(scenario));
    assert_eq!(policy["queues"].as_array().map(Vec::len), Some(3));
    assert_eq!(policy["queues"][0]["quantum"], 1);
    assert_eq!(policy["boost_period"], 40);
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
    let multiprocessor = tasklab(
        &[
            "bench",
            "--sizes",
            "10,100",
            "--repeat",
            "1",
            "--ticks",
            "20000",
            "--multiprocessor",
        ],
        None,
    );
    assert!(
        multiprocessor.status.success(),
        "{}",
        stderr(&multiprocessor)
    );
    let text = stdout(&multiprocessor);
    assert!(text.contains("per-CPU queues"), "{text}");
    assert!(!text.contains("failed"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
}

/// `--conventions ostep` gives OSTEP's numbers (mlfq-001 of the core's fixtures: the job displaced by a new
/// arrival resumes ahead of the other one), and its flags are checked.
#[test]
fn ostep_conventions() {
    let scenario = r#"{
        "tasks": [
            {"bursts": [{"cpu": 20}]},
            {"bursts": [{"cpu": 20}]},
            {"arrival": 12, "bursts": [{"cpu": 3}]}
        ],
        "policy": {"kind": "mlfq", "queues": [{"quantum": 5, "allotment": 5}, {"quantum": 5, "allotment": 5}]}
    }"#;
    let completions = |args: &[&str]| {
        let output = tasklab(args, Some(scenario));
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let document: serde_json::Value =
            serde_json::from_str(&stdout(&output)).expect("valid JSON");
        let tasks = document["result"]["tasks"]
            .as_array()
            .expect("tasks")
            .clone();
        let completions: Vec<u64> = tasks
            .iter()
            .map(|task| task["completion"].as_u64().expect("completion"))
            .collect();
        (document["conventions"].clone(), completions)
    };
    let (conventions, ostep) = completions(&["-", "--json", "--conventions", "ostep"]);
    assert_eq!(conventions["preset"], "ostep");
    assert_eq!(ostep, vec![38, 43, 15]);
    let (_, default) = completions(&["-", "--json"]);
    assert_ne!(
        default, ostep,
        "the default conventions requeue job 0 at the back"
    );
    let (conventions, _) = completions(&["-", "--json", "--conventions", "ostep", "--io-bump"]);
    assert_eq!(conventions["io_bump"], true);
    assert_eq!(conventions["io_stay"], false);
    // The file's conventions flow through; --conventions default overrides them.
    let from_file = r#"{"tasks": [{"bursts": [{"cpu": 3}]}], "conventions": "ostep"}"#;
    let output = tasklab(&["-", "--json", "--io-stay"], Some(from_file));
    assert!(output.status.success(), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(document["conventions"]["io_stay"], true);
    let output = tasklab(
        &["-", "--json", "--conventions", "default"],
        Some(from_file),
    );
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(
        document["conventions"],
        serde_json::json!({"arrival_before_preempted": true})
    );
    let output = tasklab(&["--jobs", "3", "--conventions", "ostep"], None);
    assert!(stdout(&output).contains("ostep conventions"));

    assert_rejected(
        &["--jobs", "3", "--io-stay"],
        None,
        "--io-stay and --io-bump need the ostep conventions",
    );
    assert_rejected(
        &["--jobs", "3", "--conventions", "default", "--io-bump"],
        None,
        "need the ostep conventions",
    );
    assert_rejected(
        &["--jobs", "3", "--conventions", "ostep", "--preempted-first"],
        None,
        "--preempted-first does not apply to the ostep conventions",
    );
    assert_rejected(
        &["--jobs", "3", "--conventions", "ostep", "--cpus", "2"],
        None,
        "ostep conventions are defined for 1 CPU",
    );
    assert_rejected(
        &[
            "--jobs",
            "3",
            "--conventions",
            "ostep",
            "--switch-cost",
            "1",
        ],
        None,
        "without switch cost",
    );
    assert_rejected(
        &["--jobs", "3", "--conventions", "bsd"],
        None,
        "expected one of: default, ostep",
    );
    assert_rejected(
        &["-"],
        Some(r#"{"tasks": [{"bursts": [{"cpu": 3}]}], "conventions": "osteps"}"#),
        "osteps",
    );
    assert_rejected(
        &["-"],
        Some(r#"{"tasks": [{"bursts": [{"cpu": 3}]}], "conventions": {"io_stay": true}}"#),
        "io_stay and io_bump need the ostep preset",
    );
}

/// `--aging N` ages waiting tasks under the priority policies, and only there.
#[test]
fn aging_applies_to_the_priority_policies_only() {
    let input = r#"{"tasks": [
        {"name": "Low", "priority": 5, "bursts": [{"cpu": 10}]},
        {"name": "H0", "priority": 1, "bursts": [{"cpu": 4}]},
        {"name": "H1", "arrival": 4, "priority": 1, "bursts": [{"cpu": 4}]},
        {"name": "H2", "arrival": 8, "priority": 1, "bursts": [{"cpu": 4}]},
        {"name": "H3", "arrival": 12, "priority": 1, "bursts": [{"cpu": 4}]},
        {"name": "H4", "arrival": 16, "priority": 1, "bursts": [{"cpu": 4}]},
        {"name": "H5", "arrival": 20, "priority": 1, "bursts": [{"cpu": 4}]},
        {"name": "H6", "arrival": 24, "priority": 1, "bursts": [{"cpu": 4}]}
    ]}"#;
    let first_run_of_low = |args: &[&str]| -> u64 {
        let output = tasklab(args, Some(input));
        assert!(output.status.success(), "{}", stderr(&output));
        let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        document["result"]["tasks"][0]["first_run"]
            .as_u64()
            .expect("a number")
    };
    let policy = ["-", "--json", "--policy", "priority-preemptive"];
    assert_eq!(first_run_of_low(&policy), 28);
    let with_aging: Vec<&str> = policy.iter().copied().chain(["--aging", "5"]).collect();
    assert_eq!(first_run_of_low(&with_aging), 20);
    assert_eq!(policy_json(&with_aging, Some(input))["aging"], 5);
    assert_rejected(
        &[
            "--jobs",
            "3",
            "--policy",
            "rr",
            "--quantum",
            "2",
            "--aging",
            "5",
        ],
        None,
        "--aging",
    );
    assert_rejected(
        &["--jobs", "3", "--policy", "priority", "--aging", "0"],
        None,
        "aging period",
    );
}

/// The multiprocessor model's flags (with the ostep conventions): per-CPU queues, stealing, a cache, and
/// working sets in --jobs; the JSON result gives warm shares, migrations and steals.
#[test]
fn multiprocessor_flags_build_the_model_and_report_its_figures() {
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "--conventions",
            "ostep",
            "--policy",
            "rr",
            "--quantum",
            "10",
            "--cpus",
            "2",
            "--json",
            "--jobs",
            "100@50,60@50,40@50",
        ];
        args.extend_from_slice(extra);
        let output = tasklab(&args, None);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        serde_json::from_str(&stdout(&output)).expect("JSON")
    };
    // Per-CPU queues place J1 and J3 on CPU 0 and J2 on CPU 1: without stealing, CPU 1 idles once J2 is done.
    let alone = run(&["--queues", "per-cpu", "--steal-interval", "0"]);
    assert_eq!(alone["machine"]["queues"], "per-cpu");
    assert_eq!(alone["result"]["summary"]["steals"], 0);
    assert_eq!(alone["result"]["summary"]["makespan"], 140);
    let stealing = run(&["--queues", "per-cpu", "--steal-interval", "30"]);
    assert_eq!(stealing["machine"]["steal_interval"], 30);
    assert!(stealing["result"]["summary"]["steals"].as_u64() >= Some(1));
    assert!(
        stealing["result"]["summary"]["makespan"].as_u64() < Some(140),
        "stealing evens the load"
    );
    // A cache (multi.py's defaults, warm-up 5 here): working sets of 50 fit in 100, so the jobs run warm part of
    // the time, and a stolen job starts cold.
    let cached = run(&[
        "--queues",
        "per-cpu",
        "--steal-interval",
        "30",
        "--warmup",
        "5",
    ]);
    assert_eq!(cached["machine"]["cache"]["size"], 100);
    assert_eq!(cached["machine"]["cache"]["warmup"], 5);
    assert_eq!(cached["machine"]["cache"]["warm_rate"], 2);
    let summary = &cached["result"]["summary"];
    let warm = summary["warm"].as_array().expect("warm per CPU");
    assert_eq!(warm.len(), 2);
    assert!(warm
        .iter()
        .all(|share| (0.0..=1.0).contains(&share.as_f64().expect("a share"))));
    assert!(warm.iter().any(|share| share.as_f64() > Some(0.0)));
    assert!(summary["migrations"].as_u64() >= Some(1));
    assert_rejected(&["--jobs", "3@x"], None, "--jobs");
    // Outside ostep the model runs on any policy, but not with a switch cost.
    let output = tasklab(
        &[
            "--jobs",
            "40,5,40,5",
            "--cpus",
            "2",
            "--queues",
            "per-cpu",
            "--policy",
            "fcfs",
            "--json",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    // Placed round robin, the two 40s share CPU 0 while CPU 1 idles after 10.
    assert_eq!(document["result"]["summary"]["makespan"], 80);
    assert_rejected(
        &[
            "--jobs",
            "3",
            "--cpus",
            "2",
            "--queues",
            "per-cpu",
            "--switch-cost",
            "1",
        ],
        None,
        "switch cost",
    );
    assert_rejected(&["--jobs", "3", "--warm-rate", "0"], None, "warm rate");
}
