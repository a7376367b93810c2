//! The live part of the page during a run: progress bars and the responsiveness meter, redrawn about 10 times a
//! second by their own component so the rest of the page is not re-rendered while the executor works.

use std::rc::Rc;

use tasklab_engine::web::sleep_ms;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::app::{meter_line, progress_bars};
use crate::runner::ActiveRun;

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

/// Identity of a run, for the effect that follows it.
#[derive(Clone)]
struct RunIdentity(Rc<ActiveRun>);

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
            { meter_line((meter.frames, meter.longest_gap_ms), None, "during this run") }
        </>
    }
}
