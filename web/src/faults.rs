//! A run's guards against faults, and the hooks tests use to cause them (never set by the page itself):
//! - `window.tasklabTestPanicInTask = n` makes task `n`'s next job on a worker panic (engine `fault`);
//! - `window.tasklabTestWatchdogMs = ms` sets the watchdog's limit for the next run.
//!
//! The watchdog stops a run that takes [`WATCHDOG_FACTOR`] times longer than this machine's estimate (the
//! calibrated cost of its work, its waits and its last arrival), at least [`WATCHDOG_MIN_MS`]; it cannot stop the
//! no-yield mode, which holds the thread its timer needs (that mode's point).

use tasklab_core::predict::UnitCosts;
use tasklab_core::scenario::{Phase, Scenario};

/// How many times its estimate a run may take before the watchdog stops it.
pub const WATCHDOG_FACTOR: f64 = 5.0;
/// The shortest limit, ms: short runs vary a lot, and a page starting up is slow.
pub const WATCHDOG_MIN_MS: f64 = 10_000.0;

/// The longest `scenario` should take here, ms: all its work on one CPU at `costs`, plus its waits and its last
/// arrival (more than any mode needs: it is an upper bound, not a prediction).
pub fn estimate_ms(scenario: &Scenario, costs: &UnitCosts) -> f64 {
    let waits: f64 = scenario
        .tasks
        .iter()
        .flat_map(|task| &task.phases)
        .map(|phase| match phase {
            Phase::Wait { ms } => f64::from(*ms),
            Phase::Compute { .. } => 0.0,
        })
        .sum();
    let last_arrival = scenario
        .tasks
        .iter()
        .map(|task| task.arrival_ms as f64)
        .fold(0.0, f64::max);
    costs.cpu_ms(scenario) + waits + last_arrival
}

/// The watchdog's limit for a run of `scenario`, ms.
pub fn watchdog_limit_ms(scenario: &Scenario, costs: &UnitCosts) -> f64 {
    (estimate_ms(scenario, costs) * WATCHDOG_FACTOR).max(WATCHDOG_MIN_MS)
}

/// What the page says when the watchdog stopped a run.
pub fn watchdog_words(limit_ms: f64, estimate_ms: f64) -> String {
    format!(
        "Stopped by the watchdog after {:.1} s: this run should take at most {:.1} s on this machine, and the \
         watchdog allows {WATCHDOG_FACTOR}× that. The machine may be overloaded, or a worker may have stalled; \
         the page is fine, and you can run again.",
        limit_ms / 1000.0,
        estimate_ms / 1000.0
    )
}

/// Takes (and clears) a number a test left on `window` under `name`.
#[cfg(target_arch = "wasm32")]
fn take_test_number(name: &str) -> Option<f64> {
    let global = js_sys::global();
    let key = wasm_bindgen::JsValue::from_str(name);
    let value = js_sys::Reflect::get(&global, &key).ok()?.as_f64()?;
    let _ = js_sys::Reflect::delete_property(&global, &key);
    Some(value)
}

/// The task a test asked to crash on its next worker job, if any.
#[cfg(target_arch = "wasm32")]
pub fn take_injected_panic() -> Option<usize> {
    take_test_number("tasklabTestPanicInTask")
        .filter(|task| task.is_finite() && *task >= 0.0)
        .map(|task| task as usize)
}

/// The watchdog limit a test asked for, if any.
#[cfg(target_arch = "wasm32")]
pub fn take_watchdog_override() -> Option<f64> {
    take_test_number("tasklabTestWatchdogMs").filter(|ms| ms.is_finite() && *ms > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tasklab_core::presets::Preset;

    #[test]
    fn the_limit_is_five_times_an_upper_bound_and_at_least_ten_seconds() {
        let scenario = Preset::ALL[0].scenario();
        let costs = UnitCosts::default();
        let estimate = estimate_ms(&scenario, &costs);
        assert!(estimate >= costs.cpu_ms(&scenario));
        assert_eq!(
            watchdog_limit_ms(&scenario, &costs),
            (estimate * 5.0).max(10_000.0)
        );
        let words = watchdog_words(12_000.0, 800.0);
        assert!(
            words.contains("12.0 s") && words.contains("0.8 s") && words.contains("5×"),
            "{words}"
        );
    }
}
