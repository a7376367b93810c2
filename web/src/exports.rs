//! Download buttons for a timeline (a real run or a prediction): Chrome trace JSON (opens in Perfetto UI and
//! chrome://tracing), CSV, SVG and PNG. The formats themselves are written by `tasklab_core::export`.

use std::rc::Rc;

use tasklab_core::export::{to_chrome_trace, to_csv, to_svg, ExportTask, TimeUnit, TimelineExport};
use tasklab_core::report::Slice;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::browser;

/// An owned timeline to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportData {
    /// Title inside the files.
    pub title: String,
    /// File names start with this.
    pub file_stem: String,
    /// Milliseconds or ticks.
    pub time_unit: TimeUnit,
    /// Lane labels.
    pub lanes: Vec<String>,
    /// Tasks with their figures.
    pub tasks: Vec<ExportTask>,
    /// Task slices.
    pub slices: Vec<Slice>,
    /// Context-switch slices.
    pub switches: Vec<Slice>,
    /// Length of the timeline.
    pub span: f64,
}

impl ExportData {
    fn timeline(&self) -> TimelineExport<'_> {
        TimelineExport {
            title: &self.title,
            time_unit: self.time_unit,
            lanes: self.lanes.clone(),
            tasks: self.tasks.clone(),
            slices: &self.slices,
            switches: &self.switches,
            span: self.span,
        }
    }
}

/// Reads `name="123"` from an SVG's opening tag.
fn svg_dimension(svg: &str, name: &str) -> u32 {
    let header = svg.split('>').next().unwrap_or_default();
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
    pub data: Rc<ExportData>,
    /// Prefix of the buttons' ids, e.g. "run" or "prediction".
    pub id_prefix: AttrValue,
}

/// The four download buttons.
#[function_component(ExportButtons)]
pub fn export_buttons(props: &ExportButtonsProps) -> Html {
    let error = use_state(|| None::<String>);
    let download =
        |extension: &'static str, mime: &'static str, make: fn(&TimelineExport) -> String| {
            let data = Rc::clone(&props.data);
            let error = error.clone();
            Callback::from(move |_| {
                let contents = make(&data.timeline());
                let name = format!("{}.{extension}", data.file_stem);
                error.set(browser::download(&name, mime, &contents).err());
            })
        };
    let on_png = {
        let data = Rc::clone(&props.data);
        let error = error.clone();
        Callback::from(move |_| {
            let data = Rc::clone(&data);
            let error = error.clone();
            spawn_local(async move {
                let svg = to_svg(&data.timeline());
                let (width, height) = (svg_dimension(&svg, "width"), svg_dimension(&svg, "height"));
                let name = format!("{}.png", data.file_stem);
                error.set(
                    browser::download_svg_as_png(&name, &svg, width, height)
                        .await
                        .err(),
                );
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
            if let Some(message) = &*error {
                <span class="notice">{message.clone()}</span>
            }
        </div>
    }
}
