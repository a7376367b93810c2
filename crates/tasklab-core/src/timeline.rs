//! The one timeline model: lanes, spans of tasks on lanes, context switches, task names, colours and figures,
//! each task's states from its arrival to its end (running, ready, waiting on I/O: [`TaskRow`]), and the unit of
//! its times; [`TimeRange`] is a stretch of its axis (the page's zoom and pan). It is built from a real run ([`Timeline::from_run`]) or from a simulation
//! ([`Timeline::from_simulation`]) and drawn by one SVG writer ([`crate::export::to_svg`]) for the page and for
//! the downloads, which also write it as a Chrome trace and as CSV.
//!
//! Times are plain numbers in the timeline's [`TimeUnit`]: milliseconds from a real run's start, or simulator
//! ticks. Names, labels and figures may come from the user: every writer escapes them.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::report::{RunRecord, Slice};
use crate::scenario::Scenario;
use crate::sim::{Burst, SimResult, SliceKind};

/// The unit of every time of a [`Timeline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Milliseconds from the start of a real run.
    Milliseconds,
    /// Simulator ticks of a prediction. Trace viewers have no such unit: the Chrome trace maps 1 tick to 1 ms.
    Ticks,
}

impl TimeUnit {
    /// The short suffix shown after a time: `ms` or `ticks`.
    pub fn suffix(self) -> &'static str {
        match self {
            TimeUnit::Milliseconds => "ms",
            TimeUnit::Ticks => "ticks",
        }
    }
}

/// One stretch of time a lane spent on one task (or, in [`Timeline::switches`], switching to it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Task index.
    pub task: usize,
    /// Lane index.
    pub lane: usize,
    /// Start, in the timeline's unit.
    pub start: f64,
    /// End, in the timeline's unit.
    pub end: f64,
}

impl From<&Slice> for Span {
    fn from(slice: &Slice) -> Self {
        Self {
            task: slice.task,
            lane: slice.lane,
            start: slice.start_ms,
            end: slice.end_ms,
        }
    }
}

/// A task as a timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimelineTask {
    /// Display name (any text; it is escaped for each format).
    pub name: String,
    /// Colour as `#rrggbb` (the SVG falls back to grey for anything else).
    pub colour: String,
    /// Free key/value figures, in display order, e.g. `("checksum", "00ab…")`, `("response", "3")`.
    pub metrics: Vec<(String, String)>,
}

/// What a task is doing at a moment between its arrival and its end, as the per-task view shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskState {
    /// On a CPU (a lane).
    Running,
    /// Ready, waiting for a CPU (this includes a context switch to it).
    Ready,
    /// Waiting on I/O (a wait phase): it could not run.
    Io,
    /// Not running, and what is known cannot tell whether it was ready or waiting on I/O: a real run records
    /// when a task ran, not when it waited, and a simulation's figures do not place its I/O bursts (see
    /// [`Timeline::with_bursts`]).
    ReadyOrIo,
}

impl TaskState {
    /// Every state, in legend order.
    pub const ALL: [TaskState; 4] = [
        TaskState::Running,
        TaskState::Ready,
        TaskState::Io,
        TaskState::ReadyOrIo,
    ];

    /// The id: the SVG class of its stretches and the CSS class of its legend swatch.
    pub fn id(self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Ready => "ready",
            TaskState::Io => "io",
            TaskState::ReadyOrIo => "ready-or-io",
        }
    }

    /// Words for people, in tooltips, legends and tables.
    pub fn label(self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Ready => "ready, waiting for a CPU",
            TaskState::Io => "waiting on I/O",
            TaskState::ReadyOrIo => "ready or waiting on I/O (not told apart)",
        }
    }
}

/// A stretch of a task's life in one [`TaskState`], in the timeline's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    /// Start.
    pub start: f64,
    /// End (after `start`).
    pub end: f64,
    /// What the task was doing.
    pub state: TaskState,
}

/// One task's life from its arrival to its end, as stretches in time order that leave no gap: running, ready,
/// waiting on I/O (see [`TaskState`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskRow {
    /// Task index.
    pub task: usize,
    /// Its stretches, in time order, each starting where the one before ends.
    pub stretches: Vec<Stretch>,
}

/// Everything there is to draw or export of one run or prediction.
///
/// Spans refer to tasks by their index in `tasks` and to lanes by their index in `lanes`; an index without an
/// entry is shown as `Task <n>` or `Lane <n + 1>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// A title, e.g. "Two chefs · multitasking".
    pub title: String,
    /// The unit of every time.
    pub unit: TimeUnit,
    /// Lane labels by lane index, e.g. "Main thread", "Worker 1", "CPU 1".
    pub lanes: Vec<String>,
    /// Tasks by task index.
    pub tasks: Vec<TimelineTask>,
    /// Stretches of time a lane spent on a task.
    pub spans: Vec<Span>,
    /// Context-switch stretches; the span's `task` is the task switched to.
    pub switches: Vec<Span>,
    /// Stretches of [`Timeline::spans`] a task ran with a cold cache (still warming up on that lane); the rest
    /// of its spans ran warm. Only for a simulation with a cache model; empty otherwise.
    pub cold: Vec<Span>,
    /// Where a task moved: a slice on another lane than the task's previous slice, as a span of length zero
    /// (`start == end`) at that slice's start on the new lane. Only for a simulation by the multiprocessor model;
    /// empty otherwise.
    pub migrations: Vec<Span>,
    /// Per task, what it was doing from its arrival to its end (the per-task view); empty when not known (a
    /// timeline made by hand, or a simulation without its trace).
    pub task_rows: Vec<TaskRow>,
    /// Length of the time axis (it extends to cover every span anyway).
    pub length: f64,
}

/// Lane labels `CPU 1` … `CPU n`.
pub fn cpu_lanes(cpus: usize) -> Vec<String> {
    (1..=cpus.max(1)).map(|cpu| format!("CPU {cpu}")).collect()
}

impl Timeline {
    /// The timeline of a real run: its slices in milliseconds on the given lanes, each task with its checksum,
    /// start and end. Its task rows run from each task's arrival to its end (to the end of the run for a task
    /// stopped before): running where it has slices, and between them [`TaskState::ReadyOrIo`], since the record
    /// does not say when a task waited; [`Timeline::knowing_waits`] tells ready time apart for tasks that never
    /// wait.
    pub fn from_run(
        title: String,
        record: &RunRecord,
        lanes: Vec<String>,
        colours: &[String],
    ) -> Self {
        let time = |ms: Option<f64>| ms.map(|ms| format!("{ms:.3}")).unwrap_or_default();
        Self {
            title,
            unit: TimeUnit::Milliseconds,
            lanes,
            tasks: record
                .tasks
                .iter()
                .enumerate()
                .map(|(index, task)| TimelineTask {
                    name: task.name.clone(),
                    colour: colour_or_palette(colours, index),
                    metrics: vec![
                        (
                            "checksum".into(),
                            task.checksum.clone().unwrap_or_else(|| "—".into()),
                        ),
                        ("first_run_ms".into(), time(task.first_run_ms)),
                        ("end_ms".into(), time(task.end_ms)),
                    ],
                })
                .collect(),
            spans: record.slices.iter().map(Span::from).collect(),
            switches: Vec::new(),
            cold: Vec::new(),
            migrations: Vec::new(),
            task_rows: run_rows(record),
            length: record.wall_ms,
        }
    }

    /// The timeline of a simulation, in ticks, one lane per CPU, each task with its scheduling figures. With a
    /// cache model, the slices run cold are also in [`Timeline::cold`]; with the multiprocessor model, every move
    /// of a task to another CPU is in [`Timeline::migrations`].
    ///
    /// Its task rows run from each task's arrival to its completion: running where the trace runs it, and between
    /// its slices ready for a task without I/O; for a task with I/O, the time after its last slice is I/O, and the
    /// rest is told apart only when its figures leave one answer (no I/O or no waiting left), else it is
    /// [`TaskState::ReadyOrIo`] — [`Timeline::with_bursts`] places every I/O burst exactly.
    pub fn from_simulation(title: String, result: &SimResult, colours: &[String]) -> Self {
        let with_cache = !result.summary.warm_ticks.is_empty();
        let mut spans = Vec::new();
        let mut switches = Vec::new();
        let mut cold = Vec::new();
        for slice in &result.trace {
            let span = |task: u32| Span {
                task: task as usize,
                lane: slice.cpu as usize,
                start: slice.start as f64,
                end: slice.end as f64,
            };
            match slice.kind {
                SliceKind::Task(task) => {
                    spans.push(span(task));
                    if with_cache && !slice.warm {
                        cold.push(span(task));
                    }
                }
                SliceKind::Switch(task) => switches.push(span(task)),
                SliceKind::Idle => {}
            }
        }
        let migrations = if result.summary.migrations.is_some() {
            migrations_of(&spans)
        } else {
            Vec::new()
        };
        Self {
            title,
            unit: TimeUnit::Ticks,
            lanes: cpu_lanes(result.summary.utilisation.len()),
            tasks: result
                .tasks
                .iter()
                .enumerate()
                .map(|(index, metrics)| TimelineTask {
                    name: metrics.name.clone(),
                    colour: colour_or_palette(colours, index),
                    metrics: vec![
                        ("arrival".into(), metrics.arrival.to_string()),
                        ("first_run".into(), metrics.first_run.to_string()),
                        ("completion".into(), metrics.completion.to_string()),
                        ("response".into(), metrics.response.to_string()),
                        ("turnaround".into(), metrics.turnaround.to_string()),
                        ("waiting".into(), metrics.waiting.to_string()),
                        ("cpu_time".into(), metrics.cpu_time.to_string()),
                    ],
                })
                .collect(),
            task_rows: simulation_rows(result, &spans),
            spans,
            switches,
            cold,
            migrations,
            length: result.summary.makespan as f64,
        }
    }

    /// The same timeline of a simulation with each task's I/O placed exactly, from the bursts the simulator ran
    /// (`bursts[task]`, indexed like its tasks; consecutive bursts of one kind count as one, as the simulator
    /// merges them): a CPU burst takes the task's running time in order, the ready time before it being ready, and
    /// an I/O burst starts where the CPU burst before it ends. A task whose bursts do not match its running time,
    /// or a timeline not in ticks, keeps the rows it had.
    pub fn with_bursts(mut self, bursts: &[Vec<Burst>]) -> Self {
        if self.unit != TimeUnit::Ticks {
            return self;
        }
        for row in &mut self.task_rows {
            let Some(bursts) = bursts.get(row.task) else {
                continue;
            };
            let arrival = row.stretches.first().map_or(0.0, |first| first.start);
            if let Some(exact) = place_bursts(arrival, &running_of(row), bursts) {
                row.stretches = exact;
            }
        }
        self
    }

    /// The same timeline of a real run of `scenario` (tasks indexed alike), knowing which tasks have wait phases:
    /// a task without one was ready whenever it was not running, so its [`TaskState::ReadyOrIo`] stretches become
    /// [`TaskState::Ready`].
    pub fn knowing_waits(mut self, scenario: &Scenario) -> Self {
        for row in &mut self.task_rows {
            let never_waits = scenario
                .tasks
                .get(row.task)
                .is_some_and(|task| task.total_wait_ms() == 0);
            if never_waits {
                for stretch in &mut row.stretches {
                    if stretch.state == TaskState::ReadyOrIo {
                        stretch.state = TaskState::Ready;
                    }
                }
            }
        }
        self
    }

    /// The task states the rows show, in legend order.
    pub fn states_shown(&self) -> Vec<TaskState> {
        let shown: BTreeSet<TaskState> = self
            .task_rows
            .iter()
            .flat_map(|row| row.stretches.iter().map(|stretch| stretch.state))
            .collect();
        shown.into_iter().collect()
    }

    /// One legend entry per task, a task split into chunks (named `Name (k/n)`, in its task's colour, as
    /// [`crate::split`] names them) shown once under its own name.
    pub fn legend(&self) -> Vec<(&str, &str)> {
        let mut entries: Vec<(&str, &str)> = Vec::new();
        for task in &self.tasks {
            let name = chunk_base(&task.name);
            if entries.last() != Some(&(name, task.colour.as_str())) {
                entries.push((name, task.colour.as_str()));
            }
        }
        entries
    }

    /// The same timeline in milliseconds, from a simulation with `ticks_per_ms` ticks in a millisecond (the drawn
    /// spans and axis; the per-task figures stay in ticks).
    pub fn in_milliseconds(mut self, ticks_per_ms: f64) -> Self {
        if !(ticks_per_ms.is_finite() && ticks_per_ms > 0.0) || self.unit == TimeUnit::Milliseconds
        {
            return self;
        }
        let all = self.spans.iter_mut().chain(self.switches.iter_mut());
        for span in all
            .chain(self.cold.iter_mut())
            .chain(self.migrations.iter_mut())
        {
            span.start /= ticks_per_ms;
            span.end /= ticks_per_ms;
        }
        for stretch in self
            .task_rows
            .iter_mut()
            .flat_map(|row| row.stretches.iter_mut())
        {
            stretch.start /= ticks_per_ms;
            stretch.end /= ticks_per_ms;
        }
        self.length /= ticks_per_ms;
        self.unit = TimeUnit::Milliseconds;
        self
    }

    /// The same timeline with its axis at least `length` long (to draw two timelines on one scale).
    pub fn at_least(mut self, length: f64) -> Self {
        if length.is_finite() && length > self.length {
            self.length = length;
        }
        self
    }

    /// The name of task `task` (`Task <n>` for an unknown index).
    pub fn task_name(&self, task: usize) -> Cow<'_, str> {
        match self.tasks.get(task) {
            Some(found) => Cow::Borrowed(found.name.as_str()),
            None => Cow::Owned(format!("Task {task}")),
        }
    }

    /// The colour of task `task` (empty for an unknown index).
    pub fn task_colour(&self, task: usize) -> &str {
        self.tasks
            .get(task)
            .map_or("", |found| found.colour.as_str())
    }

    /// The label of lane `lane` (`Lane <n + 1>` for an unknown index).
    pub fn lane_label(&self, lane: usize) -> Cow<'_, str> {
        match self.lanes.get(lane) {
            Some(label) => Cow::Borrowed(label.as_str()),
            None => Cow::Owned(format!("Lane {}", lane.saturating_add(1))),
        }
    }

    /// Every lane to show, in order: the labelled ones plus any a span uses. A set rather than `0..max` so a
    /// stray huge lane index cannot make the output huge.
    pub fn lanes_shown(&self) -> Vec<usize> {
        let labelled = self.lanes.len();
        // Most timelines use only labelled lanes: one pass over the spans tells, without a set of 100,000.
        if self.all_spans().all(|(span, _)| span.lane < labelled) {
            return (0..labelled).collect();
        }
        let mut lanes: BTreeSet<usize> = (0..labelled).collect();
        lanes.extend(self.all_spans().map(|(span, _)| span.lane));
        lanes.into_iter().collect()
    }

    /// Task spans then switch spans, each with whether it is a switch.
    pub fn all_spans(&self) -> impl Iterator<Item = (&Span, bool)> {
        self.spans
            .iter()
            .map(|span| (span, false))
            .chain(self.switches.iter().map(|span| (span, true)))
    }

    /// The length the time axis covers: the length, stretched to the last span's end; always positive and finite.
    pub fn axis_length(&self) -> f64 {
        let rows_end = self
            .task_rows
            .iter()
            .filter_map(|row| row.stretches.last())
            .map(|stretch| finite_or_zero(stretch.end));
        let last_end = self
            .all_spans()
            .map(|(span, _)| finite_or_zero(span.end))
            .chain(rows_end)
            .fold(0.0_f64, f64::max);
        let length = finite_or_zero(self.length).max(last_end);
        if length > 0.0 {
            length
        } else {
            1.0
        }
    }
}

/// A stretch of a timeline's axis to draw, `start` to `end` in the timeline's unit: the zoom and pan of the page's
/// picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    /// First time shown.
    pub start: f64,
    /// Last time shown (after `start`).
    pub end: f64,
}

impl TimeRange {
    /// The whole axis of `timeline`.
    pub fn whole(timeline: &Timeline) -> Self {
        Self {
            start: 0.0,
            end: timeline.axis_length(),
        }
    }

    /// Its length.
    pub fn len(self) -> f64 {
        self.end - self.start
    }

    /// This range zoomed by `factor` (below 1 zooms in) around `anchor` (the time that stays where it is), kept
    /// within `whole` and at least `whole`'s length ÷ 100,000 long (and a tick for ticks: `min_len`).
    pub fn zoomed(self, factor: f64, anchor: f64, whole: TimeRange, min_len: f64) -> Self {
        if !(factor.is_finite() && factor > 0.0) {
            return self;
        }
        let min_len = min_len.max(whole.len() / 100_000.0).min(whole.len());
        let len = (self.len() * factor).clamp(min_len, whole.len());
        let anchor = anchor.clamp(self.start, self.end);
        let share = if self.len() > 0.0 {
            (anchor - self.start) / self.len()
        } else {
            0.5
        };
        Self {
            start: anchor - share * len,
            end: anchor - share * len + len,
        }
        .within(whole)
    }

    /// This range moved by `delta` (later when positive), kept within `whole`.
    pub fn panned(self, delta: f64, whole: TimeRange) -> Self {
        if !delta.is_finite() {
            return self;
        }
        Self {
            start: self.start + delta,
            end: self.end + delta,
        }
        .within(whole)
    }

    /// Whether it shows all of `whole`.
    pub fn covers(self, whole: TimeRange) -> bool {
        self.start <= whole.start && self.end >= whole.end
    }

    /// Shifted (not shrunk, unless longer) to lie within `whole`.
    fn within(self, whole: TimeRange) -> Self {
        let len = self.len().min(whole.len());
        let start = self.start.clamp(whole.start, whole.end - len);
        Self {
            start,
            end: start + len,
        }
    }
}

/// The rows of a real run: each task from its arrival to its end (the run's end if it has none), running where
/// it has slices and [`TaskState::ReadyOrIo`] between them.
fn run_rows(record: &RunRecord) -> Vec<TaskRow> {
    let mut running: Vec<Vec<(f64, f64)>> = vec![Vec::new(); record.tasks.len()];
    for slice in &record.slices {
        if let Some(runs) = running.get_mut(slice.task) {
            runs.push((slice.start_ms, slice.end_ms));
        }
    }
    record
        .tasks
        .iter()
        .zip(running)
        .enumerate()
        .map(|(task, (result, runs))| {
            let end = result.end_ms.unwrap_or(record.wall_ms);
            let runs = merged(runs);
            let stretches = fill_gaps(result.arrival_ms as f64, end, &runs, |_, _| {
                TaskState::ReadyOrIo
            });
            TaskRow { task, stretches }
        })
        .collect()
}

/// The rows of a simulation (see [`Timeline::from_simulation`]); none without a trace.
fn simulation_rows(result: &SimResult, spans: &[Span]) -> Vec<TaskRow> {
    if result.trace.is_empty() {
        return Vec::new();
    }
    let mut running: Vec<Vec<(f64, f64)>> = vec![Vec::new(); result.tasks.len()];
    for span in spans {
        if let Some(runs) = running.get_mut(span.task) {
            runs.push((span.start, span.end));
        }
    }
    result
        .tasks
        .iter()
        .zip(running)
        .enumerate()
        .map(|(task, (metrics, runs))| {
            let runs = merged(runs);
            let (arrival, completion) = (metrics.arrival as f64, metrics.completion as f64);
            let last_run_end = runs.last().map_or(arrival, |run| run.1);
            // With nothing left to run after its last slice, a task still not complete is in I/O.
            let trailing_io = (completion - last_run_end).max(0.0);
            let io_left = metrics.io_time as f64 - trailing_io;
            let other = if io_left <= 0.0 {
                TaskState::Ready
            } else if metrics.waiting == 0 {
                TaskState::Io
            } else {
                TaskState::ReadyOrIo
            };
            let stretches = fill_gaps(arrival, completion, &runs, |start, _| {
                if start >= last_run_end {
                    TaskState::Io
                } else {
                    other
                }
            });
            TaskRow { task, stretches }
        })
        .collect()
}

/// Intervals sorted by start, overlapping or touching ones merged (chunks of one task may run side by side).
fn merged(mut runs: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    runs.retain(|(start, end)| start.is_finite() && end.is_finite() && end > start);
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(runs.len());
    for (start, end) in runs {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// Stretches from `from` to `to` (widened to cover `runs`): running over `runs`, and each gap in the state
/// `gap(start, end)` says.
fn fill_gaps(
    from: f64,
    to: f64,
    runs: &[(f64, f64)],
    gap: impl Fn(f64, f64) -> TaskState,
) -> Vec<Stretch> {
    let from = finite_or_zero(from).min(runs.first().map_or(f64::INFINITY, |run| run.0));
    let to = finite_or_zero(to).max(runs.last().map_or(f64::NEG_INFINITY, |run| run.1));
    let mut stretches = Vec::with_capacity(runs.len() * 2 + 1);
    let mut time = from;
    for &(start, end) in runs {
        if start > time {
            stretches.push(Stretch {
                start: time,
                end: start,
                state: gap(time, start),
            });
        }
        stretches.push(Stretch {
            start,
            end,
            state: TaskState::Running,
        });
        time = end;
    }
    if to > time {
        stretches.push(Stretch {
            start: time,
            end: to,
            state: gap(time, to),
        });
    }
    stretches
}

/// The running intervals of a row.
fn running_of(row: &TaskRow) -> Vec<(f64, f64)> {
    row.stretches
        .iter()
        .filter(|stretch| stretch.state == TaskState::Running)
        .map(|stretch| (stretch.start, stretch.end))
        .collect()
}

/// A task's stretches from its `bursts` and its running intervals (merged, in order), from `arrival`: see
/// [`Timeline::with_bursts`]. None when they do not match.
fn place_bursts(arrival: f64, runs: &[(f64, f64)], bursts: &[Burst]) -> Option<Vec<Stretch>> {
    // Within a thousandth of a tick: times are whole ticks, so this only absorbs rounding.
    const EPSILON: f64 = 1e-3;
    let mut merged_bursts: Vec<Burst> = Vec::with_capacity(bursts.len());
    for &burst in bursts.iter().filter(|burst| burst.ticks() > 0) {
        match (merged_bursts.last_mut(), burst) {
            (Some(Burst::Cpu(last)), Burst::Cpu(more))
            | (Some(Burst::Io(last)), Burst::Io(more)) => {
                *last = last.saturating_add(more);
            }
            _ => merged_bursts.push(burst),
        }
    }
    let mut stretches = Vec::new();
    let mut push = |start: f64, end: f64, state: TaskState| {
        if end > start {
            stretches.push(Stretch { start, end, state });
        }
    };
    let mut runs = runs.iter().copied();
    let mut time = arrival;
    for burst in merged_bursts {
        match burst {
            Burst::Io(ticks) => {
                push(time, time + ticks as f64, TaskState::Io);
                time += ticks as f64;
            }
            Burst::Cpu(ticks) => {
                let mut need = ticks as f64;
                while need > EPSILON {
                    let (start, end) = runs.next()?;
                    if start < time - EPSILON || end - start > need + EPSILON {
                        return None;
                    }
                    push(time, start, TaskState::Ready);
                    push(start, end, TaskState::Running);
                    need -= end - start;
                    time = end;
                }
            }
        }
    }
    runs.next().is_none().then_some(stretches)
}

/// Each task's moves to another lane: its spans in order of start, and a zero-length span at the start of each one
/// on another lane than the one before.
fn migrations_of(spans: &[Span]) -> Vec<Span> {
    let mut ordered: Vec<&Span> = spans.iter().collect();
    // Stable: spans starting together keep their trace order.
    ordered.sort_by(|a, b| a.task.cmp(&b.task).then(a.start.total_cmp(&b.start)));
    let mut migrations: Vec<Span> = ordered
        .windows(2)
        .filter(|pair| pair[0].task == pair[1].task && pair[0].lane != pair[1].lane)
        .map(|pair| Span {
            end: pair[1].start,
            ..*pair[1]
        })
        .collect();
    migrations.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.lane.cmp(&b.lane)));
    migrations
}

/// The colour at `index` of `colours`, or the palette's.
fn colour_or_palette(colours: &[String], index: usize) -> String {
    colours
        .get(index)
        .cloned()
        .unwrap_or_else(|| crate::scenario::palette_colour(index).to_owned())
}

/// The value, or 0 when it is not finite.
pub(crate) fn finite_or_zero(value: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        0.0
    }
}
/// `Name` for a chunk name `Name (k/n)`; any other name unchanged.
fn chunk_base(name: &str) -> &str {
    let Some(open) = name.rfind(" (") else {
        return name;
    };
    let digits = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    let is_chunk = name[open + 2..]
        .strip_suffix(')')
        .and_then(|fraction| fraction.split_once('/'))
        .is_some_and(|(k, n)| digits(k) && digits(n));
    if is_chunk {
        &name[..open]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::report::TaskResult;
    use crate::scenario::{Phase, TaskSpec};
    use crate::sim::{simulate, Conventions, Machine, Policy, SimScenario, SimTask};
    use crate::workload::WorkloadKind;

    /// The (state, start, end) of each stretch of `row`.
    fn states(row: &TaskRow) -> Vec<(TaskState, f64, f64)> {
        row.stretches
            .iter()
            .map(|stretch| (stretch.state, stretch.start, stretch.end))
            .collect()
    }

    fn fcfs_on_one_cpu(tasks: Vec<SimTask>) -> SimResult {
        simulate(
            &SimScenario { tasks },
            &Machine::new(1, 0),
            &Policy::Fcfs,
            &Conventions::default(),
        )
        .expect("a valid scenario")
    }

    #[test]
    fn a_convoy_shows_the_short_tasks_ready_until_the_long_one_ends() {
        let result = fcfs_on_one_cpu(vec![
            SimTask::cpu_only("long", 0, 24),
            SimTask::cpu_only("a", 1, 3),
            SimTask::cpu_only("b", 2, 3),
        ]);
        let timeline = Timeline::from_simulation("convoy".into(), &result, &[]);
        use TaskState::{Ready, Running};
        assert_eq!(states(&timeline.task_rows[0]), [(Running, 0.0, 24.0)]);
        assert_eq!(
            states(&timeline.task_rows[1]),
            [(Ready, 1.0, 24.0), (Running, 24.0, 27.0)]
        );
        assert_eq!(
            states(&timeline.task_rows[2]),
            [(Ready, 2.0, 27.0), (Running, 27.0, 30.0)]
        );
        assert_eq!(timeline.states_shown(), [Running, Ready]);
        // In milliseconds, the rows scale like the spans.
        let in_ms = timeline.in_milliseconds(10.0);
        assert_eq!(
            states(&in_ms.task_rows[2]),
            [(Ready, 0.2, 2.7), (Running, 2.7, 3.0)]
        );
    }

    #[test]
    fn io_is_placed_where_the_figures_allow_and_exactly_with_the_bursts() {
        // "io" computes 2, waits 6, computes 2; "hog" arrives at 1 and takes the CPU for 10 when "io" leaves it at
        // 2: "io" is back from its wait at 8 but ready until the hog ends at 12.
        let bursts = vec![Burst::Cpu(2), Burst::Io(6), Burst::Cpu(2)];
        let io_task = SimTask {
            bursts: bursts.clone(),
            ..SimTask::cpu_only("io", 0, 1)
        };
        let result = fcfs_on_one_cpu(vec![io_task, SimTask::cpu_only("hog", 1, 10)]);
        let timeline = Timeline::from_simulation("io".into(), &result, &[]);
        use TaskState::{Io, Ready, ReadyOrIo, Running};
        // From the figures alone, the gap 2–12 holds 6 of I/O and 4 ready, in an order they do not say.
        assert_eq!(
            states(&timeline.task_rows[0]),
            [
                (Running, 0.0, 2.0),
                (ReadyOrIo, 2.0, 12.0),
                (Running, 12.0, 14.0)
            ]
        );
        assert_eq!(
            states(&timeline.task_rows[1]),
            [(Ready, 1.0, 2.0), (Running, 2.0, 12.0)]
        );
        let exact = timeline.with_bursts(&[bursts, vec![Burst::Cpu(10)]]);
        assert_eq!(
            states(&exact.task_rows[0]),
            [
                (Running, 0.0, 2.0),
                (Io, 2.0, 8.0),
                (Ready, 8.0, 12.0),
                (Running, 12.0, 14.0)
            ]
        );
        assert_eq!(exact.states_shown(), [Running, Ready, Io]);
        // Bursts that do not match the running time leave the row as it was.
        let unchanged = exact.clone().with_bursts(&[vec![Burst::Cpu(3)]]);
        assert_eq!(unchanged.task_rows, exact.task_rows);
    }

    #[test]
    fn trailing_io_is_io_and_a_task_that_never_waits_for_a_cpu_has_its_gaps_as_io() {
        let task = SimTask {
            bursts: vec![Burst::Cpu(2), Burst::Io(3), Burst::Cpu(1), Burst::Io(4)],
            ..SimTask::cpu_only("alone", 0, 1)
        };
        let timeline = Timeline::from_simulation("alone".into(), &fcfs_on_one_cpu(vec![task]), &[]);
        use TaskState::{Io, Running};
        assert_eq!(
            states(&timeline.task_rows[0]),
            [
                (Running, 0.0, 2.0),
                (Io, 2.0, 5.0),
                (Running, 5.0, 6.0),
                (Io, 6.0, 10.0)
            ]
        );
    }

    #[test]
    fn a_real_run_cannot_tell_ready_from_waiting_unless_the_task_never_waits() {
        let result = |name: &str, end_ms: Option<f64>| TaskResult {
            name: name.into(),
            checksum: None,
            arrival_ms: 0,
            priority: 0,
            first_run_ms: Some(0.0),
            end_ms,
            model_first_run_ms: None,
            model_end_ms: None,
        };
        let slice = |task, start_ms, end_ms| Slice {
            task,
            lane: 0,
            start_ms,
            end_ms,
        };
        let record = RunRecord {
            tasks: vec![result("computes", Some(9.0)), result("waits", None)],
            slices: vec![
                slice(0, 0.0, 3.0),
                slice(1, 3.0, 4.0),
                slice(0, 4.0, 9.0),
                slice(1, 9.0, 10.0),
            ],
            wall_ms: 12.0,
            stopped: true,
            ..RunRecord::default()
        };
        let timeline = Timeline::from_run("run".into(), &record, vec!["Main thread".into()], &[]);
        use TaskState::{Ready, ReadyOrIo, Running};
        assert_eq!(
            states(&timeline.task_rows[0]),
            [
                (Running, 0.0, 3.0),
                (ReadyOrIo, 3.0, 4.0),
                (Running, 4.0, 9.0)
            ]
        );
        // Stopped before its end: its row goes on to the end of the run.
        assert_eq!(
            states(&timeline.task_rows[1]),
            [
                (ReadyOrIo, 0.0, 3.0),
                (Running, 3.0, 4.0),
                (ReadyOrIo, 4.0, 9.0),
                (Running, 9.0, 10.0),
                (ReadyOrIo, 10.0, 12.0)
            ]
        );
        let task = |name: &str, phases| TaskSpec {
            name: name.into(),
            phases,
            splittable: false,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        };
        let compute = || Phase::Compute {
            kind: WorkloadKind::Primes,
            units: 10,
        };
        let scenario = Scenario {
            tasks: vec![
                task("computes", vec![compute()]),
                task("waits", vec![compute(), Phase::Wait { ms: 5 }, compute()]),
            ],
        };
        let known = timeline.knowing_waits(&scenario);
        assert_eq!(
            states(&known.task_rows[0]),
            [(Running, 0.0, 3.0), (Ready, 3.0, 4.0), (Running, 4.0, 9.0)]
        );
        assert_eq!(known.task_rows[1].stretches[0].state, ReadyOrIo);
    }

    #[test]
    fn chunks_running_side_by_side_make_one_running_stretch() {
        assert_eq!(
            merged(vec![
                (4.0, 6.0),
                (0.0, 2.0),
                (1.0, 3.0),
                (3.0, 3.5),
                (5.0, 5.0)
            ]),
            [(0.0, 3.5), (4.0, 6.0)]
        );
    }

    #[test]
    fn zooming_keeps_the_anchor_in_place_and_panning_stays_within_the_axis() {
        let whole = TimeRange {
            start: 0.0,
            end: 100.0,
        };
        let zoomed = whole.zoomed(0.5, 20.0, whole, 1.0);
        assert_eq!(
            zoomed,
            TimeRange {
                start: 10.0,
                end: 60.0
            }
        );
        assert!(!zoomed.covers(whole));
        assert_eq!(
            zoomed.panned(-30.0, whole),
            TimeRange {
                start: 0.0,
                end: 50.0
            }
        );
        assert_eq!(
            zoomed.panned(1_000.0, whole),
            TimeRange {
                start: 50.0,
                end: 100.0
            }
        );
        // Zooming out never goes beyond the whole axis, and zooming in stops at the least length.
        assert_eq!(zoomed.zoomed(10.0, 30.0, whole, 1.0), whole);
        assert!(whole.zoomed(1e-9, 50.0, whole, 2.0).len() >= 2.0 - 1e-9);
        assert_eq!(whole.zoomed(f64::NAN, 50.0, whole, 1.0), whole);
    }

    #[test]
    fn the_legend_shows_a_split_task_once() {
        let task = |name: &str, colour: &str| TimelineTask {
            name: name.into(),
            colour: colour.into(),
            metrics: Vec::new(),
        };
        let timeline = Timeline {
            title: String::new(),
            unit: TimeUnit::Ticks,
            lanes: Vec::new(),
            tasks: vec![
                task("Render", "#111"),
                task("Render (1/2)", "#111"),
                task("Render (2/2)", "#111"),
                task("Chef (A)", "#222"),
                task("Job (1/2)", "#333"),
            ],
            spans: Vec::new(),
            switches: Vec::new(),
            cold: Vec::new(),
            migrations: Vec::new(),
            task_rows: Vec::new(),
            length: 1.0,
        };
        assert_eq!(
            timeline.legend(),
            [("Render", "#111"), ("Chef (A)", "#222"), ("Job", "#333")]
        );
    }

    #[test]
    fn a_move_is_a_slice_on_another_lane_than_the_same_tasks_slice_before() {
        let span = |task, lane, start: f64, end: f64| Span {
            task,
            lane,
            start,
            end,
        };
        // In trace order (by CPU), not by time; task 1 runs on lane 1, then 0, then 0 again (warm), then 1.
        let spans = [
            span(0, 0, 0.0, 5.0),
            span(1, 0, 5.0, 8.0),
            span(1, 0, 8.0, 10.0),
            span(1, 1, 0.0, 5.0),
            span(0, 1, 5.0, 10.0),
            span(1, 1, 10.0, 12.0),
        ];
        assert_eq!(
            migrations_of(&spans),
            [
                span(1, 0, 5.0, 5.0),
                span(0, 1, 5.0, 5.0),
                span(1, 1, 10.0, 10.0)
            ]
        );
    }
}
