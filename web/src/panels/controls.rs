//! The Controls panel: scenario, mode, policy and quantum, workers and how their work is placed, time slice, Run
//! and Stop, the reply box (type while the tasks run, see how long each key waits), and the links that share the
//! settings. The policy governs real runs and the Predict view alike. Controls that do nothing in the chosen mode
//! are disabled with the reason beside them. When a run starts, focus moves from the button that started it (now
//! disabled) to Stop, and back when it ends; Escape stops a run from anywhere in the page.

use std::cell::RefCell;
use std::rc::Rc;

use tasklab_core::policy::{mlfq_levels, CustomLevels, PolicyKind, MLFQ_BOOST_QUANTA};
use tasklab_core::predict::{PredictSettings, MAX_QUANTUM};
use tasklab_core::presets::Preset;
use tasklab_core::settings::MAX_BOOST_MS;
use tasklab_core::settings::{Mode, Placement, Settings, MAX_SLICE_MS, MIN_SLICE_MS};
use tasklab_engine::plan::ExecutorPlan;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;
use crate::latency::{live_line, KeystrokeMeter, TypingView, NOTICEABLE_MS};
use crate::panels::fields::DraftField;
use crate::panels::term::term;
use crate::state::{unused_controls, Action, Availability, PoolStatus};

/// What the Controls panel needs.
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The settings on show.
    pub settings: Settings,
    /// The machine's cores.
    pub max_workers: u32,
    /// The worker pool.
    pub pool: PoolStatus,
    /// Whether a run is in progress.
    pub running: bool,
    /// Why Run is not possible now, if it is not.
    pub run_blocker: Option<AttrValue>,
    /// Result of the last Copy link.
    pub copy_status: Option<AttrValue>,
    /// The link to these settings.
    pub share_url: AttrValue,
    /// Changes the page.
    pub dispatch: Callback<Action>,
    /// Starts a run.
    pub on_run: Callback<()>,
    /// Stops the run.
    pub on_stop: Callback<()>,
    /// Starts a comparison of every mode (and shows the Compare view).
    pub on_compare: Callback<()>,
    /// Why Compare cannot start now, if it cannot.
    pub compare_blocker: Option<AttrValue>,
    /// Copies a link; `true` for the link that runs on open.
    pub on_copy: Callback<bool>,
}

/// The note under the modes when one of them cannot run yet or at all, saying what still works.
fn pool_note(pool: &PoolStatus) -> Option<String> {
    let availability: Vec<(Mode, Availability)> = Mode::ALL
        .iter()
        .map(|mode| (*mode, crate::state::availability(*mode, pool)))
        .collect();
    let runnable: Vec<&str> = availability
        .iter()
        .filter(|(_, availability)| *availability == Availability::Now)
        .map(|(mode, _)| mode.label())
        .collect();
    availability
        .iter()
        .find_map(|(mode, availability)| match availability {
            Availability::Now => None,
            Availability::WhenWorkersStart => {
                Some(format!("Starting the workers for {}…", mode.label()))
            }
            Availability::Never(reason) => Some(format!(
                "{} is disabled: {reason}. Still available: {}.",
                mode.label(),
                runnable.join("; ")
            )),
        })
}

/// Escape pressed anywhere in the page: a `keydown` listener on the document, removed when this is dropped.
struct EscapeListener {
    document: web_sys::Document,
    callback: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
}

impl EscapeListener {
    /// Calls `on_escape` on each Escape (not one that ends an input method's composition, nor one a control
    /// already handled); `None` where the page has no document.
    fn new(on_escape: impl Fn() + 'static) -> Option<Self> {
        let document = web_sys::window()?.document()?;
        let callback = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |event: web_sys::KeyboardEvent| {
                if event.key() == "Escape" && !event.is_composing() && !event.default_prevented() {
                    on_escape();
                }
            },
        );
        document
            .add_event_listener_with_callback("keydown", callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Self { document, callback })
    }
}

impl Drop for EscapeListener {
    fn drop(&mut self) {
        let _ = self
            .document
            .remove_event_listener_with_callback("keydown", self.callback.as_ref().unchecked_ref());
    }
}

/// Whether the keyboard focus is nowhere (on the page's body, as when the focused button was disabled) or on one
/// of `elements`: then the page may move it without taking it from where the person is (the reply box, say).
fn focus_is_lost_or_on(elements: &[&NodeRef]) -> bool {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return false;
    };
    let Some(active) = document.active_element() else {
        return true;
    };
    let is =
        |node: Option<web_sys::Node>| node.is_some_and(|node| node.is_same_node(Some(&active)));
    is(document.body().map(Into::into)) || elements.iter().any(|element| is(element.get()))
}

/// Moves the keyboard focus to `element`.
fn focus(element: &NodeRef) {
    if let Some(element) = element.cast::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

/// Which button started the run, to give the focus back to when it ends.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum StartedBy {
    /// Run (also a run that started on its own, with `run=1`).
    #[default]
    Run,
    /// Compare all modes.
    Compare,
}

/// "Reply to a text while the tasks run": a box to type in during a run, with how long the last keystroke and the
/// run's keystrokes waited to be drawn, and after a run what that says (measured by [`KeystrokeMeter`]).
#[function_component(ReplyBox)]
fn reply_box() -> Html {
    let reply = use_node_ref();
    let view = use_state(TypingView::default);
    {
        let reply = reply.clone();
        let view = view.clone();
        use_effect_with((), move |_| {
            let meter = reply.cast::<web_sys::Element>().map(|element| {
                KeystrokeMeter::attach(element.into(), Callback::from(move |seen| view.set(seen)))
            });
            move || drop(meter)
        });
    }
    // A finished run whose keys waited long enough to notice.
    let slow = view
        .run
        .is_some_and(|(running, latency)| !running && latency.p95 > NOTICEABLE_MS);
    html! {
        <div class="reply">
            <label for="reply">{"Reply to a text while the tasks run"}</label>
            <textarea id="reply" ref={reply} rows="2" spellcheck="false" aria-describedby="reply-latency"
                      placeholder="On my way, see you in 5 minutes!" />
            <p id="reply-latency" class="reply-latency">{live_line(&view)}</p>
            <p id="reply-story" class={classes!("reply-story", slow.then_some("slow"))} role="status">
                {view.story.clone().unwrap_or_default()}
            </p>
        </div>
    }
}

/// The Controls panel.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let settings = &props.settings;
    let dispatch = &props.dispatch;
    // Emits the action made from the control's value, if the value makes one.
    let on_value = |make: fn(&str) -> Option<Action>| {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(action) = make(&browser::form_value(&event)) {
                dispatch.emit(action);
            }
        })
    };
    let on_preset = on_value(|value| Preset::from_id(value).map(Action::SetPreset));
    let on_workers = on_value(|value| value.parse().ok().map(Action::SetWorkers));
    let on_placement = on_value(|value| Placement::from_id(value).map(Action::SetPlacement));
    // The words of the plan this choice makes (the choice matters only for multiprocessing).
    let placement_title =
        ExecutorPlan::new(Mode::Multiprocessing, settings.workers, settings.slice_ms)
            .with_placement(settings.placement)
            .placement_description()
            .unwrap_or_default();
    // On change (release), not on every step of the slider: each change rewrites the address bar.
    let on_slice = on_value(|value| value.parse().ok().map(Action::SetSlice));
    let predict = settings.predict;
    let on_policy = dispatch.reform(move |event: Event| {
        let policy = PolicyKind::from_id(&browser::form_value(&event)).unwrap_or(predict.policy);
        Action::SetPredict(PredictSettings { policy, ..predict })
    });
    let on_quantum = dispatch.reform(move |event: Event| {
        let quantum = browser::form_value(&event)
            .trim()
            .parse()
            .map_or(predict.quantum, |value: u64| value.clamp(1, MAX_QUANTUM));
        Action::SetPredict(PredictSettings { quantum, ..predict })
    });
    // A levels text that does not parse stays in the field with a message; the settings keep the last good one.
    let levels_problem = use_state(|| None::<String>);
    let on_levels = {
        let dispatch = dispatch.clone();
        let levels_problem = levels_problem.clone();
        Callback::from(move |event: Event| {
            let text = browser::form_value(&event);
            let parsed = if text.trim().is_empty() {
                Ok(None)
            } else {
                CustomLevels::parse(&text, MAX_QUANTUM).map(Some)
            };
            match parsed {
                Ok(mlfq_levels) => {
                    levels_problem.set(None);
                    dispatch.emit(Action::SetPredict(PredictSettings {
                        mlfq_levels,
                        ..predict
                    }));
                }
                Err(problem) => levels_problem.set(Some(problem)),
            }
        })
    };
    let on_boost = dispatch.reform(move |event: Event| {
        let text = browser::form_value(&event);
        let boost_ms = match text.trim() {
            "" => None,
            value => value
                .parse()
                .ok()
                .map(|ms: u64| ms.min(MAX_BOOST_MS))
                .or(predict.boost_ms),
        };
        Action::SetPredict(PredictSettings {
            boost_ms,
            ..predict
        })
    });
    let on_aging = dispatch.reform(move |event: Event| {
        let text = browser::form_value(&event);
        let aging_ms = match text.trim() {
            "" | "0" => None,
            value => value
                .parse()
                .ok()
                .map(|ms: u64| ms.min(MAX_BOOST_MS))
                .or(predict.aging_ms),
        };
        Action::SetPredict(PredictSettings {
            aging_ms,
            ..predict
        })
    });
    let recipe = CustomLevels::new(&mlfq_levels(predict.quantum)).map(|levels| levels.to_param());

    // Focus: Run and Compare disable themselves when a run starts, which drops the focus on the page's body; it
    // goes to Stop instead, and back to the button that started the run when it ends.
    let run_button = use_node_ref();
    let compare_button = use_node_ref();
    let stop_button = use_node_ref();
    let started_by = use_mut_ref(StartedBy::default);
    let was_running = use_mut_ref(|| false);
    {
        let (run_button, compare_button, stop_button) = (
            run_button.clone(),
            compare_button.clone(),
            stop_button.clone(),
        );
        let started_by = Rc::clone(&started_by);
        use_effect_with(props.running, move |&running| {
            let was = std::mem::replace(&mut *was_running.borrow_mut(), running);
            if running && !was && focus_is_lost_or_on(&[&run_button, &compare_button]) {
                focus(&stop_button);
            } else if !running && was && focus_is_lost_or_on(&[&stop_button]) {
                let started_by = std::mem::take(&mut *started_by.borrow_mut());
                focus(match started_by {
                    StartedBy::Run => &run_button,
                    StartedBy::Compare => &compare_button,
                });
            }
        });
    }
    // Escape stops the run in progress, wherever the focus is (the reply box too). The listener is set once and
    // reads the current Stop from here, so it follows each run of a comparison.
    let stop_on_escape: Rc<RefCell<Option<Callback<()>>>> = use_mut_ref(|| None);
    *stop_on_escape.borrow_mut() = props.running.then(|| props.on_stop.clone());
    {
        let stop_on_escape = Rc::clone(&stop_on_escape);
        use_effect_with((), move |_| {
            let listener = EscapeListener::new(move || {
                if let Some(stop) = stop_on_escape.borrow().as_ref() {
                    stop.emit(());
                }
            });
            move || drop(listener)
        });
    }

    let on_run = {
        let started_by = Rc::clone(&started_by);
        props.on_run.reform(move |_: MouseEvent| {
            *started_by.borrow_mut() = StartedBy::Run;
        })
    };
    let on_compare = {
        let started_by = Rc::clone(&started_by);
        props.on_compare.reform(move |_: MouseEvent| {
            *started_by.borrow_mut() = StartedBy::Compare;
        })
    };
    let on_stop = props.on_stop.reform(|_: MouseEvent| ());
    // Controls that do nothing in this mode: disabled, with the reason beside them.
    let (workers_unused, slice_unused) = unused_controls(settings.mode);
    let copy = |with_run: bool| props.on_copy.reform(move |_: MouseEvent| with_run);
    let modes = Mode::ALL.iter().map(|mode| {
        let mode = *mode;
        let can_run = crate::state::availability(mode, &props.pool) == Availability::Now;
        html! {
            <label class={classes!("mode", (!can_run).then_some("disabled"))}>
                <input type="radio" name="mode" value={mode.id()} id={format!("mode-{}", mode.id())}
                       checked={mode == settings.mode} disabled={!can_run}
                       onchange={dispatch.reform(move |_| Action::SetMode(mode))} />
                {mode.label()}
            </label>
        }
    });
    html! {
        <section class="controls">
            <label>{"Scenario "}
                <select id="preset" onchange={on_preset} disabled={props.running}>
                    { for Preset::ALL.iter().map(|preset| html! {
                        <option value={preset.id()} selected={*preset == settings.preset}>{preset.title()}</option>
                    }) }
                </select>
            </label>
            <p class="story">{settings.preset.story()}</p>

            <fieldset class="modes" disabled={props.running}>
                <legend>{"Mode"}</legend>
                { for modes }
                if let Some(note) = pool_note(&props.pool) {
                    <p class="pool-note" id="pool-note">{note}</p>
                }
            </fieldset>

            <div class="knobs">
                <label>{"Policy "}
                    <select id="policy" onchange={on_policy} disabled={props.running}>
                        { for PolicyKind::ALL.iter().map(|policy| html! {
                            <option value={policy.id()} selected={*policy == predict.policy}>{policy.label()}</option>
                        }) }
                    </select>
                </label>
                <label title="How long a task may run before the next one gets its turn (round robin; MLFQ's top level, doubling on each lower level).">{term("quantum", "Quantum")}{" (ms) "}
                    <DraftField id="quantum" min={AttrValue::from("1")} max={AttrValue::from(MAX_QUANTUM.to_string())}
                                value={AttrValue::from(predict.quantum.to_string())}
                                disabled={props.running || !predict.policy.uses_quantum()} on_change={on_quantum} />
                </label>
                if predict.policy.uses_boost() {
                    <label title="Each level's quantum and allotment in ms, top level first: a task that has used its level's allotment moves down one level. Empty: levels made from the quantum.">{"Levels (quantum:allotment ms) "}
                        <DraftField id="mlfq-levels" kind="text"
                                    value={AttrValue::from(predict.mlfq_levels.map(|levels| levels.to_param()).unwrap_or_default())}
                                    placeholder={recipe.map(AttrValue::from)} disabled={props.running} on_change={on_levels}
                                    invalid={levels_problem.is_some()} />
                    </label>
                    <label title="Every so many ms, every task goes back to the top level, so long jobs are not starved. 0: never. Empty: every 50 quanta.">{"Boost every (ms) "}
                        <DraftField id="mlfq-boost" min={AttrValue::from("0")} max={AttrValue::from(MAX_BOOST_MS.to_string())}
                                    value={AttrValue::from(predict.boost_ms.map(|ms| ms.to_string()).unwrap_or_default())}
                                    placeholder={AttrValue::from((predict.quantum * MLFQ_BOOST_QUANTA).to_string())}
                                    disabled={props.running} on_change={on_boost} />
                    </label>
                    if let Some(problem) = (*levels_problem).clone() {
                        <small class="field-problem" role="alert">{format!("Levels not changed: {problem}.")}</small>
                    }
                }
                if predict.policy.uses_aging() {
                    <label title="A task waiting for the CPU gains one priority step for every so many ms it waits, and keeps it while it runs, so low priorities do not starve forever. Empty: no aging.">{"Aging every (ms) "}
                        <DraftField id="aging" min={AttrValue::from("0")} max={AttrValue::from(MAX_BOOST_MS.to_string())}
                                    placeholder={AttrValue::from("off")}
                                    value={AttrValue::from(predict.aging_ms.map(|ms| ms.to_string()).unwrap_or_default())}
                                    disabled={props.running} on_change={on_aging} />
                    </label>
                }
                <label>{"Workers "}
                    <select id="workers" onchange={on_workers} disabled={props.running || workers_unused.is_some()}
                            title={workers_unused.unwrap_or("How many workers run the tasks in parallel.")}
                            aria-describedby={workers_unused.map(|_| "workers-hint")}>
                        { for (1..=props.max_workers).map(|workers| html! {
                            <option value={workers.to_string()} selected={workers == settings.workers}>{workers}</option>
                        }) }
                    </select>
                    <small>{format!(" of {} cores", props.max_workers)}</small>
                </label>
                <label title={placement_title}>
                    <select id="placement" onchange={on_placement} disabled={props.running || workers_unused.is_some()}
                            aria-label="How multiprocessing places the work on the workers"
                            aria-describedby={workers_unused.map(|_| "workers-hint")}>
                        { for Placement::ALL.iter().map(|placement| html! {
                            <option value={placement.id()} selected={*placement == settings.placement}>{placement.label()}</option>
                        }) }
                    </select>
                </label>
                <label title={slice_unused.unwrap_or("The longest stretch the page's thread computes before it lets the browser draw and react.")}>{"Time "}{term("slice", "slice")}{" "}
                    <input id="slice" type="range" min={MIN_SLICE_MS.to_string()} max={MAX_SLICE_MS.to_string()}
                           value={settings.slice_ms.to_string()} onchange={on_slice}
                           disabled={props.running || slice_unused.is_some()}
                           aria-describedby={slice_unused.map(|_| "slice-hint")} />
                    <output id="slice-value">{format!("{} ms", settings.slice_ms)}</output>
                </label>
            </div>
            if workers_unused.is_some() || slice_unused.is_some() {
                <div class="control-hints">
                    if let Some(why) = workers_unused {
                        <small id="workers-hint" class="control-hint">{why}</small>
                    }
                    if let Some(why) = slice_unused {
                        <small id="slice-hint" class="control-hint">{why}</small>
                    }
                </div>
            }

            <div class="run-row">
                <div class="actions">
                    <button id="run" class="primary" ref={run_button} onclick={on_run} disabled={props.run_blocker.is_some()}
                            title={props.run_blocker.clone()}>{"Run"}</button>
                    <button id="compare" ref={compare_button} onclick={on_compare}
                            disabled={props.compare_blocker.is_some()} title={props.compare_blocker.clone().unwrap_or_else(|| AttrValue::from("Run every mode one after another and show them on one clock"))}>{"Compare all modes"}</button>
                    <button id="stop" ref={stop_button} onclick={on_stop} disabled={!props.running}
                            aria-keyshortcuts="Escape" title="Stop the run (Escape)">{"Stop"}</button>
                    <button id="copy-link" onclick={copy(false)}>{"Copy link"}</button>
                    <button id="copy-run-link" onclick={copy(true)}>{"Copy link that runs on open"}</button>
                    if let Some(status) = &props.copy_status {
                        <span class="copy-status" role="status">{status.clone()}</span>
                    }
                </div>
                <ReplyBox />
            </div>
            <input id="share-url" class="share-url" readonly=true value={props.share_url.clone()} aria-label="Link to these settings" />
        </section>
    }
}
