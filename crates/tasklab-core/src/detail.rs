//! Level of detail for drawing a large timeline fast: an index of each row's slices (by lane) or stretches (by
//! task) in time order, which answers in O(log n) how many of them a stretch of time shows, and turns what a
//! stretch shows at a given width into at most a few bars per pixel column: a slice a pixel wide or more is drawn
//! as itself, thinner ones are merged, each pixel column taking the paint that covers most of it (so a lane
//! switching between two tasks every tick reads, from afar, as the task that ran most there). The page paints
//! those bars on a canvas when a timeline is too large for one SVG element per slice, and asks the index what is
//! under the pointer ([`DetailIndex::hit`]) for its tooltip.
//!
//! Pure: pixels are plain numbers from the plot's left edge; nothing here knows the browser.

use crate::export::{slice_tooltip, stretch_tooltip, switch_tooltip};
use crate::timeline::{TaskState, TimeRange, Timeline};

/// What fills a bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// A task's slice on a lane, in the task's colour.
    Slice(usize),
    /// A context switch (to the task given).
    Switch(usize),
    /// A stretch of a task's row in the per-task view.
    State(TaskState, usize),
}

impl Paint {
    /// The task the paint belongs to.
    pub fn task(self) -> usize {
        match self {
            Paint::Slice(task) | Paint::Switch(task) | Paint::State(_, task) => task,
        }
    }
}

/// One slice or stretch of a row, as the index keeps it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Item {
    start: f64,
    end: f64,
    paint: Paint,
}

/// One row: its items by start, and for each the latest end up to it (ends are then searchable even if a hand-made
/// timeline lets items overlap).
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    items: Vec<Item>,
    ends_so_far: Vec<f64>,
    /// Stretches run with a cold cache (by lane only), by start, with their running latest end.
    cold: Vec<(f64, f64)>,
    cold_ends_so_far: Vec<f64>,
    /// Moves onto this lane: (time, task), by time.
    migrations: Vec<(f64, usize)>,
}

impl Row {
    fn sort(&mut self) {
        self.items.sort_by(|a, b| a.start.total_cmp(&b.start));
        self.ends_so_far = running_max(self.items.iter().map(|item| item.end));
        self.cold.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.cold_ends_so_far = running_max(self.cold.iter().map(|stretch| stretch.1));
        self.migrations.sort_by(|a, b| a.0.total_cmp(&b.0));
    }

    /// The indices of the items that overlap `start..end` (an item ending at `start` or starting at `end` does
    /// not): from the first whose running end passes `start` to the last that starts before `end` (a few outside
    /// it may lie between, when items overlap).
    fn visible(&self, start: f64, end: f64) -> std::ops::Range<usize> {
        let first = self.ends_so_far.partition_point(|&until| until <= start);
        let last = self.items.partition_point(|item| item.start < end);
        first..last.max(first)
    }
}

fn running_max(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut latest = f64::NEG_INFINITY;
    values
        .map(|value| {
            latest = latest.max(value);
            latest
        })
        .collect()
}

/// A bar to paint, in pixels from the plot's left edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Row index (as the picture orders its rows).
    pub row: usize,
    /// Left edge, pixels.
    pub x: f64,
    /// Width, pixels (at least one pixel for merged columns, at least half a pixel otherwise).
    pub width: f64,
    /// What fills it.
    pub paint: Paint,
    /// How many slices or stretches it stands for (1 unless thinner ones were merged into it).
    pub merged: usize,
}

/// What [`DetailIndex::bars`] paints: bars, hatched cold stretches (row, x, width) and migration markers (row, x).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Painting {
    /// The slices or stretches.
    pub bars: Vec<Bar>,
    /// Cold-cache stretches to hatch over the bars.
    pub cold: Vec<(usize, f64, f64)>,
    /// Where a task moved onto a lane: one marker per row and pixel column at most.
    pub migrations: Vec<(usize, f64)>,
    /// Slices or stretches the range shows (before merging).
    pub shown: usize,
}

/// What lies under the pointer: one slice or stretch, or several merged into a pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Words for a tooltip, e.g. "Task 3 · CPU 2: 40–41 ticks (1 ticks)" or "12 slices on CPU 2 from 40 to 52
    /// ticks, mostly Task 3: zoom in to see each".
    pub text: String,
    /// The task of the slice (of the one covering most of the pixel when several are merged).
    pub task: usize,
    /// How many slices or stretches the pixel holds.
    pub count: usize,
}

/// The index of a timeline's rows for drawing at any zoom; build it once per timeline and view (by lane or by
/// task), then ask it for each frame.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailIndex {
    rows: Vec<Row>,
    by_task: bool,
    /// Lane index of each row (by lane), for tooltips.
    lanes: Vec<usize>,
}

impl DetailIndex {
    /// Indexes `timeline` by lane (the rows of [`Timeline::lanes_shown`], in order) or by task (its
    /// [`Timeline::task_rows`]).
    pub fn new(timeline: &Timeline, by_task: bool) -> Self {
        let finite = |time: f64| if time.is_finite() { time } else { 0.0 };
        if by_task {
            let rows = timeline
                .task_rows
                .iter()
                .map(|task_row| {
                    let mut row = Row {
                        items: task_row
                            .stretches
                            .iter()
                            .map(|stretch| Item {
                                start: finite(stretch.start),
                                end: finite(stretch.end),
                                paint: Paint::State(stretch.state, task_row.task),
                            })
                            .collect(),
                        ..Row::default()
                    };
                    row.sort();
                    row
                })
                .collect();
            return Self {
                rows,
                by_task,
                lanes: Vec::new(),
            };
        }
        let lanes = timeline.lanes_shown();
        let mut rows = vec![Row::default(); lanes.len()];
        // `lanes` is sorted: a lane's row is its position.
        let row_of = |lane: usize| lanes.binary_search(&lane).ok();
        for (span, switch) in timeline.all_spans() {
            if let Some(row) = row_of(span.lane).and_then(|row| rows.get_mut(row)) {
                row.items.push(Item {
                    start: finite(span.start),
                    end: finite(span.end),
                    paint: if switch {
                        Paint::Switch(span.task)
                    } else {
                        Paint::Slice(span.task)
                    },
                });
            }
        }
        for span in &timeline.cold {
            if let Some(row) = row_of(span.lane).and_then(|row| rows.get_mut(row)) {
                row.cold.push((finite(span.start), finite(span.end)));
            }
        }
        for moved in &timeline.migrations {
            if let Some(row) = row_of(moved.lane).and_then(|row| rows.get_mut(row)) {
                row.migrations.push((finite(moved.start), moved.task));
            }
        }
        for row in &mut rows {
            row.sort();
        }
        Self {
            rows,
            by_task,
            lanes,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Slices and stretches in all rows.
    pub fn len(&self) -> usize {
        self.rows.iter().map(|row| row.items.len()).sum()
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many slices or stretches `range` shows (in O(rows × log n)).
    pub fn count_in(&self, range: TimeRange) -> usize {
        self.rows
            .iter()
            .map(|row| row.visible(range.start, range.end).len())
            .sum()
    }

    /// What `range` shows on a plot `plot_width` pixels wide: slices a pixel wide or more as themselves (next ones
    /// of the same paint joined), thinner ones merged per pixel column into the paint covering most of it.
    pub fn bars(&self, range: TimeRange, plot_width: f64) -> Painting {
        let mut painting = Painting::default();
        let len = range.len();
        if !(len > 0.0 && len.is_finite() && plot_width > 0.0 && plot_width.is_finite()) {
            return painting;
        }
        let per_unit = plot_width / len;
        let x_of = |time: f64| (time.clamp(range.start, range.end) - range.start) * per_unit;
        for (row_index, row) in self.rows.iter().enumerate() {
            let visible = row.visible(range.start, range.end);
            painting.shown += visible.len();
            let mut column = Column::default();
            let row_start = painting.bars.len();
            let push = |bars: &mut Vec<Bar>, bar: Bar| {
                // Joined to the bar before when it continues it in the same paint.
                if let Some(last) = bars[row_start..].last_mut() {
                    if last.paint == bar.paint && bar.x <= last.x + last.width + 0.01 {
                        let end = (bar.x + bar.width).max(last.x + last.width);
                        last.width = end - last.x;
                        last.merged += bar.merged;
                        return;
                    }
                }
                bars.push(bar);
            };
            for item in &row.items[visible] {
                if item.end <= range.start || item.start >= range.end {
                    continue;
                }
                let (x0, x1) = (x_of(item.start), x_of(item.end));
                if x1 - x0 >= 1.0 {
                    if let Some(bar) = column.take(row_index) {
                        push(&mut painting.bars, bar);
                    }
                    push(
                        &mut painting.bars,
                        Bar {
                            row: row_index,
                            x: x0,
                            width: x1 - x0,
                            paint: item.paint,
                            merged: 1,
                        },
                    );
                } else {
                    let pixel = x0.floor();
                    if column.pixel != Some(pixel) {
                        if let Some(bar) = column.take(row_index) {
                            push(&mut painting.bars, bar);
                        }
                        column.pixel = Some(pixel);
                    }
                    column.add(item.paint, (x1 - x0).max(1e-9));
                }
            }
            if let Some(bar) = column.take(row_index) {
                push(&mut painting.bars, bar);
            }
            // Cold hatches: each visible cold stretch at least a pixel wide, joined where they touch.
            let first = row
                .cold_ends_so_far
                .partition_point(|&until| until <= range.start);
            let mut last_cold: Option<(f64, f64)> = None;
            for &(start, end) in &row.cold[first..] {
                if start >= range.end {
                    break;
                }
                let (x0, x1) = (x_of(start), x_of(end).max(x_of(start) + 1.0));
                match &mut last_cold {
                    Some((_, last_end)) if x0 <= *last_end + 0.5 => *last_end = last_end.max(x1),
                    _ => {
                        if let Some((from, to)) = last_cold.take() {
                            painting.cold.push((row_index, from, to - from));
                        }
                        last_cold = Some((x0, x1));
                    }
                }
            }
            if let Some((from, to)) = last_cold {
                painting.cold.push((row_index, from, to - from));
            }
            // Migration markers: one per pixel column.
            let first = row
                .migrations
                .partition_point(|&(time, _)| time < range.start);
            let mut last_pixel = f64::NEG_INFINITY;
            for &(time, _) in &row.migrations[first..] {
                if time > range.end {
                    break;
                }
                let x = x_of(time);
                if x.floor() > last_pixel {
                    last_pixel = x.floor();
                    painting.migrations.push((row_index, x));
                }
            }
        }
        painting
    }

    /// What lies under the pointer at `time` in row `row` when `range` is drawn `plot_width` pixels wide: the
    /// slices or stretches within half a pixel of it (a pixel's worth), with words for a tooltip.
    pub fn hit(
        &self,
        timeline: &Timeline,
        row: usize,
        time: f64,
        range: TimeRange,
        plot_width: f64,
    ) -> Option<Hit> {
        let row_items = self.rows.get(row)?;
        let half_pixel = range.len() / plot_width.max(1.0) / 2.0;
        if !(half_pixel.is_finite() && time.is_finite()) {
            return None;
        }
        let (from, to) = (time - half_pixel, time + half_pixel);
        let under: Vec<&Item> = row_items.items[row_items.visible(from, to)]
            .iter()
            .filter(|item| item.end >= from && item.start <= to)
            .collect();
        let covering = |item: &&Item| item.end.min(to) - item.start.max(from);
        let most = *under
            .iter()
            .max_by(|a, b| covering(a).total_cmp(&covering(b)))?;
        let text = if under.len() == 1 {
            self.describe(timeline, row, most)
        } else {
            let (start, end) = under
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(s, e), item| {
                    (s.min(item.start), e.max(item.end))
                });
            let (what, place) = if self.by_task {
                ("stretches", String::new())
            } else {
                (
                    "slices",
                    format!(
                        " on {}",
                        timeline.lane_label(self.lanes.get(row).copied().unwrap_or(row))
                    ),
                )
            };
            format!(
                "{} {what}{place} from {} to {} {unit}, mostly {}: zoom in to see each",
                under.len(),
                round3(start),
                round3(end),
                timeline.task_name(most.paint.task()),
                unit = timeline.unit.suffix(),
            )
        };
        Some(Hit {
            text,
            task: most.paint.task(),
            count: under.len(),
        })
    }

    /// The tooltip of one item, as the SVG picture gives it.
    fn describe(&self, timeline: &Timeline, row: usize, item: &Item) -> String {
        let lane = self.lanes.get(row).copied().unwrap_or(row);
        let span = crate::timeline::Span {
            task: item.paint.task(),
            lane,
            start: item.start,
            end: item.end,
        };
        match item.paint {
            Paint::Slice(_) => {
                let cache = (!timeline.cold.is_empty()).then(|| {
                    self.rows.get(row).is_some_and(|row| {
                        row.cold
                            .iter()
                            .any(|&(start, end)| start == item.start && end == item.end)
                    })
                });
                slice_tooltip(timeline, &span, cache)
            }
            Paint::Switch(_) => switch_tooltip(timeline, &span),
            Paint::State(state, task) => stretch_tooltip(
                timeline,
                task,
                &crate::timeline::Stretch {
                    start: item.start,
                    end: item.end,
                    state,
                },
            ),
        }
    }
}

fn round3(time: f64) -> f64 {
    (time * 1_000.0).round() / 1_000.0
}

/// The slices merged into one pixel column so far: each paint with the share of the column it covers.
#[derive(Debug, Default)]
struct Column {
    pixel: Option<f64>,
    paints: Vec<(Paint, f64)>,
    count: usize,
}

impl Column {
    fn add(&mut self, paint: Paint, width: f64) {
        self.count += 1;
        match self.paints.iter_mut().find(|(known, _)| *known == paint) {
            Some((_, covered)) => *covered += width,
            None => self.paints.push((paint, width)),
        }
    }

    /// The column as one bar in the paint covering most of it (the first such on a tie), and a fresh column.
    fn take(&mut self, row: usize) -> Option<Bar> {
        let pixel = self.pixel.take()?;
        let (paint, _) =
            self.paints
                .iter()
                .copied()
                .reduce(|best, next| if next.1 > best.1 { next } else { best })?;
        let bar = Bar {
            row,
            x: pixel,
            width: 1.0,
            paint,
            merged: self.count,
        };
        self.paints.clear();
        self.count = 0;
        Some(bar)
    }
}
