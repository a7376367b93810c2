//! The page: controls, Run/Stop, live progress, the timeline, the figures and the responsiveness meter.
//!
//! State lives in one reducer ([`AppState`]); the URL mirrors the settings (replaced, not pushed, on each change).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use tasklab_core::codec::{
    encode_scenario, scenario_file_from_json, scenario_file_to_json, ScenarioFile,
};
use tasklab_core::export::{ExportTask, TimeUnit};
use tasklab_core::predict::{PolicyChoice, PredictSettings, UnitCosts};
use tasklab_core::presets::Preset;
use tasklab_core::report::checksum_hex;
use tasklab_core::scenario::Scenario;
use tasklab_core::settings::{parse_query, Mode, Notice, Settings, MAX_SLICE_MS, MIN_SLICE_MS};
use tasklab_engine::parallel::ParallelOptions;
use tasklab_engine::web::{hardware_concurrency, start_pool};
use tasklab_engine::LiveProgress;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::editor::ScenarioEditor;
use crate::explain::{mode_explanation, MEASUREMENT_NOTE};
use crate::exports::{ExportButtons, ExportData};
use crate::gallery::Gallery;
use crate::live::LiveRun;
use crate::predict::{MeasuredRun, PredictView};
use crate::runner::{self, ActiveRun, FinishedRun, FrameMeter};
use crate::timeline::{scenario_colours, task_colour, Timeline};

/// Whether the worker pool can be used.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolStatus {
    /// `initThreadPool` is running.
    Starting,
    /// Workers are ready.
    Ready,
    /// No pool: the reason, for the page.
    Unavailable(String),
}

/// A finished run that used one CPU, kept to compute speed-ups.
#[derive(Debug, Clone, PartialEq)]
struct OneCpuRun {
    wall_ms: f64,
    /// Time the CPU was busy (slices), to calibrate unit costs.
    busy_ms: f64,
    how: String,
}

/// Everything the page shows.
#[derive(Clone)]
pub struct AppState {
    settings: Settings,
    notices: Vec<Notice>,
    max_workers: u32,
    pool: PoolStatus,
    active: Option<Rc<ActiveRun>>,
    last: Option<(Settings, FinishedRun)>,
    /// Keyed by [`scenario_key`].
    one_cpu_runs: HashMap<String, OneCpuRun>,
    autorun_pending: bool,
    copy_status: Option<String>,
    /// Earlier scenarios (the preset, and the custom scenario if any), most recent last, for Undo.
    undo: Vec<(Preset, Option<Scenario>)>,
    /// Whether the next URL change adds a history entry (a new preset or an import) instead of replacing it.
    push_history: bool,
}

/// Most edits Undo remembers.
const UNDO_DEPTH: usize = 100;

/// Identity of the scenario of `settings`, for caches and comparisons: the preset id, or the custom link code.
pub fn scenario_key(settings: &Settings) -> String {
    match &settings.custom {
        Some(custom) => format!("custom:{}", encode_scenario(custom)),
        None => settings.preset.id().to_owned(),
    }
}

/// Title of the scenario of `settings`.
fn scenario_title(settings: &Settings) -> String {
    match &settings.custom {
        Some(_) => format!(
            "Custom scenario (from \u{201c}{}\u{201d})",
            settings.preset.title()
        ),
        None => settings.preset.title().to_owned(),
    }
}

/// Everything that changes the page.
pub enum Action {
    /// A control changed.
    SetPreset(Preset),
    /// A control changed.
    SetMode(Mode),
    /// A control changed.
    SetWorkers(u32),
    /// A control changed.
    SetSlice(u32),
    /// The pool finished starting.
    PoolStarted(Result<(), String>),
    /// A run began.
    RunStarted(Rc<ActiveRun>),
    /// The run ended.
    RunFinished(Settings, Box<FinishedRun>),
    /// Result of Copy link.
    CopyStatus(String),
    /// The notices were read.
    DismissNotices,
    /// A Predict control changed.
    SetPredict(PredictSettings),
    /// The editor produced a new scenario.
    EditScenario(Scenario),
    /// Undo the last scenario change.
    Undo,
    /// Back to the preset's own scenario.
    ResetToPreset,
    /// A scenario file was read.
    Import(Box<ScenarioFile>),
    /// A file could not be imported: why.
    ImportFailed(String),
    /// Back/forward: the address changed under us.
    LoadFromUrl,
}

impl AppState {
    fn from_url() -> Self {
        let max_workers = hardware_concurrency();
        let parsed = parse_query(&browser::current_query(), max_workers);
        let isolated = tasklab_engine::web::cross_origin_isolated();
        let pool = if isolated {
            PoolStatus::Starting
        } else {
            PoolStatus::Unavailable(tasklab_engine::web::PoolError::NotIsolated.to_string())
        };
        let mut settings = parsed.settings;
        let mut notices = parsed.notices;
        if settings.mode == Mode::Multiprocessing && !isolated {
            notices.push(Notice {
                field: "mode".into(),
                message: "multiprocessing needs a cross-origin isolated page; using multitasking"
                    .into(),
            });
            settings.mode = Mode::Multitasking;
        }
        Self {
            autorun_pending: settings.run_on_load,
            settings,
            notices,
            max_workers,
            pool,
            active: None,
            last: None,
            one_cpu_runs: HashMap::new(),
            copy_status: None,
            undo: Vec::new(),
            push_history: false,
        }
    }

    /// Remembers the current scenario for Undo, before it changes.
    fn remember_for_undo(&mut self) {
        self.undo
            .push((self.settings.preset, self.settings.custom.clone()));
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// Why the current scenario cannot run, if it cannot.
    fn scenario_problem(&self) -> Option<String> {
        self.settings
            .scenario()
            .validate()
            .err()
            .map(|error| error.to_string())
    }

    /// Unit costs for predictions of the current preset, calibrated from a real run of it: its last one-CPU run
    /// if any, else its last run (CPU time summed over workers). Without either, typical costs.
    fn prediction_costs(&self) -> (UnitCosts, String) {
        let key = scenario_key(&self.settings);
        let typical = UnitCosts::default();
        let predicted_cpu_ms = typical.cpu_ms(&self.settings.scenario());
        if let Some(run) = self.one_cpu_runs.get(&key) {
            return (
                typical.scaled(run.busy_ms / predicted_cpu_ms),
                format!(
                    "durations calibrated from the last one-CPU run of this scenario ({}).",
                    run.how
                ),
            );
        }
        if let Some((settings, finished)) = self.last.as_ref().filter(|(settings, finished)| {
            scenario_key(settings) == key && !finished.record.stopped
        }) {
            return (
                typical.scaled(busy_ms(&finished.record) / predicted_cpu_ms),
                format!(
                    "durations calibrated from the last run of this scenario ({}); a one-CPU run calibrates best.",
                    settings.mode.label()
                ),
            );
        }
        (
            typical,
            "durations from typical costs of a laptop core; run this scenario once to calibrate them to this machine.".to_owned(),
        )
    }

    fn is_running(&self) -> bool {
        self.active.is_some()
    }

    /// Whether Run can start now, or why not.
    fn run_blocker(&self) -> Option<&'static str> {
        if self.is_running() {
            return Some("a run is in progress");
        }
        if self.scenario_problem().is_some() {
            return Some("the scenario is not valid");
        }
        if self.settings.mode == Mode::Multiprocessing {
            return match self.pool {
                PoolStatus::Starting => Some("the workers are still starting"),
                PoolStatus::Unavailable(_) => Some("workers are unavailable on this page"),
                PoolStatus::Ready => None,
            };
        }
        None
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.push_history = false;
        // `run=1` is for the link as it was opened: once the user changes anything, no surprise run.
        let user_change = !matches!(
            action,
            Action::PoolStarted(_)
                | Action::RunStarted(_)
                | Action::RunFinished(..)
                | Action::CopyStatus(_)
                | Action::DismissNotices
        );
        if user_change {
            next.autorun_pending = false;
        }
        match action {
            Action::SetPreset(preset) => {
                next.remember_for_undo();
                next.settings.preset = preset;
                next.settings.custom = None;
                next.push_history = true;
            }
            Action::EditScenario(scenario) => {
                next.remember_for_undo();
                // Editing back to the preset's own scenario makes the link short again.
                next.settings.custom =
                    (scenario != next.settings.preset.scenario()).then_some(scenario);
            }
            Action::Undo => {
                if let Some((preset, custom)) = next.undo.pop() {
                    next.settings.preset = preset;
                    next.settings.custom = custom;
                }
            }
            Action::ResetToPreset => {
                next.remember_for_undo();
                next.settings.custom = None;
            }
            Action::Import(file) => {
                next.remember_for_undo();
                if let Some(query) = &file.settings_query {
                    let parsed = parse_query(query, next.max_workers);
                    let imported = parsed.settings;
                    next.settings.mode = imported.mode;
                    next.settings.workers = imported.workers;
                    next.settings.slice_ms = imported.slice_ms;
                    next.settings.predict = imported.predict;
                    next.settings.preset = imported.preset;
                    if next.settings.mode == Mode::Multiprocessing
                        && matches!(next.pool, PoolStatus::Unavailable(_))
                    {
                        next.settings.mode = Mode::Multitasking;
                        next.notices.push(Notice {
                            field: "mode".into(),
                            message: "the file asks for multiprocessing, which this page cannot do; using multitasking".into(),
                        });
                    }
                    next.notices.extend(
                        parsed
                            .notices
                            .into_iter()
                            .filter(|notice| notice.field != "s"),
                    );
                }
                next.settings.custom = Some(file.scenario);
                next.push_history = true;
            }
            Action::ImportFailed(reason) => next.notices.push(Notice {
                field: "import".into(),
                message: format!("{reason}; nothing was changed"),
            }),
            Action::LoadFromUrl => {
                let parsed = parse_query(&browser::current_query(), next.max_workers);
                let damaged_scenario = parsed.notices.iter().any(|notice| notice.field == "s");
                let mut settings = parsed.settings;
                if damaged_scenario {
                    // Keep what the user was working on rather than silently swapping in the preset.
                    settings.custom = next.settings.custom.clone();
                    settings.preset = next.settings.preset;
                }
                // While the workers start, Run waits for them; only a page that cannot have them falls back.
                if settings.mode == Mode::Multiprocessing
                    && matches!(next.pool, PoolStatus::Unavailable(_))
                {
                    settings.mode = next.settings.mode;
                }
                if settings.custom != next.settings.custom
                    || settings.preset != next.settings.preset
                {
                    next.remember_for_undo();
                }
                next.notices = parsed.notices;
                if damaged_scenario {
                    next.notices.push(Notice {
                        field: "s".into(),
                        message: "kept the scenario you had instead".into(),
                    });
                }
                next.settings = settings;
            }
            Action::SetMode(mode) => next.settings.mode = mode,
            Action::SetWorkers(workers) => {
                next.settings.workers = workers.clamp(1, next.max_workers)
            }
            Action::SetSlice(slice) => {
                next.settings.slice_ms = slice.clamp(MIN_SLICE_MS, MAX_SLICE_MS)
            }
            Action::PoolStarted(Ok(())) => next.pool = PoolStatus::Ready,
            Action::PoolStarted(Err(reason)) => {
                if next.settings.mode == Mode::Multiprocessing {
                    next.notices.push(Notice {
                        field: "mode".into(),
                        message: format!("{reason}; using multitasking"),
                    });
                    next.settings.mode = Mode::Multitasking;
                }
                next.pool = PoolStatus::Unavailable(reason);
            }
            Action::RunStarted(active) => {
                next.active = Some(active);
                next.autorun_pending = false;
                next.copy_status = None;
            }
            Action::RunFinished(settings, finished) => {
                let finished = *finished;
                let uses_one_cpu = settings.mode != Mode::Multiprocessing || settings.workers == 1;
                if uses_one_cpu && !finished.record.stopped {
                    let how = match settings.mode {
                        Mode::Multiprocessing => "multiprocessing, 1 worker".to_owned(),
                        Mode::Multitasking => {
                            format!("multitasking, {} ms slices", settings.slice_ms)
                        }
                        Mode::SingleThread => "single thread".to_owned(),
                    };
                    next.one_cpu_runs.insert(
                        scenario_key(&settings),
                        OneCpuRun {
                            wall_ms: finished.record.wall_ms,
                            busy_ms: busy_ms(&finished.record),
                            how,
                        },
                    );
                }
                next.active = None;
                next.last = Some((settings, finished));
            }
            Action::CopyStatus(status) => next.copy_status = Some(status),
            Action::DismissNotices => next.notices.clear(),
            Action::SetPredict(predict) => next.settings.predict = predict,
        }
        // Keep run_on_load only for the first run of a link.
        next.settings.run_on_load = false;
        Rc::new(next)
    }
}

fn start_run(state: &AppState, dispatcher: UseReducerDispatcher<AppState>) {
    if state.run_blocker().is_some() {
        return;
    }
    let settings = state.settings.clone();
    let scenario = settings.scenario();
    let active = Rc::new(ActiveRun {
        progress: Arc::new(LiveProgress::new(&scenario)),
        meter: RefCell::new(FrameMeter::default()),
        finished: Cell::new(false),
        names: scenario
            .tasks
            .iter()
            .map(|task| task.name.clone())
            .collect(),
        colours: scenario_colours(&scenario),
    });
    let pool_ready = state.pool == PoolStatus::Ready;
    let one_cpu_wall_ms = state
        .one_cpu_runs
        .get(&scenario_key(&settings))
        .map(|run| run.wall_ms);
    dispatcher.dispatch(Action::RunStarted(Rc::clone(&active)));
    spawn_local(async move {
        let finished = runner::run(settings.clone(), pool_ready, active, one_cpu_wall_ms).await;
        dispatcher.dispatch(Action::RunFinished(settings, Box::new(finished)));
    });
}

/// CPU time of a run: its slices summed over every lane.
fn busy_ms(record: &tasklab_core::report::RunRecord) -> f64 {
    record
        .slices
        .iter()
        .map(|slice| slice.end_ms - slice.start_ms)
        .sum()
}

fn lane_labels(mode: Mode, lanes: usize) -> Vec<String> {
    match mode {
        Mode::Multiprocessing => (1..=lanes.max(1))
            .map(|worker| format!("Worker {worker}"))
            .collect(),
        Mode::Multitasking | Mode::SingleThread => vec!["Main thread".to_owned()],
    }
}

/// Milliseconds for people: "812.3 ms" or "1.25 s".
pub fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::from_url);
    let dispatcher = state.dispatcher();

    // Start the worker pool once, if the page may share memory.
    {
        let dispatcher = dispatcher.clone();
        let pool = state.pool.clone();
        let max_workers = state.max_workers;
        use_effect_with((), move |_| {
            browser::observe_long_tasks();
            if pool == PoolStatus::Starting {
                spawn_local(async move {
                    let result = start_pool(max_workers)
                        .await
                        .map_err(|error| error.to_string());
                    dispatcher.dispatch(Action::PoolStarted(result));
                });
            }
        });
    }
    // The URL mirrors the settings: a new preset or an import adds a history entry, other changes replace it.
    {
        let push = state.push_history;
        use_effect_with(state.settings.to_query(false), move |query| {
            browser::set_query(query, push);
        });
    }
    // Back and forward restore the scenario and settings of that entry.
    {
        let dispatcher = dispatcher.clone();
        use_effect_with((), move |_| {
            let listener =
                browser::PopstateListener::new(move || dispatcher.dispatch(Action::LoadFromUrl));
            move || drop(listener)
        });
    }
    // `run=1`: start as soon as the chosen mode can run.
    {
        let ready = state.autorun_pending && state.run_blocker().is_none();
        let state_for_run = state.clone();
        let dispatcher = dispatcher.clone();
        use_effect_with(ready, move |ready| {
            if *ready {
                start_run(&state_for_run, dispatcher);
            }
        });
    }

    let settings = &state.settings;
    let running = state.is_running();
    let on_preset = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: Event| {
            let value = browser::form_value(&event);
            if let Some(preset) = Preset::from_id(&value) {
                dispatcher.dispatch(Action::SetPreset(preset));
            }
        })
    };
    let on_mode = |mode: Mode| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::SetMode(mode)))
    };
    let on_workers = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: Event| {
            if let Ok(workers) = browser::form_value(&event).parse() {
                dispatcher.dispatch(Action::SetWorkers(workers));
            }
        })
    };
    // On change (release), not on every step of the slider: each change rewrites the address bar.
    let on_slice = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: Event| {
            if let Ok(slice) = browser::form_value(&event).parse() {
                dispatcher.dispatch(Action::SetSlice(slice));
            }
        })
    };
    let on_run = {
        let state = state.clone();
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| start_run(&state, dispatcher.clone()))
    };
    let on_stop = {
        let active = state.active.clone();
        Callback::from(move |_| {
            if let Some(active) = &active {
                active.progress.request_stop();
            }
        })
    };
    let share_url = format!("{}?{}", browser::page_base_url(), settings.to_query(false));
    let copy_link = |with_run: bool| {
        let dispatcher = dispatcher.clone();
        let url = format!(
            "{}?{}",
            browser::page_base_url(),
            settings.to_query(with_run)
        );
        Callback::from(move |_| {
            let dispatcher = dispatcher.clone();
            let url = url.clone();
            spawn_local(async move {
                let status = if browser::copy_to_clipboard(&url).await {
                    "Link copied.".to_owned()
                } else {
                    "The browser refused the clipboard; select the link below and copy it."
                        .to_owned()
                };
                dispatcher.dispatch(Action::CopyStatus(status));
            });
        })
    };
    let on_choose_preset = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |preset| dispatcher.dispatch(Action::SetPreset(preset)))
    };
    let on_import = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                import_file(file, dispatcher.clone());
            }
            input.set_value("");
        })
    };
    let on_drop = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            if running {
                return;
            }
            if let Some(file) = event
                .data_transfer()
                .and_then(|transfer| transfer.files())
                .and_then(|files| files.get(0))
            {
                import_file(file, dispatcher.clone());
            }
        })
    };
    let on_drag_over = Callback::from(|event: DragEvent| event.prevent_default());
    let on_save_scenario = {
        let settings = settings.clone();
        Callback::from(move |_| {
            let file = ScenarioFile {
                scenario: settings.scenario(),
                settings_query: Some(settings.to_query(false)),
            };
            let _ = browser::download(
                "tasklab-scenario.json",
                "application/json",
                &scenario_file_to_json(&file),
            );
        })
    };
    let editor = {
        let (costs, _) = state.prediction_costs();
        let on_edit = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |scenario| dispatcher.dispatch(Action::EditScenario(scenario)))
        };
        let on_undo = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |_| dispatcher.dispatch(Action::Undo))
        };
        let on_reset = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |_| dispatcher.dispatch(Action::ResetToPreset))
        };
        html! {
            <ScenarioEditor scenario={settings.scenario()} costs={costs} modified={settings.custom.is_some()}
                            can_undo={!state.undo.is_empty()} problem={state.scenario_problem().map(AttrValue::from)}
                            on_edit={on_edit} on_undo={on_undo} on_reset={on_reset} disabled={running} />
        }
    };
    let on_dismiss = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::DismissNotices))
    };

    let scenario = settings.scenario();
    let multiprocessing_note = match &state.pool {
        PoolStatus::Ready => None,
        PoolStatus::Starting => Some("Starting the workers…".to_owned()),
        PoolStatus::Unavailable(reason) => Some(format!(
            "Multiprocessing is disabled: {reason}. Multitasking and the single-thread mode still work."
        )),
    };

    html! {
        <main ondrop={on_drop} ondragover={on_drag_over}>
            <header>
                <h1>{"tasklab"}</h1>
                <p class="tagline">{"Multitasking is one CPU switching quickly between tasks; multiprocessing is several CPUs running them at the same time. Run both for real in this page and compare."}</p>
            </header>

            if !state.notices.is_empty() {
                <section class="notices" role="alert">
                    <strong>{"Some settings in the link could not be used:"}</strong>
                    <ul>
                        { for state.notices.iter().map(|notice| html! {
                            <li class="notice" data-field={notice.field.clone()}>
                                <code>{notice.field.clone()}</code>{": "}{notice.message.clone()}
                            </li>
                        }) }
                    </ul>
                    <button onclick={on_dismiss}>{"Dismiss"}</button>
                </section>
            }

            <section class="controls">
                <label>{"Scenario "}
                    <select id="preset" onchange={on_preset} disabled={running}>
                        { for Preset::ALL.iter().map(|preset| html! {
                            <option value={preset.id()} selected={*preset == settings.preset}>{preset.title()}</option>
                        }) }
                    </select>
                </label>
                <p class="story">{settings.preset.story()}</p>

                <fieldset class="modes" disabled={running}>
                    <legend>{"Mode"}</legend>
                    { for Mode::ALL.iter().map(|mode| {
                        let disabled = *mode == Mode::Multiprocessing && state.pool != PoolStatus::Ready;
                        html! {
                            <label class={classes!("mode", disabled.then_some("disabled"))}>
                                <input type="radio" name="mode" value={mode.id()} id={format!("mode-{}", mode.id())}
                                       checked={*mode == settings.mode} disabled={disabled}
                                       onchange={on_mode(*mode)} />
                                {mode.label()}
                            </label>
                        }
                    }) }
                    if let Some(note) = multiprocessing_note {
                        <p class="pool-note" id="pool-note">{note}</p>
                    }
                </fieldset>

                <div class="knobs">
                    <label>{"Workers "}
                        <select id="workers" onchange={on_workers} disabled={running}>
                            { for (1..=state.max_workers).map(|workers| html! {
                                <option value={workers.to_string()} selected={workers == settings.workers}>{workers}</option>
                            }) }
                        </select>
                        <small>{format!(" of {} cores", state.max_workers)}</small>
                    </label>
                    <label>{"Time slice "}
                        <input id="slice" type="range" min={MIN_SLICE_MS.to_string()} max={MAX_SLICE_MS.to_string()}
                               value={settings.slice_ms.to_string()} onchange={on_slice} disabled={running} />
                        <output id="slice-value">{format!("{} ms", settings.slice_ms)}</output>
                    </label>
                </div>

                <div class="actions">
                    <button id="run" class="primary" onclick={on_run} disabled={state.run_blocker().is_some()}>{"Run"}</button>
                    <button id="stop" onclick={on_stop} disabled={!running}>{"Stop"}</button>
                    <button id="copy-link" onclick={copy_link(false)}>{"Copy link"}</button>
                    <button id="copy-run-link" onclick={copy_link(true)}>{"Copy link that runs on open"}</button>
                    if let Some(status) = &state.copy_status {
                        <span class="copy-status" role="status">{status.clone()}</span>
                    }
                </div>
                <input id="share-url" class="share-url" readonly=true value={share_url} aria-label="Link to these settings" />
            </section>

            <section class="scenario-tools">
                <Gallery current={settings.custom.is_none().then_some(settings.preset)} on_choose={on_choose_preset} disabled={running} />
                {editor}
                <div class="actions">
                    <label class="file-button">{"Import a scenario (JSON) "}
                        <input type="file" id="import-file" accept=".json,application/json" onchange={on_import} disabled={running} />
                    </label>
                    <button id="save-scenario" class="small" onclick={on_save_scenario}>{"Save scenario (JSON)"}</button>
                    <small>{"…or drop a scenario file anywhere on the page."}</small>
                </div>
            </section>

            <section class="explain">
                <h2>{settings.mode.label()}</h2>
                <p>{mode_explanation(settings.mode)}</p>
            </section>

            <section class="progress" aria-live="polite">
                <h2>{ if running { "Running…" } else { "Tasks" } }</h2>
                { view_progress(&state, &scenario.tasks.iter().map(|task| task.name.clone()).collect::<Vec<_>>(), &scenario_colours(&scenario)) }
                { view_meter(&state) }
            </section>

            { view_results(&state) }

            { view_predict(&state, &dispatcher) }

            <footer><p>{MEASUREMENT_NOTE}</p></footer>
        </main>
    }
}

fn view_predict(state: &AppState, dispatcher: &UseReducerDispatcher<AppState>) -> Html {
    let (costs, calibration) = state.prediction_costs();
    let measured = state
        .last
        .as_ref()
        .filter(|(settings, finished)| {
            scenario_key(settings) == scenario_key(&state.settings) && !finished.record.stopped
        })
        .map(|(settings, finished)| {
            // The textbook policy each executor follows: round robin with the slice on one CPU, or first come first
            // served on the workers (jobs are never preempted), splittable tasks cut as the dispatcher cuts them.
            let (model, chunks) = match settings.mode {
                Mode::Multitasking | Mode::SingleThread => (
                    PredictSettings {
                        policy: PolicyChoice::RoundRobin,
                        quantum: u64::from(settings.slice_ms),
                        cpus: 1,
                        switch_cost: 0,
                        arrival_before_preempted: true,
                    },
                    1,
                ),
                Mode::Multiprocessing => (
                    PredictSettings {
                        policy: PolicyChoice::Fcfs,
                        quantum: 1,
                        cpus: settings.workers,
                        switch_cost: 0,
                        arrival_before_preempted: true,
                    },
                    ParallelOptions::with_workers(settings.workers as usize).chunks_per_worker
                        * settings.workers as usize,
                ),
            };
            MeasuredRun {
                wall_ms: finished.record.wall_ms,
                how: settings.mode.label().to_owned(),
                model,
                chunks,
            }
        });
    let on_change = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |predict| dispatcher.dispatch(Action::SetPredict(predict)))
    };
    html! {
        <PredictView scenario={state.settings.scenario()} settings={state.settings.predict} costs={costs}
                     calibration={calibration} measured={measured} on_change={on_change} />
    }
}

fn view_progress(state: &AppState, names: &[String], colours: &[String]) -> Html {
    if let Some(active) = &state.active {
        return html! { <LiveRun active={Rc::clone(active)} /> };
    }
    let fractions = match &state.last {
        Some((settings, finished)) if scenario_key(settings) == scenario_key(&state.settings) => {
            let scenario = settings.scenario();
            scenario
                .tasks
                .iter()
                .zip(&finished.record.tasks)
                .map(|(_, task)| if task.end_ms.is_some() { 1.0 } else { 0.0 })
                .collect()
        }
        _ => vec![0.0; names.len()],
    };
    progress_bars(names, colours, &fractions)
}

/// One bar per task.
pub fn progress_bars(names: &[String], colours: &[String], fractions: &[f64]) -> Html {
    html! {
        <ul class="task-progress">
            { for names.iter().zip(fractions).enumerate().map(|(task, (name, fraction))| html! {
                <li>
                    <span class="task-name"><span class="swatch" style={format!("background:{}", colours.get(task).map_or(task_colour(task), String::as_str))}></span>{name.clone()}</span>
                    <progress max="1" value={fraction.to_string()} data-task={task.to_string()}></progress>
                    <span class="percent">{format!("{:.0}%", fraction * 100.0)}</span>
                </li>
            }) }
        </ul>
    }
}

fn view_meter(state: &AppState) -> Html {
    if state.active.is_some() {
        return html! {}; // the live view shows it
    }
    let Some((_, finished)) = &state.last else {
        return html! {};
    };
    meter_line(
        (finished.report.frames, finished.report.longest_frame_gap_ms),
        Some(finished.report.longest_main_task_ms),
        "during the last run",
    )
}

/// The responsiveness figures: frames drawn, longest gap between frames, longest main-thread task (when known).
pub fn meter_line(meter: (u32, f64), longest_task: Option<f64>, label: &str) -> Html {
    html! {
        <div class="meter" id="meter">
            <strong>{format!("Responsiveness {label}: ")}</strong>
            <span id="meter-frames">{format!("{} frames drawn", meter.0)}</span>
            <span id="meter-gap">{format!("longest gap between frames {}", format_ms(meter.1))}</span>
            if let Some(longest_task) = longest_task {
                <span id="meter-task">{format!("longest main-thread task {}", format_ms(longest_task))}</span>
            }
        </div>
    }
}

/// The last run as an exportable timeline.
fn run_export_data(settings: &Settings, finished: &FinishedRun) -> Rc<ExportData> {
    let report = &finished.report;
    let scenario = settings.scenario();
    Rc::new(ExportData {
        title: format!("{} · {}", scenario_title(settings), settings.mode.label()),
        file_stem: format!("tasklab-{}-{}", report.preset, report.mode),
        time_unit: TimeUnit::Milliseconds,
        lanes: lane_labels(settings.mode, report.busy_per_lane.len()),
        tasks: report
            .tasks
            .iter()
            .enumerate()
            .map(|(index, task)| ExportTask {
                name: task.name.clone(),
                colour: scenario
                    .tasks
                    .get(index)
                    .and_then(|spec| spec.colour.clone())
                    .unwrap_or_else(|| task_colour(index).to_lowercase()),
                metrics: vec![
                    ("checksum".into(), task.checksum.clone()),
                    (
                        "start_ms".into(),
                        task.start_ms
                            .map(|ms| format!("{ms:.3}"))
                            .unwrap_or_default(),
                    ),
                    (
                        "end_ms".into(),
                        task.end_ms.map(|ms| format!("{ms:.3}")).unwrap_or_default(),
                    ),
                ],
            })
            .collect(),
        slices: report.slices.clone(),
        switches: Vec::new(),
        span: report.wall_ms,
    })
}

/// Reads a dropped or picked file and imports it.
fn import_file(file: web_sys::File, dispatcher: UseReducerDispatcher<AppState>) {
    spawn_local(async move {
        let action = match browser::read_file_text(&file).await {
            Ok(text) => match scenario_file_from_json(&text) {
                Ok(scenario_file) => Action::Import(Box::new(scenario_file)),
                Err(error) => Action::ImportFailed(format!("{}: {error}", file.name())),
            },
            Err(reason) => Action::ImportFailed(reason),
        };
        dispatcher.dispatch(action);
    });
}

fn view_results(state: &AppState) -> Html {
    let Some((settings, finished)) = &state.last else {
        return html! {};
    };
    let report = &finished.report;
    let names: Vec<String> = report.tasks.iter().map(|task| task.name.clone()).collect();
    let colours = scenario_colours(&settings.scenario());
    let one_cpu = state.one_cpu_runs.get(&scenario_key(settings));
    let used_one_cpu = settings.mode != Mode::Multiprocessing || settings.workers == 1;
    let speedup_text = match (report.speedup_vs_one_worker, one_cpu) {
        _ if report.stopped => "—".to_owned(),
        (Some(speedup), Some(one_cpu)) if !used_one_cpu => format!(
            "{speedup:.2}× against the last one-CPU run of this scenario ({}, {})",
            one_cpu.how,
            format_ms(one_cpu.wall_ms)
        ),
        _ if used_one_cpu => {
            "this run used one CPU: it is the baseline for this scenario's speed-ups".to_owned()
        }
        _ => "run this scenario on one CPU (multitasking, single thread, or 1 worker) to compare"
            .to_owned(),
    };
    let export = {
        let report = report.clone();
        Callback::from(move |_| {
            if let Ok(json) = serde_json::to_string_pretty(&report) {
                let _ = browser::download(
                    &format!("tasklab-{}-{}.json", report.preset, report.mode),
                    "application/json",
                    &json,
                );
            }
        })
    };
    let agreement = if report.stopped {
        html! { <p class="checksums stopped">{"Stopped before the end: checksums are incomplete."}</p> }
    } else if report.checksums_agree {
        html! { <p class="checksums agree" id="checksums-verdict">{"✔ Every checksum equals the reference (each task recomputed in one go): the work was really done, and done right."}</p> }
    } else {
        html! { <p class="checksums disagree" id="checksums-verdict">{"✘ Checksums differ from the reference: something went wrong."}</p> }
    };
    html! {
        <section class="results" id="results">
            <h2>{format!("Last run: {} — {}", scenario_title(settings), settings.mode.label())}</h2>
            <dl class="figures">
                <dt>{"Wall time"}</dt><dd id="wall-time">{format_ms(report.wall_ms)}</dd>
                <dt>{"Speed-up"}</dt><dd id="speedup">{speedup_text}</dd>
                <dt>{"Busy per lane"}</dt>
                <dd>{ report.busy_per_lane.iter().enumerate().map(|(lane, busy)| format!("{} {:.0}%", lane_labels(settings.mode, report.busy_per_lane.len()).get(lane).cloned().unwrap_or_default(), busy * 100.0)).collect::<Vec<_>>().join(" · ") }</dd>
            </dl>
            <Timeline task_names={names} slices={report.slices.clone()} wall_ms={report.wall_ms} task_colours={colours.clone()}
                      lane_labels={lane_labels(settings.mode, report.busy_per_lane.len())} />
            <table class="task-table">
                <thead><tr><th>{"Task"}</th><th>{"Start"}</th><th>{"Finish"}</th><th>{"Checksum"}</th><th>{"Reference"}</th></tr></thead>
                <tbody>
                    { for report.tasks.iter().enumerate().map(|(task, result)| html! {
                        <tr>
                            <td><span class="swatch" style={format!("background:{}", colours.get(task).map_or(task_colour(task), String::as_str))}></span>{result.name.clone()}</td>
                            <td>{result.start_ms.map(format_ms).unwrap_or_else(|| "—".into())}</td>
                            <td>{result.end_ms.map(format_ms).unwrap_or_else(|| "stopped".into())}</td>
                            <td><code>{result.checksum.clone()}</code></td>
                            <td><code>{finished.reference.get(task).map(|checksum| checksum_hex(*checksum)).unwrap_or_default()}</code></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            {agreement}
            if report.page_was_hidden {
                <p class="notice" id="hidden-warning">{"This run happened while the page was in a background tab: the browser slows down timers and frames there, so its times are not comparable with runs in a visible tab."}</p>
            }
            <div class="actions">
                <button id="export-run" onclick={export}>{"Export run (JSON)"}</button>
                <ExportButtons data={run_export_data(settings, finished)} id_prefix="run" />
            </div>
        </section>
    }
}
