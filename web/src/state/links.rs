//! The page state meets links and files: an imported scenario file, and a link met through Back/Forward.

use tasklab_core::codec::ScenarioFile;
use tasklab_core::settings::{parse_query, Notice};

use super::AppState;

impl AppState {
    pub(super) fn import(&mut self, file: ScenarioFile) {
        self.remember_for_undo();
        if let Some(query) = &file.settings_query {
            let parsed = parse_query(query, self.max_workers);
            let imported = parsed.settings;
            self.settings.mode = imported.mode;
            self.settings.workers = imported.workers;
            self.settings.placement = imported.placement;
            self.settings.slice_ms = imported.slice_ms;
            self.settings.predict = imported.predict;
            self.settings.preset = imported.preset;
            // The file's own scenario replaces whatever its settings say about `s`.
            self.notices.extend(
                parsed
                    .notices
                    .into_iter()
                    .filter(|notice| notice.field != "s"),
            );
            self.settle_mode("the file");
        }
        self.settings.custom = Some(file.scenario);
        self.push_history = true;
    }

    pub(super) fn load_from_url(&mut self, query: &str) {
        let parsed = parse_query(query, self.max_workers);
        let damaged_scenario = parsed.notices.iter().any(|notice| notice.field == "s");
        let mut settings = parsed.settings;
        if damaged_scenario {
            // Keep what the user was working on rather than silently swapping in the preset.
            settings.custom = self.settings.custom.clone();
            settings.preset = self.settings.preset;
        }
        if settings.custom != self.settings.custom || settings.preset != self.settings.preset {
            self.remember_for_undo();
        }
        self.notices = parsed.notices;
        if damaged_scenario {
            self.notices.push(Notice {
                field: "s".into(),
                message: "kept the scenario you had instead".into(),
            });
        }
        self.settings = settings;
        self.settle_mode("the address");
    }
}
