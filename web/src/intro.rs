//! The first minute: the "Try this" path for a visitor who arrives cold (the two chefs on one CPU, then on two
//! workers, then the two runs side by side), and which of its steps the runs of this tab have done. Pure, so the
//! rule is tested natively; the box itself is `panels/try_this.rs`.

use tasklab_core::presets::Preset;
use tasklab_core::settings::Mode;

use crate::compare::RunRow;

/// The scenario of the path.
pub const TOUR_PRESET: Preset = Preset::TwoChefs;

/// Workers of the path's second run.
pub const TOUR_WORKERS: u32 = 2;

/// Whether the runs of this tab include the path's first run (the two chefs multitasking on one CPU) and its
/// second (the two chefs on at least two workers); stopped runs do not count.
pub fn tour_progress(history: &[RunRow]) -> (bool, bool) {
    let of_tour = |row: &&RunRow| row.scenario == TOUR_PRESET.id() && !row.stopped;
    let one_cpu = history
        .iter()
        .filter(of_tour)
        .any(|row| row.mode == Mode::Multitasking);
    let workers = history
        .iter()
        .filter(of_tour)
        .any(|row| row.mode == Mode::Multiprocessing && row.workers >= TOUR_WORKERS);
    (one_cpu, workers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(scenario: &str, mode: Mode, workers: u32, stopped: bool) -> RunRow {
        RunRow {
            scenario: scenario.into(),
            mode,
            workers,
            policy: "rr".into(),
            wall_ms: 100.0,
            speedup: None,
            frames: 6,
            stopped,
        }
    }

    #[test]
    fn steps_are_done_by_complete_runs_of_the_two_chefs_in_their_modes() {
        assert_eq!(tour_progress(&[]), (false, false));
        let others = [
            row("convoy", Mode::Multitasking, 1, false),
            row("two-chefs", Mode::Multitasking, 1, true),
            row("two-chefs", Mode::Multiprocessing, 1, false),
            row("two-chefs", Mode::SingleThread, 1, false),
        ];
        assert_eq!(tour_progress(&others), (false, false));
        let mut runs = others.to_vec();
        runs.push(row("two-chefs", Mode::Multiprocessing, 2, false));
        assert_eq!(tour_progress(&runs), (false, true));
        runs.push(row("two-chefs", Mode::Multitasking, 2, false));
        assert_eq!(tour_progress(&runs), (true, true));
    }
}
