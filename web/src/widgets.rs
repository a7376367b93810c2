//! Shared formatting and small widgets: times for people, colour swatches, progress bars, the responsiveness
//! line and the large-text toggle. A leaf module: it imports nothing from the app, so every panel may use it.

use std::rc::Rc;

use yew::prelude::*;

/// An `Rc` compared by address: a memo keyed by it reruns only for a new value, without comparing large contents
/// (a timeline of 100,000 slices).
#[derive(Clone)]
pub struct Same<T>(pub Rc<T>);

impl<T> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

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

/// The large-text toggle for classrooms: a checkbox `#large-text` that puts the class `large-text` on the page's
/// root element (the page's text grows through `rem`, the timelines redraw their text at 18 px: it tells them with
/// a `resize` event).
#[function_component(LargeTextToggle)]
pub fn large_text_toggle() -> Html {
    let onchange = Callback::from(|event: Event| {
        let on = event
            .target_dyn_into::<web_sys::HtmlInputElement>()
            .is_some_and(|input| input.checked());
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(root) = window
            .document()
            .and_then(|document| document.document_element())
        {
            let mut classes: Vec<String> = root
                .class_name()
                .split_whitespace()
                .filter(|class| *class != "large-text")
                .map(str::to_owned)
                .collect();
            if on {
                classes.push("large-text".into());
            }
            root.set_class_name(&classes.join(" "));
        }
        if let Ok(resize) = web_sys::Event::new("resize") {
            let _ = window.dispatch_event(&resize);
        }
    });
    html! {
        <label class="large-text-toggle"><input type="checkbox" id="large-text" {onchange} />{" Large text"}</label>
    }
}
