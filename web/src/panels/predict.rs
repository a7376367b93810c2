//! The Predict panel: the current scenario on N virtual CPUs under a classic scheduling policy, from the
//! deterministic simulator, drawn like a real run, with its metrics, and beside the last real run when there is
//! one (that run's model comes from its executor plan).

use std::rc::Rc;

use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::{PredictSettings, UnitCosts, MAX_PREDICT_CPUS, MAX_SWITCH_COST};
use tasklab_core::scenario::Scenario;
use tasklab_core::sim::{QueueLayout, SimError, SimOptions};
use tasklab_core::split::{simulate_split_with_working_set, SplitPrediction};
use tasklab_core::timeline::Timeline;
use tasklab_engine::model::{
    difference_in_words, mean_turnarounds, ModelOfRun, TaskAgainstModel, TaskTimes,
    MODEL_TICKS_PER_MS,
};
use tasklab_engine::parallel::CHUNKS_PER_WORKER;
use tasklab_engine::plan::RunModel;
use yew::prelude::*;

use crate::browser;
use crate::error::PageError;
use crate::panels::exports::ExportButtons;
use crate::panels::fields::{number_from, DraftField};
use crate::panels::multiprocessor;
use crate::panels::term::term;
use crate::timeline_view::TimelineView;
use crate::widgets::{format_ms, swatch};

/// Most slices a prediction may have: more could not be drawn usefully, and the simulation runs on the page's
/// main thread (100,000 slices take a few milliseconds and about 3 MB).
const PREDICT_MAX_SLICES: u64 = 100_000;

/// Simulates `scenario` as `settings` say, splittable phases cut into `chunks` chunks as the parallel executor
/// cuts them, within [`PREDICT_MAX_SLICES`].
fn predict(
    scenario: &Scenario,
    costs: &UnitCosts,
    settings: &PredictSettings,
    chunks: usize,
) -> Result<SplitPrediction, SimError> {
    let options = SimOptions {
        max_slices: PREDICT_MAX_SLICES,
        compare_with_one_cpu: false,
        ..SimOptions::default()
    };
    simulate_split_with_working_set(
        scenario,
        costs,
        chunks,
        1,
        &settings.machine(),
        &settings.policy(),
        &settings.conventions(),
        &options,
        settings.working_set,
    )
}

/// The prediction on the settings' CPUs, splittable phases cut as that many workers cut them (the step-through
/// records the same).
pub(crate) fn prediction(
    scenario: &Scenario,
    costs: &UnitCosts,
    settings: &PredictSettings,
) -> Result<SplitPrediction, SimError> {
    let chunks = usize::try_from(settings.cpus)
        .unwrap_or(1)
        .saturating_mul(CHUNKS_PER_WORKER);
    predict(scenario, costs, settings, chunks)
}

/// The prediction on the settings' CPUs, and the makespan of the same scenario on one CPU (for the speed-up).
fn predict_with_baseline(
    scenario: &Scenario,
    costs: &UnitCosts,
    settings: &PredictSettings,
) -> Result<(SplitPrediction, u64), SimError> {
    let prediction = prediction(scenario, costs, settings)?;
    let one_cpu = PredictSettings {
        cpus: 1,
        ..*settings
    };
    let baseline = predict(scenario, costs, &one_cpu, 1)?;
    Ok((prediction, baseline.result.summary.makespan))
}

/// Each simulator task's colour: its scenario task's.
pub(crate) fn owner_colours(scenario: &Scenario, owners: &[usize]) -> Vec<String> {
    owners
        .iter()
        .map(|&owner| {
            scenario
                .tasks
                .get(owner)
                .map_or("#888888", |task| task.colour_at(owner))
                .to_owned()
        })
        .collect()
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
    /// The model of that very run, calibrated from its own CPU time (none if it could not be simulated).
    pub of_run: Option<ModelOfRun>,
    /// Its tasks beside the model's.
    pub tasks: Vec<TaskAgainstModel>,
    /// Whether it ran on workers (its own costs are then hand-overs to workers, not yields).
    pub on_workers: bool,
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
    /// Opens the step-through of this prediction.
    #[prop_or_default]
    pub on_step: Callback<()>,
}

/// The Predict panel.
#[function_component(PredictView)]
pub fn predict_view(props: &PredictProps) -> Html {
    let settings = props.settings;
    let scenario = &props.scenario;
    // Simulate only when the scenario, the costs or the settings change, and not within the render that brought
    // the change: a timer simulates in a task of its own and a second one shows the result, so that importing a
    // 100,000-slice scenario never holds the page for one long task (each part stays well under 50 ms).
    let key: PredictKey = (scenario.clone(), props.costs, settings);
    let computed = use_state(|| None::<Rc<Computed>>);
    {
        let computed = computed.clone();
        use_effect_with(key.clone(), move |key| {
            let key = key.clone();
            let simulate = gloo_timers::callback::Timeout::new(0, move || {
                let result = predict_with_baseline(&key.0, &key.1, &key.2);
                let timeline = match &result {
                    Ok((prediction, _)) => {
                        Some(Rc::new(prediction_timeline(&key.0, &key.2, prediction)))
                    }
                    Err(_) => None,
                };
                gloo_timers::callback::Timeout::new(0, move || {
                    computed.set(Some(Rc::new(Computed {
                        key,
                        result,
                        timeline,
                    })));
                })
                .forget();
            });
            move || drop(simulate)
        });
    }
    let pending = computed.as_ref().is_none_or(|computed| computed.key != key);
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
    let on_ties = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let (arrival_before_preempted, ostep) = match browser::form_value(&event).as_str() {
                "preempted-first" => (false, false),
                "ostep" => (false, true),
                _ => (true, false),
            };
            on_change.emit(PredictSettings {
                arrival_before_preempted,
                ostep,
                ..settings
            })
        })
    };
    let ties_value = if settings.ostep {
        "ostep"
    } else if settings.arrival_before_preempted {
        "arrival-first"
    } else {
        "preempted-first"
    };
    let conventions_text = if settings.ostep {
        "Conventions: OSTEP's (as scheduler.py and mlfq.py count; one CPU, no switch cost): a task whose quantum ends queues before arrivals and I/O returns of the same tick; a task preempted by a higher level keeps its place and the rest of its quantum; allotments are counted in whole quanta; a boost lifts the lowest levels first. See docs/ostep-semantics.md. "
    } else {
        "Conventions: ties go to the earlier arrival, then to the earlier task in the list; a task back from a wait counts as a new arrival; a lower priority number is more urgent."
    };
    // Advanced settings open by themselves when one is not at its default (a teacher's link shows what it set), and
    // stay open after that.
    let defaults = PredictSettings::default();
    let advanced_changed = settings.switch_cost != defaults.switch_cost
        || settings.ostep
        || settings.arrival_before_preempted != defaults.arrival_before_preempted
        || settings.uses_multiprocessor_model()
        || settings.steal_ms != defaults.steal_ms
        || settings.working_set != defaults.working_set;
    let opened = use_mut_ref(|| false);
    *opened.borrow_mut() |= advanced_changed;
    let advanced_open = *opened.borrow();

    let body = match computed.as_deref() {
        None => html! { <p class="notice simulating" role="status">{"Simulating…"}</p> },
        Some(Computed {
            result: Err(error), ..
        }) => {
            html! { <p class="notice">{format!("The simulator rejected this scenario: {error}")}</p> }
        }
        Some(Computed {
            key: (scenario, _, settings),
            result: Ok((prediction, one_cpu_makespan)),
            timeline,
        }) => view_result(
            props,
            scenario,
            *settings,
            prediction,
            *one_cpu_makespan,
            timeline.clone(),
        ),
    };
    let comparison = match &props.measured {
        Some(measured) => match &measured.of_run {
            Some(of_run) => view_comparison(scenario, measured, of_run),
            None => html! {
                <p class="notice">{"Your last run's model could not be simulated (too many slices to replay), so it is not compared."}</p>
            },
        },
        None => html! {},
    };
    html! {
        <section class="predict" id="predict" aria-busy={pending.to_string()}>
            <h2>{"Predict: the same scenario on virtual CPUs"}</h2>
            <p class="story">{format!("A deterministic simulator replays the scenario under the policy chosen above ({}), the same policy real runs follow, one tick per millisecond, with compute sizes converted to time by this machine's measured speed. Change the CPUs to explore hardware you do not have.", PolicyKind::describe(&settings.policy(), "ms"))}</p>
            <div class="knobs">
                <label>{"CPUs "}
                    <DraftField id="cpus" min={AttrValue::from("1")} max={AttrValue::from(MAX_PREDICT_CPUS.to_string())}
                                value={AttrValue::from(settings.cpus.to_string())}
                                on_change={change(|next, value| next.cpus = value.clamp(1, u64::from(MAX_PREDICT_CPUS)) as u32)} />
                </label>
            </div>
            <details class="predict-advanced" id="predict-advanced" open={advanced_open}>
                <summary>{"Advanced settings: switch cost, ties, multiprocessor model"}
                    if advanced_changed { <span class="changed">{" (changed from the defaults)"}</span> }
                </summary>
                <p class="help">{"The switch cost charges each "}{term("context-switch", "context switch")}
                    {"; ties decide who queues first when a task arrives at the very tick another meets its "}
                    {term("preemption", "preemption")}{"."}</p>
                <div class="knobs">
                    <label>{"Switch cost (ms) "}
                        <DraftField id="switch-cost" min={AttrValue::from("0")} max={AttrValue::from(MAX_SWITCH_COST.to_string())}
                                    value={AttrValue::from(settings.switch_cost.to_string())}
                                    on_change={change(|next, value| next.switch_cost = value.min(MAX_SWITCH_COST))} />
                    </label>
                    <label title="When a task arrives (or returns from a wait) at the very tick another is preempted, which one queues first? OSTEP's set reproduces its simulators exactly.">{"Ties "}
                        <select id="ties" onchange={on_ties}>
                            <option value="arrival-first" selected={ties_value == "arrival-first"}>{"arrivals before preempted tasks"}</option>
                            <option value="preempted-first" selected={ties_value == "preempted-first"}>{"preempted tasks before arrivals"}</option>
                            <option value="ostep" selected={ties_value == "ostep"}>{"OSTEP's simulators (1 CPU)"}</option>
                        </select>
                    </label>
                </div>
                {multiprocessor::view_knobs(settings, &props.on_change)}
                <p class="conventions"><small>{conventions_text}</small></p>
            </details>
            <p><button id="predict-step" class="small" onclick={props.on_step.reform(|_| ())}>{"Step through this prediction"}</button>
                {" event by event, with the reason for each decision"}</p>
            {comparison}
            <p class="conventions calibration"><small>{capitalised(&props.calibration)}</small></p>
            if pending && computed.is_some() {
                <p class="notice simulating" role="status">{"Simulating the new settings… (the figures below are the last prediction's)"}</p>
            }
            {body}
        </section>
    }
}

/// The model of the last real run (same CPUs, the run's policy) beside the measurement, on one time scale, and
/// task by task.
fn view_comparison(scenario: &Scenario, measured: &MeasuredRun, of_run: &ModelOfRun) -> Html {
    let settings = measured.model.predict;
    let cpus = settings.cpus;
    let policy = PolicyKind::describe(&settings.policy(), "ms");
    let (predicted, model_words) = (of_run.makespan_ms, of_run.description.clone());
    let cpu_word = if cpus == 1 { "CPU" } else { "CPUs" };
    let title = format!("Model of your last run · {policy} on {cpus} {cpu_word}");
    // Drawn in ms, on the measurement's scale.
    let timeline = Timeline::from_simulation(
        title,
        &of_run.result,
        &owner_colours(scenario, &of_run.owners),
    )
    .with_bursts(&of_run.bursts)
    .in_milliseconds(MODEL_TICKS_PER_MS as f64)
    .at_least(measured.wall_ms);
    let turnaround_line = mean_turnarounds(&measured.tasks).map(|(real, modelled)| {
        format!(
            " Mean turnaround: {} measured, {} modelled ({}).",
            format_ms(real),
            format_ms(modelled),
            difference_in_words(real, modelled)
        )
    });
    let cell = |real: f64, modelled: f64| {
        html! {
            <td>{format_ms(real)}<br/><small>{format!("model {} · {:+.1}", format_ms(modelled), real - modelled)}</small></td>
        }
    };
    let row = |task: &TaskAgainstModel| {
        let (real, modelled): (&TaskTimes, &TaskTimes) = (&task.measured, &task.model);
        html! {
            <tr>
                <td>{task.name.clone()}</td>
                {cell(real.first_run, modelled.first_run)}
                {cell(real.completion, modelled.completion)}
                {cell(real.response, modelled.response)}
                {cell(real.turnaround, modelled.turnaround)}
                {cell(real.waiting, modelled.waiting)}
            </tr>
        }
    };
    html! {
        <div class="comparison" id="prediction-vs-measured">
            <h3>{"Your last run against its model"}</h3>
            <p>
                {format!(
                    "Measured ({}): {:.0} ms. Model ({model_words}): {predicted:.0} ms. The run ",
                    measured.how,
                    measured.wall_ms
                )}
                <strong id="prediction-difference">{difference_in_words(measured.wall_ms, predicted)}</strong>
                {"."}{turnaround_line.unwrap_or_default()}
                { if measured.on_workers {
                    " The model includes this run's own measured cost of handing each piece of work to a worker; what remains is the browser's timing (messages, timers, drawing) and other programs."
                } else {
                    " The model includes this run's own measured cost of yielding to the browser between slices; what remains is the browser's timing (timers, drawing) and other programs."
                } }
            </p>
            <TimelineView timeline={Rc::new(timeline)} />
            if !measured.tasks.is_empty() {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Each task measured and modelled (scrolls sideways)">
                    <table class="task-table" id="run-vs-model">
                        <caption>{"Each task, measured (ms) and as the model predicts it, with the difference"}</caption>
                        <thead><tr><th>{"Task"}</th><th>{"First run"}</th><th>{"Completion"}</th><th>{"Response"}</th><th>{"Turnaround"}</th><th>{"Waiting"}</th></tr></thead>
                        <tbody>{ for measured.tasks.iter().map(row) }</tbody>
                    </table>
                </div>
            }
        </div>
    }
}

/// `text` with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// What a prediction is made from: the scenario, the unit costs and the settings.
type PredictKey = (Scenario, UnitCosts, PredictSettings);

/// A prediction and its timeline, with what it was made from.
struct Computed {
    key: PredictKey,
    result: Result<(SplitPrediction, u64), SimError>,
    timeline: Option<Rc<Timeline>>,
}

/// The timeline of a prediction, titled with its policy and CPUs.
fn prediction_timeline(
    scenario: &Scenario,
    settings: &PredictSettings,
    prediction: &SplitPrediction,
) -> Timeline {
    Timeline::from_simulation(
        format!(
            "Prediction · {} on {} CPU(s)",
            settings.policy.label(),
            settings.cpus
        ),
        &prediction.result,
        &owner_colours(scenario, &prediction.owners),
    )
    .with_bursts(&prediction.bursts)
}

/// The result of a prediction, for the scenario and settings it was made for (a newer one may be on its way).
fn view_result(
    props: &PredictProps,
    scenario: &Scenario,
    settings: PredictSettings,
    prediction: &SplitPrediction,
    one_cpu_makespan: u64,
    timeline: Option<Rc<Timeline>>,
) -> Html {
    let result = &prediction.result;
    let summary = &result.summary;
    let colours = scenario.colours();
    let tasks = prediction.per_task(scenario, 1);
    let speedup = (summary.makespan > 0 && settings.cpus > 1)
        .then(|| one_cpu_makespan as f64 / summary.makespan as f64);
    let Some(timeline) = timeline else {
        return Html::default();
    };
    let file_stem = format!(
        "tasklab-prediction-{}-{}cpu",
        settings.policy.id(),
        settings.cpus
    );
    html! {
        <>
            <TimelineView timeline={Rc::clone(&timeline)} />
            <dl class="figures">
                <dt>{term("makespan", "Makespan")}</dt><dd id="predicted-makespan">{format!("{} ms", summary.makespan)}</dd>
                <dt>{"Averages"}</dt><dd>{term("response", "response")}{format!(" {:.1} · ", summary.avg_response)}{term("turnaround", "turnaround")}{format!(" {:.1} · ", summary.avg_turnaround)}{term("waiting", "waiting")}{format!(" {:.1} ms", summary.avg_waiting)}</dd>
                <dt>{term("context-switch", "Context switches")}</dt><dd>{summary.context_switches}</dd>
                <dt>{term("utilisation", "Utilisation")}</dt><dd>{summary.utilisation.iter().enumerate().map(|(cpu, busy)| format!("CPU {} {:.0}%", cpu + 1, busy * 100.0)).collect::<Vec<_>>().join(" · ")}</dd>
                if let Some(speedup) = speedup {
                    <dt>{term("speed-up", "Speed-up")}{" vs 1 CPU"}</dt><dd id="predicted-speedup">{format!("{speedup:.2}× (")}{term("efficiency", "efficiency")}{format!(" {:.0}%)", speedup / f64::from(settings.cpus) * 100.0)}
                        if speedup > f64::from(settings.cpus) * 1.005 {
                            <br/><small>{multiprocessor::superlinear_reason(&settings)}</small>
                        }
                    </dd>
                }
                if let Some(migrations) = summary.migrations {
                    <dt>{"Migrations"}</dt><dd id="predicted-migrations">{format!("{migrations} (a task started on another CPU than the one it ran on last)")}</dd>
                }
                if let Some(steals) = summary.steals.filter(|_| settings.queues == QueueLayout::PerCpu) {
                    <dt>{"Steals"}</dt><dd id="predicted-steals">{steals}</dd>
                }
                if !summary.warm.is_empty() {
                    <dt>{"Ran warm"}</dt><dd id="predicted-warm">{summary.warm.iter().enumerate().map(|(cpu, warm)| format!("CPU {} {:.0}%", cpu + 1, warm * 100.0)).collect::<Vec<_>>().join(" · ")}{" of busy time"}</dd>
                }
                if prediction.split {
                    <dt>{"Split"}</dt><dd>{format!("splittable phases cut into up to {} chunks, as {} workers would cut them; each starts when the part before it ends", usize::try_from(settings.cpus).unwrap_or(1) * CHUNKS_PER_WORKER, settings.cpus)}</dd>
                }
            </dl>
            if let Some(story) = multiprocessor::story(&settings, summary) {
                <p class="story" id="multiprocessor-story">{story}</p>
            }
            <ExportButtons timeline={timeline} file_stem={file_stem} id_prefix="prediction" on_error={props.on_error.clone()} />
            <div class="table-scroll" tabindex="0" role="region" aria-label="Predicted figures per task (scrolls sideways)">
            <table class="task-table" id="prediction-tasks">
                <thead><tr><th>{"Task"}</th><th>{"First run"}</th><th>{"Completion"}</th><th>{term("response", "Response")}</th><th>{term("turnaround", "Turnaround")}</th><th>{term("waiting", "Waiting")}</th><th>{"CPU time"}</th></tr></thead>
                <tbody>
                    { for tasks.iter().zip(&colours).map(|(metrics, colour)| html! {
                        <tr>
                            <td>{swatch(colour)}{metrics.name.clone()}</td>
                            <td>{metrics.first_run}</td><td>{metrics.completion}</td><td>{metrics.response}</td>
                            <td>{metrics.turnaround}</td><td>{metrics.waiting}</td><td>{metrics.cpu_time}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            </div>
        </>
    }
}
