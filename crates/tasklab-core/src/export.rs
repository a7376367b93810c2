//! Exports of a timeline (a real run or a prediction) as Chrome trace JSON, CSV and SVG.
//!
//! Every export is a pure function from a [`Timeline`] to a `String`, so the page can offer the same
//! downloads for a measured run (times in milliseconds) and for a simulator prediction (times in ticks).
//!
//! - [`to_chrome_trace`]: the Chrome **Trace Event Format** (JSON object form), which opens in Perfetto UI and
//!   `chrome://tracing`. One process for the run, one thread track per lane, one complete (`X`) event per slice.
//! - [`to_csv`]: RFC 4180 CSV, one row per slice and one per task with its metrics, guarded against formula
//!   injection.
//! - [`to_svg`]: a standalone SVG picture of the timeline, with lanes, a time axis and a legend.
//!
//! The input is untrusted in the sense that task names, lane labels and metrics come from the user: nothing is
//! ever inserted into the output unescaped, and odd values (a lane without a label, a slice of an unknown task,
//! a non-finite time) give a sensible output rather than a panic.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::timeline::{finite_or_zero, Span, Stretch, TaskState, TimeRange, TimeUnit, Timeline};

// ---------------------------------------------------------------------------------------------------------------
// Chrome trace

/// The process id of the run in the trace (any constant: a trace holds one run).
const TRACE_PID: u64 = 1;

/// The thread id of a lane in the Chrome trace: lane index + 1 (tid 0 is avoided because some viewers treat it
/// as the idle/swapper thread).
pub fn trace_tid(lane: usize) -> u64 {
    (lane as u64).saturating_add(1)
}

/// A time in microseconds, the unit of `ts` and `dur`, rounded to the nanosecond so that float noise such as
/// `0.1 * 1000 = 100.00000000000001` does not show. Ticks count as milliseconds.
fn trace_micros(time: f64) -> f64 {
    (finite_or_zero(time) * 1_000_000.0).round() / 1_000.0
}

/// The timeline as Chrome **Trace Event Format** JSON (object form), for Perfetto UI and `chrome://tracing`.
///
/// - `M` metadata events: `process_name` (the title) for pid 1; per lane `thread_name` and `thread_sort_index`,
///   with tid = lane index + 1 ([`trace_tid`]).
/// - One complete event (`"ph": "X"`, category `task`) per slice, named after the task, with `ts` and `dur` in
///   microseconds (1 tick is exported as 1 ms) and `args` holding the task index, lane, colour, the start and
///   end in the timeline's own unit, and the task's metrics (under `metrics`).
/// - One complete event named `context switch` (category `switch`) per switch slice, with the task switched to
///   in `args`.
/// - `displayTimeUnit` is `ms`; `otherData` holds the title, the time unit and the span.
pub fn to_chrome_trace(timeline: &Timeline) -> String {
    let unit = timeline.unit.suffix();
    let mut events = vec![json!({
        "name": "process_name",
        "ph": "M",
        "pid": TRACE_PID,
        "args": { "name": timeline.title },
    })];
    for lane in timeline.lanes_shown() {
        let tid = trace_tid(lane);
        events.push(json!({
            "name": "thread_name",
            "ph": "M",
            "pid": TRACE_PID,
            "tid": tid,
            "args": { "name": timeline.lane_label(lane) },
        }));
        events.push(json!({
            "name": "thread_sort_index",
            "ph": "M",
            "pid": TRACE_PID,
            "tid": tid,
            "args": { "sort_index": lane },
        }));
    }
    for (slice, is_switch) in timeline.all_spans() {
        let start = trace_micros(slice.start);
        let duration = (trace_micros(slice.end) - start).max(0.0);
        let task_name = timeline.task_name(slice.task);
        let (name, category, args) = if is_switch {
            let args = json!({ "to": task_name, "task_index": slice.task });
            ("context switch", "switch", args)
        } else {
            let metrics: Map<String, Value> = timeline
                .tasks
                .get(slice.task)
                .map(|task| {
                    task.metrics
                        .iter()
                        .map(|(key, value)| (key.clone(), Value::from(value.as_str())))
                        .collect()
                })
                .unwrap_or_default();
            let args = json!({
                "task_index": slice.task,
                "lane": timeline.lane_label(slice.lane),
                "colour": timeline.task_colour(slice.task),
                "start": finite_or_zero(slice.start),
                "end": finite_or_zero(slice.end),
                "unit": unit,
                "metrics": metrics,
            });
            (task_name.as_ref(), "task", args)
        };
        events.push(json!({
            "name": name,
            "cat": category,
            "ph": "X",
            "pid": TRACE_PID,
            "tid": trace_tid(slice.lane),
            "ts": start,
            "dur": duration,
            "args": args,
        }));
    }
    let trace = json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "title": timeline.title,
            "generator": "tasklab",
            "time_unit": unit,
            "span": finite_or_zero(timeline.length),
            "note": match timeline.unit {
                TimeUnit::Milliseconds => "times are milliseconds of a real run",
                TimeUnit::Ticks => "a prediction: 1 simulator tick is shown as 1 ms",
            },
        },
    });
    // Display of a Value is its compact JSON and cannot fail.
    trace.to_string()
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

/// The fixed columns of [`to_csv`], before one column per metric key.
pub const CSV_COLUMNS: [&str; 9] = [
    "record",
    "task_index",
    "task",
    "lane",
    "start",
    "end",
    "duration",
    "unit",
    "colour",
];

/// The timeline as RFC 4180 CSV (comma-separated, CRLF line ends, a header row).
///
/// One table, told apart by the `record` column:
/// - `slice`: one row per slice (task index and name, lane label, start, end, duration, unit, task colour);
/// - `switch`: one row per context-switch slice (the task is the one switched to);
/// - `task`: one row per task with its colour and, in the metric columns, its metrics.
///
/// The header is [`CSV_COLUMNS`] followed by one column per distinct metric key, in the order keys first
/// appear; a key equal to a fixed column is renamed `<key> (metric)`.
///
/// Fields containing a comma, a double quote, CR or LF are quoted, with inner quotes doubled.
///
/// **Formula injection**: spreadsheets run a cell starting with `=`, `+`, `-` or `@` (and some also tab or CR)
/// as a formula, so a task named `=HYPERLINK(…)` could act when the CSV is opened. Every text field (names,
/// labels, colours, metric keys, and metric values that are not plain numbers) starting with one of those
/// characters gets a leading `'`, which spreadsheets show as text. Numbers the export writes are never guarded.
pub fn to_csv(timeline: &Timeline) -> String {
    let mut metric_keys: Vec<&str> = Vec::new();
    for task in &timeline.tasks {
        for (key, _) in &task.metrics {
            if !metric_keys.contains(&key.as_str()) {
                metric_keys.push(key);
            }
        }
    }
    let unit = timeline.unit.suffix();
    let mut out = String::new();

    let mut header: Vec<String> = CSV_COLUMNS.iter().map(|&name| name.to_string()).collect();
    header.extend(metric_keys.iter().map(|&key| {
        let name = if CSV_COLUMNS.contains(&key) {
            format!("{key} (metric)")
        } else {
            key.to_string()
        };
        guard_formula(&name).into_owned()
    }));
    push_csv_row(&mut out, header.iter().map(String::as_str));

    for (slice, is_switch) in timeline.all_spans() {
        let start = finite_or_zero(slice.start);
        let end = finite_or_zero(slice.end);
        let duration = round_nanos(end - start);
        let colour = if is_switch {
            ""
        } else {
            timeline.task_colour(slice.task)
        };
        let fields = [
            (if is_switch { "switch" } else { "slice" }).to_string(),
            slice.task.to_string(),
            guard_formula(&timeline.task_name(slice.task)).into_owned(),
            guard_formula(&timeline.lane_label(slice.lane)).into_owned(),
            start.to_string(),
            end.to_string(),
            duration.to_string(),
            unit.to_string(),
            guard_formula(colour).into_owned(),
        ];
        let empty_metrics = std::iter::repeat_n("", metric_keys.len());
        push_csv_row(
            &mut out,
            fields.iter().map(String::as_str).chain(empty_metrics),
        );
    }

    for (index, task) in timeline.tasks.iter().enumerate() {
        let fields = [
            "task".to_string(),
            index.to_string(),
            guard_formula(&task.name).into_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            unit.to_string(),
            guard_formula(&task.colour).into_owned(),
        ];
        // The first value of a key wins when a task repeats it.
        let mut values: BTreeMap<&str, &str> = BTreeMap::new();
        for (key, value) in &task.metrics {
            values.entry(key).or_insert(value);
        }
        let metric_values: Vec<Cow<str>> = metric_keys
            .iter()
            .map(|key| {
                values
                    .get(key)
                    .map_or(Cow::Borrowed(""), |v| guard_value(v))
            })
            .collect();
        push_csv_row(
            &mut out,
            fields
                .iter()
                .map(String::as_str)
                .chain(metric_values.iter().map(AsRef::as_ref)),
        );
    }
    out
}

/// Rounds to 1e-6 of the unit (a nanosecond for milliseconds) so `0.3 - 0.1` shows as `0.2`.
fn round_nanos(value: f64) -> f64 {
    (value * 1_000_000.0).round() / 1_000_000.0
}

fn push_csv_row<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (position, field) in fields.enumerate() {
        if position > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(field));
    }
    out.push_str("\r\n");
}

/// Quotes a field per RFC 4180 when it holds a comma, a double quote, CR or LF.
fn csv_field(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// Prefixes `'` to text a spreadsheet would run as a formula (see [`to_csv`]).
fn guard_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Like [`guard_formula`], but a plain finite number such as `-3` or `+1.5e3` stays as it is (a spreadsheet
/// reads it as a number, never as a formula).
fn guard_value(text: &str) -> Cow<'_, str> {
    if text.parse::<f64>().is_ok_and(f64::is_finite) {
        Cow::Borrowed(text)
    } else {
        guard_formula(text)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// SVG

/// Width of the SVG picture in pixels.
const SVG_WIDTH: f64 = 960.0;
/// Space on the right of the plot.
const SVG_RIGHT: f64 = 24.0;
/// Least height of a lane row (rows grow with the text), and the gap between rows.
const SVG_LANE_HEIGHT: f64 = 26.0;
const SVG_LANE_GAP: f64 = 6.0;
/// Width of one legend entry and height of one legend row.
const SVG_LEGEND_COLUMN: f64 = 200.0;
const SVG_LEGEND_ROW: f64 = 20.0;
/// Fill of context-switch slices.
pub const SWITCH_FILL: &str = "#9e9e9e";
/// Fill of tasks without a valid colour.
const FALLBACK_FILL: &str = "#888888";
/// Fill of the migration markers (outlined in white so they show on any task colour).
pub const MIGRATION_FILL: &str = "#222222";
/// Base colour of the cold-cache swatch in the legend (the hatch is drawn over it).
const COLD_SWATCH_FILL: &str = "#8c8c8c";
/// The legend's words for the hatch over cold running (after a hatched swatch).
pub const COLD_LEGEND: &str = "hatched: cold cache (warming up)";
/// The legend's words for the migration markers (after a ▼ swatch, so the entry reads "▼ moved from another CPU").
pub const MIGRATION_LEGEND: &str = "moved from another CPU";
/// Longest label drawn in full (the slice tooltips always carry the whole name).
const SVG_LABEL_CHARS: usize = 24;
/// Font size of the picture's text (the heading's is larger): 14 px, as the page draws it at any width.
const SVG_FONT_SIZE: f64 = 14.0;

/// A generous estimate of the width of `text` at `font_size` (0.6 em a character, wider than the average digit
/// or letter of a sans-serif font), so labels placed by it stay inside the picture.
fn estimated_text_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * font_size * 0.6
}

/// What the picture shows in words, for its `aria-label`: the title, the lanes and the span, e.g.
/// "CPU batch · multitasking: timeline of 1 lane over 812.35 ms".
fn svg_summary(timeline: &Timeline, lanes: usize, span: f64) -> String {
    format!(
        "{}: timeline of {lanes} {} over {} {}",
        shorten(&timeline.title, 100),
        if lanes == 1 { "lane" } else { "lanes" },
        num(span),
        timeline.unit.suffix()
    )
}

/// The timeline as a standalone SVG document.
///
/// Lanes are rows labelled on the left; each slice is exactly one `<rect class="slice">` in its task's colour
/// with a `<title>` (name, lane, start, end) that viewers show as a tooltip; each switch slice is a grey
/// `<rect class="switch">`. Stretches run with a cold cache ([`Timeline::cold`]) get a `<rect class="cold">`
/// over their slice, hatched with thin white diagonal lines (a `<pattern>`), so warm running is the plain task
/// colour; each move to another lane ([`Timeline::migrations`]) is a small dark downward triangle
/// (`<polygon class="migration">`, with a `<title>`) at the top edge of the lane. Below are a time axis with
/// round ticks (1, 2 or 5 × 10ⁿ; the last label ends at its tick when centring it would run past the axis) and a
/// legend of the tasks (and of the hatch and the markers when drawn). The `<svg>` is an image (`role="img"`) whose
/// `aria-label` says its title, lanes and span, e.g. "CPU batch · multitasking: timeline of 1 lane over 812.35 ms".
/// Every text is XML-escaped, characters XML cannot hold are replaced by U+FFFD, and colours that are not `#rgb`
/// or `#rrggbb` are drawn grey.
pub fn to_svg(timeline: &Timeline) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        to_svg_element(timeline, true)
    )
}

/// How [`to_svg_view`] draws a timeline: its width and text size in pixels, the stretch of time shown, one row per
/// lane or per task, and whether a legend follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SvgView {
    /// Width of the picture in pixels (its height follows from its rows and its text).
    pub width: f64,
    /// Size of its text in pixels (the heading's is 3 px larger); rows, margins and the legend grow with it.
    pub font_size: f64,
    /// The stretch of time shown (zoom and pan), `None` for the whole axis: slices outside it are left out and
    /// those across an edge are cut there; the axis picks round ticks for it.
    pub range: Option<TimeRange>,
    /// One row per task ([`Timeline::task_rows`]: running, ready, waiting on I/O) instead of one per lane.
    pub by_task: bool,
    /// Whether a legend follows the picture (the page writes its own in HTML).
    pub legend: bool,
    /// Whether the picture draws its slices (or stretches); without them it is the frame alone (title, rows and
    /// their labels, axis), over which the page paints a large timeline on a canvas ([`crate::detail`]).
    pub slices: bool,
}

impl Default for SvgView {
    /// The downloads' picture: 960 px wide, the whole axis, one row per lane, with its legend.
    fn default() -> Self {
        Self {
            width: SVG_WIDTH,
            font_size: SVG_FONT_SIZE,
            range: None,
            by_task: false,
            legend: true,
            slices: true,
        }
    }
}

/// Where the rows of a picture of [`to_svg_view`] lie, in pixels from its top-left corner, so that a canvas over
/// it can paint the slices (see [`SvgView::slices`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotGeometry {
    /// Left edge of the plot and its width.
    pub left: f64,
    /// Width of the plot.
    pub width: f64,
    /// Top of the first row.
    pub top: f64,
    /// Height of a row.
    pub row_height: f64,
    /// From the top of one row to the top of the next.
    pub row_pitch: f64,
    /// Number of rows.
    pub rows: usize,
}

impl PlotGeometry {
    /// Top of row `row`.
    pub fn row_top(&self, row: usize) -> f64 {
        self.top + row as f64 * self.row_pitch
    }

    /// Height of all the rows, from the first's top to the last's bottom.
    pub fn rows_height(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.row_top(self.rows - 1) + self.row_height - self.top
        }
    }
}

/// The share of a row's height a bar takes: slices and running stretches 0.77, and a state's its own (ready 0.54,
/// I/O 0.3, not told apart 0.4), so shapes as well as fills tell states apart.
pub fn bar_share(state: Option<TaskState>) -> f64 {
    match state {
        None | Some(TaskState::Running) => 0.77,
        Some(TaskState::Ready) => 0.54,
        Some(TaskState::Io) => 0.3,
        Some(TaskState::ReadyOrIo) => 0.4,
    }
}

/// Sizes and positions of a picture of [`to_svg_view`], all in pixels but the range.
struct SvgLayout {
    font: f64,
    width: f64,
    /// Left edge of the plot (lane labels end 8 px before it) and its width.
    left: f64,
    plot_width: f64,
    /// Top of the first row, height of a row and the gap between rows.
    top: f64,
    row_height: f64,
    /// Longest row label drawn in full, in characters.
    label_chars: usize,
    /// Where the title starts, and its lines (it wraps when it does not fit beside the row labels).
    heading_x: f64,
    heading: Vec<String>,
    /// The times at the plot's left and right edges.
    start: f64,
    end: f64,
}

impl SvgLayout {
    fn new(timeline: &Timeline, view: &SvgView) -> Self {
        let font = if view.font_size.is_finite() {
            view.font_size.clamp(6.0, 48.0)
        } else {
            SVG_FONT_SIZE
        };
        let width = if view.width.is_finite() {
            view.width.clamp(200.0, 100_000.0)
        } else {
            SVG_WIDTH
        };
        // The lane labels' column fits the longest label (within 40 % of the picture) and the axis's unit, and is at
        // least 8 em wide, so that pictures stacked on one clock ("Main thread", "Worker 1") start their axes alike.
        let longest = row_labels(timeline, view.by_task)
            .iter()
            .map(|label| label.chars().count().min(SVG_LABEL_CHARS))
            .chain([timeline.unit.suffix().len()])
            .max()
            .unwrap_or(0);
        let left = (estimated_text_width(&"m".repeat(longest), font) + 16.0)
            .max(font * 8.0)
            .min(width * 0.4);
        let right = SVG_RIGHT * font / SVG_FONT_SIZE;
        let title = shorten(&timeline.title, 100);
        let heading_size = font + 3.0;
        let (heading_x, heading) =
            if estimated_text_width(&title, heading_size) <= width - left - 8.0 {
                (left, vec![title.into_owned()])
            } else {
                (8.0, wrapped(&title, width - 16.0, heading_size, 3))
            };
        let (start, end) = match view.range {
            Some(range)
                if range.start.is_finite() && range.end.is_finite() && range.end > range.start =>
            {
                (range.start, range.end)
            }
            _ => (0.0, timeline.axis_length()),
        };
        Self {
            font,
            width,
            left,
            plot_width: (width - left - right).max(font * 4.0),
            top: (font + 7.0) * heading.len() as f64 + 25.0,
            row_height: (font * 1.9).max(SVG_LANE_HEIGHT).round(),
            label_chars: (((left - 16.0) / (font * 0.6) + 1e-6).floor() as usize)
                .clamp(1, SVG_LABEL_CHARS),
            heading_x,
            heading,
            start,
            end,
        }
    }

    fn row_top(&self, row: usize) -> f64 {
        self.top + row as f64 * (self.row_height + SVG_LANE_GAP)
    }

    /// The x of `time`, clamped to the plot.
    fn x_of(&self, time: f64) -> f64 {
        let time = finite_or_zero(time).clamp(self.start, self.end);
        self.left + (time - self.start) / (self.end - self.start) * self.plot_width
    }

    /// Whether a stretch from `start` to `end` shows in the range (all of them when the view has none).
    fn shows(&self, ranged: bool, start: f64, end: f64) -> bool {
        let (start, end) = (finite_or_zero(start), finite_or_zero(end));
        !ranged
            || if end > start {
                start < self.end && end > self.start
            } else {
                start >= self.start && start <= self.end
            }
    }

    /// The x, y, width and height of a bar from `start` to `end` in row `row`, `share` of the row high and
    /// centred in it; at least half a pixel wide so very short slices stay visible.
    fn bar(&self, row: usize, start: f64, end: f64, share: f64) -> (f64, f64, f64, f64) {
        let x = self.x_of(start);
        let height = (self.row_height * share).round();
        let y = self.row_top(row) + (self.row_height - height) / 2.0;
        (x, y, (self.x_of(end) - x).max(0.5), height)
    }
}

/// The row labels: the lanes' (by lane) or the tasks' names (by task).
fn row_labels(timeline: &Timeline, by_task: bool) -> Vec<Cow<'_, str>> {
    if by_task {
        timeline
            .task_rows
            .iter()
            .map(|row| timeline.task_name(row.task))
            .collect()
    } else {
        timeline
            .lanes_shown()
            .into_iter()
            .map(|lane| timeline.lane_label(lane))
            .collect()
    }
}

/// Where the plot lies in a picture of [`to_svg_view`]: its left edge and its width, in pixels from the picture's
/// left edge (the page turns a pointer's position into a time with it).
pub fn svg_plot_bounds(timeline: &Timeline, view: &SvgView) -> (f64, f64) {
    let layout = SvgLayout::new(timeline, view);
    (layout.left, layout.plot_width)
}

/// Where the plot and its rows lie in a picture of [`to_svg_view`].
pub fn svg_plot_geometry(timeline: &Timeline, view: &SvgView) -> PlotGeometry {
    let layout = SvgLayout::new(timeline, view);
    PlotGeometry {
        left: layout.left,
        width: layout.plot_width,
        top: layout.top,
        row_height: layout.row_height,
        row_pitch: layout.row_height + SVG_LANE_GAP,
        rows: row_labels(timeline, view.by_task).len(),
    }
}

/// The `<svg>` element of [`to_svg`] alone, without the XML declaration, to place inside an HTML page; the same
/// as [`to_svg_view`] with the downloads' view but for the `legend`.
pub fn to_svg_element(timeline: &Timeline, legend: bool) -> String {
    to_svg_view(
        timeline,
        &SvgView {
            legend,
            ..SvgView::default()
        },
    )
}

/// The `<svg>` element of a timeline as `view` says (see [`to_svg`] for what it draws by lane). The page draws
/// every timeline with it, at its own width and text size, so the page and the downloads agree; it leaves out the
/// `legend` and writes its own in HTML, which screen readers can read and small screens keep legible.
///
/// By task ([`SvgView::by_task`]), each row is a task from its arrival to its end: running in its colour
/// (`<rect class="running">`), ready but waiting for a CPU as a hatched grey band (`class="ready"`), waiting on
/// I/O as a thin dashed bar (`class="io"`), and not known which of the two as a plain light grey band
/// (`class="ready-or-io"`), each with a `<title>` (task, state, start, end, duration); shapes and patterns, not
/// only colours, tell them apart. By lane, a slice wide enough carries its task's name in a colour that contrasts
/// with its fill, so tasks whose colours are close (or repeat, past the palette's eight) are still told apart.
pub fn to_svg_view(timeline: &Timeline, view: &SvgView) -> String {
    let layout = SvgLayout::new(timeline, view);
    let font = layout.font;
    let unit = timeline.unit.suffix();
    let span = timeline.axis_length();
    let ranged = view.range.is_some();
    let lanes = timeline.lanes_shown();
    let row_of: BTreeMap<usize, usize> = lanes
        .iter()
        .enumerate()
        .map(|(row, &lane)| (lane, row))
        .collect();
    let labels = row_labels(timeline, view.by_task);
    let (left, plot_width) = (layout.left, layout.plot_width);
    let axis_y = layout.row_top(labels.len()) + 4.0;
    let legend_top = axis_y + 2.0 * font + 16.0;
    let cold_pattern =
        (!view.by_task && !timeline.cold.is_empty()).then(|| cold_pattern_id(timeline));
    let states = if view.by_task {
        timeline.states_shown()
    } else {
        Vec::new()
    };
    let ready_pattern = states
        .contains(&TaskState::Ready)
        .then(|| format!("ready-{}", cold_pattern_id(timeline)));
    let legend_entries: Vec<(Cow<str>, LegendMark)> = if view.legend {
        let tasks = timeline.tasks.iter().map(|task| {
            (
                shorten(&task.name, SVG_LABEL_CHARS),
                LegendMark::Fill(safe_colour(&task.colour)),
            )
        });
        let switches = (!view.by_task && !timeline.switches.is_empty()).then_some((
            Cow::Borrowed("context switch"),
            LegendMark::Fill(SWITCH_FILL),
        ));
        let cold = cold_pattern
            .as_deref()
            .map(|id| (Cow::Borrowed(COLD_LEGEND), LegendMark::Hatch(id)));
        let migrations = (!view.by_task && !timeline.migrations.is_empty())
            .then_some((Cow::Borrowed(MIGRATION_LEGEND), LegendMark::Marker));
        let states = states
            .iter()
            .filter(|&&state| state != TaskState::Running)
            .map(|&state| {
                (
                    Cow::Borrowed(state.label()),
                    LegendMark::State(state, ready_pattern.as_deref().unwrap_or("")),
                )
            });
        tasks
            .chain(switches)
            .chain(cold)
            .chain(migrations)
            .chain(states)
            .collect()
    } else {
        Vec::new()
    };
    let legend_column = (SVG_LEGEND_COLUMN * font / SVG_FONT_SIZE).max(SVG_LEGEND_COLUMN);
    let legend_row = (font * 1.6).max(SVG_LEGEND_ROW);
    let legend_columns = ((layout.width - 12.0) / legend_column).floor().max(1.0) as usize;
    let legend_cells = legend_layout(&legend_entries, legend_columns);
    let legend_rows = legend_cells.last().map_or(0, |&(_, row)| row + 1);
    let height = (legend_top + legend_rows as f64 * legend_row + 12.0).ceil();

    let mut aria_label = if view.by_task {
        format!(
            "{}: timeline of {} {} over {} {unit}",
            shorten(&timeline.title, 100),
            labels.len(),
            if labels.len() == 1 { "task" } else { "tasks" },
            num(span)
        )
    } else {
        svg_summary(timeline, lanes.len(), span)
    };
    if ranged {
        let _ = write!(
            aria_label,
            ", showing {}–{} {unit}",
            time_text(layout.start),
            time_text(layout.end)
        );
    }
    let mut svg = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="{f}">"#,
        label = xml_escape(&aria_label),
        w = num(layout.width),
        h = num(height),
        f = num(font),
    );
    let _ = writeln!(svg, "<title>{}</title>", xml_escape(&timeline.title));
    let _ = writeln!(
        svg,
        r##"<rect class="background" x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(layout.width),
        num(height)
    );
    for (index, line) in layout.heading.iter().enumerate() {
        let above = (layout.heading.len() - 1 - index) as f64 * (font + 7.0);
        let _ = writeln!(
            svg,
            r##"<text class="heading" x="{}" y="{}" font-size="{}" font-weight="bold" fill="#222222">{}</text>"##,
            num(layout.heading_x),
            num(layout.top - 18.0 - above),
            num(font + 3.0),
            xml_escape(line)
        );
    }
    if let Some(id) = &cold_pattern {
        // Thin white stripes, a third of the width, at 45°: the task's colour stays readable under them.
        let _ = writeln!(
            svg,
            r##"<defs><pattern id="{id}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect x="0" y="0" width="2" height="6" fill="#ffffff" fill-opacity="0.6"/></pattern></defs>"##
        );
    }
    if let Some(id) = &ready_pattern {
        // Dark grey stripes on light grey: "ready" reads as a hatched band whatever the colours around it.
        let _ = writeln!(
            svg,
            r##"<defs><pattern id="{id}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect x="0" y="0" width="6" height="6" fill="#eeeeee"/><rect x="0" y="0" width="2" height="6" fill="#666666"/></pattern></defs>"##
        );
    }

    // Rows: lanes, or tasks.
    svg.push_str("<g class=\"lanes\">\n");
    for (row, label) in labels.iter().enumerate() {
        let top = layout.row_top(row);
        let _ = writeln!(
            svg,
            r##"<rect class="lane" x="{}" y="{}" width="{}" height="{}" fill="#f3f3f3"/>"##,
            num(left),
            num(top),
            num(plot_width),
            num(layout.row_height)
        );
        let _ = writeln!(
            svg,
            r##"<text class="lane-label" x="{}" y="{}" text-anchor="end" fill="#333333">{}{}</text>"##,
            num(left - 8.0),
            num(top + layout.row_height / 2.0 + font * 0.35),
            xml_escape(&shorten(label, layout.label_chars)),
            // A label cut short keeps its whole text as a tooltip.
            if label.chars().count() > layout.label_chars {
                format!("<title>{}</title>", xml_escape(label))
            } else {
                String::new()
            }
        );
    }
    svg.push_str("</g>\n");

    // Time axis with round ticks, as many as fit their labels.
    let range_len = layout.end - layout.start;
    let label_at = |step: f64| {
        let decimals = tick_decimals(step);
        estimated_text_width(&format!("{:.decimals$}", layout.end), font)
    };
    let first_guess = tick_step(range_len, timeline.unit, 8.0);
    let target = (plot_width / (label_at(first_guess) + 2.0 * font)).clamp(2.0, 8.0);
    let mut step = tick_step(range_len, timeline.unit, target);
    // A narrow plot may leave one tick in its range: then a finer round step (½, ⅖ or ⅕ of it: 25, 20, 10 for
    // 50), if its labels still fit, gives two or more.
    let ticks_with =
        |step: f64| (layout.end / step + 1e-9).floor() - (layout.start / step - 1e-9).ceil() + 1.0;
    if ticks_with(step) < 2.0 {
        let finer = [0.5, 0.4, 0.2]
            .map(|share| step * share)
            .into_iter()
            .find(|&finer| {
                (timeline.unit == TimeUnit::Milliseconds || finer >= 1.0)
                    && ticks_with(finer) >= 2.0
                    && finer / range_len * plot_width >= label_at(finer) + font * 0.5
            });
        step = finer.unwrap_or(step);
    }
    let decimals = tick_decimals(step);
    svg.push_str("<g class=\"axis\" stroke=\"#666666\">\n");
    let _ = writeln!(
        svg,
        r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}"/>"#,
        num(left),
        num(left + plot_width),
        y = num(axis_y)
    );
    let first_tick = (layout.start / step - 1e-9).ceil();
    let last_tick = (layout.end / step + 1e-9).floor();
    let tick_count = if last_tick >= first_tick {
        ((last_tick - first_tick) as usize).min(1_000)
    } else {
        0
    };
    for index in 0..=tick_count {
        let time = (first_tick + index as f64) * step;
        if time > layout.end + step * 1e-6 {
            break;
        }
        let tick_x = layout.x_of(time);
        let x = num(tick_x);
        let _ = writeln!(
            svg,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            num(axis_y),
            num(axis_y + 5.0)
        );
        let label = format!("{:.decimals$}", time.max(0.0));
        // A label centred on a tick at the end of the axis would run past it, and a long one past the picture's
        // right edge ("700 m"): it then ends at its tick instead, leaving the right margin free for larger text.
        let half_width = estimated_text_width(&label, font) / 2.0;
        let anchor = if tick_x + half_width > left + plot_width {
            "end"
        } else if tick_x - half_width < left - 6.0 {
            // Nor run into the unit's label before the axis (a zoomed axis's first tick may sit at its start).
            "start"
        } else {
            "middle"
        };
        let _ = writeln!(
            svg,
            r##"<text x="{x}" y="{}" text-anchor="{anchor}" stroke="none" fill="#444444">{label}</text>"##,
            num(axis_y + font + 6.0),
        );
    }
    let _ = writeln!(
        svg,
        r##"<text class="axis-unit" x="{}" y="{}" text-anchor="end" stroke="none" fill="#444444">{}</text>"##,
        num(left - 8.0),
        num(axis_y + font + 6.0),
        unit
    );
    svg.push_str("</g>\n");

    if !view.slices {
        // The frame alone: the page paints the slices on a canvas.
    } else if view.by_task {
        write_task_rows(
            &mut svg,
            timeline,
            &layout,
            ranged,
            ready_pattern.as_deref(),
        );
    } else {
        let row_of_lane = |lane: usize| row_of.get(&lane).copied().unwrap_or(0);
        write_lane_slices(
            &mut svg,
            timeline,
            &layout,
            ranged,
            &row_of_lane,
            cold_pattern.as_deref(),
        );
    }

    if !view.legend {
        svg.push_str("</svg>\n");
        return svg;
    }
    // Legend.
    svg.push_str("<g class=\"legend\">\n");
    for ((name, mark), &(column, row)) in legend_entries.iter().zip(&legend_cells) {
        let x = 12.0 + column as f64 * legend_column;
        let y = legend_top + row as f64 * legend_row;
        let square = |class: &str, fill: &str| {
            format!(
                r#"<rect class="{class}" x="{}" y="{}" width="{s}" height="{s}" fill="{fill}"/>"#,
                num(x),
                num(y),
                s = num(font),
            )
        };
        match mark {
            LegendMark::Fill(colour) => svg.push_str(&square("swatch", colour)),
            LegendMark::Hatch(id) => {
                svg.push_str(&square("swatch", COLD_SWATCH_FILL));
                svg.push_str(&square("swatch cold", &format!("url(#{id})")));
            }
            LegendMark::Marker => {
                let _ = write!(
                    svg,
                    r#"<polygon class="swatch migration" points="{}" fill="{MIGRATION_FILL}"/>"#,
                    triangle(x + font / 2.0, y + 1.0, font * 0.85, font * 0.75)
                );
            }
            LegendMark::State(state, pattern) => {
                let (fill, extra, share) = state_style(*state, pattern, "#888888");
                let height = (font * share).round().max(2.0);
                let _ = write!(
                    svg,
                    r#"<rect class="swatch {}" x="{}" y="{}" width="{}" height="{}" fill="{fill}"{extra}/>"#,
                    state.id(),
                    num(x),
                    num(y + (font - height) / 2.0),
                    num(font),
                    num(height),
                );
            }
        }
        svg.push('\n');
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{}" fill="#333333">{}</text>"##,
            num(x + font + 6.0),
            num(y + font * 0.875),
            xml_escape(name)
        );
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// `text` cut at spaces into at most `max_lines` lines of at most `width` pixels at `font_size` (estimated); a word
/// longer than a line, or what does not fit in the last line, is cut with an ellipsis.
fn wrapped(text: &str, width: f64, font_size: f64, max_lines: usize) -> Vec<String> {
    let chars = ((width / (font_size * 0.6)).floor() as usize).max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let length = line.chars().count();
        if length > 0 && length + 1 + word.chars().count() > chars {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    lines
        .iter()
        .map(|line| shorten(line, chars).into_owned())
        .collect()
}

/// A time for people: at most three decimals, no trailing zeros.
fn time_text(time: f64) -> String {
    format!("{}", (finite_or_zero(time) * 1_000.0).round() / 1_000.0)
}

/// The fill, the extra attributes and the share of the row's height of a stretch in `state` (the task's `colour`
/// when running, the ready hatch from the pattern `ready_pattern`).
fn state_style<'a>(
    state: TaskState,
    ready_pattern: &'a str,
    colour: &'a str,
) -> (Cow<'a, str>, &'static str, f64) {
    match state {
        TaskState::Running => (Cow::Borrowed(colour), "", bar_share(Some(state))),
        TaskState::Ready => (
            Cow::Owned(format!("url(#{ready_pattern})")),
            r##" stroke="#666666" stroke-width="1""##,
            bar_share(Some(state)),
        ),
        TaskState::Io => (
            Cow::Borrowed("#ffffff"),
            r##" stroke="#333333" stroke-width="1.5" stroke-dasharray="4 2""##,
            bar_share(Some(state)),
        ),
        TaskState::ReadyOrIo => (Cow::Borrowed("#cccccc"), "", bar_share(Some(state))),
    }
}

/// The per-task rows of [`to_svg_view`].
fn write_task_rows(
    svg: &mut String,
    timeline: &Timeline,
    layout: &SvgLayout,
    ranged: bool,
    ready_pattern: Option<&str>,
) {
    svg.push_str("<g class=\"task-rows\">\n");
    for (row, task_row) in timeline.task_rows.iter().enumerate() {
        let colour = safe_colour(timeline.task_colour(task_row.task));
        for stretch in &task_row.stretches {
            if !layout.shows(ranged, stretch.start, stretch.end) {
                continue;
            }
            let (fill, extra, share) =
                state_style(stretch.state, ready_pattern.unwrap_or(""), colour);
            let (x, y, width, height) = layout.bar(row, stretch.start, stretch.end, share);
            let tooltip = stretch_tooltip(timeline, task_row.task, stretch);
            let _ = writeln!(
                svg,
                r#"<rect class="{}" data-task="{}" x="{}" y="{}" width="{}" height="{}" fill="{fill}"{extra}><title>{}</title></rect>"#,
                stretch.state.id(),
                task_row.task,
                num(x),
                num(y),
                num(width),
                num(height),
                xml_escape(&tooltip)
            );
        }
    }
    svg.push_str("</g>\n");
}

/// The slices, cold-cache hatches, switches, slice labels and migration markers of [`to_svg_view`] by lane.
fn write_lane_slices(
    svg: &mut String,
    timeline: &Timeline,
    layout: &SvgLayout,
    ranged: bool,
    row_of: &dyn Fn(usize) -> usize,
    cold_pattern: Option<&str>,
) {
    let unit = timeline.unit.suffix();
    let lane_rect =
        |slice: &Span| layout.bar(row_of(slice.lane), slice.start, slice.end, bar_share(None));
    let shows = |slice: &Span| layout.shows(ranged, slice.start, slice.end);
    let cold: BTreeSet<SpanKey> = timeline.cold.iter().map(span_key).collect();
    svg.push_str("<g class=\"slices\">\n");
    for slice in timeline.spans.iter().filter(|slice| shows(slice)) {
        let (x, y, width, height) = lane_rect(slice);
        let cache = (!cold.is_empty()).then(|| cold.contains(&span_key(slice)));
        let tooltip = slice_tooltip(timeline, slice, cache);
        let _ = writeln!(
            svg,
            r#"<rect class="slice" data-task="{}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>"#,
            slice.task,
            num(x),
            num(y),
            num(width),
            num(height),
            safe_colour(timeline.task_colour(slice.task)),
            xml_escape(&tooltip)
        );
    }
    svg.push_str("</g>\n");
    if let Some(id) = cold_pattern {
        // Over the slices, and transparent to the pointer so the slice's tooltip still shows.
        svg.push_str("<g class=\"cold-spans\">\n");
        for slice in timeline.cold.iter().filter(|slice| shows(slice)) {
            let (x, y, width, height) = lane_rect(slice);
            let _ = writeln!(
                svg,
                r#"<rect class="cold" data-task="{}" x="{}" y="{}" width="{}" height="{}" fill="url(#{id})" pointer-events="none"/>"#,
                slice.task,
                num(x),
                num(y),
                num(width),
                num(height),
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("<g class=\"switches\">\n");
    for slice in timeline.switches.iter().filter(|slice| shows(slice)) {
        let (x, y, width, height) = lane_rect(slice);
        let tooltip = switch_tooltip(timeline, slice);
        let _ = writeln!(
            svg,
            r#"<rect class="switch" x="{}" y="{}" width="{}" height="{}" fill="{SWITCH_FILL}"><title>{}</title></rect>"#,
            num(x),
            num(y),
            num(width),
            num(height),
            xml_escape(&tooltip)
        );
    }
    svg.push_str("</g>\n");
    // Names on the slices wide enough for them, so tasks of close (or repeated) colours are told apart.
    let char_width = layout.font * 0.6;
    let mut named = String::new();
    for slice in timeline.spans.iter().filter(|slice| shows(slice)) {
        let (x, y, width, height) = lane_rect(slice);
        let fits = ((width - 8.0) / char_width).floor();
        if fits < 3.0 {
            continue;
        }
        let name = timeline.task_name(slice.task);
        let _ = writeln!(
            named,
            r#"<text x="{}" y="{}" fill="{}">{}</text>"#,
            num(x + 4.0),
            num(y + height / 2.0 + layout.font * 0.35),
            text_colour_on(safe_colour(timeline.task_colour(slice.task))),
            xml_escape(&shorten(&name, fits as usize))
        );
    }
    if !named.is_empty() {
        svg.push_str("<g class=\"slice-labels\" pointer-events=\"none\" aria-hidden=\"true\">\n");
        svg.push_str(&named);
        svg.push_str("</g>\n");
    }
    if !timeline.migrations.is_empty() {
        svg.push_str("<g class=\"migrations\">\n");
        for moved in timeline
            .migrations
            .iter()
            .filter(|moved| layout.shows(ranged, moved.start, moved.start))
        {
            let x = layout.x_of(moved.start);
            let tooltip = format!(
                "{name} moved to {lane} at {time} {unit}",
                name = timeline.task_name(moved.task),
                lane = timeline.lane_label(moved.lane),
                time = round_nanos(finite_or_zero(moved.start)),
            );
            let _ = writeln!(
                svg,
                r##"<polygon class="migration" data-task="{}" points="{}" fill="{MIGRATION_FILL}" stroke="#ffffff" stroke-width="1" stroke-linejoin="round"><title>{}</title></polygon>"##,
                moved.task,
                triangle(x, layout.row_top(row_of(moved.lane)) - 1.0, 9.0, 8.0),
                xml_escape(&tooltip)
            );
        }
        svg.push_str("</g>\n");
    }
}

/// The tooltip of a slice: task, lane, start, end and duration, and whether it ran with a cold cache (`cold`,
/// when the timeline has a cache model).
pub(crate) fn slice_tooltip(timeline: &Timeline, slice: &Span, cold: Option<bool>) -> String {
    let cache = match cold {
        None => "",
        Some(true) => " · cold cache",
        Some(false) => " · warm cache",
    };
    format!(
        "{name} · {lane}: {start}–{end} {unit} ({duration} {unit}){cache}",
        name = timeline.task_name(slice.task),
        lane = timeline.lane_label(slice.lane),
        start = time_text(slice.start),
        end = time_text(slice.end),
        duration = time_text(finite_or_zero(slice.end) - finite_or_zero(slice.start)),
        unit = timeline.unit.suffix(),
    )
}

/// The tooltip of a context switch.
pub(crate) fn switch_tooltip(timeline: &Timeline, slice: &Span) -> String {
    format!(
        "context switch to {name} · {lane}: {start}–{end} {unit}",
        name = timeline.task_name(slice.task),
        lane = timeline.lane_label(slice.lane),
        start = time_text(slice.start),
        end = time_text(slice.end),
        unit = timeline.unit.suffix(),
    )
}

/// The tooltip of a stretch of task `task`'s row: task, state, start, end and duration.
pub(crate) fn stretch_tooltip(timeline: &Timeline, task: usize, stretch: &Stretch) -> String {
    format!(
        "{name} · {state}: {start}–{end} {unit} ({duration} {unit})",
        name = timeline.task_name(task),
        state = stretch.state.label(),
        start = time_text(stretch.start),
        end = time_text(stretch.end),
        duration = time_text(stretch.end - stretch.start),
        unit = timeline.unit.suffix(),
    )
}

/// Black or white, whichever contrasts more with `fill` (`#rgb` or `#rrggbb`), by WCAG's relative luminance.
pub fn text_colour_on(fill: &str) -> &'static str {
    let hex = fill.trim_start_matches('#');
    let channel = |index: usize| -> f64 {
        let value = if hex.len() == 3 {
            u8::from_str_radix(&hex[index..=index].repeat(2), 16)
        } else {
            u8::from_str_radix(hex.get(index * 2..index * 2 + 2).unwrap_or("88"), 16)
        }
        .unwrap_or(0x88);
        let value = f64::from(value) / 255.0;
        if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
    // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at L ≈ 0.179.
    if luminance > 0.179 {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// What a legend entry shows before its words.
enum LegendMark<'a> {
    /// A square of this colour.
    Fill(&'a str),
    /// A grey square hatched with the pattern of this id.
    Hatch(&'a str),
    /// A migration marker.
    Marker,
    /// A task state's band (the ready hatch from the pattern of this id).
    State(TaskState, &'a str),
}

/// The (column, row) of each legend entry: one column each, two for words longer than a task name may be, an
/// entry that does not fit in what is left of a row starting the next one.
fn legend_layout(entries: &[(Cow<str>, LegendMark)], columns: usize) -> Vec<(usize, usize)> {
    let (mut column, mut row) = (0, 0);
    entries
        .iter()
        .map(|(name, _)| {
            let width = if name.chars().count() > SVG_LABEL_CHARS {
                2.min(columns)
            } else {
                1
            };
            if column + width > columns {
                column = 0;
                row += 1;
            }
            let cell = (column, row);
            column += width;
            cell
        })
        .collect()
}

/// The points of a downward triangle `width` wide and `height` high whose top edge is centred on (`x`, `top`).
fn triangle(x: f64, top: f64, width: f64, height: f64) -> String {
    let half = width / 2.0;
    format!(
        "{},{} {},{} {},{}",
        num(x - half),
        num(top),
        num(x + half),
        num(top),
        num(x),
        num(top + height)
    )
}

/// A span compared by value (times by their bits), to find a slice among the cold ones.
type SpanKey = (usize, usize, u64, u64);

fn span_key(span: &Span) -> SpanKey {
    (
        span.task,
        span.lane,
        span.start.to_bits(),
        span.end.to_bits(),
    )
}

/// An id for the hatch pattern, the same for the same timeline, so that several pictures inline in one page do not
/// share an id (a reference to a pattern inside a hidden picture draws nothing in some browsers).
fn cold_pattern_id(timeline: &Timeline) -> String {
    // FNV-1a over the title and the cold spans.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(timeline.title.as_bytes());
    for span in &timeline.cold {
        let (task, lane, start, end) = span_key(span);
        for value in [task as u64, lane as u64, start, end] {
            feed(&value.to_le_bytes());
        }
    }
    format!("cold-hatch-{hash:016x}")
}

/// A round axis step (1, 2 or 5 × 10ⁿ) giving about `target` ticks over `span`; at least 1 for ticks.
fn tick_step(span: f64, unit: TimeUnit, target: f64) -> f64 {
    let raw = span / target.max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalised = raw / magnitude;
    let nice = if normalised < 1.5 {
        1.0
    } else if normalised < 3.5 {
        2.0
    } else if normalised < 7.5 {
        5.0
    } else {
        10.0
    };
    let step = nice * magnitude;
    let step = if step.is_finite() && step > 0.0 {
        step
    } else {
        1.0
    };
    match unit {
        TimeUnit::Ticks => step.max(1.0),
        TimeUnit::Milliseconds => step,
    }
}

/// Decimals needed to print multiples of `step` exactly (0 for steps of 1 or more).
fn tick_decimals(step: f64) -> usize {
    (0..=12)
        .find(|&decimals| {
            let scaled = step * 10f64.powi(decimals);
            (scaled - scaled.round()).abs() <= 1e-6 * scaled.abs().max(1.0)
        })
        .map_or(12, |decimals| decimals as usize)
}

/// A coordinate with at most two decimals and no trailing zeros.
fn num(value: f64) -> String {
    let text = format!("{:.2}", finite_or_zero(value));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// At most `max_chars` characters, with an ellipsis when cut.
pub(crate) fn shorten(text: &str, max_chars: usize) -> Cow<'_, str> {
    if text.chars().count() <= max_chars {
        Cow::Borrowed(text)
    } else {
        let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        Cow::Owned(format!("{kept}…"))
    }
}

/// The colour if it is `#rgb` or `#rrggbb`, otherwise grey; never anything that could break out of an attribute.
pub fn safe_colour(colour: &str) -> &str {
    let hex = colour.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        colour
    } else {
        FALLBACK_FILL
    }
}

/// Escapes text for XML content and attribute values; characters XML 1.0 cannot hold (most control
/// characters, U+FFFE, U+FFFF) become U+FFFD so the document always parses.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A literal CR would be normalised to LF by XML parsers; the reference keeps it.
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
