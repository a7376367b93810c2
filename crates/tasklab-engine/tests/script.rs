//! In-browser tests of the page's script API (`wasm-pack test --headless --chrome crates/tasklab-engine`):
//! `tasklab.simulate` gives the native simulator's figures and throws the CLI's messages; `lastRun` and
//! `lastCompare` are `null` before a report and plain objects after. A test binary of its own, so the last
//! reports start empty.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use js_sys::{Function, Reflect};
use serde::Serialize;
use tasklab_core::sim::{
    run_input, run_input_json, simulate, Burst, Conventions, Machine, Policy, SimInput,
    SimScenario, SimTask,
};
use tasklab_engine::script;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A JS object from JSON text, as a course page would write it.
fn object(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// `window.tasklab[name]`, after installing the API.
fn api_function(name: &str) -> Function {
    script::install().unwrap();
    let api = Reflect::get(&js_sys::global(), &JsValue::from_str("tasklab")).unwrap();
    Reflect::get(&api, &JsValue::from_str(name))
        .unwrap()
        .dyn_into::<Function>()
        .unwrap()
}

/// A JS value read back as JSON (through `JSON.stringify`).
fn canonical(value: &JsValue) -> serde_json::Value {
    let text = js_sys::JSON::stringify(value).unwrap().as_string().unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Whether `value` is what `JSON.parse` makes of `expected`'s JSON text (JS has one number type: `4.0` is `4`).
fn same_as_json_parse(value: &JsValue, expected: &serde_json::Value) -> bool {
    let parsed = js_sys::JSON::parse(&expected.to_string()).unwrap();
    js_sys::JSON::stringify(value).unwrap() == js_sys::JSON::stringify(&parsed).unwrap()
}

/// The message of what `simulate` threw for `input`, which must be a JS `Error`.
fn thrown_message(input: &JsValue) -> String {
    let thrown = api_function("simulate")
        .call1(&JsValue::NULL, input)
        .expect_err("bad input throws");
    let error = thrown.dyn_into::<js_sys::Error>().expect("an Error");
    error.message().as_string().unwrap()
}

#[wasm_bindgen_test]
fn simulate_gives_the_native_figures() {
    let input = object(
        r#"{"tasks": [{"name": "A", "bursts": [{"cpu": 3}]}, {"bursts": [{"cpu": 2}]}], "policy": {"kind": "fcfs"}}"#,
    );
    let output = api_function("simulate")
        .call1(&JsValue::NULL, &input)
        .unwrap();
    assert!(output.is_object());
    let native = simulate(
        &SimScenario {
            tasks: vec![SimTask::cpu_only("A", 0, 3), SimTask::cpu_only("", 0, 2)],
        },
        &Machine::default(),
        &Policy::Fcfs,
        &Conventions::default(),
    )
    .unwrap();
    let document = canonical(&output);
    assert_eq!(
        document["result"]["summary"]["makespan"],
        native.summary.makespan
    );
    let completions: Vec<u64> = document["result"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["completion"].as_u64().unwrap())
        .collect();
    let native_completions: Vec<u64> = native.tasks.iter().map(|task| task.completion).collect();
    assert_eq!(completions, native_completions);
    assert_eq!(completions, [3, 5]);
    // The whole document is the CLI's `--json` one: machine, policy and conventions with the result.
    let shared = run_input_json(canonical(&input)).unwrap().to_json_value();
    assert!(same_as_json_parse(&output, &shared), "{document}");
    // u64 figures are plain numbers, not BigInts.
    let summary = Reflect::get(
        &Reflect::get(&output, &JsValue::from_str("result")).unwrap(),
        &JsValue::from_str("summary"),
    )
    .unwrap();
    let makespan = Reflect::get(&summary, &JsValue::from_str("makespan")).unwrap();
    assert_eq!(makespan.as_f64(), Some(5.0));
}

#[wasm_bindgen_test]
fn simulate_runs_io_and_round_robin_like_the_native_shared_path() {
    let input = SimInput {
        tasks: vec![
            SimTask {
                name: "A".into(),
                bursts: vec![Burst::Cpu(5), Burst::Io(3), Burst::Cpu(2)],
                ..SimTask::default()
            },
            SimTask::cpu_only("B", 1, 4),
        ],
        machine: Some(Machine {
            cpus: 2,
            switch_cost: 1,
            ..Machine::default()
        }),
        policy: Some(Policy::RoundRobin { quantum: 2 }),
        conventions: None,
    };
    let js_input = input
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    let output = script::simulate(&js_input).unwrap();
    let shared = run_input(&input).unwrap().to_json_value();
    assert!(
        same_as_json_parse(&output, &shared),
        "{}",
        canonical(&output)
    );
}

#[wasm_bindgen_test]
fn bad_input_throws_the_clis_message() {
    let zero_quantum =
        r#"{"tasks": [{"bursts": [{"cpu": 3}]}], "policy": {"kind": "rr", "quantum": 0}}"#;
    let expected = run_input_json(serde_json::from_str(zero_quantum).unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(expected, "the quantum must be at least 1 tick");
    assert_eq!(thrown_message(&object(zero_quantum)), expected);

    let no_tasks = r#"{"policy": {"kind": "fcfs"}}"#;
    let expected = run_input_json(serde_json::from_str(no_tasks).unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(expected, "missing field `tasks`");
    assert_eq!(thrown_message(&object(no_tasks)), expected);

    assert_eq!(
        thrown_message(&object(r#"{"tasks": []}"#)),
        "the scenario has no tasks"
    );
    assert_eq!(
        thrown_message(&object(
            r#"{"tasks": [{"arrival": -4, "bursts": [{"cpu": 3}]}]}"#
        )),
        "invalid value: integer `-4`, expected u64"
    );
    assert!(thrown_message(&JsValue::UNDEFINED).starts_with("invalid type: null"));
}

#[derive(Serialize)]
struct CompareReport {
    runs: Vec<serde_json::Value>,
    fit: serde_json::Value,
}

#[wasm_bindgen_test]
fn memory_bytes_is_the_size_of_the_wasm_memory() {
    let bytes = api_function("memoryBytes")
        .call0(&JsValue::NULL)
        .unwrap()
        .as_f64()
        .unwrap();
    // Whole 64 KiB pages, at least the one holding this test's data.
    assert!(bytes >= 65_536.0 && bytes % 65_536.0 == 0.0, "{bytes}");
}

#[wasm_bindgen_test]
fn last_reports_are_null_before_and_objects_after() {
    let last_run = api_function("lastRun");
    let last_compare = api_function("lastCompare");
    assert!(last_run.call0(&JsValue::NULL).unwrap().is_null());
    assert!(last_compare.call0(&JsValue::NULL).unwrap().is_null());

    let report = serde_json::json!({"mode": "multitasking", "wall_ms": 12.5, "tasks": [{"checksum": "00ff"}], "model": null});
    script::set_last_run(&report).unwrap();
    let first = last_run.call0(&JsValue::NULL).unwrap();
    assert!(first.is_object());
    assert_eq!(canonical(&first), report);
    // Each call gives a new object: a script changing one does not change the next.
    let _ = Reflect::set(
        &first,
        &JsValue::from_str("mode"),
        &JsValue::from_str("changed"),
    );
    assert_eq!(canonical(&last_run.call0(&JsValue::NULL).unwrap()), report);

    // The page keeps the string it publishes on `window.tasklabLastRun`.
    // Its floats come back bit for bit: serde_json's default parser reads this one an ulp off.
    let published = r#"{"mode":"single-thread","speedup_vs_one_worker":null,"lanes_used":1,"busy_per_lane":[0.9020004486169467]}"#;
    script::set_last_run_json(published).unwrap();
    let value = last_run.call0(&JsValue::NULL).unwrap();
    let parsed = js_sys::JSON::parse(published).unwrap();
    assert_eq!(canonical(&value), canonical(&parsed));
    let busy = |report: &JsValue| {
        let lanes = Reflect::get(report, &JsValue::from_str("busy_per_lane")).unwrap();
        Reflect::get_u32(&lanes, 0).unwrap().as_f64().unwrap()
    };
    assert_eq!(busy(&value), busy(&parsed));
    assert_eq!(busy(&value), 0.902_000_448_616_946_7);
    assert!(script::set_last_run_json("not json").is_err());
    assert!(last_run.call0(&JsValue::NULL).unwrap().is_object());

    let compare = CompareReport {
        runs: vec![report.clone()],
        fit: serde_json::json!({"serial_fraction": 0.02, "karp_flatt": [0.01]}),
    };
    script::set_last_compare(&compare).unwrap();
    let value = last_compare.call0(&JsValue::NULL).unwrap();
    assert_eq!(canonical(&value), serde_json::to_value(&compare).unwrap());
    assert!(js_sys::Array::is_array(
        &Reflect::get(&value, &JsValue::from_str("runs")).unwrap()
    ));
    script::set_last_compare_json(r#"{"runs": [], "predicted": [{"cpus": 64, "speedup": 30.5}]}"#)
        .unwrap();
    let predicted = canonical(&last_compare.call0(&JsValue::NULL).unwrap());
    assert_eq!(predicted["predicted"][0]["cpus"], 64);
}
