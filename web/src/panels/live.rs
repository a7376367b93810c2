//! The progress panel. During a run, progress bars and the responsiveness meter are redrawn about 10 times a
//! second by their own component ([`LiveRun`]), so the rest of the page is not re-rendered while the executor
//! works; after it, the last run's outcome per task (a stopped run's tasks as far as they got) and its
//! responsiveness.

use std::rc::Rc;

use tasklab_engine::web::sleep_ms;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::run::{ActiveRun, FinishedRun};
use crate::widgets::{meter_line, progress_bars};

/// Time between two redraws: lively enough for progress bars, and each redraw costs the run a frame of layout
/// and paint (about 2 ms in headless Chromium), so 10 per second keep that under 2 % of a multitasking run.
const REDRAW_INTERVAL_MS: f64 = 100.0;

/// The run to follow.
#[derive(Properties)]
pub struct LiveRunProps {
    /// The run in progress (with its own task names and colours).
    pub active: Rc<ActiveRun>,
}

impl PartialEq for LiveRunProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.active, &other.active)
    }
}

/// A run in progress compared by identity (for the effect that follows it, and as a property).
#[derive(Clone)]
pub struct RunIdentity(pub Rc<ActiveRun>);

impl PartialEq for RunIdentity {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Progress bars and meter of the run in progress.
#[function_component(LiveRun)]
pub fn live_run(props: &LiveRunProps) -> Html {
    let redraw = use_force_update();
    use_effect_with(RunIdentity(Rc::clone(&props.active)), move |run| {
        let active = Rc::clone(&run.0);
        // A timer, not animation frames: it must not ask the browser for frames of its own (the meter already
        // does), and it fires late, not early, when the thread is busy.
        spawn_local(async move {
            while !active.finished.get() {
                sleep_ms(REDRAW_INTERVAL_MS).await;
                redraw.force_update();
            }
        });
    });
    let fractions = props.active.progress.fractions();
    let meter = *props.active.meter.borrow();
    html! {
        <>
            { progress_bars(&props.active.names, &props.active.colours, &fractions) }
            { meter_line(meter.frames, meter.longest_gap_ms, None, "during this run") }
        </>
    }
}

/// What the progress panel shows.
#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// The run in progress, if any (it then draws itself live).
    pub active: Option<RunIdentity>,
    /// The last finished run (its responsiveness is shown whatever its scenario).
    pub last: Option<Rc<FinishedRun>>,
    /// Whether that run is of the scenario on show (then its tasks' outcome is shown too).
    pub last_is_of_this_scenario: bool,
    /// How much of each task of that run was done when it ended (0 to 1): where a stopped run got to.
    pub last_progress: Rc<Vec<f64>>,
    /// Task names of the scenario on show.
    pub names: Vec<String>,
    /// Task colours of the scenario on show.
    pub colours: Vec<String>,
}

/// The progress panel: live bars and meter during a run; after it, which tasks finished and how responsive the
/// page stayed.
#[function_component(Progress)]
pub fn progress(props: &ProgressProps) -> Html {
    let body = match (&props.active, &props.last) {
        (Some(active), _) => html! { <LiveRun active={Rc::clone(&active.0)} /> },
        (None, Some(last)) => {
            // A finished task is whole; an unfinished one shows how far it got before Stop.
            let fractions: Vec<f64> = if props.last_is_of_this_scenario {
                last.record
                    .tasks
                    .iter()
                    .enumerate()
                    .map(|(task, result)| match result.end_ms {
                        Some(_) => 1.0,
                        None => props.last_progress.get(task).copied().unwrap_or(0.0),
                    })
                    .collect()
            } else {
                vec![0.0; props.names.len()]
            };
            let report = &last.report;
            html! {
                <>
                    { progress_bars(&props.names, &props.colours, &fractions) }
                    { meter_line(report.frames, report.longest_frame_gap_ms, Some(report.longest_main_task_ms), "during the last run") }
                </>
            }
        }
        (None, None) => progress_bars(&props.names, &props.colours, &vec![0.0; props.names.len()]),
    };
    html! {
        <section class="progress" aria-live="polite">
            <h2>{ if props.active.is_some() { "Running…" } else { "Tasks" } }</h2>
            {body}
        </section>
    }
}
