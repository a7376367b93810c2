//! The Predict panel: the current scenario on N virtual CPUs under a classic scheduling policy, from the
//! deterministic simulator, drawn like a real run, with its metrics, and beside the last real run when there is
//! one (that run's model comes from its executor plan).

use std::rc::Rc;

use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::{
    split_colours, to_sim_scenario, to_sim_scenario_split, PredictSettings, UnitCosts,
    MAX_PREDICT_CPUS, MAX_QUANTUM, MAX_SWITCH_COST,
};
use tasklab_core::scenario::Scenario;
use tasklab_core::sim::{simulate_with, SimError, SimOptions, SimResult, SimScenario};
use tasklab_core::timeline::Timeline;
use tasklab_engine::plan::RunModel;
use yew::prelude::*;

use crate::browser;
use crate::error::PageError;
use crate::panels::exports::ExportButtons;
use crate::widgets::{swatch, TimelineView};

/// Most slices a prediction may have: more could not be drawn usefully, and the simulation runs on the page's
/// main thread (100,000 slices take a few milliseconds and about 3 MB).
const PREDICT_MAX_SLICES: u64 = 100_000;

/// Simulates `sim_scenario` as `settings` say, within [`PREDICT_MAX_SLICES`].
fn predict(sim_scenario: &SimScenario, settings: &PredictSettings) -> Result<SimResult, SimError> {
    let options = SimOptions {
        max_slices: PREDICT_MAX_SLICES,
        ..SimOptions::default()
    };
    simulate_with(
        sim_scenario,
        &settings.machine(),
        &settings.policy(),
        &settings.conventions(),
        &options,
    )
}

/// A real run to compare with its model.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredRun {
    /// Wall time, ms.
    pub wall_ms: f64,
    /// How it ran, for the label.
    pub how: String,
    /// The simulator's description of what its executor did.
    pub model: RunModel,
}

/// What the Predict panel needs.
#[derive(Properties, PartialEq)]
pub struct PredictProps {
    /// The scenario.
    pub scenario: Scenario,
    /// Policy and machine.
    pub settings: PredictSettings,
    /// Cost of a unit on this machine (calibrated), ms.
    pub costs: UnitCosts,
    /// Where the costs come from, for the page.
    pub calibration: AttrValue,
    /// The last real run of this scenario, if any.
    pub measured: Option<MeasuredRun>,
    /// Called with new settings when a control changes.
    pub on_change: Callback<PredictSettings>,
    /// Told when a download fails.
    pub on_error: Callback<PageError>,
}

fn number_from(event: &Event) -> Option<u64> {
    browser::form_value(event).trim().parse().ok()
}

/// The Predict panel.
#[function_component(PredictView)]
pub fn predict_view(props: &PredictProps) -> Html {
    let settings = props.settings;
    let scenario = &props.scenario;
    let sim_scenario = to_sim_scenario(scenario, &props.costs);
    // Simulate only when the scenario or the settings change, not on every render of the page.
    let result = use_memo((sim_scenario, settings), |(sim_scenario, settings)| {
        predict(sim_scenario, settings)
    });
    let change = |update: fn(&mut PredictSettings, u64)| {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = number_from(&event) {
                let mut next = settings;
                update(&mut next, value);
                on_change.emit(next);
            }
        })
    };
    let on_policy = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(policy) = PolicyKind::from_id(&browser::form_value(&event)) {
                on_change.emit(PredictSettings { policy, ..settings });
            }
        })
    };
    let on_ties = {
        let on_change = props.on_change.clone();
        Callback::from(move |_| {
            on_change.emit(PredictSettings {
                arrival_before_preempted: !settings.arrival_before_preempted,
                ..settings
            })
        })
    };

    let body = match &*result {
        Err(error) => {
            html! { <p class="notice">{format!("The simulator rejected this scenario: {error}")}</p> }
        }
        Ok(result) => view_result(props, result),
    };
    let model_scenario = props.measured.as_ref().map(|measured| {
        (
            to_sim_scenario_split(scenario, &props.costs, measured.model.chunks),
            measured.model.predict,
        )
    });
    let model_result = use_memo(model_scenario, |model| {
        model
            .as_ref()
            .map(|(sim_scenario, model)| predict(sim_scenario, model))
    });
    let comparison = match (&props.measured, &*model_result) {
        (Some(measured), Some(Ok(model))) => view_comparison(scenario, measured, model),
        _ => html! {},
    };
    html! {
        <section class="predict" id="predict">
            <h2>{"Predict: the same scenario on virtual CPUs"}</h2>
            <p class="story">{"A deterministic simulator replays the scenario under a textbook scheduling policy, one tick per millisecond, with compute sizes converted to time by this machine's measured speed. Change the CPUs to explore hardware you do not have."}</p>
            <div class="knobs">
                <label>{"Policy "}
                    <select id="policy" onchange={on_policy}>
                        { for PolicyKind::ALL.iter().map(|policy| html! {
                            <option value={policy.id()} selected={*policy == settings.policy}>{policy.label()}</option>
                        }) }
                    </select>
                </label>
                <label>{"Quantum (ms) "}
                    <input id="quantum" type="number" min="1" max={MAX_QUANTUM.to_string()} value={settings.quantum.to_string()}
                           disabled={!settings.policy.uses_quantum()}
                           onchange={change(|next, value| next.quantum = value.clamp(1, MAX_QUANTUM))} />
                </label>
                <label>{"CPUs "}
                    <input id="cpus" type="number" min="1" max={MAX_PREDICT_CPUS.to_string()} value={settings.cpus.to_string()}
                           onchange={change(|next, value| next.cpus = value.clamp(1, u64::from(MAX_PREDICT_CPUS)) as u32)} />
                </label>
                <label>{"Switch cost (ms) "}
                    <input id="switch-cost" type="number" min="0" max={MAX_SWITCH_COST.to_string()} value={settings.switch_cost.to_string()}
                           onchange={change(|next, value| next.switch_cost = value.min(MAX_SWITCH_COST))} />
                </label>
                <label title="When a task arrives (or returns from a wait) at the very tick another is preempted, which one queues first?">
                    <input id="ties" type="checkbox" checked={settings.arrival_before_preempted} onchange={on_ties} />
                    {" arrivals queue before preempted tasks"}
                </label>
            </div>
            {comparison}
            <p class="conventions"><small>{"Conventions: ties go to the earlier arrival, then to the earlier task in the list; a task back from a wait counts as a new arrival; a lower priority number is more urgent; "}{props.calibration.clone()}</small></p>
            {body}
        </section>
    }
}

/// The model of the last real run (same CPUs, the executor's policy) beside the measurement, on one time scale.
fn view_comparison(scenario: &Scenario, measured: &MeasuredRun, model: &SimResult) -> Html {
    let predicted = model.summary.makespan as f64;
    let difference = if measured.wall_ms > 0.0 {
        (predicted - measured.wall_ms) / measured.wall_ms * 100.0
    } else {
        0.0
    };
    let settings = measured.model.predict;
    let cpus = settings.cpus;
    let policy = PolicyKind::describe(&settings.policy(), "ms");
    let timeline = Timeline::from_simulation(
        format!("Model of your last run · {policy} on {cpus} CPU(s)"),
        model,
        &split_colours(scenario, measured.model.chunks),
    )
    .at_least(measured.wall_ms);
    html! {
        <div class="comparison" id="prediction-vs-measured">
            <h3>{"Your last run against its model"}</h3>
            <p>
                {format!(
                    "Model ({policy} on {cpus} CPU{}): {predicted:.0} ms. Measured ({}): {:.0} ms. Difference: ",
                    if cpus == 1 { "" } else { "s" },
                    measured.how,
                    measured.wall_ms
                )}
                <strong id="prediction-difference">{format!("{difference:+.1}%")}</strong>
                {". The measurement also pays for what the model leaves out: yields, rendering, the browser and other programs."}
            </p>
            <TimelineView timeline={Rc::new(timeline)} />
        </div>
    }
}

fn view_result(props: &PredictProps, result: &SimResult) -> Html {
    let settings = props.settings;
    let colours = props.scenario.colours();
    let summary = &result.summary;
    let timeline = Rc::new(Timeline::from_simulation(
        format!(
            "Prediction · {} on {} CPU(s)",
            settings.policy.label(),
            settings.cpus
        ),
        result,
        &colours,
    ));
    let file_stem = format!(
        "tasklab-prediction-{}-{}cpu",
        settings.policy.id(),
        settings.cpus
    );
    html! {
        <>
            <TimelineView timeline={Rc::clone(&timeline)} />
            <dl class="figures">
                <dt>{"Makespan"}</dt><dd id="predicted-makespan">{format!("{} ms", summary.makespan)}</dd>
                <dt>{"Averages"}</dt><dd>{format!("response {:.1} · turnaround {:.1} · waiting {:.1} ms", summary.avg_response, summary.avg_turnaround, summary.avg_waiting)}</dd>
                <dt>{"Context switches"}</dt><dd>{summary.context_switches}</dd>
                <dt>{"Utilisation"}</dt><dd>{summary.utilisation.iter().enumerate().map(|(cpu, busy)| format!("CPU {} {:.0}%", cpu + 1, busy * 100.0)).collect::<Vec<_>>().join(" · ")}</dd>
                if let (Some(speedup), Some(efficiency)) = (summary.speedup, summary.efficiency) {
                    <dt>{"Speed-up vs 1 CPU"}</dt><dd>{format!("{speedup:.2}× (efficiency {:.0}%)", efficiency * 100.0)}</dd>
                }
            </dl>
            <ExportButtons timeline={timeline} file_stem={file_stem} id_prefix="prediction" on_error={props.on_error.clone()} />
            <table class="task-table" id="prediction-tasks">
                <thead><tr><th>{"Task"}</th><th>{"First run"}</th><th>{"Completion"}</th><th>{"Response"}</th><th>{"Turnaround"}</th><th>{"Waiting"}</th><th>{"CPU time"}</th></tr></thead>
                <tbody>
                    { for result.tasks.iter().zip(&colours).map(|(metrics, colour)| html! {
                        <tr>
                            <td>{swatch(colour)}{metrics.name.clone()}</td>
                            <td>{metrics.first_run}</td><td>{metrics.completion}</td><td>{metrics.response}</td>
                            <td>{metrics.turnaround}</td><td>{metrics.waiting}</td><td>{metrics.cpu_time}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}
