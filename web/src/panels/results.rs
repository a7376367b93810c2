//! The Results panel: the last finished run — wall time, speed-up against the scenario's last one-CPU run, busy
//! share per lane, how long keys typed during it waited to be drawn, how multiprocessing placed the work (pinned,
//! or chunks placed by work stealing), its timeline, each task's checksum against the reference, and its exports.

use std::rc::Rc;

use tasklab_core::policy::PolicyKind;
use tasklab_core::report::checksum_hex;
use tasklab_core::settings::Mode;
use tasklab_core::timeline::Timeline;
use tasklab_engine::plan::ExecutorPlan;
use yew::prelude::*;

use crate::browser;
use crate::compare::RunRow;
use crate::error::PageError;
use crate::latency::keys_text;
use crate::panels::exports::ExportButtons;
use crate::panels::term::term;
use crate::run::FinishedRun;
use crate::state::{scenario_title, OneCpuRun};
use crate::story::{earlier_parallel_run, run_story, Baseline, RunFacts};
use crate::timeline_view::TimelineView;
use crate::widgets::{format_ms, swatch};

/// What the Results panel shows.
#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    /// The last finished run.
    pub run: Rc<FinishedRun>,
    /// The last one-CPU run of the same scenario, if any (the speed-up baseline).
    pub one_cpu: Option<OneCpuRun>,
    /// Every run of this tab, this one last (an earlier run on workers is a one-CPU run's comparison).
    #[prop_or_default]
    pub history: Rc<Vec<RunRow>>,
    /// Told when a download fails.
    pub on_error: Callback<PageError>,
}

/// The sentence after "Speed-up".
fn speedup_text(run: &FinishedRun, one_cpu: Option<&OneCpuRun>) -> String {
    let report = &run.report;
    let used_one_cpu = ExecutorPlan::from_settings(&run.settings).uses_one_cpu();
    match (report.speedup_vs_one_worker, one_cpu) {
        _ if report.stopped => "—".to_owned(),
        (Some(speedup), Some(one_cpu)) if !used_one_cpu => format!(
            "{speedup:.2}× against the last one-CPU run of this scenario ({}, {})",
            one_cpu.how,
            format_ms(one_cpu.wall_ms)
        ),
        _ if used_one_cpu => {
            "this run used one CPU: it is the baseline for this scenario's speed-ups".to_owned()
        }
        _ => {
            let one_cpu_plans: Vec<String> = Mode::ALL
                .iter()
                .map(|mode| ExecutorPlan::new(*mode, 1, run.settings.slice_ms))
                .filter(ExecutorPlan::uses_one_cpu)
                .map(|plan| plan.describe())
                .collect();
            format!(
                "run this scenario on one CPU ({}) to compare",
                one_cpu_plans.join("; ")
            )
        }
    }
}

/// `#run-story`: what happened in this run, in sentences made of its own numbers, against the last one-CPU run
/// of its scenario (a run on workers) or the last earlier run of it on workers (a one-CPU run).
fn view_story(props: &ResultsProps) -> Html {
    let run = &props.run;
    let facts = RunFacts::of(run);
    let on_workers = facts.mode == Mode::Multiprocessing && facts.workers > 1;
    let earlier = props
        .history
        .split_last()
        .map_or(&[][..], |(_, earlier)| earlier);
    let baseline = if on_workers {
        props.one_cpu.as_ref().map(|one_cpu| Baseline {
            how: one_cpu.how.clone(),
            wall_ms: one_cpu.wall_ms,
        })
    } else {
        earlier_parallel_run(earlier, &run.report.preset)
    };
    let story = run_story(
        &facts,
        baseline.as_ref(),
        tasklab_engine::web::hardware_concurrency(),
    );
    html! {
        <div class="run-story" id="run-story" data-story={format!("{:?}", story.kind).to_lowercase()}>
            <h3>{"What happened"}</h3>
            { for story.sentences.into_iter().map(|sentence| html! { <p>{sentence}</p> }) }
        </div>
    }
}

/// A checksum in a table cell, or "—" (with why in its tooltip) when there is none: a task
/// stopped before its end has only a partial checksum, and a stopped run is not checked against the reference.
fn checksum_cell(checksum: Option<String>, why_none: &'static str) -> Html {
    match checksum {
        Some(checksum) => html! { <code>{checksum}</code> },
        None => html! { <span class="no-checksum" title={why_none}>{"—"}</span> },
    }
}

/// The Results panel.
#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    let run = &props.run;
    let report = &run.report;
    let settings = &run.settings;
    let plan = ExecutorPlan::from_settings(settings);
    let title = format!(
        "{} — {}, {}",
        scenario_title(settings),
        settings.mode.label(),
        PolicyKind::describe(&settings.predict.policy(), "ms")
    );
    let timeline = use_memo(Rc::clone(run), |run| {
        let plan = ExecutorPlan::from_settings(&run.settings);
        Rc::new(
            Timeline::from_run(
                format!(
                    "{} · {}",
                    scenario_title(&run.settings),
                    plan.describe_with_policy()
                ),
                &run.record,
                plan.lane_labels(),
                &run.settings.scenario().colours(),
            )
            .knowing_waits(&run.settings.scenario()),
        )
    });
    // The table uses the timeline's colours: one lookup of the scenario's, made once per run.
    let colours: Vec<&str> = timeline
        .tasks
        .iter()
        .map(|task| task.colour.as_str())
        .collect();
    let file_stem = format!("tasklab-{}-{}", report.preset, report.mode);
    let export_json = {
        let report = report.clone();
        let file = format!("{file_stem}.json");
        let on_error = props.on_error.clone();
        Callback::from(move |_| {
            let written = serde_json::to_string_pretty(&report)
                .map_err(|error| PageError::Download {
                    file: file.clone(),
                    reason: error.to_string(),
                })
                .and_then(|json| browser::download(&file, "application/json", &json));
            if let Err(error) = written {
                on_error.emit(error);
            }
        })
    };
    let lanes = plan.lane_labels();
    // Every lane of the plan, idle ones too, as the timeline draws them.
    let busy = lanes
        .iter()
        .enumerate()
        .map(|(lane, label)| {
            let busy = report.busy_per_lane.get(lane).copied().unwrap_or(0.0);
            format!("{label} {:.0}%", busy * 100.0)
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let agreement = if report.stopped {
        html! { <p class="checksums stopped">{"Stopped before the end: a task that did not finish has no checksum (—), and a stopped run is not checked against the reference."}</p> }
    } else if report.checksums_agree {
        html! { <p class="checksums agree" id="checksums-verdict">{"✔ Every checksum equals the reference (each task recomputed in one go): the work was really done, and done right."}</p> }
    } else {
        html! { <p class="checksums disagree" id="checksums-verdict">{"✘ Checksums differ from the reference: something went wrong."}</p> }
    };
    html! {
        <section class="results" id="results">
            <h2>{format!("Last run: {title}")}</h2>
            if let Some(failure) = &report.failure {
                <p class="notice run-failure" id="run-failure" role="alert">{failure.clone()}</p>
            }
            <dl class="figures">
                <dt>{"Wall time"}</dt><dd id="wall-time">{format_ms(report.wall_ms)}</dd>
                <dt>{term("speed-up", "Speed-up")}</dt><dd id="speedup">{speedup_text(run, props.one_cpu.as_ref())}</dd>
                <dt>{"Busy per lane ("}{term("utilisation", "utilisation")}{")"}</dt><dd>{busy}</dd>
                <dt>{"Keystrokes"}</dt>
                <dd id="input-latency" title="Keys typed in the reply box during the run: how long each waited to be drawn">
                    {keys_text(&report.input_latency_ms)}
                </dd>
                if let Some(placement) = plan.placement_summary(&run.record) {
                    <dt>{"Placement"}</dt>
                    <dd id="placement-summary" title={plan.placement_description().unwrap_or_default()}>{placement}</dd>
                }
            </dl>
            {view_story(props)}
            <TimelineView timeline={(*timeline).clone()} />
            <div class="table-scroll" tabindex="0" role="region" aria-label="Each task's start, finish and checksums (scrolls sideways)">
            <table class="task-table" id="run-tasks">
                <thead><tr><th>{"Task"}</th><th>{"Start"}</th><th>{"Finish"}</th><th>{"Checksum"}</th><th>{"Reference"}</th></tr></thead>
                <tbody>
                    { for report.tasks.iter().zip(&colours).enumerate().map(|(task, (result, colour))| html! {
                        <tr>
                            <td>{swatch(colour)}{result.name.clone()}</td>
                            <td>{result.first_run_ms.map(format_ms).unwrap_or_else(|| "—".into())}</td>
                            <td>{result.end_ms.map(format_ms).unwrap_or_else(|| "stopped".into())}</td>
                            <td>{checksum_cell(result.checksum.clone(), "the task did not finish")}</td>
                            <td>{checksum_cell(run.reference.get(task).map(|checksum| checksum_hex(*checksum)), "not computed for a stopped run")}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            </div>
            {agreement}
            if report.page_was_hidden {
                <p class="notice" id="hidden-warning">{"This run happened while the page was in a background tab: the browser slows down timers and frames there, so its times are not comparable with runs in a visible tab."}</p>
            }
            <div class="actions">
                <button id="export-run" onclick={export_json}>{"Export run (JSON)"}</button>
                <ExportButtons timeline={(*timeline).clone()} file_stem={file_stem} id_prefix="run" on_error={props.on_error.clone()} />
            </div>
        </section>
    }
}
