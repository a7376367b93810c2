//! The presets gallery: each built-in scenario with its title, its story and a thumbnail of its timeline on one
//! CPU under round robin (from the simulator, so it costs nothing to draw).

use tasklab_core::predict::{to_sim_scenario, PredictSettings, UnitCosts};
use tasklab_core::presets::Preset;
use tasklab_core::sim::{simulate, SliceKind};
use yew::prelude::*;

/// A thumbnail: (task, start, end) per slice and the span, on one lane, and the tasks' colours.
#[derive(Debug, Clone, PartialEq)]
struct Thumbnail {
    slices: Vec<(usize, u64, u64)>,
    span: u64,
    colours: Vec<String>,
}

fn thumbnail(preset: Preset) -> Thumbnail {
    let settings = PredictSettings {
        cpus: 1,
        ..PredictSettings::default()
    };
    let scenario = preset.scenario();
    let colours = scenario.colours();
    let sim_scenario = to_sim_scenario(&scenario, &UnitCosts::default());
    match simulate(
        &sim_scenario,
        &settings.machine(),
        &settings.policy(),
        &settings.conventions(),
    ) {
        Ok(result) => Thumbnail {
            slices: result
                .trace
                .iter()
                .filter_map(|slice| match slice.kind {
                    SliceKind::Task(task) => Some((task as usize, slice.start, slice.end)),
                    SliceKind::Switch(_) | SliceKind::Idle => None,
                })
                .collect(),
            span: result.summary.makespan.max(1),
            colours,
        },
        Err(_) => Thumbnail {
            slices: Vec::new(),
            span: 1,
            colours,
        },
    }
}

/// What the gallery needs.
#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    /// The preset now chosen (highlighted, and its button pressed), if the scenario is not custom.
    pub current: Option<Preset>,
    /// Called when a card is chosen.
    pub on_choose: Callback<Preset>,
    /// Whether choosing is allowed now.
    pub disabled: bool,
}

/// The gallery.
#[function_component(Gallery)]
pub fn gallery(props: &GalleryProps) -> Html {
    let thumbnails = use_memo((), |_| {
        Preset::ALL
            .iter()
            .map(|preset| thumbnail(*preset))
            .collect::<Vec<_>>()
    });
    let cards = Preset::ALL.iter().zip(thumbnails.iter()).map(|(preset, thumb)| {
        let preset = *preset;
        let on_choose = props.on_choose.clone();
        let onclick = Callback::from(move |_| on_choose.emit(preset));
        let rects = thumb.slices.iter().map(|(task, start, end)| {
            let x = *start as f64 / thumb.span as f64 * 200.0;
            let width = ((*end - *start) as f64 / thumb.span as f64 * 200.0).max(0.4);
            html! { <rect x={format!("{x:.2}")} y="2" width={format!("{width:.2}")} height="20" fill={thumb.colours.get(*task).cloned().unwrap_or_default()} /> }
        });
        let chosen = props.current == Some(preset);
        html! {
            <li>
                <button class={classes!("card", chosen.then_some("current"))} aria-pressed={chosen.to_string()}
                        data-preset={preset.id()} onclick={onclick} disabled={props.disabled}>
                    <svg class="thumb" viewBox="0 0 200 24" preserveAspectRatio="none" aria-hidden="true">
                        <rect x="0" y="2" width="200" height="20" fill="#f1f3f5" />
                        { for rects }
                    </svg>
                    <strong>{preset.title()}</strong>
                    <span>{preset.story()}</span>
                </button>
            </li>
        }
    });
    html! {
        <details class="gallery" id="gallery">
            <summary><strong>{"Presets gallery"}</strong>{" — each with its timeline on one CPU (round robin, 5 ms quantum)"}</summary>
            <ul class="cards">{ for cards }</ul>
        </details>
    }
}
