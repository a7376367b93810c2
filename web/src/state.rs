//! The page's state and everything that changes it: [`AppState`], [`Action`] and the reducer (the yew
//! `function_todomvc` pattern). Pure: no page APIs. The URL, history, timers and runs are effects at the edge
//! (`app.rs` wires them, `browser.rs` touches the page); what they learn comes back here as an [`Action`].
//!
//! The first state is built from a query string passed in, so the whole state machine is unit-tested natively.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use tasklab_core::codec::{encode_scenario, ScenarioFile};
use tasklab_core::predict::{PredictSettings, UnitCosts};
use tasklab_core::presets::Preset;
use tasklab_core::scenario::Scenario;
use tasklab_core::settings::{
    parse_query, LearnLink, Mode, Notice, Placement, Settings, View, MAX_SLICE_MS, MIN_SLICE_MS,
};
use tasklab_engine::plan::ExecutorPlan;
use yew::Reducible;

use crate::compare::{ComparePlan, Comparison, RunRow};
use crate::error::PageError;
use crate::run::{ActiveRun, FinishedRun};

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

/// Whether the page can run a mode.
#[derive(Debug, Clone, PartialEq)]
pub enum Availability {
    /// It can run now.
    Now,
    /// Once the workers have started.
    WhenWorkersStart,
    /// Never on this page: why.
    Never(String),
}

/// The one rule deciding which modes this page can run: a mode that needs the worker pool runs when the pool is
/// ready; the others always.
pub fn availability(mode: Mode, pool: &PoolStatus) -> Availability {
    if !ExecutorPlan::new(mode, 1, 1).needs_pool() {
        return Availability::Now;
    }
    match pool {
        PoolStatus::Ready => Availability::Now,
        PoolStatus::Starting => Availability::WhenWorkersStart,
        PoolStatus::Unavailable(reason) => Availability::Never(reason.clone()),
    }
}

/// The mode used when the one asked for can never run here.
pub const FALLBACK_MODE: Mode = Mode::Multitasking;

/// Why the workers (with their placement) and the time slice do nothing in `mode`, if they do nothing there (the
/// page disables them and says why). Workers serve only a plan that needs the pool; the slice is how long the page's
/// thread computes before it yields, and only multitasking yields (a no-yield task keeps the thread for its turn).
pub fn unused_controls(mode: Mode) -> (Option<&'static str>, Option<&'static str>) {
    let workers = (!ExecutorPlan::new(mode, 1, 1).needs_pool()).then_some(
        "Only multiprocessing uses workers: this mode runs every task on the page's one thread.",
    );
    let slice = match mode {
        Mode::Multitasking => None,
        Mode::SingleThread => Some("Only multitasking uses the time slice: this mode never yields to the browser."),
        Mode::Multiprocessing => Some("Only multitasking uses the time slice: the tasks run on workers, and the page's thread stays free."),
    };
    (workers, slice)
}

/// A finished run that used one CPU, kept to compute speed-ups.
#[derive(Debug, Clone, PartialEq)]
pub struct OneCpuRun {
    /// Its wall time, ms.
    pub wall_ms: f64,
    /// Time the CPU was busy (slices), to calibrate unit costs.
    pub busy_ms: f64,
    /// How it ran, e.g. "multitasking, 5 ms slices".
    pub how: String,
}

/// A scenario as Undo remembers it (shared, so copying the stack copies pointers).
pub type UndoEntry = (Preset, Option<Rc<Scenario>>);

/// Most edits Undo remembers.
pub const UNDO_DEPTH: usize = 100;

/// Everything the page shows. Large parts sit behind `Rc`, so the copy the reducer makes of the state on each
/// action copies pointers, not runs.
#[derive(Clone)]
pub struct AppState {
    /// Every setting the link carries.
    pub settings: Settings,
    /// Notices for the person: bad link values, failed imports, downloads or clipboard writes.
    pub notices: Vec<Notice>,
    /// The machine's logical cores (the most workers).
    pub max_workers: u32,
    /// The worker pool.
    pub pool: PoolStatus,
    /// The run in progress.
    pub active: Option<Rc<ActiveRun>>,
    /// The last finished run.
    pub last: Option<Rc<FinishedRun>>,
    /// How far each task of the last finished run got (0 to 1, its live progress when it ended).
    pub last_progress: Rc<Vec<f64>>,
    /// The comparison under way or last made.
    pub comparison: Option<Rc<Comparison>>,
    /// Every run of this tab, oldest first (the runs table).
    pub history: Rc<Vec<RunRow>>,
    /// The last one-CPU run of each scenario, keyed by [`scenario_key`].
    pub one_cpu_runs: Rc<HashMap<String, OneCpuRun>>,
    /// `run=1`: run as soon as the chosen mode can.
    pub autorun_pending: bool,
    /// Result of Copy link (a failure also leaves a notice).
    pub copy_status: Option<String>,
    /// Earlier scenarios, most recent last, for Undo.
    pub undo: Rc<VecDeque<UndoEntry>>,
    /// Whether the next URL change adds a history entry (a new preset or an import) instead of replacing it.
    pub push_history: bool,
}

/// Everything that changes the page.
// Predict's settings make one variant larger than the rest; actions come a few times a second, one at a time,
// so the size costs nothing worth an extra allocation per action.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Action {
    /// The scenario control changed.
    SetPreset(Preset),
    /// The mode control changed.
    SetMode(Mode),
    /// The workers control changed.
    SetWorkers(u32),
    /// The placement control changed (pinned by the policy, or rayon's work stealing).
    SetPlacement(Placement),
    /// The time slice control changed.
    SetSlice(u32),
    /// The pool finished starting, or failed (why).
    PoolStarted(Result<(), String>),
    /// A run began.
    RunStarted(Rc<ActiveRun>),
    /// The run ended.
    RunFinished(Box<FinishedRun>),
    /// The view changed (main or compare).
    SetView(View),
    /// A comparison began.
    CompareStarted(Rc<ComparePlan>),
    /// A run of a comparison ended: the index of its configuration, and the run.
    CompareRunFinished(usize, Rc<FinishedRun>),
    /// The comparison ended (all its runs made, or stopped).
    CompareEnded,
    /// Copy link worked, or not.
    Copied(Result<(), PageError>),
    /// Something the person asked for failed (a download, reading a file…): say so.
    Failed(PageError),
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
    /// Back/forward: the address changed to this query string.
    LoadFromUrl(String),
    /// The step-through's or the quiz's link changed (a quiz's drawn seed).
    SetLearn(LearnLink),
}

/// Identity of the scenario of `settings`, for caches and comparisons: the preset id, or the custom link code.
pub fn scenario_key(settings: &Settings) -> String {
    match &settings.custom {
        Some(custom) => format!("custom:{}", encode_scenario(custom)),
        None => settings.preset.id().to_owned(),
    }
}

/// Title of the scenario of `settings`.
pub fn scenario_title(settings: &Settings) -> String {
    match &settings.custom {
        Some(_) => format!(
            "Custom scenario (from \u{201c}{}\u{201d})",
            settings.preset.title()
        ),
        None => settings.preset.title().to_owned(),
    }
}

impl AppState {
    /// The state of a page opened at `query`, on a machine with `max_workers` cores, whose pool is `pool`.
    pub fn new(query: &str, max_workers: u32, pool: PoolStatus) -> Self {
        let parsed = parse_query(query, max_workers);
        let mut state = Self {
            autorun_pending: parsed.settings.run_on_load,
            settings: parsed.settings,
            notices: parsed.notices,
            max_workers,
            pool,
            active: None,
            last: None,
            last_progress: Rc::default(),
            comparison: None,
            history: Rc::default(),
            one_cpu_runs: Rc::default(),
            copy_status: None,
            undo: Rc::default(),
            push_history: false,
        };
        state.settle_mode("the link");
        state
    }

    /// Whether the page can run `mode`.
    pub fn availability(&self, mode: Mode) -> Availability {
        availability(mode, &self.pool)
    }

    /// Falls back to [`FALLBACK_MODE`] when the chosen mode can never run on this page, with a notice naming
    /// `source` (what asked for it). The one place that applies the rule.
    fn settle_mode(&mut self, source: &str) {
        if let Availability::Never(reason) = self.availability(self.settings.mode) {
            self.notices.push(Notice {
                field: "mode".into(),
                message: format!(
                    "{source} asks for {}, which this page cannot run ({reason}); using {}",
                    self.settings.mode.id(),
                    FALLBACK_MODE.id()
                ),
            });
            self.settings.mode = FALLBACK_MODE;
        }
    }

    /// Remembers the current scenario for Undo, before it changes.
    fn remember_for_undo(&mut self) {
        let undo = Rc::make_mut(&mut self.undo);
        undo.push_back((
            self.settings.preset,
            self.settings.custom.clone().map(Rc::new),
        ));
        if undo.len() > UNDO_DEPTH {
            undo.pop_front();
        }
    }

    /// Why the current scenario cannot run, if it cannot.
    pub fn scenario_problem(&self) -> Option<String> {
        self.settings
            .scenario()
            .validate()
            .err()
            .map(|error| error.to_string())
    }

    /// Whether the last finished run is of the scenario on show.
    pub fn last_run_is_of_this_scenario(&self) -> bool {
        self.last
            .as_ref()
            .is_some_and(|run| scenario_key(&run.settings) == scenario_key(&self.settings))
    }

    /// The last finished run if it is of the current scenario and ran to its end.
    pub fn last_complete_run_of_this_scenario(&self) -> Option<&FinishedRun> {
        self.last
            .as_deref()
            .filter(|run| !run.record.stopped && self.last_run_is_of_this_scenario())
    }

    /// Unit costs for predictions of the current scenario, calibrated from a real run of it: its last one-CPU run
    /// if any, else its last run (CPU time summed over workers). Without either, typical costs. With a sentence
    /// saying where they come from.
    pub fn prediction_costs(&self) -> (UnitCosts, String) {
        let typical = UnitCosts::default();
        let predicted_cpu_ms = typical.cpu_ms(&self.settings.scenario());
        if let Some(run) = self.one_cpu_runs.get(&scenario_key(&self.settings)) {
            return (
                typical.scaled(run.busy_ms / predicted_cpu_ms),
                format!(
                    "durations calibrated from the last one-CPU run of this scenario ({}).",
                    run.how
                ),
            );
        }
        if let Some(run) = self.last_complete_run_of_this_scenario() {
            return (
                typical.scaled(run.busy_ms() / predicted_cpu_ms),
                format!(
                    "durations calibrated from the last run of this scenario ({}); a one-CPU run calibrates best.",
                    ExecutorPlan::from_settings(&run.settings).describe()
                ),
            );
        }
        (
            typical,
            "durations from typical costs of a laptop core; run this scenario once to calibrate them to this machine.".to_owned(),
        )
    }

    /// Whether a run is in progress.
    pub fn is_running(&self) -> bool {
        self.active.is_some() || self.comparison.as_ref().is_some_and(|c| !c.ended)
    }

    /// Why Run cannot start now, if it cannot.
    pub fn run_blocker(&self) -> Option<&'static str> {
        if self.is_running() {
            return Some("a run is in progress");
        }
        if self.scenario_problem().is_some() {
            return Some("the scenario is not valid");
        }
        match self.availability(self.settings.mode) {
            Availability::Now => None,
            Availability::WhenWorkersStart => Some("the workers are still starting"),
            Availability::Never(_) => Some("workers are unavailable on this page"),
        }
    }

    /// Whether `run=1` should start a run now.
    pub fn should_autorun(&self) -> bool {
        let blocker = if self.settings.view == View::Compare {
            self.compare_blocker()
        } else {
            self.run_blocker()
        };
        self.autorun_pending && blocker.is_none()
    }

    /// Why a comparison cannot start now, if it cannot: a run in progress, a bad scenario, or workers still
    /// starting (a comparison without its multiprocessing rows would not be one; with no workers at all it runs
    /// without them and says so).
    pub fn compare_blocker(&self) -> Option<&'static str> {
        if self.is_running() {
            return Some("a run is in progress");
        }
        if self.scenario_problem().is_some() {
            return Some("the scenario is not valid");
        }
        (self.pool == PoolStatus::Starting).then_some("the workers are still starting")
    }

    fn finish_run(&mut self, finished: Rc<FinishedRun>) {
        let plan = ExecutorPlan::from_settings(&finished.settings);
        if plan.uses_one_cpu() && !finished.record.stopped {
            Rc::make_mut(&mut self.one_cpu_runs).insert(
                scenario_key(&finished.settings),
                OneCpuRun {
                    wall_ms: finished.record.wall_ms,
                    busy_ms: finished.busy_ms(),
                    how: plan.describe(),
                },
            );
        }
        let one_cpu = self
            .one_cpu_runs
            .get(&scenario_key(&finished.settings))
            .map(|run| run.wall_ms);
        Rc::make_mut(&mut self.history).push(RunRow::of(&finished, one_cpu));
        // The executor has returned: its counts are final.
        let progress = self.active.take().map(|active| active.progress.fractions());
        self.last_progress = Rc::new(progress.unwrap_or_default());
        self.last = Some(finished);
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // A new entry asked for by an earlier action must survive actions that do not change the link (the pool
        // starting, a run ending) and land before the page renders: the link is written once per render.
        let pending_push = self.push_history.then(|| self.settings.to_query(false));
        let mut next = Rc::unwrap_or_clone(self);
        next.push_history = false;
        // `run=1` is for the link as it was opened: once the user changes anything, no surprise run.
        let user_change = !matches!(
            action,
            Action::PoolStarted(_)
                | Action::RunStarted(_)
                | Action::RunFinished(_)
                | Action::CompareRunFinished(..)
                | Action::CompareEnded
                | Action::Copied(_)
                | Action::Failed(_)
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
                // The preset's story needs its policy, CPUs and (where the policy has one) quantum; the switch cost,
                // ties and hand-set MLFQ levels stay.
                let story = preset.schedule();
                next.settings.predict.policy = story.policy;
                next.settings.predict.cpus = story.cpus;
                if story.policy.uses_quantum() {
                    next.settings.predict.quantum = story.quantum;
                }
                // And its multiprocessor model (off for the presets that do not tell of one).
                next.settings.predict.queues = story.queues;
                next.settings.predict.steal_ms = story.steal_ms;
                next.settings.predict.cache = story.cache;
                next.settings.predict.working_set = story.working_set;
                next.push_history = true;
            }
            Action::EditScenario(scenario) => {
                next.remember_for_undo();
                // Editing back to the preset's own scenario makes the link short again.
                next.settings.custom =
                    (scenario != next.settings.preset.scenario()).then_some(scenario);
            }
            Action::Undo => {
                if let Some((preset, custom)) = Rc::make_mut(&mut next.undo).pop_back() {
                    next.settings.preset = preset;
                    next.settings.custom = custom.map(Rc::unwrap_or_clone);
                }
            }
            Action::ResetToPreset => {
                next.remember_for_undo();
                next.settings.custom = None;
            }
            Action::Import(file) => next.import(*file),
            Action::LoadFromUrl(query) => next.load_from_url(&query),
            Action::SetMode(mode) => next.settings.mode = mode,
            Action::SetWorkers(workers) => {
                next.settings.workers = workers.clamp(1, next.max_workers)
            }
            Action::SetPlacement(placement) => next.settings.placement = placement,
            Action::SetSlice(slice) => {
                next.settings.slice_ms = slice.clamp(MIN_SLICE_MS, MAX_SLICE_MS)
            }
            Action::PoolStarted(Ok(())) => next.pool = PoolStatus::Ready,
            Action::PoolStarted(Err(reason)) => {
                next.pool = PoolStatus::Unavailable(reason);
                next.settle_mode("the link");
            }
            Action::RunStarted(active) => {
                next.active = Some(active);
                next.autorun_pending = false;
                next.copy_status = None;
            }
            Action::RunFinished(finished) => next.finish_run(Rc::new(*finished)),
            Action::SetView(view) => next.settings.set_view(view),
            Action::SetLearn(learn) => next.settings.learn = learn,
            Action::CompareStarted(plan) => {
                next.comparison = Some(Rc::new(Comparison::new(plan)));
            }
            Action::CompareRunFinished(config, finished) => {
                if let Some(comparison) = &mut next.comparison {
                    Rc::make_mut(comparison)
                        .runs
                        .push((config, Rc::clone(&finished)));
                }
                next.finish_run(finished);
            }
            Action::CompareEnded => {
                if let Some(comparison) = &mut next.comparison {
                    Rc::make_mut(comparison).ended = true;
                }
            }
            Action::Copied(Ok(())) => next.copy_status = Some("Link copied.".to_owned()),
            Action::Copied(Err(error)) => {
                next.copy_status = Some("Not copied: see the notice above.".to_owned());
                next.notices.push(error.notice());
            }
            Action::Failed(error) => next.notices.push(error.notice()),
            Action::DismissNotices => next.notices.clear(),
            Action::SetPredict(predict) => next.settings.predict = predict,
        }
        // Keep run_on_load only for the first run of a link.
        next.settings.run_on_load = false;
        if pending_push.is_some_and(|query| query == next.settings.to_query(false)) {
            next.push_history = true;
        }
        Rc::new(next)
    }
}

mod links;
#[cfg(test)]
mod tests;
