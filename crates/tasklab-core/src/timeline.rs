//! The one timeline model: lanes, spans of tasks on lanes, context switches, task names, colours and figures,
//! and the unit of its times. It is built from a real run ([`Timeline::from_run`]) or from a simulation
//! ([`Timeline::from_simulation`]) and drawn by one SVG writer ([`crate::export::to_svg`]) for the page and for
//! the downloads, which also write it as a Chrome trace and as CSV.
//!
//! Times are plain numbers in the timeline's [`TimeUnit`]: milliseconds from a real run's start, or simulator
//! ticks. Names, labels and figures may come from the user: every writer escapes them.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::report::{RunRecord, Slice};
use crate::sim::{SimResult, SliceKind};

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
    /// Length of the time axis (it extends to cover every span anyway).
    pub length: f64,
}

/// Lane labels `CPU 1` … `CPU n`.
pub fn cpu_lanes(cpus: usize) -> Vec<String> {
    (1..=cpus.max(1)).map(|cpu| format!("CPU {cpu}")).collect()
}

impl Timeline {
    /// The timeline of a real run: its slices in milliseconds on the given lanes, each task with its checksum,
    /// start and end.
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
                        ("checksum".into(), task.checksum.clone()),
                        ("first_run_ms".into(), time(task.first_run_ms)),
                        ("end_ms".into(), time(task.end_ms)),
                    ],
                })
                .collect(),
            spans: record.slices.iter().map(Span::from).collect(),
            switches: Vec::new(),
            cold: Vec::new(),
            migrations: Vec::new(),
            length: record.wall_ms,
        }
    }

    /// The timeline of a simulation, in ticks, one lane per CPU, each task with its scheduling figures. With a
    /// cache model, the slices run cold are also in [`Timeline::cold`]; with the multiprocessor model, every move
    /// of a task to another CPU is in [`Timeline::migrations`].
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
            spans,
            switches,
            cold,
            migrations,
            length: result.summary.makespan as f64,
        }
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
        let mut lanes: BTreeSet<usize> = (0..self.lanes.len()).collect();
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
        let last_end = self
            .all_spans()
            .map(|(span, _)| finite_or_zero(span.end))
            .fold(0.0_f64, f64::max);
        let length = finite_or_zero(self.length).max(last_end);
        if length > 0.0 {
            length
        } else {
            1.0
        }
    }
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
