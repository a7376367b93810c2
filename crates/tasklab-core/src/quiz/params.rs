//! A quiz's link: the seed (`quiz=`), its size (`level=`, `count=`) and the overrides (`policy=`, `quantum=`,
//! `cpus=`), read leniently: a bad value falls back and leaves a [`QuizError::BadParameter`] to show.

use serde::{Deserialize, Serialize};

use super::rng::fnv1a64;
use super::QuizError;
use crate::policy::PolicyKind;

/// The easiest level.
pub const MIN_LEVEL: u8 = 1;
/// The hardest level.
pub const MAX_LEVEL: u8 = 3;
/// Most questions in one link.
pub const MAX_COUNT: usize = 10;
/// Most CPUs a quiz may ask for: more rows than that is not a hand exercise.
pub const MAX_QUIZ_CPUS: u32 = 4;
/// Longest quantum a quiz may ask for, in ticks (a longer one is just FCFS on these short bursts).
pub const MAX_QUIZ_QUANTUM: u64 = 10;

/// Longest part of a bad value quoted back in a message.
const QUOTED_CHARS: usize = 40;

/// The seed of a quiz: the text of `quiz=` as given (kept for links) and the number it stands for.
///
/// A whole number from 0 to 2⁶⁴−1 stands for itself; any other text (`monday`) for its FNV-1a 64 hash, so every
/// text is a valid seed and the same text gives the same quiz everywhere. Surrounding spaces are ignored; case
/// is not (`Monday` and `monday` are two quizzes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuizSeed {
    /// The number the generator starts from.
    pub value: u64,
    /// The text as it goes in a link.
    pub text: String,
}

impl QuizSeed {
    /// The seed `text` stands for (see the type's docs).
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let value = text
            .parse::<u64>()
            .unwrap_or_else(|_| fnv1a64(text.as_bytes()));
        QuizSeed {
            value,
            text: text.to_owned(),
        }
    }

    /// The seed of a number (the page's choice when a link has none).
    pub fn from_number(value: u64) -> Self {
        QuizSeed {
            value,
            text: value.to_string(),
        }
    }
}

/// What a link may impose instead of the seed's choices. `None` leaves the choice to the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QuizOptions {
    /// The policy (`policy=`, a [`PolicyKind`] id).
    pub policy: Option<PolicyKind>,
    /// The quantum of round robin and of MLFQ's top level (`quantum=`, 1..=[`MAX_QUIZ_QUANTUM`]).
    pub quantum: Option<u64>,
    /// The CPUs (`cpus=`, 1..=[`MAX_QUIZ_CPUS`]).
    pub cpus: Option<u32>,
}

/// Everything a quiz link says: which questions, how many, how hard, and any overrides.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuizParams {
    /// `quiz=`.
    pub seed: QuizSeed,
    /// `level=`, 1..=3.
    pub level: u8,
    /// `count=`, 1..=10: questions 0..count of the seed.
    pub count: usize,
    /// `policy=`, `quantum=`, `cpus=`.
    pub options: QuizOptions,
}

/// A quiz link read by [`QuizParams::parse_query`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedQuiz {
    /// The parameters, every bad value replaced by its fallback.
    pub params: QuizParams,
    /// Whether the link had a non-empty `quiz=`. Without one the seed is 0; the page should draw a seed of its
    /// own ([`QuizSeed::from_number`]) and put it in the address bar, so the question can be shared.
    pub seed_given: bool,
    /// `code=`, a result code for `view=quiz-check`, as given.
    pub code: Option<String>,
    /// One [`QuizError::BadParameter`] per value that could not be used as it was.
    pub notices: Vec<QuizError>,
}

impl QuizParams {
    /// One question (`count` 1) of `seed` at `level`, without overrides.
    pub fn new(seed: QuizSeed, level: u8) -> Self {
        QuizParams {
            seed,
            level: level.clamp(MIN_LEVEL, MAX_LEVEL),
            count: 1,
            options: QuizOptions::default(),
        }
    }

    /// Reads the quiz's parameters from a query string (with or without `?`); every other parameter is left to
    /// [`crate::settings::parse_query`] and ignored here. Never fails: see [`ParsedQuiz`].
    pub fn parse_query(query: &str) -> ParsedQuiz {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut parsed = ParsedQuiz {
            params: QuizParams::new(QuizSeed::from_number(0), MIN_LEVEL),
            seed_given: false,
            code: None,
            notices: Vec::new(),
        };
        // Later duplicates win, as in the settings; their notices stay.
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.as_ref();
            let notice = match key.as_ref() {
                "quiz" => {
                    parsed.params.seed = QuizSeed::parse(value);
                    parsed.seed_given = !parsed.params.seed.text.is_empty();
                    None
                }
                "level" => {
                    let (level, notice) = parse_level(value);
                    parsed.params.level = level;
                    notice
                }
                "count" => {
                    let (count, notice) = parse_count(value);
                    parsed.params.count = count;
                    notice
                }
                "policy" => match PolicyKind::from_id(value.trim()) {
                    Some(kind) => {
                        parsed.params.options.policy = Some(kind);
                        None
                    }
                    None => {
                        parsed.params.options.policy = None;
                        Some(bad(
                            "policy",
                            format!(
                                "{} is not one of {}; the quiz chooses",
                                quoted(value),
                                PolicyKind::id_list()
                            ),
                        ))
                    }
                },
                "quantum" => {
                    let (quantum, notice) = parse_override("quantum", value, 1, MAX_QUIZ_QUANTUM);
                    parsed.params.options.quantum = quantum;
                    notice
                }
                "cpus" => {
                    let (cpus, notice) = parse_override("cpus", value, 1, u64::from(MAX_QUIZ_CPUS));
                    // The range check above keeps it within u32.
                    parsed.params.options.cpus = cpus.and_then(|cpus| u32::try_from(cpus).ok());
                    notice
                }
                "code" => {
                    parsed.code = Some(value.trim().to_owned());
                    None
                }
                _ => None,
            };
            parsed.notices.extend(notice);
        }
        parsed
    }

    /// The quiz's part of a link (no `view=`, no `?`), which [`QuizParams::parse_query`] reads back: `quiz` and
    /// `level` always, `count` when above 1, and the overrides that are set.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("quiz", &self.seed.text)
            .append_pair("level", &self.level.to_string());
        if self.count > 1 {
            query.append_pair("count", &self.count.to_string());
        }
        if let Some(policy) = self.options.policy {
            query.append_pair("policy", policy.id());
        }
        if let Some(quantum) = self.options.quantum {
            query.append_pair("quantum", &quantum.to_string());
        }
        if let Some(cpus) = self.options.cpus {
            query.append_pair("cpus", &cpus.to_string());
        }
        query.finish()
    }
}

/// `level=`: a whole number clamped to 1..=3; anything else is level 1. The notice says what was used instead.
pub fn parse_level(text: &str) -> (u8, Option<QuizError>) {
    let (level, notice) = clamp_number(
        "level",
        text,
        u64::from(MIN_LEVEL),
        u64::from(MAX_LEVEL),
        u64::from(MIN_LEVEL),
    );
    // Clamped to 1..=3 above, so it fits.
    (u8::try_from(level).unwrap_or(MIN_LEVEL), notice)
}

/// `count=`: a whole number clamped to 1..=10; anything else is 1 question.
pub fn parse_count(text: &str) -> (usize, Option<QuizError>) {
    let (count, notice) = clamp_number("count", text, 1, MAX_COUNT as u64, 1);
    (usize::try_from(count).unwrap_or(1), notice)
}

/// A whole number clamped to `low..=high` (with a notice when it had to be), or `fallback` (with a notice) when
/// `text` is not a whole number.
fn clamp_number(
    field: &'static str,
    text: &str,
    low: u64,
    high: u64,
    fallback: u64,
) -> (u64, Option<QuizError>) {
    let trimmed = text.trim();
    // Digits beyond u64 are still a (large) whole number: clamp it to the top.
    let number = match trimmed.parse::<u64>() {
        Ok(number) => Some(number),
        Err(_) if !trimmed.is_empty() && trimmed.bytes().all(|byte| byte.is_ascii_digit()) => {
            Some(u64::MAX)
        }
        Err(_) => None,
    };
    match number {
        Some(number) if (low..=high).contains(&number) => (number, None),
        Some(number) => {
            let used = number.clamp(low, high);
            (
                used,
                Some(bad(
                    field,
                    format!("{} is outside {low} to {high}; using {used}", quoted(text)),
                )),
            )
        }
        None => (
            fallback,
            Some(bad(
                field,
                format!(
                    "{} is not a whole number from {low} to {high}; using {fallback}",
                    quoted(text)
                ),
            )),
        ),
    }
}

/// An override: a whole number in `low..=high`, else none (the seed chooses) with a notice.
fn parse_override(
    field: &'static str,
    text: &str,
    low: u64,
    high: u64,
) -> (Option<u64>, Option<QuizError>) {
    match text.trim().parse::<u64>() {
        Ok(number) if (low..=high).contains(&number) => (Some(number), None),
        _ => (
            None,
            Some(bad(
                field,
                format!(
                    "{} is not a whole number from {low} to {high}; the quiz chooses",
                    quoted(text)
                ),
            )),
        ),
    }
}

fn bad(field: &'static str, message: String) -> QuizError {
    QuizError::BadParameter { field, message }
}

/// `value` in curly quotes, cut after [`QUOTED_CHARS`] characters.
fn quoted(value: &str) -> String {
    let mut shown: String = value.chars().take(QUOTED_CHARS).collect();
    if value.chars().count() > QUOTED_CHARS {
        shown.push('…');
    }
    format!("\u{201c}{shown}\u{201d}")
}
