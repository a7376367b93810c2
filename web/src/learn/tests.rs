use tasklab_core::sim::{Conventions, Machine, Policy, SimScenario, SimTask};
use tasklab_core::step::{self, StepTrace};

use super::*;

/// A(0, 8 ticks) and B(1, 4 ticks) under SRTF: events at 0, 1 (B preempts), 5 (B done), 12 (A done).
fn srtf() -> StepTrace {
    let scenario = SimScenario {
        tasks: vec![SimTask::cpu_only("A", 0, 8), SimTask::cpu_only("B", 1, 4)],
    };
    step::record(
        &scenario,
        &Machine::default(),
        &Policy::Srtf,
        &Conventions::default(),
    )
    .expect("SRTF records")
}

#[test]
fn events_go_from_event_to_event_and_back_exactly() {
    let trace = srtf();
    let ticks: Vec<u64> = trace.steps().iter().map(|step| step.tick).collect();
    assert_eq!(ticks, [0, 1, 5, 12]);
    let mut tick = trace.start();
    let mut visited = vec![tick];
    while tick < trace.end() {
        tick = moved(&trace, StepMode::Events, tick, Move::Next);
        visited.push(tick);
    }
    assert_eq!(visited, ticks);
    // Past the end stays at the end; back retraces the same ticks.
    assert_eq!(moved(&trace, StepMode::Events, 12, Move::Next), 12);
    assert_eq!(moved(&trace, StepMode::Events, 12, Move::Prev), 5);
    assert_eq!(moved(&trace, StepMode::Events, 5, Move::Prev), 1);
    assert_eq!(moved(&trace, StepMode::Events, 1, Move::Prev), 0);
    assert_eq!(moved(&trace, StepMode::Events, 0, Move::Prev), 0);
    // From between two events (after tick moves), back goes to the event before.
    assert_eq!(moved(&trace, StepMode::Events, 3, Move::Prev), 1);
    assert_eq!(moved(&trace, StepMode::Events, 3, Move::Next), 5);
}

#[test]
fn ticks_move_one_at_a_time_within_the_run() {
    let trace = srtf();
    assert_eq!(moved(&trace, StepMode::Ticks, 3, Move::Next), 4);
    assert_eq!(moved(&trace, StepMode::Ticks, 3, Move::Prev), 2);
    assert_eq!(moved(&trace, StepMode::Ticks, 12, Move::Next), 12);
    assert_eq!(moved(&trace, StepMode::Ticks, 0, Move::Prev), 0);
    assert_eq!(moved(&trace, StepMode::Ticks, 7, Move::First), 0);
    assert_eq!(moved(&trace, StepMode::Ticks, 7, Move::Last), 12);
    assert_eq!(Move::of_key("ArrowRight"), Some(Move::Next));
    assert_eq!(Move::of_key("End"), Some(Move::Last));
    assert_eq!(Move::of_key("a"), None);
}

#[test]
fn the_scrubber_counts_events_or_ticks() {
    let trace = srtf();
    assert_eq!(scrubber(&trace, StepMode::Events, 7), (0, 3, 2));
    assert_eq!(tick_at(&trace, StepMode::Events, 2), 5);
    assert_eq!(tick_at(&trace, StepMode::Events, 99), 12);
    assert_eq!(scrubber(&trace, StepMode::Ticks, 7), (0, 12, 7));
    assert_eq!(tick_at(&trace, StepMode::Ticks, 99), 12);
}

#[test]
fn a_link_tick_beyond_the_run_is_moved_with_a_message() {
    let trace = srtf();
    assert_eq!(opening_tick(&trace, None), (0, None));
    assert_eq!(opening_tick(&trace, Some(5)), (5, None));
    let (tick, message) = opening_tick(&trace, Some(999));
    assert_eq!(tick, 12);
    assert!(message.expect("a message").contains("ends at tick 12"));
}

#[test]
fn painting_cycles_and_keys_set_cells() {
    assert_eq!(cycled(None, 3), Some(0));
    assert_eq!(cycled(Some(1), 3), Some(2));
    assert_eq!(cycled(Some(2), 3), None);
    assert_eq!(cycled(None, 0), None);
    let names = ["A", "B", "C"];
    assert_eq!(paint_of_key("b", &names), Some(Some(1)));
    assert_eq!(paint_of_key(" ", &names), Some(None));
    assert_eq!(paint_of_key("Z", &names), None);
    assert_eq!(paint_of_key("Enter", &names), None);
    assert_eq!(grid_move("ArrowRight", 0, 29, 1, 30), Some((0, 29)));
    assert_eq!(grid_move("ArrowDown", 0, 4, 2, 30), Some((1, 4)));
    assert_eq!(grid_move("ArrowUp", 0, 4, 2, 30), Some((0, 4)));
    assert_eq!(grid_move("End", 1, 4, 2, 30), Some((1, 29)));
    assert_eq!(grid_move("x", 1, 4, 2, 30), None);
}

#[test]
fn answers_keep_blanks_and_the_chart_only_when_painted() {
    let texts = vec![
        "7".to_owned(),
        " ".to_owned(),
        "x".to_owned(),
        " 12 ".to_owned(),
    ];
    let empty = vec![vec![None; 4]];
    let plain = answers(&texts, &empty);
    assert_eq!(plain.completions, [Some(7), None, None, Some(12)]);
    assert_eq!(plain.gantt, None);
    let painted = vec![vec![Some(0), None, None, None]];
    assert_eq!(answers(&texts, &painted).gantt, Some(painted));
}

#[test]
fn text_on_a_colour_keeps_its_contrast_and_seeds_are_short() {
    assert_eq!(text_colour_on("#000000"), "#ffffff");
    assert_eq!(text_colour_on("#f0e442"), "#000000");
    assert_eq!(text_colour_on("#0072b2"), "#ffffff");
    assert_eq!(text_colour_on("#e69f00"), "#000000");
    assert!(drawn_seed(0.999_999_9) < 1_000_000);
    assert_eq!(drawn_seed(0.0), 0);
    assert_eq!(StepMode::from_id(StepMode::Ticks.id()), StepMode::Ticks);
}
