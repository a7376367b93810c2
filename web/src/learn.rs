//! The learning views' pure logic, tested natively (`learn/tests.rs`): walking a recorded run event by event or
//! tick by tick, the tick a link asks for, and the quiz's answers and painted chart (cycling a cell, keys).

use tasklab_core::quiz::Answers;
use tasklab_core::step::StepTrace;

/// How the step-through moves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StepMode {
    /// From one tick at which the scheduler acted to the next.
    #[default]
    Events,
    /// One tick at a time.
    Ticks,
}

impl StepMode {
    /// The `#step-mode` option value.
    pub fn id(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Ticks => "ticks",
        }
    }

    /// Parses [`StepMode::id`].
    pub fn from_id(id: &str) -> Self {
        if id == "ticks" {
            Self::Ticks
        } else {
            Self::Events
        }
    }
}

/// A move of the step-through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// To the start of the run.
    First,
    /// One event (or tick) back.
    Prev,
    /// One event (or tick) on.
    Next,
    /// To the end of the run.
    Last,
}

impl Move {
    /// The move of a key: ← → Home End.
    pub fn of_key(key: &str) -> Option<Self> {
        match key {
            "ArrowLeft" => Some(Self::Prev),
            "ArrowRight" => Some(Self::Next),
            "Home" => Some(Self::First),
            "End" => Some(Self::Last),
            _ => None,
        }
    }
}

/// The tick after `step` from `tick`: events go from one event tick to the next, ticks one at a time; never
/// outside the run.
pub fn moved(trace: &StepTrace, mode: StepMode, tick: u64, step: Move) -> u64 {
    let (start, end) = (trace.start(), trace.end());
    let steps = trace.steps();
    match (step, mode) {
        (Move::First, _) => start,
        (Move::Last, _) => end,
        (Move::Next, StepMode::Ticks) => tick.saturating_add(1).clamp(start, end),
        (Move::Prev, StepMode::Ticks) => tick.saturating_sub(1).clamp(start, end),
        (Move::Next, StepMode::Events) => {
            let after = steps.partition_point(|step| step.tick <= tick);
            steps.get(after).map_or(end, |step| step.tick)
        }
        (Move::Prev, StepMode::Events) => {
            let before = steps.partition_point(|step| step.tick < tick);
            before
                .checked_sub(1)
                .and_then(|index| steps.get(index))
                .map_or(start, |step| step.tick)
        }
    }
}

/// The scrubber's range and value: event indices (event mode) or ticks.
pub fn scrubber(trace: &StepTrace, mode: StepMode, tick: u64) -> (u64, u64, u64) {
    match mode {
        StepMode::Events => {
            let last = trace.steps().len().saturating_sub(1) as u64;
            let value = trace.step_index_at(tick).unwrap_or(0) as u64;
            (0, last, value)
        }
        StepMode::Ticks => (trace.start(), trace.end(), tick),
    }
}

/// The tick of scrubber position `position`.
pub fn tick_at(trace: &StepTrace, mode: StepMode, position: u64) -> u64 {
    match mode {
        StepMode::Events => usize::try_from(position)
            .ok()
            .and_then(|index| trace.steps().get(index))
            .map_or(trace.end(), |step| step.tick),
        StepMode::Ticks => position.clamp(trace.start(), trace.end()),
    }
}

/// The tick the step-through opens at: the link's `tick` within the run, else its start; a message when the
/// link's tick had to be moved.
pub fn opening_tick(trace: &StepTrace, asked: Option<u64>) -> (u64, Option<String>) {
    let (start, end) = (trace.start(), trace.end());
    match asked {
        None => (start, None),
        Some(tick) if tick > end => (
            end,
            Some(format!(
                "The link asks for tick {tick}, but this run ends at tick {end}: showing tick {end}."
            )),
        ),
        Some(tick) if tick < start => (
            start,
            Some(format!(
                "The link asks for tick {tick}, but nothing happens before tick {start}: showing tick {start}."
            )),
        ),
        Some(tick) => (tick, None),
    }
}

/// The next paint of a cell when clicked: empty, then each task in turn, then empty again.
pub fn cycled(cell: Option<u32>, tasks: usize) -> Option<u32> {
    match cell {
        None if tasks > 0 => Some(0),
        Some(task) if (task as usize) + 1 < tasks => Some(task + 1),
        _ => None,
    }
}

/// What a key does to a painted cell: a task's name (its letter) paints it, Space, Delete, Backspace or `-`
/// empties it. `None`: the key does not paint.
pub fn paint_of_key(key: &str, names: &[&str]) -> Option<Option<u32>> {
    match key {
        " " | "Delete" | "Backspace" | "-" => Some(None),
        _ => names
            .iter()
            .position(|name| !key.is_empty() && name.eq_ignore_ascii_case(key))
            .map(|task| Some(task as u32)),
    }
}

/// Where an arrow key (or Home, End) moves in a `cpus` × `ticks` chart.
pub fn grid_move(key: &str, cpu: u32, tick: u64, cpus: u32, ticks: u64) -> Option<(u32, u64)> {
    let last_tick = ticks.saturating_sub(1);
    match key {
        "ArrowLeft" => Some((cpu, tick.saturating_sub(1))),
        "ArrowRight" => Some((cpu, (tick + 1).min(last_tick))),
        "ArrowUp" => Some((cpu.saturating_sub(1), tick)),
        "ArrowDown" => Some(((cpu + 1).min(cpus.saturating_sub(1)), tick)),
        "Home" => Some((cpu, 0)),
        "End" => Some((cpu, last_tick)),
        _ => None,
    }
}

/// A typed completion: a whole number, or no answer (empty or anything else).
pub fn parse_completion(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// The answers to grade: the typed completions and, when any cell was painted, the chart.
pub fn answers(texts: &[String], painted: &[Vec<Option<u32>>]) -> Answers {
    let any_paint = painted.iter().flatten().any(Option::is_some);
    Answers {
        completions: texts.iter().map(|text| parse_completion(text)).collect(),
        gantt: any_paint.then(|| painted.to_vec()),
    }
}

/// Black or white, whichever reads better on `colour` (`#rrggbb`; other text gets black).
pub fn text_colour_on(colour: &str) -> &'static str {
    let channel = |at: usize| {
        colour
            .get(at..at + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .map_or(1.0, |value| {
                let value = f64::from(value) / 255.0;
                if value <= 0.04045 {
                    value / 12.92
                } else {
                    ((value + 0.055) / 1.055).powf(2.4)
                }
            })
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast against black (L + 0.05) / 0.05 and against white 1.05 / (L + 0.05): equal at about 0.179.
    if luminance > 0.179 {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// A seed for a quiz link without one, from a random number in [0, 1): six digits, easy to read out.
pub fn drawn_seed(random: f64) -> u64 {
    (random.clamp(0.0, 1.0) * 1_000_000.0) as u64 % 1_000_000
}

#[cfg(test)]
mod tests;
