//! The Compare view: every mode run one after another on the same scenario and shown on one clock (stacked
//! timelines with the same milliseconds per pixel), a table of medians and spreads, the speed-up chart with the
//! Amdahl fit and the simulator's prediction beyond this machine, and the runs table of the tab.

use std::rc::Rc;

use tasklab_core::compare::{speedup_chart_svg, SpeedupChart};
use tasklab_core::settings::Mode;
use tasklab_core::timeline::{TimeRange, Timeline};
use tasklab_engine::plan::ExecutorPlan;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::compare::{CompareRow, Comparison, RunRow};
use crate::error::PageError;
use crate::panels::exports::svg_dimension;
use crate::panels::term::term;
use crate::state::scenario_title;
use crate::timeline_view::TimelineView;
use crate::widgets::format_ms;

/// What the Compare view shows.
#[derive(Properties, PartialEq)]
pub struct CompareProps {
    /// The comparison under way or last made.
    pub comparison: Option<Rc<Comparison>>,
    /// Every run of this tab.
    pub history: Rc<Vec<RunRow>>,
    /// Told when a download fails.
    pub on_error: Callback<PageError>,
}

/// The Compare view.
#[function_component(CompareView)]
pub fn compare_view(props: &CompareProps) -> Html {
    // One zoom and pan for every row, so the rows stay on one clock however they are explored.
    let zoom = use_state_eq(|| None::<TimeRange>);
    html! {
        <section class="compare" id="compare-view" aria-labelledby="compare-title">
            <h2 id="compare-title">{"Compare all modes on one clock"}</h2>
            <p class="story">{"Compare all modes (beside Run) runs this scenario once per mode, one after another: on the main thread without yielding (the honest one-CPU baseline), multitasking in time slices, and multiprocessing with each number of workers. Every row below is drawn on the same time axis, so a shorter run is visibly shorter. Type in the reply box meanwhile to feel each mode."}</p>
            if comparison_missing(props) {
                <p class="hint">{"No comparison yet: press Compare all modes."}</p>
            }
            if let Some(comparison) = &props.comparison {
                { view_comparison(comparison, &props.on_error, &zoom) }
            }
            { view_history(&props.history) }
        </section>
    }
}

fn comparison_missing(props: &CompareProps) -> bool {
    props.comparison.is_none()
}

fn view_comparison(
    comparison: &Rc<Comparison>,
    on_error: &Callback<PageError>,
    zoom: &UseStateHandle<Option<TimeRange>>,
) -> Html {
    let plan = &comparison.plan;
    let total = plan.total_runs();
    let done = comparison.runs.len();
    let status = if !comparison.ended {
        let next = plan
            .run(done)
            .map(|(config, _)| plan.configs[config].label())
            .unwrap_or_default();
        format!("Run {} of {total}: {next}…", (done + 1).min(total))
    } else if comparison.is_partial() {
        format!("Partial comparison: stopped after {done} of {total} runs. The rows below use the complete runs only.")
    } else {
        format!(
            "Done: {total} runs ({} configurations × {} each).",
            plan.configs.len(),
            plan.repeat
        )
    };
    let rows = comparison.rows();
    html! {
        <>
            <p id="compare-status" role="status" class={classes!((comparison.ended && comparison.is_partial()).then_some("partial"))}>{status}</p>
            if let Some(reason) = &plan.without_workers {
                <p class="notice">{format!("Multiprocessing is left out: {reason}.")}</p>
            }
            if !rows.is_empty() {
                { view_timelines(&rows, zoom) }
                { view_table(&rows, plan.repeat) }
                { view_chart(comparison, &rows, on_error) }
            }
        </>
    }
}

/// One timeline per configuration (its median run), all on the axis of the longest, zoomed and panned together.
fn view_timelines(rows: &[CompareRow], zoom: &UseStateHandle<Option<TimeRange>>) -> Html {
    let longest = rows
        .iter()
        .map(|row| row.representative.record.wall_ms)
        .fold(0.0, f64::max);
    html! {
        <div class="compare-timelines" id="compare-timelines">
            { for rows.iter().map(|row| {
                let run = &row.representative;
                let plan = ExecutorPlan::from_settings(&run.settings);
                let title = format!("{} · {}", row.config.label(), format_ms(run.record.wall_ms));
                let scenario = run.settings.scenario();
                let timeline = Timeline::from_run(title, &run.record, plan.lane_labels(), &scenario.colours())
                    .knowing_waits(&scenario)
                    .at_least(longest);
                html! {
                    <div class="compare-row" data-mode={run.settings.mode.id()} data-workers={run.settings.workers.to_string()}
                         data-wall-ms={format!("{:.3}", run.record.wall_ms)} data-axis-ms={format!("{longest:.3}")}>
                        <TimelineView timeline={Rc::new(timeline)} range={Some(zoom.clone())} />
                    </div>
                }
            }) }
        </div>
    }
}

fn view_table(rows: &[CompareRow], repeat: u32) -> Html {
    let spread_text = |median: f64, min: f64, max: f64, unit: &str| {
        if repeat > 1 {
            format!("{median:.2}{unit} ({min:.2}–{max:.2})")
        } else {
            format!("{median:.2}{unit}")
        }
    };
    let row_html = |row: &CompareRow| {
        let wall = row.wall;
        let speedup = row.speedup_vs_single.map_or_else(
            || "—".to_owned(),
            |s| spread_text(s.median, s.min, s.max, "×"),
        );
        html! {
            <tr class={classes!(row.above_worker_count().then_some("flagged"), row.oversubscribed.then_some("oversubscribed"))}>
                <td>{row.config.label()}{ if row.oversubscribed { " (oversubscribed: more workers than cores)" } else { "" } }</td>
                <td>{spread_text(wall.median, wall.min, wall.max, " ms")}</td>
                <td>{speedup}{ if row.above_worker_count() { " ⚑" } else { "" } }</td>
                <td>{row.speedup_vs_one_worker.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}×"))}</td>
                <td>{row.efficiency.map_or_else(|| "—".to_owned(), |e| format!("{:.0}%", e * 100.0))}</td>
                <td>{format!("{:.0}%", row.busy_share * 100.0)}</td>
                <td>{format_ms(row.longest_main_task_ms)}</td>
                <td>{format!("{:.0}", row.frames)}</td>
                <td>{format_ms(row.longest_frame_gap_ms)}</td>
                <td>{ if row.keystrokes == 0 { "none typed".to_owned() } else { format!("{} · {} ({} keys)", format_ms(row.keystroke_p95_ms), format_ms(row.keystroke_worst_ms), row.keystrokes) } }</td>
                <td>{ if row.checksums_agree { "✓ agree" } else { "✗ differ" } }</td>
            </tr>
        }
    };
    let flagged = rows.iter().any(CompareRow::above_worker_count);
    html! {
        <>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Comparison table (scrolls sideways)">
                <table class="task-table" id="compare-table">
                    <caption>{format!("Each configuration: median of {repeat} run(s), and the spread (fastest–slowest) in brackets")}</caption>
                    <thead><tr>
                        <th>{"Mode"}</th><th>{"Wall time"}</th><th>{term("speed-up", "Speed-up")}{" vs single thread"}</th><th>{"vs 1 worker"}</th>
                        <th>{term("efficiency", "Efficiency")}</th><th>{"Busy ("}{term("utilisation", "utilisation")}{")"}</th><th>{"Longest main-thread task"}</th><th>{"Frames"}</th>
                        <th>{"Longest frame gap"}</th><th>{"Keystrokes (p95 · worst)"}</th><th>{"Checksums"}</th>
                    </tr></thead>
                    <tbody>{ for rows.iter().map(row_html) }</tbody>
                </table>
            </div>
            if flagged {
                <p class="notice" id="compare-flag">{"⚑ A speed-up above the number of workers is more than the workers alone can give. The single-thread baseline ran on the page's main thread, which the browser shares with drawing and timers, while workers run undisturbed; and the machine may run a busy core faster for a while. Read such a row as 'about as fast as the workers allow'."}</p>
            }
        </>
    }
}

fn view_chart(
    comparison: &Comparison,
    rows: &[CompareRow],
    on_error: &Callback<PageError>,
) -> Html {
    let measured: Vec<_> = rows
        .iter()
        .filter(|row| row.config.mode == Mode::Multiprocessing)
        .filter_map(|row| Some((row.config.workers, row.speedup_vs_single?)))
        .collect();
    if measured.is_empty() {
        return html! {};
    }
    let fit = Comparison::fit_of(rows);
    let chart = SpeedupChart {
        title: format!(
            "Speed-up against one thread · {}",
            scenario_title(&comparison.plan.base)
        ),
        measured,
        fit: fit.clone(),
        predicted: comparison.plan.predicted.clone(),
        hardware: comparison.plan.hardware,
    };
    let svg = speedup_chart_svg(&chart);
    let fit_text = fit.map(|fit| {
        let karp_flatt: Vec<String> = rows
            .iter()
            .filter(|row| row.config.mode == Mode::Multiprocessing)
            .zip(&fit.karp_flatt)
            .filter_map(|(row, e)| e.map(|e| format!("{} workers: {:.1} %", row.config.workers, e * 100.0)))
            .collect();
        format!(
            "Amdahl fit: a serial fraction of {:.1} % explains these speed-ups best (least squares); with it no number of workers can exceed {}. Karp–Flatt serial fraction per point: {}.",
            fit.serial_fraction * 100.0,
            if fit.serial_fraction > 0.0005 { format!("{:.1}×", 1.0 / fit.serial_fraction) } else { "any bound: the work splits perfectly".to_owned() },
            if karp_flatt.is_empty() { "—".to_owned() } else { karp_flatt.join(", ") }
        )
    });
    let download = |png: bool| {
        let svg = svg.clone();
        let on_error = on_error.clone();
        Callback::from(move |_: MouseEvent| {
            if png {
                let svg = svg.clone();
                let on_error = on_error.clone();
                spawn_local(async move {
                    let (width, height) =
                        (svg_dimension(&svg, "width"), svg_dimension(&svg, "height"));
                    if let Err(error) =
                        browser::download_svg_as_png("tasklab-speedup.png", &svg, width, height)
                            .await
                    {
                        on_error.emit(error);
                    }
                });
            } else if let Err(error) =
                browser::download("tasklab-speedup.svg", "image/svg+xml", &svg)
            {
                on_error.emit(error);
            }
        })
    };
    let on_report = {
        let on_error = on_error.clone();
        Callback::from(move |_: MouseEvent| {
            let json = browser::last_compare_json().unwrap_or_default();
            if let Err(error) = browser::download("tasklab-compare.json", "application/json", &json)
            {
                on_error.emit(error);
            }
        })
    };
    html! {
        <figure class="speedup-chart" id="speedup-chart">
            <div class="chart-scroll">{ Html::from_html_unchecked(AttrValue::from(svg.clone())) }</div>
            <figcaption>
                { fit_text.unwrap_or_default() }
                {" Beyond this machine's cores the curve is the simulator's prediction for the same scenario, not a measurement."}
            </figcaption>
            <div class="exports">
                <span>{"Export: "}</span>
                <button id="compare-export-svg" class="small" onclick={download(false)}>{"SVG"}</button>
                <button id="compare-export-png" class="small" onclick={download(true)}>{"PNG"}</button>
                <button id="compare-export-report" class="small" onclick={on_report}>{"Report (JSON)"}</button>
            </div>
        </figure>
    }
}

/// Every run of this tab, newest first.
fn view_history(history: &[RunRow]) -> Html {
    if history.is_empty() {
        return html! {};
    }
    html! {
        <details class="runs-history" open=true>
            <summary>{format!("All runs in this tab ({})", history.len())}</summary>
            <div class="table-scroll" tabindex="0" role="region" aria-label="All runs in this tab (scrolls sideways)">
                <table class="task-table" id="runs-table">
                    <thead><tr><th>{"#"}</th><th>{"Scenario"}</th><th>{"Mode"}</th><th>{"Workers"}</th><th>{"Policy"}</th><th>{"Wall time"}</th><th>{term("speed-up", "Speed-up")}{" vs 1 CPU"}</th><th>{"Frames"}</th></tr></thead>
                    <tbody>
                        { for history.iter().enumerate().rev().map(|(index, row)| html! {
                            <tr>
                                <td>{index + 1}</td>
                                <td>{row.scenario.clone()}</td>
                                <td>{row.mode.label()}{ if row.stopped { " (stopped)" } else { "" } }</td>
                                <td>{ if row.mode == Mode::Multiprocessing { row.workers.to_string() } else { "—".to_owned() } }</td>
                                <td>{row.policy.clone()}</td>
                                <td>{format_ms(row.wall_ms)}</td>
                                <td>{row.speedup.map_or_else(|| "—".to_owned(), |s| format!("{s:.2}×"))}</td>
                                <td>{row.frames}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </details>
    }
}
