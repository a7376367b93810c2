//! Download buttons for a timeline (a real run or a prediction): Chrome trace JSON (opens in Perfetto UI and
//! chrome://tracing), CSV, SVG and PNG. The formats themselves are written by `tasklab_core::export`; a download
//! the browser refuses becomes a notice.

use std::rc::Rc;

use tasklab_core::export::{to_chrome_trace, to_csv, to_svg};
use tasklab_core::timeline::Timeline;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::error::PageError;

/// Reads `name="123"` from an SVG's opening `<svg` tag.
pub(crate) fn svg_dimension(svg: &str, name: &str) -> u32 {
    let header = svg
        .find("<svg")
        .and_then(|start| svg[start..].split('>').next())
        .unwrap_or_default();
    let pattern = format!(" {name}=\"");
    header
        .find(&pattern)
        .and_then(|start| {
            let rest = &header[start + pattern.len()..];
            rest.split('"').next()?.parse::<f64>().ok()
        })
        .map_or(800, |value| value.clamp(1.0, 8_000.0) as u32)
}

/// What to export.
#[derive(Properties, PartialEq)]
pub struct ExportButtonsProps {
    /// The timeline.
    pub timeline: Rc<Timeline>,
    /// File names start with this.
    pub file_stem: AttrValue,
    /// Prefix of the buttons' ids, e.g. "run" or "prediction".
    pub id_prefix: AttrValue,
    /// Told when the browser refuses a download.
    pub on_error: Callback<PageError>,
}

/// The four download buttons.
#[function_component(ExportButtons)]
pub fn export_buttons(props: &ExportButtonsProps) -> Html {
    let download = |extension: &'static str, mime: &'static str, make: fn(&Timeline) -> String| {
        let timeline = Rc::clone(&props.timeline);
        let name = format!("{}.{extension}", props.file_stem);
        let on_error = props.on_error.clone();
        Callback::from(move |_| {
            if let Err(error) = browser::download(&name, mime, &make(&timeline)) {
                on_error.emit(error);
            }
        })
    };
    let on_png = {
        let timeline = Rc::clone(&props.timeline);
        let name = format!("{}.png", props.file_stem);
        let on_error = props.on_error.clone();
        Callback::from(move |_| {
            let svg = to_svg(&timeline);
            let name = name.clone();
            let on_error = on_error.clone();
            spawn_local(async move {
                let (width, height) = (svg_dimension(&svg, "width"), svg_dimension(&svg, "height"));
                if let Err(error) = browser::download_svg_as_png(&name, &svg, width, height).await {
                    on_error.emit(error);
                }
            });
        })
    };
    let prefix = &props.id_prefix;
    html! {
        <div class="exports">
            <span>{"Export: "}</span>
            <button id={format!("{prefix}-export-trace")} class="small" title="Chrome Trace Event Format: open it in Perfetto UI or chrome://tracing"
                    onclick={download("trace.json", "application/json", to_chrome_trace)}>{"Trace (Perfetto)"}</button>
            <button id={format!("{prefix}-export-csv")} class="small" onclick={download("csv", "text/csv", to_csv)}>{"CSV"}</button>
            <button id={format!("{prefix}-export-svg")} class="small" onclick={download("svg", "image/svg+xml", to_svg)}>{"SVG"}</button>
            <button id={format!("{prefix}-export-png")} class="small" onclick={on_png}>{"PNG"}</button>
        </div>
    }
}
