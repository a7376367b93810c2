//! Shared formatting and small widgets: times for people, colour swatches, progress bars, the responsiveness
//! line and the timeline picture. A leaf module: it imports nothing from the app, so every panel may use it.

use std::rc::Rc;

use tasklab_core::export::{to_svg_element, COLD_LEGEND, MIGRATION_LEGEND, SWITCH_FILL};
use tasklab_core::timeline::Timeline;
use yew::prelude::*;

/// Milliseconds for people: "812.3 ms" or "1.25 s".
pub fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// A small square of a task's colour.
pub fn swatch(colour: &str) -> Html {
    html! { <span class="swatch" style={format!("background:{colour}")}></span> }
}

/// One bar per task: its name in its colour, and how much of it is done (0 to 1).
pub fn progress_bars(names: &[String], colours: &[String], fractions: &[f64]) -> Html {
    html! {
        <ul class="task-progress">
            { for names.iter().zip(colours).zip(fractions).enumerate().map(|(task, ((name, colour), fraction))| html! {
                <li>
                    <span class="task-name">{swatch(colour)}{name.clone()}</span>
                    <progress max="1" value={fraction.to_string()} data-task={task.to_string()} aria-label={format!("{name}: progress")}></progress>
                    <span class="percent">{format!("{:.0}%", fraction * 100.0)}</span>
                </li>
            }) }
        </ul>
    }
}

/// The responsiveness figures: frames drawn, longest gap between frames, longest main-thread task (when known).
pub fn meter_line(
    frames: u32,
    longest_gap_ms: f64,
    longest_task_ms: Option<f64>,
    label: &str,
) -> Html {
    html! {
        <div class="meter" id="meter">
            <strong>{format!("Responsiveness {label}: ")}</strong>
            <span id="meter-frames">{format!("{frames} frames drawn")}</span>
            <span id="meter-gap">{format!("longest gap between frames {}", format_ms(longest_gap_ms))}</span>
            if let Some(longest_task) = longest_task_ms {
                <span id="meter-task">{format!("longest main-thread task {}", format_ms(longest_task))}</span>
            }
        </div>
    }
}

/// What a timeline picture shows.
#[derive(Properties, PartialEq)]
pub struct TimelineViewProps {
    /// The timeline (of a run or of a prediction).
    pub timeline: Rc<Timeline>,
}

/// A timeline drawn by the same SVG writer as the SVG and PNG downloads (`tasklab_core::export`), which escapes
/// every name; one `rect.slice` per span, hatched where it ran with a cold cache and marked ▼ where the task moved
/// from another CPU (each explained in the legend only when the picture has it).
#[function_component(TimelineView)]
pub fn timeline_view(props: &TimelineViewProps) -> Html {
    let svg = use_memo(Rc::clone(&props.timeline), |timeline| {
        AttrValue::from(to_svg_element(timeline, false))
    });
    let timeline = &props.timeline;
    html! {
        <figure class="timeline">
            { Html::from_html_unchecked((*svg).clone()) }
            <ul class="legend">
                { for timeline.legend().into_iter().map(|(name, colour)| html! { <li>{swatch(colour)}{name.to_owned()}</li> }) }
                if !timeline.switches.is_empty() {
                    <li>{swatch(SWITCH_FILL)}{"context switch"}</li>
                }
                if !timeline.cold.is_empty() {
                    <li><span class="swatch cold" aria-hidden="true"></span>{COLD_LEGEND}</li>
                }
                if !timeline.migrations.is_empty() {
                    <li><span class="swatch migration" aria-hidden="true">{"▼"}</span>{MIGRATION_LEGEND}</li>
                }
            </ul>
        </figure>
    }
}
