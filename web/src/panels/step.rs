//! The step-through (`view=step`): Predict's simulation of the scenario on show (or a quiz question), walked
//! event by event or tick by tick, forward and backward, with a scrubber; at each point every CPU, the ready
//! queues, the I/O waits and one sentence per decision saying why (from `tasklab_core::step`).

use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::{PredictSettings, UnitCosts};
use tasklab_core::quiz::{Quiz, QuizParams};
use tasklab_core::scenario::{palette_colour, Scenario};
use tasklab_core::sim::Policy;
use tasklab_core::step::{self, StepTrace};
use yew::prelude::*;

use crate::browser;
use crate::learn::{moved, opening_tick, scrubber, tick_at, Move, StepMode};
use crate::panels::chart::{bar_strip, chart_table, grid_of_trace, MAX_CELL_TICKS};
use crate::panels::predict::{owner_colours, prediction};
use crate::panels::step_parts::{cpus, queues, reasons, waits_and_done, Tasks};

/// What the step-through replays.
// One value per render of the view: the size difference of the variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum StepSource {
    /// Predict's simulation of a scenario, with Predict's settings and calibrated unit costs.
    Prediction {
        /// The scenario on show.
        scenario: Scenario,
        /// Costs of a unit of work.
        costs: UnitCosts,
        /// Predict's policy, CPUs, conventions and multiprocessor model.
        settings: PredictSettings,
    },
    /// Question `index` of a quiz link.
    Question {
        /// The quiz.
        params: QuizParams,
        /// The question, from 0.
        index: usize,
    },
}

/// A recorded run and the words around it.
struct Recorded {
    trace: StepTrace,
    colours: Vec<String>,
    /// What is replayed, in words.
    about: String,
    unit: &'static str,
    cpus: u32,
}

fn record(source: &StepSource) -> Result<Recorded, String> {
    let refused = |error: step::StepError| format!("This run cannot be stepped through: {error}.");
    match source {
        StepSource::Prediction {
            scenario,
            costs,
            settings,
        } => {
            let predicted = prediction(scenario, costs, settings)
                .map_err(|error| format!("The simulator rejected this scenario: {error}."))?;
            let trace = step::record(
                &predicted.scenario,
                &settings.machine(),
                &settings.policy(),
                &settings.conventions(),
            )
            .map_err(refused)?;
            let colours = owner_colours(scenario, &predicted.owners);
            let split = if predicted.split {
                " (splittable phases cut into chunks, as Predict cuts them)"
            } else {
                ""
            };
            Ok(Recorded {
                trace,
                colours,
                about: format!(
                    "Predict's simulation of the scenario on show{split}: {} on {}, one tick per millisecond",
                    policy_words(&settings.policy(), "ms"),
                    cpus_in_words(settings.cpus)
                ),
                unit: "ms",
                cpus: settings.cpus,
            })
        }
        StepSource::Question { params, index } => {
            let question = Quiz::new(params.clone()).question(*index);
            let trace = step::record_input(question.input()).map_err(refused)?;
            let colours = (0..trace.task_names().len())
                .map(|task| palette_colour(task).to_owned())
                .collect();
            Ok(Recorded {
                trace,
                colours,
                about: format!(
                    "Question {} of quiz \u{201c}{}\u{201d} (level {}): {} on {}",
                    index + 1,
                    params.seed.text,
                    params.level,
                    policy_words(&question.input().policy_or_default(), "tick"),
                    cpus_in_words(question.cpus())
                ),
                unit: "tick",
                cpus: question.cpus(),
            })
        }
    }
}

/// "1 CPU", "2 CPUs".
pub fn cpus_in_words(cpus: u32) -> String {
    if cpus == 1 {
        "1 CPU".to_owned()
    } else {
        format!("{cpus} CPUs")
    }
}

/// The policy in words, with its quantum.
pub fn policy_words(policy: &Policy, unit: &str) -> String {
    match policy {
        Policy::Mlfq { queues, .. } => format!(
            "{} ({} levels; top quantum {} {unit})",
            PolicyKind::describe(policy, unit),
            queues.len(),
            queues.first().map_or(0, |level| level.quantum)
        ),
        other => PolicyKind::describe(other, unit),
    }
}

/// The step-through's properties.
#[derive(Properties, PartialEq)]
pub struct StepProps {
    /// What to replay.
    pub source: StepSource,
    /// The link's `tick=`.
    pub tick: Option<u64>,
}

/// The step-through.
#[function_component(StepView)]
pub fn step_view(props: &StepProps) -> Html {
    let recorded = use_memo(props.source.clone(), record);
    let mode = use_state(StepMode::default);
    let chosen = use_state(|| None::<u64>);
    let recorded = match &*recorded {
        Ok(recorded) => recorded,
        Err(message) => {
            return html! {
                <section id="step-view" class="step">
                    <h2>{"Step through"}</h2>
                    <p class="notice" role="alert">{message.clone()}</p>
                </section>
            }
        }
    };
    let trace = &recorded.trace;
    let (opening, moved_message) = opening_tick(trace, props.tick);
    let tick = chosen.unwrap_or(opening);
    let Some(step) = trace.at_tick(tick) else {
        return html! { <section id="step-view" class="step"><p class="notice">{"Nothing to step through."}</p></section> };
    };
    let go = {
        let chosen = chosen.clone();
        let mode = *mode;
        let trace = trace.clone();
        move |to: Move| chosen.set(Some(moved(&trace, mode, tick, to)))
    };
    let button = |to: Move| {
        let go = go.clone();
        Callback::from(move |_: MouseEvent| go(to))
    };
    let on_key = {
        let go = go.clone();
        Callback::from(move |event: KeyboardEvent| {
            // The scrubber and the mode menu handle their own keys.
            let own_keys = event
                .target_dyn_into::<web_sys::Element>()
                .is_some_and(|target| matches!(target.tag_name().as_str(), "INPUT" | "SELECT"));
            if let Some(to) = Move::of_key(&event.key()).filter(|_| !own_keys) {
                event.prevent_default();
                go(to);
            }
        })
    };
    let on_scrub = {
        let chosen = chosen.clone();
        let mode = *mode;
        let trace = trace.clone();
        Callback::from(move |event: InputEvent| {
            if let Ok(position) = browser::form_value(&event).parse::<u64>() {
                chosen.set(Some(tick_at(&trace, mode, position)));
            }
        })
    };
    let on_mode = {
        let mode = mode.clone();
        Callback::from(move |event: Event| {
            mode.set(StepMode::from_id(&browser::form_value(&event)))
        })
    };
    let (low, high, value) = scrubber(trace, *mode, tick);
    let events = trace.steps().len();
    let at_event = trace
        .steps()
        .get(trace.step_index_at(tick).unwrap_or(0))
        .filter(|step| step.tick == tick);
    let position = match (*mode, at_event) {
        (StepMode::Events, _) | (StepMode::Ticks, Some(_)) => format!(
            "event {} of {events}",
            trace.step_index_at(tick).map_or(0, |index| index + 1)
        ),
        (StepMode::Ticks, None) => "between two events".to_owned(),
    };
    let names = trace.task_names();
    let tasks = Tasks {
        names,
        colours: &recorded.colours,
        unit: recorded.unit,
    };
    let (start, end) = (trace.start(), trace.end());
    let slices = &trace.result().trace;
    let strip = if end <= MAX_CELL_TICKS {
        let grid = grid_of_trace(slices, recorded.cpus, end);
        chart_table(
            "step-gantt",
            &format!("Each CPU before tick {tick} (hatched: to come)"),
            &grid,
            names,
            &recorded.colours,
            tick,
        )
    } else {
        bar_strip(
            slices,
            recorded.cpus,
            start,
            end,
            tick,
            names,
            &recorded.colours,
        )
    };
    html! {
        <section id="step-view" class="step" onkeydown={on_key}>
            <h2>{"Step through the scheduler's decisions"}</h2>
            <p class="story">{format!(
                "{}. The run has {events} events from tick {start} to tick {end}: an event is a tick at which the scheduler decides something (a task arrives, is dispatched, is preempted, uses up its quantum, blocks or completes). Between events nothing changes but the running tasks' work and quantum, which tick by tick shows. Move with the buttons, ← and →, Home and End, or drag the slider.",
                recorded.about
            )}</p>
            if let Some(message) = moved_message.filter(|_| chosen.is_none()) {
                <p class="notice" role="status">{message}</p>
            }
            <div class="step-controls" role="group" aria-label="Move through the run">
                <button id="step-first" onclick={button(Move::First)} disabled={tick == start} aria-label="First event">{"« First"}</button>
                <button id="step-prev" onclick={button(Move::Prev)} disabled={tick == start} aria-label="Back one step">{"‹ Back"}</button>
                <button id="step-next" class="primary" onclick={button(Move::Next)} disabled={tick == end} aria-label="Forward one step">{"Forward ›"}</button>
                <button id="step-last" onclick={button(Move::Last)} disabled={tick == end} aria-label="Last event">{"Last »"}</button>
                <label>{"Move "}
                    <select id="step-mode" onchange={on_mode}>
                        <option value={StepMode::Events.id()} selected={*mode == StepMode::Events}>{"event by event"}</option>
                        <option value={StepMode::Ticks.id()} selected={*mode == StepMode::Ticks}>{"tick by tick"}</option>
                    </select>
                </label>
            </div>
            <div class="step-scrub">
                <label for="step-scrubber">{ if *mode == StepMode::Events { "Event" } else { "Tick" } }</label>
                <input type="range" id="step-scrubber" min={low.to_string()} max={high.to_string()} value={value.to_string()}
                       aria-valuetext={format!("tick {tick}, {position}")} oninput={on_scrub} />
            </div>
            <p id="step-tick" class="step-tick" aria-live="polite"><strong>{format!("Tick {tick}")}</strong>{format!(" · {position} · the run ends at {end}")}</p>
            {strip}
            <div class="step-why" aria-live="polite">
                <h3>{ if step.decisions.is_empty() { "Why: nothing to decide".to_owned() } else { format!("Why: {} decision(s) at tick {tick}", step.decisions.len()) } }</h3>
                {reasons(&step, &tasks)}
            </div>
            <div class="step-grid">
                <div><h3>{"CPUs"}</h3>{cpus(&step.snapshot, &tasks)}</div>
                <div><h3>{"Ready to run, in the order they would run"}</h3>{queues(&step.snapshot, &tasks)}</div>
                <div>{waits_and_done(&step.snapshot, &tasks)}</div>
            </div>
        </section>
    }
}
