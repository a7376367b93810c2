//! "Try this": three numbered steps for a visitor who arrives cold. Each step sets the page up with the state's own
//! actions and runs it: the two chefs multitasking on one CPU, the same on two workers, then the two runs side by
//! side in the Compare view's runs table. A step shows a check once a run of this tab has done it
//! (`crate::intro::tour_progress`). The box can be hidden (remembered in `localStorage`) and shown again.

use std::rc::Rc;

use tasklab_core::settings::{Mode, Settings, View};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::compare::RunRow;
use crate::intro::{tour_progress, TOUR_PRESET, TOUR_WORKERS};
use crate::panels::term::term;
use crate::state::{availability, Action, Availability, PoolStatus};

/// The `localStorage` key that remembers the box was hidden.
const HIDDEN_KEY: &str = "tasklab-try-this";

/// Calls `localStorage[method](args…)`; `None` where the page has no storage (a sandbox, a privacy setting).
fn storage_call(method: &str, args: &[&str]) -> Option<JsValue> {
    let window = web_sys::window()?;
    let storage = js_sys::Reflect::get(&window, &"localStorage".into())
        .ok()
        .filter(|storage| storage.is_object())?;
    let function: js_sys::Function = js_sys::Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args: js_sys::Array = args.iter().map(|arg| JsValue::from_str(arg)).collect();
    function.apply(&storage, &args).ok()
}

fn stored_hidden() -> bool {
    storage_call("getItem", &[HIDDEN_KEY]).and_then(|value| value.as_string())
        == Some("hidden".to_owned())
}

/// What the box needs.
#[derive(Properties, PartialEq)]
pub struct TryThisProps {
    /// The settings on show.
    pub settings: Settings,
    /// Every run of this tab.
    pub history: Rc<Vec<RunRow>>,
    /// The machine's cores.
    pub max_workers: u32,
    /// The worker pool.
    pub pool: PoolStatus,
    /// Whether a run is in progress.
    pub running: bool,
    /// Why Run is not possible now, if it is not.
    pub run_blocker: Option<AttrValue>,
    /// Changes the page.
    pub dispatch: Callback<Action>,
    /// Starts a run of the settings on show.
    pub on_run: Callback<()>,
}

/// The box.
#[function_component(TryThis)]
pub fn try_this(props: &TryThisProps) -> Html {
    let hidden = use_state(stored_hidden);
    // The run a step asked for: it starts once the settings are in place and Run is possible.
    let pending = use_state(|| None::<(Mode, u32)>);
    let compared = use_state(|| false);
    let settings = &props.settings;
    let workers = TOUR_WORKERS.min(props.max_workers).max(1);
    let ready_for = |(mode, want): (Mode, u32)| {
        settings.preset == TOUR_PRESET
            && settings.custom.is_none()
            && settings.view == View::Main
            && settings.mode == mode
            && (mode != Mode::Multiprocessing || settings.workers == want)
            && !props.running
            && props.run_blocker.is_none()
    };
    let ready = (*pending).is_some_and(ready_for);
    {
        let (pending, on_run) = (pending.clone(), props.on_run.clone());
        use_effect_with(ready, move |ready| {
            if *ready {
                pending.set(None);
                on_run.emit(());
            }
        });
    }
    let set_hidden = |hide: bool| {
        let hidden = hidden.clone();
        Callback::from(move |_: MouseEvent| {
            // Not remembered where the page has no storage: the box is still hidden for this visit.
            let _ = if hide {
                storage_call("setItem", &[HIDDEN_KEY, "hidden"])
            } else {
                storage_call("removeItem", &[HIDDEN_KEY])
            };
            hidden.set(hide);
        })
    };
    if *hidden {
        return html! {
            <p class="try-this-closed">
                <button id="try-this-open" class="small" onclick={set_hidden(false)}>{"Show \u{201c}Try this\u{201d}: a first walk-through"}</button>
            </p>
        };
    }
    let start = |mode: Mode| {
        let (dispatch, pending, settings) =
            (props.dispatch.clone(), pending.clone(), settings.clone());
        Callback::from(move |_: MouseEvent| {
            if settings.preset != TOUR_PRESET || settings.custom.is_some() {
                dispatch.emit(Action::SetPreset(TOUR_PRESET));
            }
            if settings.view != View::Main {
                dispatch.emit(Action::SetView(View::Main));
            }
            dispatch.emit(Action::SetMode(mode));
            if mode == Mode::Multiprocessing {
                dispatch.emit(Action::SetWorkers(workers));
            }
            pending.set(Some((mode, workers)));
        })
    };
    let on_compare = {
        let (dispatch, compared) = (props.dispatch.clone(), compared.clone());
        Callback::from(move |_: MouseEvent| {
            compared.set(true);
            dispatch.emit(Action::SetView(View::Compare));
        })
    };
    let (one_cpu_done, workers_done) = tour_progress(&props.history);
    let compare_done =
        one_cpu_done && workers_done && (*compared || settings.view == View::Compare);
    let no_workers = match availability(Mode::Multiprocessing, &props.pool) {
        Availability::Never(reason) => Some(reason),
        _ => None,
    };
    let waiting = (*pending).map(|(mode, _)| mode);
    let step = |number: u32, done: bool, button: Html, look: Html| {
        html! {
            <li class={classes!("try-step", done.then_some("done"))} data-step={number.to_string()} data-done={done.to_string()}>
                {button}
                <span class="step-check" aria-hidden="true">{ if done { "✓" } else { "" } }</span>
                if done {
                    <span class="visually-hidden">{" (done)"}</span>
                }
                <span class="step-look">{look}</span>
            </li>
        }
    };
    let worker_words = if workers == 1 {
        "1 worker"
    } else {
        "2 workers"
    };
    html! {
        <section class="try-this" id="try-this" aria-labelledby="try-this-title">
            <div class="try-this-head">
                <h2 id="try-this-title">{"Try this first"}</h2>
                <button id="try-this-dismiss" class="small" onclick={set_hidden(true)} aria-label="Hide Try this">{"Hide"}</button>
            </div>
            <ol class="try-steps">
                {step(1, one_cpu_done, html! {
                    <button id="try-step-1" class="small" onclick={start(Mode::Multitasking)} disabled={props.running}>
                        {if waiting == Some(Mode::Multitasking) { "Starting…" } else { "1. Run the two chefs on one CPU" }}
                    </button>
                }, html! {
                    <>{" Multitasking: one lane, the chefs take turns in short "}{term("slice", "slices")}{"."}</>
                })}
                {step(2, workers_done, html! {
                    <button id="try-step-2" class="small" onclick={start(Mode::Multiprocessing)}
                            disabled={props.running || no_workers.is_some()} title={no_workers.clone()}>
                        {if waiting == Some(Mode::Multiprocessing) { "Starting…".to_owned() } else { format!("2. Run them on {worker_words}") }}
                    </button>
                }, html! {
                    <>{" Multiprocessing: one lane per worker, both chefs cook at once."}
                      if let Some(reason) = &no_workers { <small class="control-hint">{format!(" Not on this page: {reason}.")}</small> }
                    </>
                })}
                {step(3, compare_done, html! {
                    <button id="try-step-3" class="small" onclick={on_compare}>{"3. Compare the two runs"}</button>
                }, html! {
                    <>{" The runs table puts their wall times side by side."}</>
                })}
            </ol>
            <p class="try-look">
                {"What to look for: the "}<strong>{"wall time"}</strong>{" (two workers should take about half as long: a "}
                {term("speed-up", "speed-up")}{" near 2×), the timeline's lanes, and the page itself — in both runs it keeps drawing, so you can type in the reply box while the chefs cook."}
            </p>
        </section>
    }
}
