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

use crate::timeline::{finite_or_zero, Span, TimeUnit, Timeline};

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
/// Space on the left for the lane labels.
const SVG_LEFT: f64 = 130.0;
/// Space on the right of the plot.
const SVG_RIGHT: f64 = 24.0;
/// Top of the first lane (the title sits above).
const SVG_TOP: f64 = 44.0;
/// Height of a lane row and the gap between rows.
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

/// The timeline as a standalone SVG document.
///
/// Lanes are rows labelled on the left; each slice is exactly one `<rect class="slice">` in its task's colour
/// with a `<title>` (name, lane, start, end) that viewers show as a tooltip; each switch slice is a grey
/// `<rect class="switch">`. Stretches run with a cold cache ([`Timeline::cold`]) get a `<rect class="cold">`
/// over their slice, hatched with thin white diagonal lines (a `<pattern>`), so warm running is the plain task
/// colour; each move to another lane ([`Timeline::migrations`]) is a small dark downward triangle
/// (`<polygon class="migration">`, with a `<title>`) at the top edge of the lane. Below are a time axis with
/// round ticks (1, 2 or 5 × 10ⁿ) and a legend of the tasks (and of the hatch and the markers when drawn).
/// Every text is XML-escaped, characters XML cannot hold are replaced by U+FFFD, and colours that are not `#rgb`
/// or `#rrggbb` are drawn grey.
pub fn to_svg(timeline: &Timeline) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        to_svg_element(timeline, true)
    )
}

/// The `<svg>` element of [`to_svg`] alone, without the XML declaration, to place inside an HTML page (which
/// scales it to its width). The page draws every timeline with it, so the page and the downloads agree; the page
/// leaves out the `legend` and writes its own in HTML, which screen readers can read and small screens keep legible.
pub fn to_svg_element(timeline: &Timeline, legend: bool) -> String {
    let unit = timeline.unit.suffix();
    let span = timeline.axis_length();
    let lanes = timeline.lanes_shown();
    let row_of: BTreeMap<usize, usize> = lanes
        .iter()
        .enumerate()
        .map(|(row, &lane)| (lane, row))
        .collect();
    let plot_width = SVG_WIDTH - SVG_LEFT - SVG_RIGHT;
    let row_top = |row: usize| SVG_TOP + row as f64 * (SVG_LANE_HEIGHT + SVG_LANE_GAP);
    let x_of = |time: f64| SVG_LEFT + finite_or_zero(time).clamp(0.0, span) / span * plot_width;
    let axis_y = row_top(lanes.len()) + 4.0;
    let legend_top = axis_y + 40.0;
    let cold_pattern = (!timeline.cold.is_empty()).then(|| cold_pattern_id(timeline));
    let legend_entries: Vec<(Cow<str>, LegendMark)> = if legend {
        let tasks = timeline.tasks.iter().map(|task| {
            (
                shorten(&task.name, SVG_LABEL_CHARS),
                LegendMark::Fill(safe_colour(&task.colour)),
            )
        });
        let switches = (!timeline.switches.is_empty()).then_some((
            Cow::Borrowed("context switch"),
            LegendMark::Fill(SWITCH_FILL),
        ));
        let cold = cold_pattern
            .as_deref()
            .map(|id| (Cow::Borrowed(COLD_LEGEND), LegendMark::Hatch(id)));
        let migrations = (!timeline.migrations.is_empty())
            .then_some((Cow::Borrowed(MIGRATION_LEGEND), LegendMark::Marker));
        tasks
            .chain(switches)
            .chain(cold)
            .chain(migrations)
            .collect()
    } else {
        Vec::new()
    };
    let legend_columns = ((plot_width + SVG_LEFT) / SVG_LEGEND_COLUMN)
        .floor()
        .max(1.0) as usize;
    let legend_cells = legend_layout(&legend_entries, legend_columns);
    let legend_rows = legend_cells.last().map_or(0, |&(_, row)| row + 1);
    let height = (legend_top + legend_rows as f64 * SVG_LEGEND_ROW + 12.0).ceil();

    let mut svg = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">"#,
        w = num(SVG_WIDTH),
        h = num(height),
    );
    let _ = writeln!(svg, "<title>{}</title>", xml_escape(&timeline.title));
    let _ = writeln!(
        svg,
        r##"<rect class="background" x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(SVG_WIDTH),
        num(height)
    );
    let _ = writeln!(
        svg,
        r##"<text class="heading" x="{}" y="26" font-size="15" font-weight="bold" fill="#222222">{}</text>"##,
        num(SVG_LEFT),
        xml_escape(&shorten(&timeline.title, 100))
    );
    if let Some(id) = &cold_pattern {
        // Thin white stripes, a third of the width, at 45°: the task's colour stays readable under them.
        let _ = writeln!(
            svg,
            r##"<defs><pattern id="{id}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect x="0" y="0" width="2" height="6" fill="#ffffff" fill-opacity="0.6"/></pattern></defs>"##
        );
    }

    // Lanes.
    svg.push_str("<g class=\"lanes\">\n");
    for (row, &lane) in lanes.iter().enumerate() {
        let top = row_top(row);
        let label = timeline.lane_label(lane);
        let _ = writeln!(
            svg,
            r##"<rect class="lane" x="{}" y="{}" width="{}" height="{}" fill="#f3f3f3"/>"##,
            num(SVG_LEFT),
            num(top),
            num(plot_width),
            num(SVG_LANE_HEIGHT)
        );
        let _ = writeln!(
            svg,
            r##"<text class="lane-label" x="{}" y="{}" text-anchor="end" fill="#333333">{}</text>"##,
            num(SVG_LEFT - 8.0),
            num(top + SVG_LANE_HEIGHT / 2.0 + 4.0),
            xml_escape(&shorten(&label, SVG_LABEL_CHARS))
        );
    }
    svg.push_str("</g>\n");

    // Time axis with round ticks.
    let step = tick_step(span, timeline.unit);
    let decimals = tick_decimals(step);
    svg.push_str("<g class=\"axis\" stroke=\"#666666\">\n");
    let _ = writeln!(
        svg,
        r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}"/>"#,
        num(SVG_LEFT),
        num(SVG_LEFT + plot_width),
        y = num(axis_y)
    );
    let tick_count = (span / step).floor() as usize;
    for index in 0..=tick_count {
        let time = index as f64 * step;
        let x = num(x_of(time));
        let _ = writeln!(
            svg,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            num(axis_y),
            num(axis_y + 5.0)
        );
        let _ = writeln!(
            svg,
            r##"<text x="{x}" y="{}" text-anchor="middle" stroke="none" fill="#444444">{time:.decimals$}</text>"##,
            num(axis_y + 18.0),
        );
    }
    let _ = writeln!(
        svg,
        r##"<text class="axis-unit" x="{}" y="{}" text-anchor="end" stroke="none" fill="#444444">{}</text>"##,
        num(SVG_LEFT - 8.0),
        num(axis_y + 18.0),
        unit
    );
    svg.push_str("</g>\n");

    // Slices and switches.
    let lane_rect = |slice: &Span| {
        let row = row_of.get(&slice.lane).copied().unwrap_or(0);
        let x = x_of(slice.start);
        // A minimum width keeps very short slices visible.
        let width = (x_of(slice.end) - x).max(0.5);
        (x, row_top(row) + 3.0, width, SVG_LANE_HEIGHT - 6.0)
    };
    let cold: BTreeSet<SpanKey> = timeline.cold.iter().map(span_key).collect();
    svg.push_str("<g class=\"slices\">\n");
    for slice in &timeline.spans {
        let (x, y, width, height) = lane_rect(slice);
        let name = timeline.task_name(slice.task);
        let cache = if cold.is_empty() {
            ""
        } else if cold.contains(&span_key(slice)) {
            " · cold cache"
        } else {
            " · warm cache"
        };
        let tooltip = format!(
            "{name} · {lane}: {start}–{end} {unit}{cache}",
            lane = timeline.lane_label(slice.lane),
            start = finite_or_zero(slice.start),
            end = finite_or_zero(slice.end),
        );
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
    if let Some(id) = &cold_pattern {
        // Over the slices, and transparent to the pointer so the slice's tooltip still shows.
        svg.push_str("<g class=\"cold-spans\">\n");
        for slice in &timeline.cold {
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
    for slice in &timeline.switches {
        let (x, y, width, height) = lane_rect(slice);
        let tooltip = format!(
            "context switch to {name} · {lane}: {start}–{end} {unit}",
            name = timeline.task_name(slice.task),
            lane = timeline.lane_label(slice.lane),
            start = finite_or_zero(slice.start),
            end = finite_or_zero(slice.end),
        );
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
    if !timeline.migrations.is_empty() {
        svg.push_str("<g class=\"migrations\">\n");
        for moved in &timeline.migrations {
            let row = row_of.get(&moved.lane).copied().unwrap_or(0);
            let x = x_of(moved.start);
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
                triangle(x, row_top(row) - 1.0, 9.0, 8.0),
                xml_escape(&tooltip)
            );
        }
        svg.push_str("</g>\n");
    }

    if !legend {
        svg.push_str("</svg>\n");
        return svg;
    }
    // Legend.
    svg.push_str("<g class=\"legend\">\n");
    for ((name, mark), &(column, row)) in legend_entries.iter().zip(&legend_cells) {
        let x = 12.0 + column as f64 * SVG_LEGEND_COLUMN;
        let y = legend_top + row as f64 * SVG_LEGEND_ROW;
        let square = |class: &str, fill: &str| {
            format!(
                r#"<rect class="{class}" x="{}" y="{}" width="12" height="12" fill="{fill}"/>"#,
                num(x),
                num(y)
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
                    triangle(x + 6.0, y + 1.0, 10.0, 9.0)
                );
            }
        }
        svg.push('\n');
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{}" fill="#333333">{}</text>"##,
            num(x + 18.0),
            num(y + 10.5),
            xml_escape(name)
        );
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// What a legend entry shows before its words.
enum LegendMark<'a> {
    /// A square of this colour.
    Fill(&'a str),
    /// A grey square hatched with the pattern of this id.
    Hatch(&'a str),
    /// A migration marker.
    Marker,
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

/// A round axis step (1, 2 or 5 × 10ⁿ) giving about eight ticks over `span`; at least 1 for ticks.
fn tick_step(span: f64, unit: TimeUnit) -> f64 {
    let raw = span / 8.0;
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
    if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 12.0) as usize
    }
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
fn shorten(text: &str, max_chars: usize) -> Cow<'_, str> {
    if text.chars().count() <= max_chars {
        Cow::Borrowed(text)
    } else {
        let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        Cow::Owned(format!("{kept}…"))
    }
}

/// The colour if it is `#rgb` or `#rrggbb`, otherwise grey; never anything that could break out of an attribute.
fn safe_colour(colour: &str) -> &str {
    let hex = colour.strip_prefix('#').unwrap_or("");
    if matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        colour
    } else {
        FALLBACK_FILL
    }
}

/// Escapes text for XML content and attribute values; characters XML 1.0 cannot hold (most control
/// characters, U+FFFE, U+FFFF) become U+FFFD so the document always parses.
fn xml_escape(text: &str) -> String {
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
