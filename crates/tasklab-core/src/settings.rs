//! Run settings and their home in the URL query string.
//!
//! Parsing never fails: every unknown or out-of-range value falls back to its default and leaves a [`Notice`]
//! naming the field, so a mangled link still opens a working page.
//!
//! A preset stays short and readable (`?preset=two-chefs&…`); a custom scenario travels whole in `s=`, encoded by
//! [`crate::codec::encode_scenario`], next to `preset` (the preset it started from).

use std::fmt;

use crate::codec::{decode_scenario, encode_scenario};
use crate::policy::{CustomLevels, PolicyKind};
use crate::predict::{
    PredictSettings, MAX_CACHE_KIB, MAX_PREDICT_CPUS, MAX_QUANTUM, MAX_STEAL_MS, MAX_SWITCH_COST,
    MAX_WARMUP_MS, MAX_WARM_RATE,
};
use crate::presets::Preset;
use crate::quiz::{QuizError, QuizParams, MAX_COUNT};
use crate::scenario::Scenario;
use crate::sim::{CacheModel, QueueLayout};

/// Longest MLFQ boost period a link may ask for, in milliseconds.
pub const MAX_BOOST_MS: u64 = 600_000;

/// Shortest time slice of the multitasking executor, in milliseconds.
pub const MIN_SLICE_MS: u32 = 1;
/// Longest time slice, in milliseconds.
pub const MAX_SLICE_MS: u32 = 50;
/// Default time slice, in milliseconds.
pub const DEFAULT_SLICE_MS: u32 = 5;

/// How the tasks are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// One CPU (the page's main thread) switching between tasks in short slices, yielding to the browser.
    Multitasking,
    /// The tasks spread over several Web Workers running at the same time.
    Multiprocessing,
    /// The main thread runs everything without ever yielding: the page freezes.
    SingleThread,
}

impl Mode {
    /// Every mode, in display order.
    pub const ALL: [Mode; 3] = [
        Self::Multitasking,
        Self::Multiprocessing,
        Self::SingleThread,
    ];

    /// Stable identifier used in URLs and reports.
    pub fn id(self) -> &'static str {
        match self {
            Self::Multitasking => "multitasking",
            Self::Multiprocessing => "multiprocessing",
            Self::SingleThread => "single-thread",
        }
    }

    /// Parses [`Mode::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.id() == id)
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Multitasking => "Multitasking (1 CPU, time slices)",
            Self::Multiprocessing => "Multiprocessing (workers in parallel)",
            Self::SingleThread => "Single thread, no yielding",
        }
    }
}

/// How real multiprocessing places its work on the workers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Placement {
    /// Every job goes to the worker the policy's dispatcher chose.
    #[default]
    Pinned,
    /// A splittable phase's chunks are queued on one worker and rayon's work stealing spreads them.
    Stealing,
}

impl Placement {
    /// Every placement, in display order.
    pub const ALL: [Placement; 2] = [Self::Pinned, Self::Stealing];

    /// Stable identifier used in URLs and reports.
    pub fn id(self) -> &'static str {
        match self {
            Self::Pinned => "pinned",
            Self::Stealing => "stealing",
        }
    }

    /// Parses [`Placement::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|placement| placement.id() == id)
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pinned => "Placement: pinned by the policy",
            Self::Stealing => "Placement: rayon work stealing",
        }
    }
}

/// Which view the page opens on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum View {
    /// One run at a time, with Predict.
    #[default]
    Main,
    /// Every mode run one after another and shown side by side on one clock.
    Compare,
    /// Predict's simulation (or a quiz question), walked event by event or tick by tick.
    Step,
    /// A quiz: small questions drawn from a seed, graded against the simulator.
    Quiz,
    /// The teacher's page: verifies a quiz's result code.
    QuizCheck,
}

impl View {
    /// Stable identifier used in URLs.
    pub fn id(self) -> &'static str {
        match self {
            Self::Main => "main",
            Self::Compare => "compare",
            Self::Step => "step",
            Self::Quiz => "quiz",
            Self::QuizCheck => "quiz-check",
        }
    }

    /// Every view, in the order the page lists them.
    pub const ALL: [View; 5] = [
        Self::Main,
        Self::Compare,
        Self::Step,
        Self::Quiz,
        Self::QuizCheck,
    ];

    /// Parses [`View::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|view| view.id() == id)
    }

    /// The views for learning (step-through, quiz, quiz check): no run controls, and a quiz link's parameters
    /// travel with them.
    pub fn is_learning(self) -> bool {
        matches!(self, Self::Step | Self::Quiz | Self::QuizCheck)
    }
}

/// The step-through's and the quizzes' part of a link (`quiz`, `level`, `count`, the overrides, `q`, `tick`,
/// `code`). Kept only while a learning view is on show ([`Settings::set_view`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LearnLink {
    /// The quiz's parameters, read by [`QuizParams::parse_query`]: present when the link has a `quiz` (or asks
    /// for a quiz view); `policy`, `quantum` and `cpus` are then the quiz's overrides.
    pub quiz: Option<QuizParams>,
    /// Whether `quiz=` gave a seed (without one the page draws a seed and writes it in the address bar).
    pub seed_given: bool,
    /// `q=`: the question of the quiz that `view=step` steps through (0 first).
    pub question: usize,
    /// `tick=`: the tick the step-through opens at (the page clamps it to the run, with a notice).
    pub tick: Option<u64>,
    /// `code=`: a result code for `view=quiz-check`.
    pub code: Option<String>,
}

impl LearnLink {
    /// The quiz of a link with a seed, if any.
    pub fn seeded_quiz(&self) -> Option<&QuizParams> {
        self.quiz.as_ref().filter(|_| self.seed_given)
    }
}

/// Runs per configuration of a comparison unless the link says otherwise.
pub const DEFAULT_COMPARE_REPEAT: u32 = 3;

/// Everything a link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Which built-in scenario (with a custom scenario: the preset it started from).
    pub preset: Preset,
    /// A scenario of the user's own, which replaces the preset's; none = the preset's scenario.
    pub custom: Option<Scenario>,
    /// How to run it.
    pub mode: Mode,
    /// Workers for multiprocessing (1..=the machine's hardware concurrency).
    pub workers: u32,
    /// How multiprocessing places its work (in links only when not pinned).
    pub placement: Placement,
    /// Multitasking time slice in milliseconds.
    pub slice_ms: u32,
    /// Start a run as soon as the page has loaded.
    pub run_on_load: bool,
    /// What the Predict view simulates.
    pub predict: PredictSettings,
    /// The view the page shows.
    pub view: View,
    /// Compare: the worker counts to measure (none = [`crate::compare::default_worker_counts`]).
    pub compare_workers: Option<Vec<u32>>,
    /// Compare: runs of each configuration (the table shows their median and spread).
    pub compare_repeat: u32,
    /// The step-through's and the quizzes' parameters.
    pub learn: LearnLink,
}

impl Settings {
    /// Defaults on a machine with `max_workers` hardware threads.
    pub fn defaults(max_workers: u32) -> Self {
        Self {
            preset: Preset::ReadingWhileTexting,
            custom: None,
            mode: Mode::Multitasking,
            workers: max_workers.max(1),
            placement: Placement::Pinned,
            slice_ms: DEFAULT_SLICE_MS,
            run_on_load: false,
            predict: PredictSettings::default(),
            view: View::Main,
            compare_workers: None,
            compare_repeat: DEFAULT_COMPARE_REPEAT,
            learn: LearnLink::default(),
        }
    }

    /// Shows `view`. Leaving the learning views drops the quiz's and the step-through's parameters, so the
    /// main view's link and a later step-through are of the scenario again.
    pub fn set_view(&mut self, view: View) {
        if !view.is_learning() {
            self.learn = LearnLink::default();
        }
        self.view = view;
    }

    /// The scenario to run: the custom one, or else the preset's.
    pub fn scenario(&self) -> Scenario {
        match &self.custom {
            Some(custom) => custom.clone(),
            None => self.preset.scenario(),
        }
    }

    /// The query string (without `?`) that restores these settings; `run=1` is only added when asked for.
    /// Prediction settings appear only when they differ from their defaults, to keep links short; a custom
    /// scenario comes last, as `s`.
    pub fn to_query(&self, include_run: bool) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        // A quiz link carries only the quiz: its policy, quantum and CPUs are the quiz's overrides.
        if let Some(quiz) = self.learn.seeded_quiz().filter(|_| self.view.is_learning()) {
            query.append_pair("view", self.view.id());
            let mut text = query.finish();
            text.push('&');
            text.push_str(&quiz.to_query());
            let mut rest = form_urlencoded::Serializer::new(String::new());
            self.append_learn(&mut rest);
            let rest = rest.finish();
            if !rest.is_empty() {
                text.push('&');
                text.push_str(&rest);
            }
            return text;
        }
        query
            .append_pair("preset", self.preset.id())
            .append_pair("mode", self.mode.id())
            .append_pair("workers", &self.workers.to_string())
            .append_pair("slice", &self.slice_ms.to_string());
        if self.placement != Placement::Pinned {
            query.append_pair("placement", self.placement.id());
        }
        let predict = &self.predict;
        let defaults = PredictSettings::default();
        if predict.policy != defaults.policy {
            query.append_pair("policy", predict.policy.id());
        }
        if predict.quantum != u64::from(self.slice_ms) {
            query.append_pair("quantum", &predict.quantum.to_string());
        }
        if predict.cpus != defaults.cpus {
            query.append_pair("cpus", &predict.cpus.to_string());
        }
        if predict.switch_cost != defaults.switch_cost {
            query.append_pair("switch", &predict.switch_cost.to_string());
        }
        if let Some(levels) = &predict.mlfq_levels {
            query.append_pair("levels", &levels.to_param());
        }
        if let Some(boost) = predict.boost_ms {
            query.append_pair("boost", &boost.to_string());
        }
        if let Some(aging) = predict.aging_ms {
            query.append_pair("aging", &aging.to_string());
        }
        if predict.queues == QueueLayout::PerCpu {
            query.append_pair("queues", QUEUES_PER_CPU);
        }
        if predict.steal_ms != defaults.steal_ms {
            query.append_pair("steal", &predict.steal_ms.to_string());
        }
        if let Some(cache) = &predict.cache {
            query.append_pair("cache", &cache_param(cache));
        }
        if predict.working_set != defaults.working_set {
            query.append_pair("wset", &predict.working_set.to_string());
        }
        if predict.ostep {
            query.append_pair("ties", "ostep");
        } else if predict.arrival_before_preempted != defaults.arrival_before_preempted {
            query.append_pair("ties", ties_id(predict.arrival_before_preempted));
        }
        if self.view != View::Main {
            query.append_pair("view", self.view.id());
        }
        if self.view.is_learning() {
            self.append_learn(&mut query);
        }
        if let Some(workers) = &self.compare_workers {
            let list: Vec<String> = workers.iter().map(u32::to_string).collect();
            query.append_pair("compare_workers", &list.join(","));
        }
        if self.compare_repeat != DEFAULT_COMPARE_REPEAT {
            query.append_pair("compare_repeat", &self.compare_repeat.to_string());
        }
        if include_run {
            query.append_pair("run", "1");
        }
        if let Some(custom) = &self.custom {
            query.append_pair("s", &encode_scenario(custom));
        }
        query.finish()
    }

    /// `q`, `tick` and `code` of a learning view, when set.
    fn append_learn(&self, query: &mut form_urlencoded::Serializer<'_, String>) {
        let learn = &self.learn;
        if self.view == View::Step && learn.seeded_quiz().is_some() && learn.question > 0 {
            query.append_pair("q", &learn.question.to_string());
        }
        if let Some(tick) = learn.tick.filter(|_| self.view == View::Step) {
            query.append_pair("tick", &tick.to_string());
        }
        if let Some(code) = learn.code.as_ref().filter(|_| self.view == View::QuizCheck) {
            query.append_pair("code", code);
        }
    }
}

/// Something in a link that could not be used as it was, and what was done instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The query parameter.
    pub field: String,
    /// What was wrong and what was used instead.
    pub message: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Settings read from a link, with a notice for every value that had to be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSettings {
    /// The usable settings.
    pub settings: Settings,
    /// What was replaced, in the order met.
    pub notices: Vec<Notice>,
}

/// Longest value quoted back in a notice, so a huge parameter cannot flood the page.
const QUOTED_VALUE_CHARS: usize = 40;

fn quoted(value: &str) -> String {
    let mut shown: String = value.chars().take(QUOTED_VALUE_CHARS).collect();
    if value.chars().count() > QUOTED_VALUE_CHARS {
        shown.push('…');
    }
    format!("\u{201c}{shown}\u{201d}")
}

/// `queues=` values.
const QUEUES_SHARED: &str = "shared";
const QUEUES_PER_CPU: &str = "per-cpu";

/// A cache as `SIZE:WARMUP:RATE`, e.g. `100:5:2`.
pub fn cache_param(cache: &CacheModel) -> String {
    format!("{}:{}:{}", cache.size, cache.warmup, cache.warm_rate)
}

/// Parses [`cache_param`], within the page's limits.
pub fn parse_cache(value: &str) -> Option<CacheModel> {
    let mut parts = value.split(':');
    let size = parse_in_range(parts.next()?, 0, MAX_CACHE_KIB)?;
    let warmup = parse_in_range(parts.next()?, 0, MAX_WARMUP_MS)?;
    let warm_rate = parse_in_range(parts.next()?, 1, MAX_WARM_RATE)?;
    parts.next().is_none().then_some(CacheModel {
        size,
        warmup,
        warm_rate,
    })
}

fn parse_in_range<T: std::str::FromStr + PartialOrd>(value: &str, min: T, max: T) -> Option<T> {
    value
        .trim()
        .parse::<T>()
        .ok()
        .filter(|number| *number >= min && *number <= max)
}

/// URL value of the tie convention.
fn ties_id(arrival_before_preempted: bool) -> &'static str {
    if arrival_before_preempted {
        "arrival-first"
    } else {
        "preempted-first"
    }
}

/// Reads settings from a query string (with or without the leading `?`).
///
/// `max_workers` is the machine's hardware concurrency; a larger `workers` value is replaced by it.
pub fn parse_query(query: &str, max_workers: u32) -> ParsedSettings {
    let max_workers = max_workers.max(1);
    let defaults = Settings::defaults(max_workers);
    let mut settings = defaults.clone();
    let mut notices = Vec::new();
    // The notice of a damaged scenario names the preset used instead, known only once every field is read: its
    // place is kept with an empty message, filled in after the loop.
    let mut scenario_errors = Vec::new();
    let mut notice = |field: &str, message: String| {
        notices.push(Notice {
            field: field.to_owned(),
            message,
        })
    };
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut quantum_given = false;
    let mut quiz_given = false;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "preset" => match Preset::from_id(&value) {
                Some(preset) => settings.preset = preset,
                None => {
                    let known: Vec<&str> = Preset::ALL.iter().map(|preset| preset.id()).collect();
                    notice(
                        "preset",
                        format!(
                            "unknown preset {}; using \u{201c}{}\u{201d} (known: {})",
                            quoted(&value),
                            defaults.preset.id(),
                            known.join(", ")
                        ),
                    );
                }
            },
            "mode" => match Mode::from_id(&value) {
                Some(mode) => settings.mode = mode,
                None => notice(
                    "mode",
                    format!(
                        "unknown mode {}; using \u{201c}{}\u{201d}",
                        quoted(&value),
                        defaults.mode.id()
                    ),
                ),
            },
            "workers" => match parse_in_range(&value, 1, max_workers) {
                Some(workers) => settings.workers = workers,
                None => notice(
                    "workers",
                    format!(
                        "{} is not a whole number from 1 to {max_workers} (this machine's cores); using {}",
                        quoted(&value),
                        defaults.workers
                    ),
                ),
            },
            "placement" => match Placement::from_id(&value) {
                Some(placement) => settings.placement = placement,
                None => notice(
                    "placement",
                    format!(
                        "{} should be pinned or stealing; using \u{201c}{}\u{201d}",
                        quoted(&value),
                        defaults.placement.id()
                    ),
                ),
            },
            "slice" => match parse_in_range(&value, MIN_SLICE_MS, MAX_SLICE_MS) {
                Some(slice_ms) => settings.slice_ms = slice_ms,
                None => notice(
                    "slice",
                    format!(
                        "{} is not a whole number of milliseconds from {MIN_SLICE_MS} to {MAX_SLICE_MS}; using {}",
                        quoted(&value),
                        defaults.slice_ms
                    ),
                ),
            },
            "policy" => match PolicyKind::from_id(&value) {
                Some(policy) => settings.predict.policy = policy,
                None => {
                    notice(
                        "policy",
                        format!(
                            "unknown policy {}; using \u{201c}{}\u{201d} (known: {})",
                            quoted(&value),
                            defaults.predict.policy.id(),
                            PolicyKind::id_list()
                        ),
                    );
                }
            },
            "quantum" => match parse_in_range(&value, 1, MAX_QUANTUM) {
                Some(quantum) => {
                    settings.predict.quantum = quantum;
                    quantum_given = true;
                }
                None => notice(
                    "quantum",
                    format!(
                        "{} is not a whole number of ms from 1 to {MAX_QUANTUM}; using {}",
                        quoted(&value),
                        defaults.predict.quantum
                    ),
                ),
            },
            "cpus" => match parse_in_range(&value, 1, MAX_PREDICT_CPUS) {
                Some(cpus) => settings.predict.cpus = cpus,
                None => notice(
                    "cpus",
                    format!(
                        "{} is not a whole number from 1 to {MAX_PREDICT_CPUS}; using {}",
                        quoted(&value),
                        defaults.predict.cpus
                    ),
                ),
            },
            "switch" => match parse_in_range(&value, 0, MAX_SWITCH_COST) {
                Some(cost) => settings.predict.switch_cost = cost,
                None => notice(
                    "switch",
                    format!(
                        "{} is not a whole number of ms from 0 to {MAX_SWITCH_COST}; using {}",
                        quoted(&value),
                        defaults.predict.switch_cost
                    ),
                ),
            },
            "ties" => match value.as_ref() {
                "arrival-first" => {
                    settings.predict.arrival_before_preempted = true;
                    settings.predict.ostep = false;
                }
                "preempted-first" => {
                    settings.predict.arrival_before_preempted = false;
                    settings.predict.ostep = false;
                }
                "ostep" => {
                    settings.predict.arrival_before_preempted = false;
                    settings.predict.ostep = true;
                }
                other => notice(
                    "ties",
                    format!(
                        "{} should be arrival-first, preempted-first or ostep; using {}",
                        quoted(other),
                        ties_id(defaults.predict.arrival_before_preempted)
                    ),
                ),
            },
            "levels" => match CustomLevels::parse(&value, MAX_QUANTUM) {
                Ok(levels) => settings.predict.mlfq_levels = Some(levels),
                Err(problem) => notice(
                    "levels",
                    format!(
                        "{}: {problem}; write quantum:allotment per level in ms, e.g. 5:10,10:20,20; using the \
                         levels made from the quantum",
                        quoted(&value)
                    ),
                ),
            },
            "boost" => match parse_in_range(&value, 0, MAX_BOOST_MS) {
                Some(boost) => settings.predict.boost_ms = Some(boost),
                None => notice(
                    "boost",
                    format!(
                        "{} is not a whole number of ms from 0 (no boost) to {MAX_BOOST_MS}; boosting every 50 quanta",
                        quoted(&value)
                    ),
                ),
            },
            "queues" => match value.as_ref() {
                QUEUES_PER_CPU => settings.predict.queues = QueueLayout::PerCpu,
                QUEUES_SHARED => settings.predict.queues = QueueLayout::Shared,
                other => notice(
                    "queues",
                    format!(
                        "{} is not {QUEUES_SHARED} or {QUEUES_PER_CPU}; one shared queue",
                        quoted(other)
                    ),
                ),
            },
            "steal" => match parse_in_range(&value, 0, MAX_STEAL_MS) {
                Some(steal) => settings.predict.steal_ms = steal,
                None => notice(
                    "steal",
                    format!(
                        "{} is not a whole number of ms from 0 (no stealing) to {MAX_STEAL_MS}; no stealing",
                        quoted(&value)
                    ),
                ),
            },
            "cache" => match parse_cache(&value) {
                Some(cache) => settings.predict.cache = Some(cache),
                None => notice(
                    "cache",
                    format!(
                        "{} is not SIZE:WARMUP:RATE (KiB up to {MAX_CACHE_KIB}, ms up to {MAX_WARMUP_MS}, \
                         rate 1 to {MAX_WARM_RATE}), e.g. 100:5:2; no cache",
                        quoted(&value)
                    ),
                ),
            },
            "wset" => match parse_in_range(&value, 0, MAX_CACHE_KIB) {
                Some(working_set) => settings.predict.working_set = working_set,
                None => notice(
                    "wset",
                    format!(
                        "{} is not a whole number of KiB from 0 to {MAX_CACHE_KIB}; 0",
                        quoted(&value)
                    ),
                ),
            },
            "aging" => match parse_in_range(&value, 1, MAX_BOOST_MS) {
                Some(aging) => settings.predict.aging_ms = Some(aging),
                None => notice(
                    "aging",
                    format!(
                        "{} is not a whole number of ms from 1 to {MAX_BOOST_MS}; no aging",
                        quoted(&value)
                    ),
                ),
            },
            "s" => match decode_scenario(&value) {
                Ok(scenario) => settings.custom = Some(scenario),
                Err(error) => {
                    settings.custom = None;
                    scenario_errors.push(error);
                    notice("s", String::new());
                }
            },
            "view" => match View::from_id(&value) {
                Some(view) => settings.view = view,
                None => {
                    let known: Vec<&str> = View::ALL.iter().map(|view| view.id()).collect();
                    notice(
                        "view",
                        format!(
                            "{} is not one of {}; the main view",
                            quoted(&value),
                            known.join(", ")
                        ),
                    )
                }
            },
            // Read with the quiz's own rules after the loop.
            "quiz" | "level" | "count" | "code" => quiz_given = true,
            "q" => match parse_in_range(&value, 0, MAX_COUNT - 1) {
                Some(question) => settings.learn.question = question,
                None => notice(
                    "q",
                    format!(
                        "{} is not a question number from 0 to {}; the first question",
                        quoted(&value),
                        MAX_COUNT - 1
                    ),
                ),
            },
            "tick" => match parse_in_range(&value, 0, u64::MAX) {
                Some(tick) => settings.learn.tick = Some(tick),
                None => notice(
                    "tick",
                    format!(
                        "{} is not a whole number of ticks; the start of the run",
                        quoted(&value)
                    ),
                ),
            },
            // Workers beyond the cores are allowed here, up to twice as many, to show they do not help.
            "compare_workers" => {
                match crate::compare::parse_worker_counts(&value, max_workers.saturating_mul(2)) {
                    Ok(workers) => settings.compare_workers = Some(workers),
                    Err(problem) => notice(
                        "compare_workers",
                        format!("{problem}; the default worker counts"),
                    ),
                }
            }
            "compare_repeat" => {
                match parse_in_range(&value, 1, crate::compare::MAX_COMPARE_REPEAT) {
                    Some(repeat) => settings.compare_repeat = repeat,
                    None => notice(
                        "compare_repeat",
                        format!(
                            "{} is not a whole number from 1 to {}; {DEFAULT_COMPARE_REPEAT} runs each",
                            quoted(&value),
                            crate::compare::MAX_COMPARE_REPEAT
                        ),
                    ),
                }
            }
            "run" => match value.as_ref() {
                "1" | "true" => settings.run_on_load = true,
                "0" | "false" => settings.run_on_load = false,
                other => notice(
                    "run",
                    format!("{} should be 1 or 0; not running on load", quoted(other)),
                ),
            },
            other => notice(other, "unknown parameter; ignored".to_owned()),
        }
    }
    // Links from before the policy governed real runs: their real run was round robin with the slice as quantum,
    // so a link without a quantum keeps that meaning (and links made now omit the quantum only when it equals
    // the slice).
    if !quantum_given {
        settings.predict.quantum = u64::from(settings.slice_ms);
    }
    if quiz_given || matches!(settings.view, View::Quiz | View::QuizCheck) {
        read_quiz(query, &mut settings.learn, &mut notices);
    }
    let scenario_notices = notices
        .iter_mut()
        .filter(|notice| notice.field == "s" && notice.message.is_empty());
    for (notice, error) in scenario_notices.zip(scenario_errors) {
        notice.message = match settings.custom {
            Some(_) => format!("this scenario link is damaged ({error}); ignored"),
            None => format!(
                "the scenario link is damaged ({error}); the preset \u{201c}{}\u{201d} was used instead",
                settings.preset.id()
            ),
        };
    }
    ParsedSettings { settings, notices }
}

/// The quiz's part of a link into `learn`. Its `policy`, `quantum` and `cpus` are the quiz's overrides, read
/// with the quiz's limits: their notices replace the ones the page's own limits gave.
fn read_quiz(query: &str, learn: &mut LearnLink, notices: &mut Vec<Notice>) {
    let parsed = QuizParams::parse_query(query);
    notices.retain(|notice| !["policy", "quantum", "cpus"].contains(&notice.field.as_str()));
    for problem in parsed.notices {
        let (field, message) = match problem {
            QuizError::BadParameter { field, message } => (field.to_owned(), message),
            other => ("quiz".to_owned(), other.to_string()),
        };
        notices.push(Notice { field, message });
    }
    learn.quiz = Some(parsed.params);
    learn.seed_given = parsed.seed_given;
    learn.code = parsed.code;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_query_restores_every_field() {
        let parsed = parse_query(
            "?preset=two-chefs&mode=multiprocessing&workers=2&placement=stealing&slice=7&run=1",
            4,
        );
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        assert_eq!(
            parsed.settings,
            Settings {
                preset: Preset::TwoChefs,
                custom: None,
                mode: Mode::Multiprocessing,
                workers: 2,
                placement: Placement::Stealing,
                slice_ms: 7,
                run_on_load: true,
                // A link without a quantum: the slice, as the real run used before policies governed it.
                predict: PredictSettings {
                    quantum: 7,
                    ..PredictSettings::default()
                },
                view: View::Main,
                compare_workers: None,
                compare_repeat: DEFAULT_COMPARE_REPEAT,
                learn: Default::default(),
            }
        );
    }

    #[test]
    fn mlfq_levels_and_boost_travel_in_links_and_bad_ones_leave_notices() {
        let parsed = parse_query("policy=mlfq&levels=4:8,8:16,32&boost=300", 2);
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        let predict = parsed.settings.predict;
        assert_eq!(predict.boost_ms, Some(300));
        let Some(levels) = predict.mlfq_levels else {
            panic!("levels read");
        };
        assert_eq!(levels.to_param(), "4:8,8:16,32");
        let query = parsed.settings.to_query(false);
        assert!(
            query.contains("levels=4%3A8%2C8%3A16%2C32") && query.contains("boost=300"),
            "{query}"
        );
        assert_eq!(parse_query(&query, 2).settings, parsed.settings);
        let aging = parse_query("policy=priority&aging=20", 2).settings;
        assert_eq!(aging.predict.aging_ms, Some(20));
        assert!(aging.to_query(false).contains("aging=20"));
        assert_eq!(parse_query("aging=0", 2).notices[0].field, "aging");
        let bad = parse_query("levels=4:x&boost=-1", 2);
        let fields: Vec<&str> = bad
            .notices
            .iter()
            .map(|notice| notice.field.as_str())
            .collect();
        assert_eq!(fields, ["levels", "boost"]);
        assert_eq!(bad.settings.predict.mlfq_levels, None);
    }

    #[test]
    fn ties_ostep_selects_the_ostep_conventions_and_round_trips() {
        let settings = parse_query("preset=convoy&policy=mlfq&ties=ostep&cpus=1", 2).settings;
        assert!(settings.predict.ostep);
        assert!(settings.predict.conventions().is_ostep());
        let query = settings.to_query(false);
        assert!(query.contains("ties=ostep"), "{query}");
        assert_eq!(parse_query(&query, 2).settings, settings);
    }

    #[test]
    fn the_quantum_defaults_to_the_slice_and_round_trips() {
        let old_link = parse_query("preset=convoy&slice=10", 2).settings;
        assert_eq!(old_link.predict.quantum, 10);
        assert!(!old_link.to_query(false).contains("quantum"));
        let mut settings = old_link.clone();
        settings.predict.quantum = 4;
        let query = settings.to_query(false);
        assert!(query.contains("quantum=4"), "{query}");
        assert_eq!(parse_query(&query, 2).settings, settings);
    }

    #[test]
    fn prediction_settings_are_read_and_default_ones_stay_out_of_links() {
        let parsed = parse_query(
            "policy=mlfq&quantum=3&cpus=8&switch=2&ties=preempted-first",
            2,
        );
        assert!(parsed.notices.is_empty());
        let predict = parsed.settings.predict;
        assert_eq!(predict.policy, PolicyKind::Mlfq);
        assert_eq!(
            (predict.quantum, predict.cpus, predict.switch_cost),
            (3, 8, 2)
        );
        assert!(!predict.arrival_before_preempted);
        let short = Settings::defaults(2).to_query(false);
        assert_eq!(
            short,
            "preset=reading-texts&mode=multitasking&workers=2&slice=5"
        );
    }

    #[test]
    fn empty_query_gives_defaults_without_notices() {
        let parsed = parse_query("", 8);
        assert_eq!(parsed.settings, Settings::defaults(8));
        assert!(parsed.notices.is_empty());
    }

    #[test]
    fn settings_round_trip_through_the_query() {
        for preset in Preset::ALL {
            for mode in Mode::ALL {
                for policy in PolicyKind::ALL {
                    let settings = Settings {
                        preset,
                        custom: None,
                        mode,
                        workers: 3,
                        placement: if mode == Mode::Multiprocessing {
                            Placement::Stealing
                        } else {
                            Placement::Pinned
                        },
                        slice_ms: 12,
                        run_on_load: true,
                        predict: PredictSettings {
                            policy,
                            quantum: 7,
                            cpus: 16,
                            switch_cost: 1,
                            arrival_before_preempted: false,
                            ostep: false,
                            mlfq_levels: None,
                            boost_ms: None,
                            aging_ms: None,
                            queues: QueueLayout::PerCpu,
                            steal_ms: 10,
                            cache: Some(CacheModel {
                                size: 100,
                                warmup: 5,
                                warm_rate: 2,
                            }),
                            working_set: 40,
                        },
                        view: View::Compare,
                        compare_workers: Some(vec![1, 3, 8]),
                        compare_repeat: 2,
                        learn: Default::default(),
                    };
                    let parsed = parse_query(&settings.to_query(true), 4);
                    assert!(parsed.notices.is_empty());
                    assert_eq!(parsed.settings, settings);
                }
            }
        }
    }

    #[test]
    fn each_bad_value_names_its_field_and_falls_back() {
        let cases = [
            ("preset=nope", "preset"),
            ("mode=quantum", "mode"),
            ("workers=0", "workers"),
            ("workers=99", "workers"),
            ("workers=-1", "workers"),
            ("workers=two", "workers"),
            ("placement=bogus", "placement"),
            ("queues=both", "queues"),
            ("steal=-1", "steal"),
            ("steal=10001", "steal"),
            ("cache=100:5", "cache"),
            ("cache=100:5:0", "cache"),
            ("cache=100:5:2:1", "cache"),
            ("wset=big", "wset"),
            ("view=graph", "view"),
            ("compare_workers=1,x", "compare_workers"),
            ("compare_workers=0", "compare_workers"),
            ("compare_workers=9", "compare_workers"),
            ("compare_repeat=0", "compare_repeat"),
            ("compare_repeat=11", "compare_repeat"),
            ("slice=0", "slice"),
            ("slice=51", "slice"),
            ("slice=4.5", "slice"),
            ("slice=99999999999999999999", "slice"),
            ("run=maybe", "run"),
            ("policy=lottery", "policy"),
            ("quantum=0", "quantum"),
            ("quantum=1001", "quantum"),
            ("cpus=65", "cpus"),
            ("cpus=0", "cpus"),
            ("switch=-1", "switch"),
            ("switch=101", "switch"),
            ("ties=random", "ties"),
            ("colour=red", "colour"),
        ];
        for (query, field) in cases {
            let parsed = parse_query(query, 4);
            assert_eq!(parsed.notices.len(), 1, "{query}");
            assert_eq!(parsed.notices[0].field, field, "{query}");
            assert_eq!(parsed.settings, Settings::defaults(4), "{query}");
        }
    }

    #[test]
    fn good_fields_survive_beside_bad_ones() {
        let parsed = parse_query("preset=two-chefs&slice=%F0%9F%92%A5&mode=single-thread", 2);
        assert_eq!(parsed.settings.preset, Preset::TwoChefs);
        assert_eq!(parsed.settings.mode, Mode::SingleThread);
        assert_eq!(parsed.settings.slice_ms, DEFAULT_SLICE_MS);
        assert_eq!(parsed.notices.len(), 1);
        assert!(parsed.notices[0].message.contains('\u{1f4a5}'));
    }

    #[test]
    fn a_custom_scenario_travels_in_s_beside_its_preset() {
        let mut scenario = Preset::TwoChefs.scenario();
        scenario.tasks[0].name = "Sous-chef \u{1f373}".to_owned();
        let settings = Settings {
            preset: Preset::TwoChefs,
            custom: Some(scenario.clone()),
            ..Settings::defaults(4)
        };
        let query = settings.to_query(false);
        assert!(query.starts_with("preset=two-chefs&"), "{query}");
        assert!(query.contains("&s=1"), "{query}");
        let parsed = parse_query(&query, 4);
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        assert_eq!(parsed.settings, settings);
        assert_eq!(parsed.settings.scenario(), scenario);
        assert_eq!(
            Settings::defaults(4).scenario(),
            Preset::ReadingWhileTexting.scenario()
        );
    }

    #[test]
    fn a_damaged_scenario_falls_back_to_the_preset_with_a_notice() {
        let parsed = parse_query("s=1AAA%21&preset=cpu-batch&mode=nope", 4);
        assert_eq!(parsed.settings.custom, None);
        assert_eq!(parsed.settings.preset, Preset::CpuBatch);
        assert_eq!(parsed.notices.len(), 2);
        let notice = &parsed.notices[0];
        assert_eq!(notice.field, "s");
        assert!(notice.message.contains("damaged"), "{}", notice.message);
        assert!(
            notice.message.contains("\u{201c}cpu-batch\u{201d}"),
            "{}",
            notice.message
        );
        assert!(notice.message.contains("only A–Z"), "{}", notice.message);
        assert_eq!(parsed.notices[1].field, "mode");
    }

    #[test]
    fn mangled_query_never_panics_and_quotes_are_bounded() {
        let long = "x".repeat(10_000);
        let parsed = parse_query(&format!("preset={long}&%%%&=&&mode"), 2);
        assert!(parsed.notices[0].message.chars().count() < 400);
        assert_eq!(parsed.settings.preset, Preset::ReadingWhileTexting);
    }

    #[test]
    fn quiz_links_carry_only_the_quiz_and_round_trip() {
        let parsed = parse_query(
            "view=quiz&quiz=monday&level=2&count=3&policy=rr&preset=two-chefs",
            4,
        );
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        let settings = parsed.settings;
        assert_eq!(settings.view, View::Quiz);
        let quiz = settings.learn.seeded_quiz().expect("a seeded quiz");
        assert_eq!((quiz.level, quiz.count), (2, 3));
        let query = settings.to_query(false);
        assert_eq!(query, "view=quiz&quiz=monday&level=2&count=3&policy=rr");
        assert_eq!(parse_query(&query, 4).settings.learn, settings.learn);
    }

    #[test]
    fn the_step_through_of_a_quiz_question_keeps_its_question_and_tick() {
        let query = "view=step&quiz=7&level=3&q=2&tick=9";
        let settings = parse_query(query, 4).settings;
        assert_eq!((settings.learn.question, settings.learn.tick), (2, Some(9)));
        assert_eq!(settings.to_query(false), query);
        // A step-through of the scenario keeps its tick beside the usual settings.
        let plain = parse_query("preset=two-chefs&view=step&tick=4", 4).settings;
        assert!(plain.learn.quiz.is_none());
        assert!(
            plain.to_query(false).ends_with("&view=step&tick=4"),
            "{}",
            plain.to_query(false)
        );
    }

    #[test]
    fn bad_quiz_values_leave_the_quizs_own_notices() {
        let parsed = parse_query(
            "view=quiz&quiz=1&level=9&count=999&quantum=20&q=x&tick=-1",
            4,
        );
        let fields: Vec<&str> = parsed
            .notices
            .iter()
            .map(|notice| notice.field.as_str())
            .collect();
        assert_eq!(fields, ["q", "tick", "level", "count", "quantum"]);
        let quiz = parsed.settings.learn.quiz.expect("the quiz");
        assert_eq!(
            (quiz.level, quiz.count, quiz.options.quantum),
            (3, 10, None)
        );
        // Without a seed the page draws one; a quiz-check keeps its code.
        let check = parse_query("view=quiz-check&code=TL-1", 4).settings;
        assert!(!check.learn.seed_given);
        assert_eq!(check.learn.code.as_deref(), Some("TL-1"));
    }

    #[test]
    fn leaving_the_learning_views_drops_their_parameters() {
        let mut settings = parse_query("view=step&quiz=7&tick=3", 4).settings;
        settings.set_view(View::Quiz);
        assert!(settings.learn.seeded_quiz().is_some());
        settings.set_view(View::Main);
        assert_eq!(settings.learn, LearnLink::default());
        assert!(!settings.to_query(false).contains("quiz"));
    }
}
