//! Scenario files: import by file picker or by dropping a file on the page, and Save scenario (JSON).

use tasklab_core::codec::{scenario_file_from_json, scenario_file_to_json, ScenarioFile};
use tasklab_core::settings::Settings;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::error::PageError;
use crate::state::Action;

/// Reads a dropped or picked file and imports it (or says why not).
pub fn import_file(file: web_sys::File, dispatch: Callback<Action>) {
    spawn_local(async move {
        let action = match browser::read_file_text(&file).await {
            Ok(text) => match scenario_file_from_json(&text) {
                Ok(scenario_file) => Action::Import(Box::new(scenario_file)),
                Err(error) => {
                    Action::Failed(PageError::Import(format!("{}: {error}", file.name())))
                }
            },
            Err(error) => Action::Failed(error),
        };
        dispatch.emit(action);
    });
}

/// What the file buttons need.
#[derive(Properties, PartialEq)]
pub struct FilesProps {
    /// The settings (and scenario) to save.
    pub settings: Settings,
    /// Whether importing is allowed now (not during a run).
    pub disabled: bool,
    /// Changes the page.
    pub dispatch: Callback<Action>,
}

/// Import and save buttons.
#[function_component(ScenarioFiles)]
pub fn scenario_files(props: &FilesProps) -> Html {
    let on_import = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(file) = browser::take_picked_file(&event) {
                import_file(file, dispatch.clone());
            }
        })
    };
    let on_save = {
        let settings = props.settings.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| {
            let file = ScenarioFile {
                scenario: settings.scenario(),
                settings_query: Some(settings.to_query(false)),
            };
            let json = scenario_file_to_json(&file);
            if let Err(error) =
                browser::download("tasklab-scenario.json", "application/json", &json)
            {
                dispatch.emit(Action::Failed(error));
            }
        })
    };
    html! {
        <div class="actions">
            <label class="file-button">{"Import a scenario (JSON) "}
                <input type="file" id="import-file" accept=".json,application/json" onchange={on_import} disabled={props.disabled} />
            </label>
            <button id="save-scenario" class="small" onclick={on_save}>{"Save scenario (JSON)"}</button>
            <small>{"…or drop a scenario file anywhere on the page."}</small>
        </div>
    }
}
