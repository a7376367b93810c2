//! The page state machine, driven natively from query strings and actions.

use std::rc::Rc;

use tasklab_core::codec::ScenarioFile;
use tasklab_core::policy::PolicyKind;
use tasklab_core::presets::Preset;
use tasklab_core::report::{RunRecord, RunReport, Slice};
use tasklab_core::settings::Mode;
use yew::Reducible;

use super::*;
use crate::error::PageError;
use crate::run::FinishedRun;

fn reduce(state: AppState, action: Action) -> AppState {
    Rc::unwrap_or_clone(Rc::new(state).reduce(action))
}

fn fields(state: &AppState) -> Vec<&str> {
    state
        .notices
        .iter()
        .map(|notice| notice.field.as_str())
        .collect()
}

/// A finished run of `settings` that kept one lane busy for `busy_ms` of its `wall_ms`.
fn finished(settings: &Settings, wall_ms: f64, busy_ms: f64, stopped: bool) -> FinishedRun {
    let record = RunRecord {
        slices: vec![Slice {
            task: 0,
            lane: 0,
            start_ms: 0.0,
            end_ms: busy_ms,
        }],
        wall_ms,
        stopped,
        ..RunRecord::default()
    };
    let report = RunReport {
        preset: settings.preset.id().into(),
        mode: settings.mode.id().into(),
        policy: settings.predict.policy.id().into(),
        workers: settings.workers,
        placement: settings.placement.id().into(),
        forked_chunks: 0,
        stolen_chunks: 0,
        slice_ms: settings.slice_ms,
        wall_ms,
        stopped,
        checksums_agree: !stopped,
        tasks: Vec::new(),
        slices: record.slices.clone(),
        lanes_used: 1,
        busy_per_lane: vec![busy_ms / wall_ms],
        frames: 0,
        longest_frame_gap_ms: 0.0,
        longest_main_task_ms: 0.0,
        input_latency_ms: Default::default(),
        speedup_vs_one_worker: None,
        model_makespan_ms: None,
        model: None,
        ended_at_epoch_ms: 0.0,
        page_was_hidden: false,
        failure: None,
    };
    FinishedRun {
        settings: settings.clone(),
        record,
        report,
        reference: Vec::new(),
        model: None,
    }
}

#[test]
fn the_first_state_comes_from_the_query_string() {
    let state = AppState::new(
        "?preset=two-chefs&mode=multiprocessing&workers=2&slice=7&run=1",
        4,
        PoolStatus::Starting,
    );
    assert_eq!(state.settings.preset, Preset::TwoChefs);
    assert_eq!(state.settings.mode, Mode::Multiprocessing);
    assert_eq!(state.settings.workers, 2);
    assert_eq!(state.settings.slice_ms, 7);
    assert!(state.notices.is_empty());
    assert!(state.autorun_pending);
    // Multiprocessing waits for the workers rather than falling back.
    assert_eq!(state.run_blocker(), Some("the workers are still starting"));
    assert!(!state.should_autorun());
    let ready = reduce(state, Action::PoolStarted(Ok(())));
    assert_eq!(ready.run_blocker(), None);
    assert!(ready.should_autorun());
}

#[test]
fn bad_values_leave_notices_naming_their_fields() {
    let state = AppState::new("?preset=nope&workers=99&slice=0", 4, PoolStatus::Ready);
    assert_eq!(fields(&state), ["preset", "workers", "slice"]);
    assert_eq!(state.settings.preset, Preset::ALL[0]);
}

#[test]
fn one_rule_for_modes_the_page_cannot_run() {
    let never = PoolStatus::Unavailable("no shared memory".into());
    assert_eq!(availability(Mode::Multitasking, &never), Availability::Now);
    assert_eq!(availability(Mode::SingleThread, &never), Availability::Now);
    assert_eq!(
        availability(Mode::Multiprocessing, &never),
        Availability::Never("no shared memory".into())
    );
    assert_eq!(
        availability(Mode::Multiprocessing, &PoolStatus::Starting),
        Availability::WhenWorkersStart
    );

    // A link, a pool that fails, a file and Back/Forward all fall back the same way, with a notice.
    let from_link = AppState::new("?mode=multiprocessing", 4, never.clone());
    assert_eq!(from_link.settings.mode, FALLBACK_MODE);
    assert_eq!(fields(&from_link), ["mode"]);
    assert!(from_link.notices[0].message.contains("no shared memory"));

    let starting = AppState::new("?mode=multiprocessing", 4, PoolStatus::Starting);
    let failed = reduce(starting, Action::PoolStarted(Err("workers blocked".into())));
    assert_eq!(failed.settings.mode, FALLBACK_MODE);
    assert_eq!(fields(&failed), ["mode"]);
    assert_eq!(failed.run_blocker(), None, "multitasking still runs");

    let plain = AppState::new("", 4, never.clone());
    let imported = reduce(
        plain.clone(),
        Action::Import(Box::new(ScenarioFile {
            scenario: Preset::TwoChefs.scenario(),
            settings_query: Some("mode=multiprocessing&workers=2".into()),
        })),
    );
    assert_eq!(imported.settings.mode, FALLBACK_MODE);
    assert_eq!(fields(&imported), ["mode"]);
    let back = reduce(plain, Action::LoadFromUrl("?mode=multiprocessing".into()));
    assert_eq!(back.settings.mode, FALLBACK_MODE);

    // A mode that merely waits for its workers is not changed.
    let multitasking = AppState::new("", 4, PoolStatus::Starting);
    let waiting = reduce(multitasking, Action::PoolStarted(Err("x".into())));
    assert!(waiting.notices.is_empty(), "nothing to fall back from");
}

#[test]
fn presets_push_history_edits_replace_and_undo_walks_back() {
    let state = AppState::new("", 4, PoolStatus::Ready);
    let chefs = reduce(state, Action::SetPreset(Preset::TwoChefs));
    assert!(chefs.push_history);
    let mut edited_scenario = Preset::TwoChefs.scenario();
    edited_scenario.tasks[0].name = "Sous-chef".into();
    let edited = reduce(chefs, Action::EditScenario(edited_scenario.clone()));
    assert!(!edited.push_history, "an edit replaces the history entry");
    assert_eq!(edited.settings.custom.as_ref(), Some(&edited_scenario));
    // Editing back to the preset's own scenario makes the link short again.
    let same = reduce(
        edited.clone(),
        Action::EditScenario(Preset::TwoChefs.scenario()),
    );
    assert_eq!(same.settings.custom, None);
    let undone = reduce(edited, Action::Undo);
    assert_eq!(undone.settings.custom, None);
    assert_eq!(undone.settings.preset, Preset::TwoChefs);
    let undone_twice = reduce(undone, Action::Undo);
    assert_eq!(undone_twice.settings.preset, Preset::ALL[0]);
}

#[test]
fn a_new_entry_survives_actions_that_do_not_change_the_link() {
    let state = AppState::new("", 4, PoolStatus::Starting);
    let chosen = reduce(state, Action::SetPreset(Preset::OneBigJob));
    // The pool starting between the choice and the next render must not turn the new entry into a replacement.
    let pool = reduce(chosen, Action::PoolStarted(Ok(())));
    assert!(pool.push_history, "the preset's new history entry is kept");
    let sliced = reduce(pool, Action::SetSlice(7));
    assert!(!sliced.push_history, "a setting replaces the entry");
}

#[test]
fn undo_remembers_at_most_its_depth() {
    let mut state = AppState::new("", 4, PoolStatus::Ready);
    for round in 0..UNDO_DEPTH + 20 {
        state = reduce(
            state,
            Action::SetPreset(Preset::ALL[round % Preset::ALL.len()]),
        );
    }
    assert_eq!(state.undo.len(), UNDO_DEPTH);
}

#[test]
fn a_damaged_scenario_met_through_back_keeps_the_one_you_had() {
    let mut custom = Preset::TwoChefs.scenario();
    custom.tasks[0].name = "Mine".into();
    let state = reduce(
        AppState::new("", 4, PoolStatus::Ready),
        Action::EditScenario(custom.clone()),
    );
    let back = reduce(
        state,
        Action::LoadFromUrl("?preset=two-chefs&s=Z%%%".into()),
    );
    assert_eq!(back.settings.custom, Some(custom));
    assert!(fields(&back).contains(&"s"));
}

#[test]
fn any_user_change_disarms_run_on_load() {
    let state = AppState::new("?run=1", 4, PoolStatus::Ready);
    assert!(state.should_autorun());
    let after_pool = reduce(state.clone(), Action::PoolStarted(Ok(())));
    assert!(
        after_pool.should_autorun(),
        "the pool starting is not a user change"
    );
    let changed = reduce(state, Action::SetSlice(9));
    assert!(!changed.should_autorun());
    assert_eq!(changed.settings.slice_ms, 9);
}

#[test]
fn controls_are_clamped() {
    let state = AppState::new("", 4, PoolStatus::Ready);
    assert_eq!(
        reduce(state.clone(), Action::SetWorkers(99))
            .settings
            .workers,
        4
    );
    assert_eq!(
        reduce(state.clone(), Action::SetWorkers(0))
            .settings
            .workers,
        1
    );
    assert_eq!(reduce(state, Action::SetSlice(500)).settings.slice_ms, 50);
}

#[test]
fn one_cpu_runs_become_the_baseline_and_calibrate_predictions() {
    let state = AppState::new(
        "?preset=cpu-batch&mode=multitasking&slice=5",
        4,
        PoolStatus::Ready,
    );
    let (typical, typical_note) = state.prediction_costs();
    assert!(typical_note.contains("typical"));
    let run = finished(&state.settings, 400.0, 380.0, false);
    let after = reduce(state.clone(), Action::RunFinished(Box::new(run)));
    let baseline = after
        .one_cpu_runs
        .get("cpu-batch")
        .expect("a one-CPU run is kept");
    assert_eq!(baseline.wall_ms, 400.0);
    assert_eq!(baseline.how, "multitasking, 5 ms slices");
    let (calibrated, note) = after.prediction_costs();
    assert!(note.contains("one-CPU run"), "{note}");
    let predicted_ms = typical.cpu_ms(&after.settings.scenario());
    let ratio = calibrated.cpu_ms(&after.settings.scenario()) / predicted_ms;
    assert!((ratio - 380.0 / predicted_ms).abs() < 1e-9 * ratio.max(1.0) * 1e3);

    // A stopped run and a two-worker run are no baseline.
    let stopped = reduce(
        state.clone(),
        Action::RunFinished(Box::new(finished(&state.settings, 10.0, 9.0, true))),
    );
    assert!(stopped.one_cpu_runs.is_empty());
    let two_workers = reduce(state, Action::SetMode(Mode::Multiprocessing));
    let two_workers = reduce(two_workers, Action::SetWorkers(2));
    let parallel = finished(&two_workers.settings, 200.0, 380.0, false);
    let after_parallel = reduce(two_workers, Action::RunFinished(Box::new(parallel)));
    assert!(after_parallel.one_cpu_runs.is_empty());
    assert!(after_parallel
        .prediction_costs()
        .1
        .contains("last run of this scenario"));
}

#[test]
fn actions_share_the_last_run_instead_of_copying_it() {
    let state = AppState::new("", 4, PoolStatus::Ready);
    let run = finished(&state.settings, 100.0, 90.0, false);
    let after_run = Rc::new(state).reduce(Action::RunFinished(Box::new(run)));
    let after_edit = Rc::clone(&after_run).reduce(Action::SetSlice(3));
    let (Some(before), Some(after)) = (&after_run.last, &after_edit.last) else {
        panic!("the run is kept");
    };
    assert!(Rc::ptr_eq(before, after));
    assert!(Rc::ptr_eq(
        &after_run.one_cpu_runs,
        &after_edit.one_cpu_runs
    ));
}

#[test]
fn failures_become_notices_and_copy_results_a_status() {
    let state = AppState::new("", 4, PoolStatus::Ready);
    let failed = reduce(
        state.clone(),
        Action::Failed(PageError::Download {
            file: "run.csv".into(),
            reason: "blocked".into(),
        }),
    );
    assert_eq!(fields(&failed), ["download"]);
    assert!(failed.notices[0].message.contains("run.csv"));
    let refused = reduce(state.clone(), Action::Copied(Err(PageError::Clipboard)));
    assert!(refused
        .copy_status
        .as_deref()
        .is_some_and(|status| status.starts_with("Not copied")));
    assert_eq!(fields(&refused), ["clipboard"]);
    assert!(refused.notices[0].message.contains("refused the clipboard"));
    let copied = reduce(state, Action::Copied(Ok(())));
    assert_eq!(copied.copy_status.as_deref(), Some("Link copied."));
    assert!(reduce(failed, Action::DismissNotices).notices.is_empty());
}

#[test]
fn choosing_a_preset_applies_the_policy_cpus_and_quantum_its_story_needs() {
    let state = AppState::new("?preset=two-chefs&quantum=3", 4, PoolStatus::Starting);
    let convoy = reduce(state, Action::SetPreset(Preset::Convoy));
    assert_eq!(convoy.settings.predict.policy, PolicyKind::Fcfs);
    assert_eq!(convoy.settings.predict.cpus, 1);
    assert_eq!(convoy.settings.predict.quantum, 3, "the quantum stays");
    let starving = reduce(convoy, Action::SetPreset(Preset::PriorityStarvation));
    assert_eq!(
        starving.settings.predict.policy,
        PolicyKind::PriorityPreemptive
    );
    assert!(starving
        .settings
        .to_query(false)
        .contains("policy=priority-preemptive"));
    let mlfq = reduce(starving, Action::SetPreset(Preset::MlfqInteractive));
    assert_eq!(mlfq.settings.predict.policy, PolicyKind::Mlfq);
    assert_eq!(
        mlfq.settings.predict.quantum,
        Preset::MlfqInteractive.schedule().quantum,
        "a policy with a quantum gets the preset's"
    );
}

#[test]
fn placement_comes_from_the_link_changes_with_its_control_and_goes_back_into_links() {
    let state = AppState::new(
        "?preset=amdahl&mode=multiprocessing&workers=2&placement=stealing",
        4,
        PoolStatus::Ready,
    );
    assert_eq!(state.settings.placement, Placement::Stealing);
    assert!(state.notices.is_empty(), "{:?}", state.notices);
    assert!(state
        .settings
        .to_query(false)
        .contains("placement=stealing"));
    let pinned = reduce(state, Action::SetPlacement(Placement::Pinned));
    assert_eq!(pinned.settings.placement, Placement::Pinned);
    assert!(
        !pinned.settings.to_query(false).contains("placement"),
        "the default stays out of links"
    );

    let bogus = AppState::new(
        "?mode=multiprocessing&placement=bogus",
        4,
        PoolStatus::Ready,
    );
    assert_eq!(bogus.settings.placement, Placement::Pinned);
    assert_eq!(fields(&bogus), ["placement"]);
}

#[test]
fn a_comparison_interleaves_its_rounds_and_measures_against_the_single_thread_run() {
    let state = AppState::new(
        "preset=cpu-batch&view=compare&compare_workers=1,2&compare_repeat=2",
        2,
        PoolStatus::Ready,
    );
    assert_eq!(state.settings.view, View::Compare);
    let plan = Rc::new(crate::compare::ComparePlan::new(&state.settings, 2, None));
    assert_eq!(plan.configs.len(), 4);
    assert_eq!(plan.total_runs(), 8);
    // Every configuration once, then again.
    let order: Vec<usize> = (0..8)
        .filter_map(|index| plan.run(index))
        .map(|(config, _)| config)
        .collect();
    assert_eq!(order, [0, 1, 2, 3, 0, 1, 2, 3]);
    let mut state = reduce(state, Action::CompareStarted(Rc::clone(&plan)));
    assert!(
        state.is_running(),
        "a comparison counts as running between its runs"
    );
    // Single thread 1000 ms, multitasking 1040 ms, 1 worker 1010 ms, 2 workers 520 ms (±10 ms between rounds).
    let walls = [1000.0, 1040.0, 1010.0, 520.0];
    for index in 0..8 {
        let (config, settings) = plan.run(index).expect("a run");
        let wall = walls[config] + if index < 4 { -10.0 } else { 10.0 };
        state = reduce(
            state,
            Action::CompareRunFinished(config, Rc::new(finished(&settings, wall, wall, false))),
        );
    }
    state = reduce(state, Action::CompareEnded);
    assert!(!state.is_running());
    assert_eq!(state.history.len(), 8, "every run is in the runs table");
    let comparison = state.comparison.clone().expect("a comparison");
    assert!(!comparison.is_partial());
    let rows = comparison.rows();
    assert_eq!(rows.len(), 4);
    let two = &rows[3];
    assert_eq!(two.wall.median, 520.0);
    assert_eq!((two.wall.min, two.wall.max), (510.0, 530.0));
    let speedup = two.speedup_vs_single.expect("against single thread");
    // Per run against the single-thread median (1000 ms): the median of 1000/510 and 1000/530.
    assert!((speedup.median - (1000.0 / 510.0 + 1000.0 / 530.0) / 2.0).abs() < 1e-9);
    assert!((speedup.max - 1000.0 / 510.0).abs() < 1e-9);
    assert!((two.speedup_vs_one_worker.expect("against one worker") - 1010.0 / 520.0).abs() < 1e-9);
    assert!((two.efficiency.expect("efficiency") - speedup.median / 2.0).abs() < 1e-9);
    let fit = comparison.fit().expect("an Amdahl fit");
    assert!(fit.serial_fraction < 0.05, "{}", fit.serial_fraction);
    let report = serde_json::to_value(comparison.report(&[])).expect("serialises");
    assert_eq!(report["runs"].as_array().map(Vec::len), Some(8));
    assert!(report["fit"]["serial_fraction"].is_number());
}

#[test]
fn a_stopped_run_ends_a_comparison_as_partial() {
    let state = AppState::new(
        "preset=cpu-batch&compare_workers=2&compare_repeat=1",
        2,
        PoolStatus::Ready,
    );
    let plan = Rc::new(crate::compare::ComparePlan::new(&state.settings, 2, None));
    let state = reduce(state, Action::CompareStarted(Rc::clone(&plan)));
    let (config, settings) = plan.run(0).expect("a run");
    let state = reduce(
        state,
        Action::CompareRunFinished(config, Rc::new(finished(&settings, 300.0, 300.0, true))),
    );
    let state = reduce(state, Action::CompareEnded);
    let comparison = state.comparison.clone().expect("a comparison");
    assert!(comparison.is_partial());
    assert!(
        comparison.rows().is_empty(),
        "a stopped run is not measured"
    );
    assert!(
        serde_json::to_value(comparison.report(&[])).expect("serialises")["partial"]
            .as_bool()
            .unwrap_or(false)
    );
}

#[test]
fn a_stopped_run_keeps_how_far_each_task_got() {
    let state = AppState::new("?preset=cpu-batch&mode=multitasking", 2, PoolStatus::Ready);
    let scenario = state.settings.scenario();
    assert!(state.last_progress.is_empty(), "no run yet");
    let active = Rc::new(crate::run::ActiveRun::new(&scenario));
    let state = reduce(state, Action::RunStarted(Rc::clone(&active)));
    // The first task got halfway, the second a quarter, the others did not start.
    let units = |task: usize| scenario.tasks[task].total_units();
    active.progress.add_units(0, units(0) / 2);
    active.progress.add_units(1, units(1) / 4);
    let stopped = finished(&state.settings, 50.0, 50.0, true);
    let state = reduce(state, Action::RunFinished(Box::new(stopped)));
    assert!(state.active.is_none());
    let progress = state.last_progress.as_slice();
    assert_eq!(progress.len(), scenario.tasks.len());
    assert!((progress[0] - 0.5).abs() < 0.01, "{progress:?}");
    assert!((progress[1] - 0.25).abs() < 0.01, "{progress:?}");
    assert!(
        progress[2..].iter().all(|&done| done == 0.0),
        "{progress:?}"
    );
    // Later actions share it.
    let after_edit = Rc::new(state.clone()).reduce(Action::SetSlice(3));
    assert!(Rc::ptr_eq(&state.last_progress, &after_edit.last_progress));
}

#[test]
fn controls_that_do_nothing_in_a_mode_say_why() {
    let (workers, slice) = unused_controls(Mode::Multitasking);
    assert!(workers.is_some_and(|why| why.contains("multiprocessing")));
    assert_eq!(slice, None);
    let (workers, slice) = unused_controls(Mode::SingleThread);
    assert!(workers.is_some_and(|why| why.contains("multiprocessing")));
    assert!(slice.is_some_and(|why| why.contains("never yields")));
    let (workers, slice) = unused_controls(Mode::Multiprocessing);
    assert_eq!(workers, None);
    assert!(slice.is_some_and(|why| why.contains("workers")));
}
