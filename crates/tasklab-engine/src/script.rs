//! The page's script API (wasm32 only), for course pages and notebooks: `window.tasklab`.
//!
//! ```js
//! const out = tasklab.simulate({tasks: [{bursts: [{cpu: 3}]}, {bursts: [{cpu: 2}]}], policy: {kind: 'fcfs'}});
//! out.result.summary.makespan;   // 5: the document `tasklab --json` prints, as an object
//! tasklab.lastRun();             // the last run's report (what `tasklabLastRun` holds as a string), or null
//! tasklab.lastCompare();         // the last comparison's report (`tasklabLastCompare`), or null
//! ```
//!
//! - `simulate(input)` takes the CLI's JSON input as a plain object, reads it through core's
//!   [`run_input_json`] (the CLI's defaults and the simulator) and returns the CLI's `--json` document. Bad input
//!   throws an `Error` whose message is the CLI's line without its `tasklab: ` prefix: exactly that line for a
//!   refused scenario, machine, policy or conventions (`the quantum must be at least 1 tick`); for a malformed
//!   document serde's message (``missing field `tasks` ``) without the file name and the line and column that the
//!   CLI adds, which an object does not have.
//! - `lastRun()` and `lastCompare()` return a new object at each call, equal to `JSON.parse` of the published
//!   string, or `null` before the first report. The page stores them with [`set_last_run`] /
//!   [`set_last_run_json`] and [`set_last_compare`] / [`set_last_compare_json`] where it publishes the strings.
//!
//! Values cross with serde-wasm-bindgen's JSON-compatible serializer: maps become plain objects, `u64` plain
//! numbers, absent options `null`. Numbers beyond 2^53 (none in tasklab's documents: times are capped at 10^12
//! ticks and checksums are hex strings) would be rounded as `JSON.parse` rounds them.

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use serde::Serialize;
use tasklab_core::sim::run_input_json;
use wasm_bindgen::prelude::*;

/// The name of the API object on the global object (`window.tasklab`).
pub const GLOBAL_NAME: &str = "tasklab";

thread_local! {
    // The last reports, as published; the page's main thread is the only one that sets and reads them.
    static LAST_RUN: RefCell<Option<serde_json::Value>> = const { RefCell::new(None) };
    static LAST_COMPARE: RefCell<Option<serde_json::Value>> = const { RefCell::new(None) };
}

/// Why the API could not be installed or a report could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// `globalThis.tasklab` could not be set (a frozen global object, for example).
    #[error("cannot set {GLOBAL_NAME} on the global object: {0}")]
    Install(String),
    /// A report given as JSON text is not JSON, or a report does not serialise to JSON.
    #[error("the report is not JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Keeps `report` (a run report, `tasklab_core::report::RunReport`) for `tasklab.lastRun()`.
///
/// # Errors
/// [`ScriptError::Json`] if it does not serialise to JSON (the previous report is then kept).
pub fn set_last_run<T: Serialize + ?Sized>(report: &T) -> Result<(), ScriptError> {
    let value = serde_json::to_value(report)?;
    LAST_RUN.with(|last| *last.borrow_mut() = Some(value));
    Ok(())
}

/// Keeps the run report published as the JSON string `json` (`window.tasklabLastRun`) for `tasklab.lastRun()`.
///
/// # Errors
/// [`ScriptError::Json`] if `json` is not JSON (the previous report is then kept).
pub fn set_last_run_json(json: &str) -> Result<(), ScriptError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    LAST_RUN.with(|last| *last.borrow_mut() = Some(value));
    Ok(())
}

/// Keeps `report` (a comparison's report: `{"runs": [...], "fit": {...}, "predicted": [...]}`) for
/// `tasklab.lastCompare()`.
///
/// # Errors
/// [`ScriptError::Json`] if it does not serialise to JSON (the previous report is then kept).
pub fn set_last_compare<T: Serialize + ?Sized>(report: &T) -> Result<(), ScriptError> {
    let value = serde_json::to_value(report)?;
    LAST_COMPARE.with(|last| *last.borrow_mut() = Some(value));
    Ok(())
}

/// Keeps the comparison report published as the JSON string `json` (`window.tasklabLastCompare`) for
/// `tasklab.lastCompare()`.
///
/// # Errors
/// [`ScriptError::Json`] if `json` is not JSON (the previous report is then kept).
pub fn set_last_compare_json(json: &str) -> Result<(), ScriptError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    LAST_COMPARE.with(|last| *last.borrow_mut() = Some(value));
    Ok(())
}

/// `tasklab.simulate(input)`: the CLI's JSON input (a plain object) simulated, as the CLI's `--json` document.
///
/// # Errors
/// A JS `Error` with the CLI's one-line message (see the module docs).
pub fn simulate(input: &JsValue) -> Result<JsValue, js_sys::Error> {
    let fail = |message: String| js_sys::Error::new(&message);
    let document: serde_json::Value =
        serde_wasm_bindgen::from_value(input.clone()).map_err(|error| fail(error.to_string()))?;
    let output = run_input_json(document).map_err(|error| fail(error.to_string()))?;
    to_js(&output.to_json_value()).map_err(fail)
}

/// `tasklab.lastRun()`: the last run's report as a new object, or `null` before the first run.
pub fn last_run() -> JsValue {
    LAST_RUN.with(|last| stored_to_js(last.borrow().as_ref()))
}

/// `tasklab.lastCompare()`: the last comparison's report as a new object, or `null` before the first comparison.
pub fn last_compare() -> JsValue {
    LAST_COMPARE.with(|last| stored_to_js(last.borrow().as_ref()))
}

/// `tasklab.memoryBytes()`: the size of the page's WebAssembly memory in bytes (it grows, never shrinks; the soak
/// benchmark watches it stay flat over many runs).
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as f64 * 65_536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// A new API object: `{simulate, lastRun, lastCompare, memoryBytes}`, each a JS function over this module's
/// functions.
pub fn api() -> Object {
    let object = Object::new();
    let simulate = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(|input: JsValue| {
        simulate(&input).map_err(JsValue::from)
    });
    let last_run = Closure::<dyn Fn() -> JsValue>::new(last_run);
    let last_compare = Closure::<dyn Fn() -> JsValue>::new(last_compare);
    let memory = Closure::<dyn Fn() -> f64>::new(memory_bytes);
    for (name, function) in [
        ("simulate", simulate.into_js_value()),
        ("lastRun", last_run.into_js_value()),
        ("lastCompare", last_compare.into_js_value()),
        ("memoryBytes", memory.into_js_value()),
    ] {
        // Setting a property of a new plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(name), &function);
    }
    object
}

/// Installs [`api`] as `globalThis.tasklab` (`window.tasklab` on the page), replacing any earlier one. The page
/// calls it once at start-up.
///
/// # Errors
/// [`ScriptError::Install`] if the global object refuses the property.
pub fn install() -> Result<(), ScriptError> {
    let global = js_sys::global();
    match Reflect::set(&global, &JsValue::from_str(GLOBAL_NAME), &api()) {
        Ok(true) => Ok(()),
        Ok(false) => Err(ScriptError::Install("the property is read-only".into())),
        Err(error) => Err(ScriptError::Install(format!("{error:?}"))),
    }
}

/// [`install`] at the page's start-up. Nothing on the page depends on the API, so a failure is only written to the
/// console (`console.warn`), for the person whose script will not find `window.tasklab`.
pub fn install_on_page() {
    if let Err(error) = install() {
        console_warn(&format!(
            "tasklab: the script API is not available: {error}"
        ));
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str);
}

/// A stored report as a new JS object, or `null`.
fn stored_to_js(value: Option<&serde_json::Value>) -> JsValue {
    match value {
        None => JsValue::NULL,
        // A stored report came from JSON, so converting it back can fail only on numbers beyond 2^53, which
        // `to_js` handles; `null` would only hide such a failure.
        Some(value) => to_js(value).unwrap_or(JsValue::NULL),
    }
}

/// A JSON value as a plain JS value: serde-wasm-bindgen's JSON-compatible serializer (maps as objects, u64 as
/// numbers), or `JSON.parse` of its text for a value holding an integer beyond 2^53 (rounded as `JSON.parse`
/// rounds it) where that serializer refuses.
fn to_js(value: &serde_json::Value) -> Result<JsValue, String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .or_else(|_| js_sys::JSON::parse(&value.to_string()))
        .map_err(|error| format!("the result cannot become a JS value: {error:?}"))
}
