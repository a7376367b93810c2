//! A comparison from the page's point of view (an effect at the edge of the page state): run every configuration
//! of the plan one after another through [`runner::run`], hand each finished run to the state, stop the whole
//! comparison when a run is stopped, and publish the comparison's report.

use std::rc::Rc;

use tasklab_core::compare::{predicted_speedups, PREDICTED_CPUS};
use tasklab_engine::parallel::CHUNKS_PER_WORKER;
use yew::Callback;

use crate::browser;
use crate::compare::{ComparePlan, Comparison};
use crate::run::ActiveRun;
use crate::runner;
use crate::state::{Action, AppState, Availability, PoolStatus};

/// Starts a comparison of the state's scenario, unless [`AppState::compare_blocker`] says no.
pub fn start(state: &AppState, dispatch: Callback<Action>) {
    if state.compare_blocker().is_some() {
        return;
    }
    let unavailable = match state.availability(tasklab_core::settings::Mode::Multiprocessing) {
        Availability::Never(reason) => Some(reason),
        _ => None,
    };
    let mut plan = ComparePlan::new(&state.settings, state.max_workers, unavailable);
    let (costs, _) = state.prediction_costs();
    let pool_ready = state.pool == PoolStatus::Ready;
    let scenario = plan.base.scenario();
    // The simulator's speed-up for the same scenario on 1 … 64 virtual CPUs, under the page's policy.
    plan.predicted = predicted_speedups(
        &scenario,
        &costs,
        &plan.base.predict,
        CHUNKS_PER_WORKER,
        &PREDICTED_CPUS,
    );
    let plan = Rc::new(plan);
    dispatch.emit(Action::CompareStarted(Rc::clone(&plan)));
    wasm_bindgen_futures::spawn_local(async move {
        let mut comparison = Comparison::new(Rc::clone(&plan));
        let mut index = 0;
        while let Some((config, settings)) = plan.run(index) {
            if plan.stop.get() {
                break;
            }
            index += 1;
            let active = Rc::new(ActiveRun::new(&scenario));
            dispatch.emit(Action::RunStarted(Rc::clone(&active)));
            let finished = Rc::new(runner::run(settings, costs, pool_ready, active, None).await);
            let stopped = finished.record.stopped;
            // The state and this loop share the run; this loop's copy of the comparison is what it publishes.
            comparison.runs.push((config, Rc::clone(&finished)));
            dispatch.emit(Action::CompareRunFinished(config, finished));
            publish(&comparison);
            if stopped {
                break;
            }
        }
        dispatch.emit(Action::CompareEnded);
    });
}

/// Publishes the comparison so far as `window.tasklabLastCompare` (a partial one says so).
fn publish(comparison: &Comparison) {
    if let Ok(json) = serde_json::to_string(&comparison.report(&comparison.plan.predicted)) {
        browser::publish_last_compare(&json);
    }
}
