//! Comparing worker counts: the pure part of the Compare view.
//!
//! A *comparison* runs the same scenario on the parallel executor with several worker counts `p` (by default
//! 1, 2, 4, … up to this machine's cores, see [`default_worker_counts`]), each a few times, and measures the
//! *speed-up* of each configuration against one worker: `S(p) = T(1) / T(p)`. Repeats give a spread (median,
//! min, max, see [`spread`]); the median is the point drawn, the min and max its error bar.
//!
//! Two models explain the points:
//!
//! - **Amdahl's law** (Amdahl 1967): a job whose serial fraction `f` cannot be shared runs `p` times faster only on
//!   its other `1 − f`, so `S(p) = 1 / (f + (1 − f) / p)`, which never exceeds `1 / f` ([`amdahl_speedup`]).
//!   [`fit_amdahl`] finds the `f` that best explains the measured points: it minimises
//!   `Σ (1/S_i − (f + (1 − f)/p_i))²`, which is linear in `f`: with `x_i = 1 − 1/p_i` and `y_i = 1/S_i − 1/p_i`,
//!   `f = Σ x_i y_i / Σ x_i²` (clamped to `[0, 1]`).
//! - **The Karp–Flatt metric** (Karp & Flatt 1990): the *experimentally determined serial fraction* of one point,
//!   `e = (1/S − 1/p) / (1 − 1/p)` ([`karp_flatt`]). If it stays flat as `p` grows, the limit is the serial part
//!   (Amdahl); if it grows, the overhead of parallelising grows with `p` (hand-overs, contention, too few cores).
//!
//! A third line comes from the scheduling simulator: [`predicted_speedups`] simulates the scenario on 1, 2, 4, …,
//! 64 virtual CPUs with splittable phases cut as the parallel executor cuts them, which extends the comparison
//! beyond the cores of this machine. [`speedup_chart_svg`] draws all of it; [`CompareReport`] is the JSON the page
//! publishes.
//!
//! References: G. M. Amdahl, "Validity of the single processor approach to achieving large scale computing
//! capabilities", AFIPS Spring Joint Computer Conference, 1967. A. H. Karp and H. P. Flatt, "Measuring parallel
//! processor performance", Communications of the ACM 33(5), 1990.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::export::{shorten, xml_escape};
use crate::predict::{PredictSettings, UnitCosts, MAX_PREDICT_CPUS};
use crate::scenario::Scenario;
use crate::sim::SimOptions;
use crate::split::simulate_split_with_working_set;

/// Most worker counts a comparison measures.
pub const MAX_COMPARE_POINTS: usize = 8;
/// Most repeats per configuration.
pub const MAX_COMPARE_REPEAT: u32 = 10;
/// CPU counts the prediction extends to: 1, 2, 4, 8, 16, 32, 64.
pub const PREDICTED_CPUS: [u32; 7] = [1, 2, 4, 8, 16, 32, 64];
/// Most slices one simulation of [`predicted_speedups`] may have (each CPU count is one simulation per fork or
/// join, plus the one-CPU baseline); a CPU count beyond it is skipped.
pub const COMPARE_MAX_SLICES: u64 = 200_000;
/// Simulator ticks per millisecond of [`predicted_speedups`]: 10 µs ticks (as the engine's model of a run), so a
/// chunk keeps its length instead of being rounded to whole milliseconds, which at 64 CPUs would bend the curve
/// by several per cent (even above the ideal). Quanta and every other duration of the settings scale with it,
/// so the slice count stays that of whole-millisecond ticks.
pub const COMPARE_TICKS_PER_MS: u64 = 100;

/// The default worker counts: 1, 2, 4, 8, … below `hardware`, then `hardware` itself as the last point (so a
/// 6-core machine gets 1, 2, 4, 6); at most [`MAX_COMPARE_POINTS`] (on a huge machine the largest powers of two
/// are dropped, `hardware` stays). A `hardware` of 0 counts as 1.
pub fn default_worker_counts(hardware: u32) -> Vec<u32> {
    let hardware = hardware.max(1);
    let mut counts: Vec<u32> = std::iter::successors(Some(1u32), |&n| n.checked_mul(2))
        .take_while(|&n| n < hardware)
        .collect();
    counts.push(hardware);
    if counts.len() > MAX_COMPARE_POINTS {
        let last = counts.len() - 1;
        counts.drain(MAX_COMPARE_POINTS - 1..last);
    }
    counts
}

/// At most this many characters of a bad item are quoted in an error.
const QUOTED_CHARS: usize = 20;

fn quoted(item: &str) -> String {
    if item.chars().count() <= QUOTED_CHARS {
        format!("“{item}”")
    } else {
        let kept: String = item.chars().take(QUOTED_CHARS - 1).collect();
        format!("“{kept}…”")
    }
}

/// Parses the `compare_workers` setting, `1,2,3`: whole numbers separated by commas (spaces around them and
/// empty items are ignored), each in `1..=max` (the page's `max` is twice `navigator.hardwareConcurrency`),
/// deduplicated and sorted, at most [`MAX_COMPARE_POINTS`] of them.
///
/// # Errors
/// A message naming the bad item: not a whole number, out of range, one too many; or that the list is empty.
pub fn parse_worker_counts(text: &str, max: u32) -> Result<Vec<u32>, String> {
    let max = max.max(1);
    let mut counts = Vec::new();
    for item in text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let all_digits = item.bytes().all(|byte| byte.is_ascii_digit());
        let count = match item.parse::<u32>() {
            Ok(count) if all_digits => count,
            _ if all_digits => {
                return Err(format!("worker count {} is outside 1–{max}", quoted(item)))
            }
            _ => {
                return Err(format!(
                    "worker count {} is not a whole number",
                    quoted(item)
                ))
            }
        };
        if !(1..=max).contains(&count) {
            return Err(format!("worker count {count} is outside 1–{max}"));
        }
        counts.push(count);
    }
    counts.sort_unstable();
    counts.dedup();
    match counts.get(MAX_COMPARE_POINTS) {
        _ if counts.is_empty() => Err("no worker counts given".to_string()),
        Some(extra) => Err(format!(
            "at most {MAX_COMPARE_POINTS} worker counts: {extra} is one too many"
        )),
        None => Ok(counts),
    }
}

/// Median, min and max of measured values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// The middle value (the mean of the two middle ones for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

/// The [`Spread`] of `values`; none when there are none or any is not finite.
pub fn spread(values: &[f64]) -> Option<Spread> {
    if values.is_empty() || values.iter().any(|value| !value.is_finite()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let count = sorted.len();
    let median = if count % 2 == 1 {
        sorted[count / 2]
    } else {
        (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0
    };
    Some(Spread {
        median,
        min: sorted[0],
        max: sorted[count - 1],
    })
}

/// The spread of the speed-ups `baseline_ms / wall_ms` of repeated runs against the one-worker time
/// `baseline_ms` (the median of its repeats); none when a time is not finite and positive, or there are none.
/// (The slowest repeat gives the smallest speed-up.)
pub fn speedup_spread(baseline_ms: f64, walls_ms: &[f64]) -> Option<Spread> {
    let positive = |ms: &f64| ms.is_finite() && *ms > 0.0;
    if !positive(&baseline_ms) || !walls_ms.iter().all(positive) {
        return None;
    }
    let speedups: Vec<f64> = walls_ms.iter().map(|wall| baseline_ms / wall).collect();
    spread(&speedups)
}

/// Amdahl's law: speed-up on `workers` with serial fraction `serial`, `1 / (serial + (1 − serial) / workers)`.
pub fn amdahl_speedup(serial: f64, workers: f64) -> f64 {
    1.0 / (serial + (1.0 - serial) / workers)
}

/// The Karp–Flatt experimentally determined serial fraction `e = (1/S − 1/p) / (1 − 1/p)` of speed-up `S` on `p`
/// workers; none for `p ≤ 1` or a speed-up that is not finite and positive. It is negative for a super-linear
/// speed-up (`S > p`), and left so.
pub fn karp_flatt(speedup: f64, workers: u32) -> Option<f64> {
    if workers <= 1 || !(speedup.is_finite() && speedup > 0.0) {
        return None;
    }
    let p = f64::from(workers);
    Some((1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p))
}

/// Amdahl's law fitted to measured speed-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmdahlFit {
    /// Least-squares serial fraction over the points with p > 1, clamped to [0, 1].
    pub serial_fraction: f64,
    /// Karp–Flatt per point, in the order of the points given (null for p = 1).
    pub karp_flatt: Vec<Option<f64>>,
}

/// Fits Amdahl's law to (workers, speed-up) points: minimises `Σ (1/S_i − (f + (1−f)/p_i))²` over `f`, which is
/// linear in `f`: with `x_i = 1 − 1/p_i` and `y_i = 1/S_i − 1/p_i`, `f = Σ x_i y_i / Σ x_i²`, clamped to
/// `[0, 1]` (super-linear points pull it below 0). Points whose speed-up is not finite and positive are left out
/// of the fit. None when no point has p > 1.
pub fn fit_amdahl(points: &[(u32, f64)]) -> Option<AmdahlFit> {
    let (sum_xy, sum_xx) = points
        .iter()
        .filter(|&&(workers, speedup)| workers > 1 && speedup.is_finite() && speedup > 0.0)
        .fold((0.0, 0.0), |(sum_xy, sum_xx), &(workers, speedup)| {
            let inverse_p = 1.0 / f64::from(workers);
            let x = 1.0 - inverse_p;
            let y = 1.0 / speedup - inverse_p;
            (sum_xy + x * y, sum_xx + x * x)
        });
    if sum_xx <= 0.0 {
        return None;
    }
    let serial_fraction = (sum_xy / sum_xx).clamp(0.0, 1.0);
    if serial_fraction.is_nan() {
        return None;
    }
    Some(AmdahlFit {
        serial_fraction,
        karp_flatt: points
            .iter()
            .map(|&(workers, speedup)| karp_flatt(speedup, workers))
            .collect(),
    })
}

/// One predicted point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PredictedSpeedup {
    /// Virtual CPUs.
    pub cpus: u32,
    /// Simulated makespan on one CPU divided by the makespan on `cpus`.
    pub speedup: f64,
}

/// The simulator's speed-up for `scenario` on each of `cpus` virtual CPUs against 1 CPU.
///
/// Each count `c` is simulated with `settings` (its `cpus` replaced by `c`) and splittable phases cut into
/// `c × chunks_per_cpu` chunks, as the parallel executor cuts them on `c` workers (`chunks_per_cpu` is the
/// engine's `CHUNKS_PER_WORKER`); the baseline is the same on one CPU, cut into `chunks_per_cpu` chunks as a
/// one-worker run is, so the point for one CPU is exactly 1. Speed-up = baseline makespan / makespan, with
/// [`COMPARE_TICKS_PER_MS`] ticks a millisecond (`settings.machine_at` and `settings.policy_at`). Counts
/// outside `1..=`[`MAX_PREDICT_CPUS`] and counts whose simulation fails (for example beyond
/// [`COMPARE_MAX_SLICES`]) are skipped; if the baseline fails, nothing is predicted.
pub fn predicted_speedups(
    scenario: &Scenario,
    costs: &UnitCosts,
    settings: &PredictSettings,
    chunks_per_cpu: usize,
    cpus: &[u32],
) -> Vec<PredictedSpeedup> {
    let chunks_per_cpu = chunks_per_cpu.max(1);
    let options = SimOptions {
        record_trace: false,
        compare_with_one_cpu: false,
        max_slices: COMPARE_MAX_SLICES,
    };
    let makespan = |count: u32| -> Option<u64> {
        let at = PredictSettings {
            cpus: count,
            ..*settings
        };
        let chunks = usize::try_from(count)
            .unwrap_or(usize::MAX)
            .saturating_mul(chunks_per_cpu);
        simulate_split_with_working_set(
            scenario,
            costs,
            chunks,
            COMPARE_TICKS_PER_MS,
            &at.machine_at(COMPARE_TICKS_PER_MS),
            &at.policy_at(COMPARE_TICKS_PER_MS),
            &at.conventions(),
            &options,
            at.working_set,
        )
        .ok()
        .map(|prediction| prediction.result.summary.makespan)
        .filter(|&makespan| makespan > 0)
    };
    let Some(baseline) = makespan(1) else {
        return Vec::new();
    };
    cpus.iter()
        .filter(|count| (1..=MAX_PREDICT_CPUS).contains(count))
        .filter_map(|&count| {
            let makespan = if count == 1 {
                baseline
            } else {
                makespan(count)?
            };
            Some(PredictedSpeedup {
                cpus: count,
                speedup: baseline as f64 / makespan as f64,
            })
        })
        .collect()
}

/// The fit as the page publishes it (the same fields as [`AmdahlFit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareFit {
    /// Least-squares serial fraction, 0..=1.
    pub serial_fraction: f64,
    /// Karp–Flatt per run point (null for one worker).
    pub karp_flatt: Vec<Option<f64>>,
}

impl From<AmdahlFit> for CompareFit {
    fn from(fit: AmdahlFit) -> Self {
        Self {
            serial_fraction: fit.serial_fraction,
            karp_flatt: fit.karp_flatt,
        }
    }
}

/// What a comparison publishes (`window.tasklabLastCompare`) and exports, generic over the report of one run so
/// that core need not fix it: the page uses [`RunCompareReport`]. JSON:
/// `{"runs": [...], "fit": {"serial_fraction": f, "karp_flatt": [...]} or null, "predicted": [{"cpus": n,
/// "speedup": x}, ...], "partial": false, "workers": [1, 2, 4], "repeat": 3}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareReport<R> {
    /// Every run, in the order they ran.
    pub runs: Vec<R>,
    /// Amdahl's law fitted to the median speed-ups (none without a point beyond one worker).
    pub fit: Option<CompareFit>,
    /// The simulator's speed-ups.
    pub predicted: Vec<PredictedSpeedup>,
    /// Whether the comparison was stopped before every configuration ran.
    pub partial: bool,
    /// The worker counts asked for.
    pub workers: Vec<u32>,
    /// Repeats per worker count.
    pub repeat: u32,
}

/// The comparison report with the page's run reports.
pub type RunCompareReport = CompareReport<crate::report::RunReport>;

/// What the speed-up chart draws.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeedupChart {
    /// Heading (and the SVG's `<title>`).
    pub title: String,
    /// Measured (workers, median speed-up, min, max) — the spread as an error bar.
    pub measured: Vec<(u32, Spread)>,
    /// Amdahl's law fitted to the medians.
    pub fit: Option<AmdahlFit>,
    /// The simulator's speed-ups.
    pub predicted: Vec<PredictedSpeedup>,
    /// Cores of this machine (points beyond are "oversubscribed"; the predicted ones beyond are "predicted").
    pub hardware: u32,
}

/// A serial fraction as the chart writes it: `0.03` → `3 %`, `0.025` → `2.5 %` (one decimal below 10 %).
pub fn serial_fraction_label(serial: f64) -> String {
    let percent = serial * 100.0;
    if !percent.is_finite() {
        return "? %".to_string();
    }
    if percent < 9.95 {
        let text = format!("{percent:.1}");
        format!("{} %", text.strip_suffix(".0").unwrap_or(&text))
    } else {
        format!("{percent:.0} %")
    }
}

// Chart geometry (user units = CSS px at the natural size).
const CHART_WIDTH: f64 = 640.0;
const PLOT_LEFT: f64 = 72.0;
const PLOT_RIGHT: f64 = 24.0;
const PLOT_TOP: f64 = 60.0;
const PLOT_HEIGHT: f64 = 290.0;
const LEGEND_ROW: f64 = 26.0;
/// Every text is at least this big: the chart must stay readable on a phone.
const FONT: u32 = 14;
const TITLE_FONT: u32 = 18;
const TITLE_CHARS: usize = 56;
/// Samples of a curve across the x axis.
const CURVE_SAMPLES: usize = 192;
/// The x axis ends at 64 unless a point needs more, and never beyond this.
const MAX_AXIS_X: u32 = 1 << 12;

const COLOUR_TEXT: &str = "#222222";
const COLOUR_AXIS: &str = "#666666";
const COLOUR_GRID: &str = "#e4e4e4";
const COLOUR_IDEAL: &str = "#8c8c8c";
const COLOUR_FIT: &str = "#d9480f";
const COLOUR_MEASURED: &str = "#1c64c4";
const COLOUR_PREDICTED: &str = "#7b2fa8";
const COLOUR_HARDWARE: &str = "#444444";
/// A white outline behind text drawn over the plot, so lines under it do not hide it.
const HALO: &str =
    r##"stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke""##;

/// Where data goes on the chart.
struct Frame {
    /// log2 of the largest x.
    log_x_max: f64,
    y_max: f64,
    plot_width: f64,
}

impl Frame {
    fn x_at_log(&self, log_x: f64) -> f64 {
        PLOT_LEFT + (log_x / self.log_x_max).clamp(0.0, 1.0) * self.plot_width
    }

    fn x(&self, value: f64) -> f64 {
        self.x_at_log(value.max(1.0).log2())
    }

    fn y(&self, value: f64) -> f64 {
        PLOT_TOP + PLOT_HEIGHT - (value / self.y_max).clamp(0.0, 1.0) * PLOT_HEIGHT
    }

    fn bottom(&self) -> f64 {
        PLOT_TOP + PLOT_HEIGHT
    }

    fn right(&self) -> f64 {
        PLOT_LEFT + self.plot_width
    }

    /// A path through `points` (log2 x, y), cut where it leaves the plot at the top (or bottom).
    fn clipped_path(&self, points: &[(f64, f64)]) -> String {
        let inside = |y: f64| (0.0..=self.y_max).contains(&y);
        let mut d = String::new();
        let mut pen_down = false;
        let put = |d: &mut String, command: char, (log_x, y): (f64, f64)| {
            let _ = write!(
                d,
                "{command}{},{} ",
                num(self.x_at_log(log_x)),
                num(self.y(y))
            );
        };
        for (index, &point) in points.iter().enumerate() {
            let previous = index.checked_sub(1).map(|before| points[before]);
            match (previous, inside(point.1)) {
                (None, true) => {
                    put(&mut d, 'M', point);
                    pen_down = true;
                }
                (None, false) => {}
                (Some(before), now_inside) => {
                    let was_inside = inside(before.1);
                    let edge = if point.1 > self.y_max || before.1 > self.y_max {
                        self.y_max
                    } else {
                        0.0
                    };
                    let crossing = || {
                        let t = (edge - before.1) / (point.1 - before.1);
                        (before.0 + t * (point.0 - before.0), edge)
                    };
                    match (was_inside, now_inside) {
                        (true, true) => put(&mut d, if pen_down { 'L' } else { 'M' }, point),
                        (true, false) => {
                            put(&mut d, 'L', crossing());
                            pen_down = false;
                        }
                        (false, true) => {
                            put(&mut d, 'M', crossing());
                            put(&mut d, 'L', point);
                            pen_down = true;
                        }
                        (false, false) => {}
                    }
                }
            }
        }
        d.trim_end().to_string()
    }

    /// A path of `f` sampled across the x axis.
    fn curve(&self, f: impl Fn(f64) -> f64) -> String {
        let points: Vec<(f64, f64)> = (0..=CURVE_SAMPLES)
            .map(|step| {
                let log_x = self.log_x_max * step as f64 / CURVE_SAMPLES as f64;
                (log_x, f(log_x.exp2()))
            })
            .filter(|(_, y)| y.is_finite())
            .collect();
        self.clipped_path(&points)
    }
}

/// The smallest 1, 2 or 5 × 10^k at least `value`.
fn nice_step(value: f64) -> f64 {
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= value * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// An SVG (a standalone document with `xmlns`, `width`/`height`/`viewBox`, `role="img"`, an `aria-label` and a
/// `<title>`) of the speed-up chart.
///
/// x is workers or CPUs on a log2 axis from 1 to 64 (further if a point needs it), ticks at powers of two; y is
/// the speed-up, linear from 0 to the largest of the ideal at the largest measured worker count, the predicted
/// and the measured speed-ups, rounded up to a round step. It draws the ideal line y = x (`.ideal`, dashed grey,
/// cut at the top of the plot), the Amdahl fit (`.fit`, solid), the measured medians (`.measured`, filled circles
/// with min–max error bars; those with more workers than `hardware` hollow, in `.oversubscribed`), the
/// simulator's prediction (`.predicted`, dotted with small squares), a vertical line at `hardware` labelled
/// "this machine: N cores" (`.hardware`), and a legend under the plot that names each. Every text is 14 px or
/// more and escaped.
pub fn speedup_chart_svg(chart: &SpeedupChart) -> String {
    let hardware = chart.hardware.max(1);
    let measured: Vec<(u32, Spread)> = chart
        .measured
        .iter()
        .copied()
        .filter(|(workers, spread)| {
            *workers >= 1
                && spread.median.is_finite()
                && spread.min.is_finite()
                && spread.max.is_finite()
        })
        .collect();
    let mut predicted: Vec<PredictedSpeedup> = chart
        .predicted
        .iter()
        .copied()
        .filter(|point| point.cpus >= 1 && point.speedup.is_finite() && point.speedup >= 0.0)
        .collect();
    predicted.sort_by_key(|point| point.cpus);
    let fit = chart
        .fit
        .as_ref()
        .filter(|fit| fit.serial_fraction.is_finite());

    // Axes.
    let widest = measured
        .iter()
        .map(|(workers, _)| *workers)
        .chain(predicted.iter().map(|point| point.cpus))
        .chain([hardware, 64])
        .max()
        .unwrap_or(64)
        .min(MAX_AXIS_X);
    let x_max = widest.next_power_of_two().min(MAX_AXIS_X);
    let largest_measured_workers = measured.iter().map(|(workers, _)| *workers).max();
    let y_needed = largest_measured_workers
        .map(f64::from)
        .into_iter()
        .chain(
            measured
                .iter()
                .map(|(_, spread)| spread.max.max(spread.median)),
        )
        .chain(predicted.iter().map(|point| point.speedup))
        .fold(1.0_f64, f64::max);
    let y_step = nice_step(y_needed * 1.04 / 5.0);
    let y_max = (y_needed * 1.04 / y_step).ceil() * y_step;
    let frame = Frame {
        log_x_max: f64::from(x_max).log2(),
        y_max,
        plot_width: CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT,
    };
    let bottom = frame.bottom();

    // Legend rows.
    let oversubscribed = measured.iter().any(|(workers, _)| *workers > hardware);
    let fit_label = fit.map(|fit| {
        format!(
            "Amdahl fit, serial fraction {}",
            serial_fraction_label(fit.serial_fraction)
        )
    });
    let mut legend: Vec<(&str, String)> = vec![("ideal", "ideal: speed-up = workers".to_string())];
    if !measured.is_empty() {
        legend.push((
            "measured",
            "measured: median, bar from slowest to fastest".to_string(),
        ));
    }
    if oversubscribed {
        legend.push((
            "oversubscribed",
            "oversubscribed: more workers than cores".to_string(),
        ));
    }
    if let Some(label) = &fit_label {
        legend.push(("fit", label.clone()));
    }
    if !predicted.is_empty() {
        legend.push(("predicted", "predicted by the simulator".to_string()));
    }
    let legend_top = bottom + 76.0;
    let height = (legend_top + legend.len() as f64 * LEGEND_ROW + 8.0).ceil();

    let cores = |count: u32| {
        if count == 1 {
            "1 core".to_string()
        } else {
            format!("{count} cores")
        }
    };
    let hardware_label = format!("this machine: {}", cores(hardware));
    let aria = aria_label(chart, &measured, hardware, fit_label.as_deref(), &predicted);

    let mut svg = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="speedup-chart" role="img" aria-label="{aria}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="{FONT}">"#,
        aria = xml_escape(&aria),
        w = num(CHART_WIDTH),
        h = num(height),
    );
    let _ = writeln!(svg, "<title>{}</title>", xml_escape(&chart.title));
    let _ = writeln!(
        svg,
        r##"<rect class="background" x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(CHART_WIDTH),
        num(height)
    );
    let _ = writeln!(
        svg,
        r#"<text class="heading" x="{}" y="30" font-size="{TITLE_FONT}" font-weight="bold" fill="{COLOUR_TEXT}">{}</text>"#,
        num(PLOT_LEFT - 56.0),
        xml_escape(&shorten(&chart.title, TITLE_CHARS))
    );

    // Grid and axes.
    svg.push_str("<g class=\"axes\">\n");
    let x_ticks: Vec<u32> = std::iter::successors(Some(1u32), |&n| n.checked_mul(2))
        .take_while(|&n| n <= x_max)
        .collect();
    for &tick in &x_ticks {
        let x = num(frame.x(f64::from(tick)));
        let _ = writeln!(
            svg,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{COLOUR_GRID}"/>"#,
            num(PLOT_TOP),
            num(bottom)
        );
        let _ = writeln!(
            svg,
            r#"<text x="{x}" y="{}" text-anchor="middle" fill="{COLOUR_TEXT}">{tick}</text>"#,
            num(bottom + 22.0)
        );
    }
    let y_decimals = if y_step >= 1.0 {
        0
    } else {
        (-y_step.log10().floor()) as usize
    };
    let y_ticks = (y_max / y_step).round() as usize;
    for index in 0..=y_ticks {
        let value = index as f64 * y_step;
        let y = num(frame.y(value));
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{COLOUR_GRID}"/>"#,
            num(PLOT_LEFT),
            num(frame.right())
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" fill="{COLOUR_TEXT}">{value:.y_decimals$}</text>"#,
            num(PLOT_LEFT - 8.0),
            num(frame.y(value) + 5.0)
        );
    }
    let _ = writeln!(
        svg,
        r#"<path d="M{l},{t} L{l},{b} L{r},{b}" fill="none" stroke="{COLOUR_AXIS}"/>"#,
        l = num(PLOT_LEFT),
        t = num(PLOT_TOP),
        b = num(bottom),
        r = num(frame.right()),
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{COLOUR_TEXT}">workers or CPUs (log scale)</text>"#,
        num(PLOT_LEFT + frame.plot_width / 2.0),
        num(bottom + 48.0)
    );
    let _ = writeln!(
        svg,
        r#"<text x="0" y="0" transform="translate(22 {}) rotate(-90)" text-anchor="middle" fill="{COLOUR_TEXT}">speed-up (×)</text>"#,
        num(PLOT_TOP + PLOT_HEIGHT / 2.0)
    );
    svg.push_str("</g>\n");

    // This machine.
    let hardware_x = frame.x(f64::from(hardware));
    let label_right = hardware_x < PLOT_LEFT + frame.plot_width * 0.45;
    let (label_x, anchor) = if label_right {
        (hardware_x + 6.0, "start")
    } else {
        (hardware_x - 6.0, "end")
    };
    let _ = writeln!(
        svg,
        r#"<line class="hardware" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{COLOUR_HARDWARE}" stroke-width="1.5" stroke-dasharray="2 3"/>"#,
        num(PLOT_TOP),
        num(bottom),
        x = num(hardware_x),
    );

    // Ideal: y = x.
    let _ = writeln!(
        svg,
        r#"<path class="ideal" d="{}" fill="none" stroke="{COLOUR_IDEAL}" stroke-width="2" stroke-dasharray="7 5"/>"#,
        frame.curve(|x| x)
    );

    // Amdahl fit.
    if let Some(fit) = fit {
        let serial = fit.serial_fraction;
        let _ = writeln!(
            svg,
            r#"<path class="fit" d="{}" fill="none" stroke="{COLOUR_FIT}" stroke-width="2.5"/>"#,
            frame.curve(|x| amdahl_speedup(serial, x))
        );
    }

    // Predicted by the simulator.
    if !predicted.is_empty() {
        let points: Vec<(f64, f64)> = predicted
            .iter()
            .map(|point| (f64::from(point.cpus.min(x_max)).log2(), point.speedup))
            .collect();
        svg.push_str("<g class=\"predicted\">\n");
        let _ = writeln!(
            svg,
            r#"<path d="{}" fill="none" stroke="{COLOUR_PREDICTED}" stroke-width="2.5" stroke-dasharray="1 5" stroke-linecap="round"/>"#,
            frame.clipped_path(&points)
        );
        for point in &predicted {
            let x = frame.x(f64::from(point.cpus));
            let y = frame.y(point.speedup);
            let _ = writeln!(
                svg,
                r#"<rect x="{}" y="{}" width="7" height="7" fill="{COLOUR_PREDICTED}"><title>{} CPUs: predicted speed-up {:.2}</title></rect>"#,
                num(x - 3.5),
                num(y - 3.5),
                point.cpus,
                point.speedup
            );
        }
        svg.push_str("</g>\n");
    }

    // Measured.
    if !measured.is_empty() {
        svg.push_str("<g class=\"measured\">\n");
        for (workers, spread) in &measured {
            let over = *workers > hardware;
            let x = frame.x(f64::from(*workers));
            let (low, high) = (frame.y(spread.min), frame.y(spread.max));
            let class = if over {
                "point oversubscribed"
            } else {
                "point"
            };
            let _ = write!(svg, r#"<g class="{class}">"#);
            if (low - high).abs() > 1.0 {
                let _ = write!(
                    svg,
                    r#"<path class="error-bar" d="M{x},{high} L{x},{low} M{l},{high} L{r},{high} M{l},{low} L{r},{low}" stroke="{COLOUR_MEASURED}" stroke-width="1.5" fill="none"/>"#,
                    x = num(x),
                    l = num(x - 5.0),
                    r = num(x + 5.0),
                    high = num(high),
                    low = num(low),
                );
            }
            let fill = if over { "#ffffff" } else { COLOUR_MEASURED };
            let _ = writeln!(
                svg,
                r#"<circle cx="{}" cy="{}" r="5.5" fill="{fill}" stroke="{COLOUR_MEASURED}" stroke-width="2"><title>{workers} {}: speed-up {:.2} (min {:.2}, max {:.2}){}</title></circle></g>"#,
                num(x),
                num(frame.y(spread.median)),
                if *workers == 1 { "worker" } else { "workers" },
                spread.median,
                spread.min,
                spread.max,
                if over { ", oversubscribed" } else { "" },
            );
        }
        svg.push_str("</g>\n");
    }
    // Labels over the plot come last, so no line hides them.
    let _ = writeln!(
        svg,
        r#"<text class="hardware label" x="{}" y="{}" text-anchor="{anchor}" fill="{COLOUR_HARDWARE}" {HALO}>{}</text>"#,
        num(label_x),
        num(PLOT_TOP + 18.0),
        xml_escape(&hardware_label),
    );
    if oversubscribed {
        // Beside the line at `hardware`, on the side of the oversubscribed points, under the machine's label.
        let _ = writeln!(
            svg,
            r#"<text class="oversubscribed label" x="{}" y="{}" text-anchor="start" fill="{COLOUR_MEASURED}" {HALO}>oversubscribed →</text>"#,
            num(hardware_x + 6.0),
            num(PLOT_TOP + if label_right { 40.0 } else { 18.0 }),
        );
    }

    // Legend.
    svg.push_str("<g class=\"legend\">\n");
    for (row, (kind, label)) in legend.iter().enumerate() {
        let y = legend_top + row as f64 * LEGEND_ROW;
        let (left, middle, right) = (
            PLOT_LEFT - 56.0,
            PLOT_LEFT - 56.0 + 16.0,
            PLOT_LEFT - 56.0 + 32.0,
        );
        let swatch = match *kind {
            "ideal" => format!(
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{COLOUR_IDEAL}" stroke-width="2" stroke-dasharray="7 5"/>"#,
                num(left),
                num(right),
                y = num(y)
            ),
            "fit" => format!(
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{COLOUR_FIT}" stroke-width="2.5"/>"#,
                num(left),
                num(right),
                y = num(y)
            ),
            "predicted" => format!(
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{COLOUR_PREDICTED}" stroke-width="2.5" stroke-dasharray="1 5" stroke-linecap="round"/><rect x="{}" y="{}" width="7" height="7" fill="{COLOUR_PREDICTED}"/>"#,
                num(left),
                num(right),
                num(middle - 3.5),
                num(y - 3.5),
                y = num(y)
            ),
            other => {
                let fill = if other == "oversubscribed" {
                    "#ffffff"
                } else {
                    COLOUR_MEASURED
                };
                format!(
                    r#"<path d="M{m},{t} L{m},{b} M{a},{t} L{c},{t} M{a},{b} L{c},{b}" stroke="{COLOUR_MEASURED}" stroke-width="1.5" fill="none"/><circle cx="{m}" cy="{y}" r="5.5" fill="{fill}" stroke="{COLOUR_MEASURED}" stroke-width="2"/>"#,
                    m = num(middle),
                    a = num(middle - 5.0),
                    c = num(middle + 5.0),
                    t = num(y - 9.0),
                    b = num(y + 9.0),
                    y = num(y)
                )
            }
        };
        let _ = writeln!(
            svg,
            r#"<g class="legend-{kind}">{swatch}<text x="{}" y="{}" fill="{COLOUR_TEXT}">{}</text></g>"#,
            num(right + 10.0),
            num(y + 5.0),
            xml_escape(label)
        );
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// What a screen reader says for the chart.
fn aria_label(
    chart: &SpeedupChart,
    measured: &[(u32, Spread)],
    hardware: u32,
    fit_label: Option<&str>,
    predicted: &[PredictedSpeedup],
) -> String {
    let mut text = format!("{}: speed-up against workers", chart.title);
    if !measured.is_empty() {
        let points: Vec<String> = measured
            .iter()
            .map(|(workers, spread)| {
                format!(
                    "{workers} {} {:.2}{}",
                    if *workers == 1 { "worker" } else { "workers" },
                    spread.median,
                    if *workers > hardware {
                        " (oversubscribed)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        let _ = write!(text, ". Measured: {}", points.join(", "));
    }
    if let Some(label) = fit_label {
        let _ = write!(text, ". {label}");
    }
    if let Some(last) = predicted.last() {
        let _ = write!(
            text,
            ". Predicted by the simulator: {:.2} on {} CPUs",
            last.speedup, last.cpus
        );
    }
    let _ = write!(text, ". This machine has {hardware} cores.");
    text
}

/// A coordinate with at most two decimals, no trailing zeros (as `crate::export` writes them).
fn num(value: f64) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" || text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}
