//! Result codes: a quiz link's answers and score in one short line a student can paste, which the teacher's
//! page (`view=quiz-check` on the same link) verifies without a server.
//!
//! Format: `TL-<score>-<count>-<answers>-<check>`, e.g. `TL-7-3-1G4R0C2M8Y5T-3F9A2C`.
//!
//! - `score`: points over the link's questions (one per right completion tick), `count`: its questions.
//! - `answers`: every completion answered, question by question, task by task, 6 bits each (0 = blank, 1–62 =
//!   the tick, 63 = anything else: 0 or above 62, always wrong as a quiz's completions are 1–40), packed most
//!   significant bit first into Crockford base32 (`0–9 A–Z` without `I L O U`; read back case-blind, with `O` as
//!   0 and `I`, `L` as 1), the last character padded with zero bits.
//! - `check`: 6 Crockford characters, 30 bits: the FNV-1a 64 hash of the link (seed number, level, count,
//!   overrides), the score and the answers, xor-folded to 30 bits as the FNV authors describe.
//!
//! The teacher's page regenerates the link's questions, so it can check that the code belongs to the link
//! (checksum), read the answers and recompute the score from them. What it cannot know without a server: that
//! the code was not forged. FNV is public, so anyone who reads this can make a consistent code; the checksum only
//! catches typos, codes from another link, and hand edits of the score. It is tamper-evident, not secure.

use std::fmt;

use serde::Serialize;

use super::generate::{Quiz, QuizQuestion};
use super::grade::Answers;
use super::params::{QuizParams, MAX_COUNT};
use super::rng::Fnv1a64;
use super::QuizError;

/// The first part of every result code.
pub const CODE_PREFIX: &str = "TL";
/// Characters of the checksum.
const CHECK_CHARS: usize = 6;
/// Bits of the checksum.
const CHECK_BITS: u32 = 5 * CHECK_CHARS as u32;
/// Bits of one answer.
const ANSWER_BITS: u32 = 6;
/// The answer symbol for "anything else".
const OTHER: u8 = (1 << ANSWER_BITS) - 1;
/// Crockford's base32 alphabet.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Tag of the hashed bytes: a new format gets a new tag, so old codes fail its checks.
const CHECK_TAG: &[u8] = b"tasklab-quiz-code-1\0";

/// One completion answer as a result code keeps it. JSON: `"blank"`, `{"value": 7}` or `"other"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CodedAnswer {
    /// No answer.
    Blank,
    /// A tick from 1 to 62.
    Value(u64),
    /// An answer of 0 or above 62 (always wrong).
    Other,
}

impl CodedAnswer {
    /// How a code keeps `answer`.
    pub fn of(answer: Option<u64>) -> Self {
        match answer {
            None => CodedAnswer::Blank,
            Some(tick @ 1..=62) => CodedAnswer::Value(tick),
            Some(_) => CodedAnswer::Other,
        }
    }

    /// Whether it is the right completion tick `expected`.
    pub fn is(self, expected: u64) -> bool {
        self == CodedAnswer::Value(expected)
    }

    fn symbol(self) -> u8 {
        match self {
            CodedAnswer::Blank => 0,
            // 1..=62 by construction.
            CodedAnswer::Value(tick) => u8::try_from(tick).unwrap_or(OTHER),
            CodedAnswer::Other => OTHER,
        }
    }

    fn from_symbol(symbol: u8) -> Self {
        match symbol {
            0 => CodedAnswer::Blank,
            OTHER.. => CodedAnswer::Other,
            tick => CodedAnswer::Value(u64::from(tick)),
        }
    }
}

impl fmt::Display for CodedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodedAnswer::Blank => f.write_str("\u{2014}"),
            CodedAnswer::Value(tick) => write!(f, "{tick}"),
            CodedAnswer::Other => f.write_str("other (0 or over 62)"),
        }
    }
}

/// A result code (see the module docs); [`fmt::Display`] writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResultCode {
    score: u32,
    count: usize,
    answers: Vec<CodedAnswer>,
    checksum: u32,
}

impl ResultCode {
    /// The code of `answers` (one per question, in order) to the questions of `params`.
    ///
    /// # Errors
    /// [`QuizError::AnswerSets`] unless there is one [`Answers`] per question; [`QuizError::BadParameter`] for a
    /// count outside 1..=[`MAX_COUNT`].
    pub fn new(params: &QuizParams, answers: &[Answers]) -> Result<ResultCode, QuizError> {
        // Parameters set by hand rather than read from a link: a code must stay readable.
        if !(1..=MAX_COUNT).contains(&params.count) {
            return Err(QuizError::BadParameter {
                field: "count",
                message: format!("{} is not from 1 to {MAX_COUNT}", params.count),
            });
        }
        if answers.len() != params.count {
            return Err(QuizError::AnswerSets {
                given: answers.len(),
                questions: params.count,
            });
        }
        let questions = Quiz::new(params.clone()).questions();
        let coded: Vec<CodedAnswer> = questions
            .iter()
            .zip(answers)
            .flat_map(|(question, answers)| {
                (0..question.task_names().len())
                    .map(|task| CodedAnswer::of(answers.completions.get(task).copied().flatten()))
            })
            .collect();
        let score = score_of(&questions, &coded);
        Ok(ResultCode {
            score,
            count: params.count,
            checksum: checksum(params, score, &coded),
            answers: coded,
        })
    }

    /// Reads a code's format (any case, spaces ignored). It says nothing yet about the code's link: see
    /// [`verify_code`].
    ///
    /// # Errors
    /// [`QuizError::NotACode`], naming what is wrong.
    pub fn parse(text: &str) -> Result<ResultCode, QuizError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let not_a_code = |reason: &'static str| QuizError::NotACode { reason };
        let parts: Vec<&str> = cleaned.split('-').collect();
        let [prefix, score, count, payload, check] = parts.as_slice() else {
            return Err(not_a_code(
                "it should have five parts: TL-score-count-answers-check",
            ));
        };
        if *prefix != CODE_PREFIX {
            return Err(not_a_code("it should start with TL-"));
        }
        let number = |text: &str| {
            (!text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u32>().ok())
                .flatten()
        };
        let score = number(score).ok_or(not_a_code("the score should be a whole number"))?;
        let count = number(count)
            .and_then(|count| usize::try_from(count).ok())
            .filter(|count| (1..=MAX_COUNT).contains(count))
            .ok_or(not_a_code(
                "the question count should be a whole number from 1 to 10",
            ))?;
        let answers = decode_answers(payload)
            .ok_or(not_a_code("the answers part is damaged (mistyped or cut)"))?;
        let checksum = (check.len() == CHECK_CHARS)
            .then(|| decode_bits(check))
            .flatten()
            .and_then(|bits| {
                u32::try_from(
                    bits.iter()
                        .fold(0u64, |acc, &bit| acc << 1 | u64::from(bit)),
                )
                .ok()
            })
            .ok_or(not_a_code("the check part should be 6 letters or digits"))?;
        Ok(ResultCode {
            score,
            count,
            answers,
            checksum,
        })
    }

    /// The points it claims.
    pub fn score(&self) -> u32 {
        self.score
    }

    /// The questions of its link.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Every answer, question by question, task by task.
    pub fn answers(&self) -> &[CodedAnswer] {
        &self.answers
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bits: Vec<u8> = Vec::with_capacity(self.answers.len() * ANSWER_BITS as usize);
        for answer in &self.answers {
            push_bits(&mut bits, u64::from(answer.symbol()), ANSWER_BITS);
        }
        let mut check = Vec::with_capacity(CHECK_BITS as usize);
        push_bits(&mut check, u64::from(self.checksum), CHECK_BITS);
        write!(
            f,
            "{CODE_PREFIX}-{}-{}-{}-{}",
            self.score,
            self.count,
            encode_bits(&bits),
            encode_bits(&check)
        )
    }
}

/// A result code checked against its link: the score recomputed, with every answer beside the right one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedResult {
    /// Points, as recomputed (equal to the code's).
    pub score: u32,
    /// Points possible: all the tasks of the link's questions.
    pub max_score: u32,
    /// The link's questions.
    pub count: usize,
    /// Each question, in order.
    pub questions: Vec<VerifiedQuestion>,
}

/// One question of a [`VerifiedResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedQuestion {
    /// Its position in the link, from 0.
    pub index: usize,
    /// Points earned.
    pub score: u32,
    /// Points possible: its tasks.
    pub max_score: u32,
    /// Each task's answer.
    pub answers: Vec<VerifiedAnswer>,
}

/// One task's answer in a [`VerifiedResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedAnswer {
    /// The task's name.
    pub name: String,
    /// The right completion tick.
    pub expected: u64,
    /// What the student answered.
    pub answer: CodedAnswer,
    /// Whether it is right.
    pub correct: bool,
}

/// Checks `code` against the quiz link `params` (the teacher's page, on the same link): its format, its question
/// count, its answer count, its checksum, and its score recomputed from its answers.
///
/// # Errors
/// [`QuizError::NotACode`], [`QuizError::CountMismatch`], [`QuizError::AnswerCountMismatch`],
/// [`QuizError::ChecksumMismatch`] or [`QuizError::ScoreMismatch`], in that order of checking.
pub fn verify_code(code: &str, params: &QuizParams) -> Result<VerifiedResult, QuizError> {
    let code = ResultCode::parse(code)?;
    if code.count != params.count {
        return Err(QuizError::CountMismatch {
            code: code.count,
            link: params.count,
        });
    }
    let questions = Quiz::new(params.clone()).questions();
    let tasks: usize = questions.iter().map(|q| q.task_names().len()).sum();
    if code.answers.len() != tasks {
        return Err(QuizError::AnswerCountMismatch {
            code: code.answers.len(),
            link: tasks,
        });
    }
    if checksum(params, code.score, &code.answers) != code.checksum {
        return Err(QuizError::ChecksumMismatch);
    }
    let mut coded = code.answers.iter();
    let verified: Vec<VerifiedQuestion> = questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            let answers: Vec<VerifiedAnswer> = question
                .solution()
                .completions
                .iter()
                .zip(coded.by_ref())
                .map(|(expected, &answer)| VerifiedAnswer {
                    name: expected.name.clone(),
                    expected: expected.completion,
                    answer,
                    correct: answer.is(expected.completion),
                })
                .collect();
            VerifiedQuestion {
                index,
                score: count_u32(answers.iter().filter(|a| a.correct).count()),
                max_score: count_u32(answers.len()),
                answers,
            }
        })
        .collect();
    let score: u32 = verified.iter().map(|q| q.score).sum();
    if score != code.score {
        return Err(QuizError::ScoreMismatch {
            claimed: code.score,
            actual: score,
        });
    }
    Ok(VerifiedResult {
        score,
        max_score: verified.iter().map(|q| q.max_score).sum(),
        count: params.count,
        questions: verified,
    })
}

fn count_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Right answers among `coded` (question by question, task by task).
fn score_of(questions: &[QuizQuestion], coded: &[CodedAnswer]) -> u32 {
    let expected = questions
        .iter()
        .flat_map(|question| &question.solution().completions);
    count_u32(
        expected
            .zip(coded)
            .filter(|(expected, answer)| answer.is(expected.completion))
            .count(),
    )
}

/// The code's 30-bit checksum (see the module docs).
fn checksum(params: &QuizParams, score: u32, answers: &[CodedAnswer]) -> u32 {
    let mut hash = Fnv1a64::new();
    hash.write(CHECK_TAG)
        .write(&params.seed.value.to_le_bytes())
        .write(&[params.level])
        .write(&(params.count as u64).to_le_bytes())
        .write(
            params
                .options
                .policy
                .map_or("-", |kind| kind.id())
                .as_bytes(),
        )
        .write(&[0])
        .write(&params.options.quantum.unwrap_or(0).to_le_bytes())
        .write(&params.options.cpus.unwrap_or(0).to_le_bytes())
        .write(&score.to_le_bytes());
    for answer in answers {
        hash.write(&[answer.symbol()]);
    }
    let full = hash.finish();
    // xor-folding: the high bits mixed into the low ones, then the low 30 kept.
    let mask = (1u64 << CHECK_BITS) - 1;
    u32::try_from(((full >> CHECK_BITS) ^ full) & mask).unwrap_or(0)
}

/// Appends the `width` low bits of `value`, most significant first, one bit per byte.
fn push_bits(bits: &mut Vec<u8>, value: u64, width: u32) {
    for shift in (0..width).rev() {
        bits.push(u8::from(value >> shift & 1 == 1));
    }
}

/// Crockford base32 of `bits`, the last character padded with zero bits.
fn encode_bits(bits: &[u8]) -> String {
    bits.chunks(5)
        .map(|chunk| {
            let value = chunk
                .iter()
                .chain(std::iter::repeat(&0))
                .take(5)
                .fold(0usize, |acc, &bit| acc << 1 | usize::from(bit));
            char::from(CROCKFORD[value])
        })
        .collect()
}

/// The bits of Crockford base32 `text` (upper case), or `None` for a character outside the alphabet.
fn decode_bits(text: &str) -> Option<Vec<u8>> {
    let mut bits = Vec::with_capacity(text.len() * 5);
    for byte in text.bytes() {
        let byte = match byte {
            b'O' => b'0',
            b'I' | b'L' => b'1',
            other => other,
        };
        let value = CROCKFORD.iter().position(|&c| c == byte)?;
        push_bits(&mut bits, value as u64, 5);
    }
    Some(bits)
}

/// The answers of a payload: 6 bits each, in the shortest whole number of characters, padding bits zero.
fn decode_answers(payload: &str) -> Option<Vec<CodedAnswer>> {
    let bits = decode_bits(payload)?;
    let symbols = bits.len() / ANSWER_BITS as usize;
    let canonical = (symbols * ANSWER_BITS as usize).div_ceil(5) == payload.len();
    let padding_zero = bits[symbols * ANSWER_BITS as usize..]
        .iter()
        .all(|&b| b == 0);
    if symbols == 0 || !canonical || !padding_zero {
        return None;
    }
    Some(
        bits.chunks(ANSWER_BITS as usize)
            .take(symbols)
            .map(|chunk| {
                let symbol = chunk.iter().fold(0u8, |acc, &bit| acc << 1 | bit);
                CodedAnswer::from_symbol(symbol)
            })
            .collect(),
    )
}
