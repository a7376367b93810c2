//! Quizzes (`view=quiz&quiz=SEED`): small scheduling questions drawn from a seed, graded against the simulator,
//! and result codes a teacher's page can verify without a server.
//!
//! - **A link** ([`QuizParams::parse_query`]): `quiz=` (any text: a whole number is its own seed, other text is
//!   hashed, so `quiz=monday` works), `level=` 1–3, `count=` 1–10 questions, and the usual `policy=`,
//!   `quantum=`, `cpus=` as overrides. Bad values fall back with a [`QuizError::BadParameter`] to show.
//! - **A question** ([`Quiz::generate`], [`Quiz::question`]): the same seed, level and index give the same
//!   question on every machine (integer-only SplitMix64 draws), in the CLI's JSON input format
//!   ([`QuizQuestion::input`]), with its [`Solution`]: each task's completion and the true Gantt grid.
//! - **Grading** ([`grade`]): each completion right or wrong with the right value, the painted chart cell by cell,
//!   a score (one point per right completion), and the tick of the first disagreement for the step-through;
//!   [`Grade::to_report_json`] is `window.tasklabLastQuiz`.
//! - **Result codes** ([`ResultCode`], [`verify_code`]): `TL-score-count-answers-check`; see the `code` module
//!   docs and `docs/quiz.md` for what a code can and cannot prove.
//!
//! ```
//! use tasklab_core::quiz::{grade, verify_code, Answers, Quiz, QuizParams, ResultCode};
//!
//! let parsed = QuizParams::parse_query("view=quiz&quiz=monday&level=2&count=2");
//! assert!(parsed.notices.is_empty());
//! let quiz = Quiz::new(parsed.params.clone());
//! let first = quiz.question(0);
//! assert_eq!(first, quiz.question(0));
//!
//! // All right: every completion from the solution.
//! let right: Vec<Option<u64>> =
//!     first.solution().completions.iter().map(|task| Some(task.completion)).collect();
//! let graded = grade(&first, &Answers { completions: right.clone(), gantt: None });
//! assert_eq!(graded.score, graded.max_score);
//!
//! let answers = [Answers { completions: right, gantt: None }, Answers::default()];
//! let code = ResultCode::new(&parsed.params, &answers).expect("one set per question").to_string();
//! let verified = verify_code(&code, &parsed.params).expect("the code of this link");
//! assert_eq!(verified.score, graded.score);
//! ```

mod code;
mod generate;
mod grade;
mod params;
mod rng;

use thiserror::Error;

pub use code::{
    verify_code, CodedAnswer, ResultCode, VerifiedAnswer, VerifiedQuestion, VerifiedResult,
    CODE_PREFIX,
};
pub use generate::{
    ExpectedCompletion, Gantt, Quiz, QuizOrigin, QuizQuestion, Solution, MAX_INPUT_CPUS,
    MAX_INPUT_TASKS, MAX_INPUT_TICKS, MAX_TICKS_EASY, MAX_TICKS_HARD,
};
pub use grade::{grade, Answers, CellMismatch, GanttGrade, Grade, TaskGrade};
pub use params::{
    parse_count, parse_level, ParsedQuiz, QuizOptions, QuizParams, QuizSeed, MAX_COUNT, MAX_LEVEL,
    MAX_QUIZ_CPUS, MAX_QUIZ_QUANTUM, MIN_LEVEL,
};

use crate::sim::SimError;

/// What went wrong with a quiz link, a question or a result code. The message is a sentence for the page.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuizError {
    /// A link parameter could not be used as it was; the message says what was used instead.
    #[error("{field}: {message}")]
    BadParameter {
        /// The query parameter.
        field: &'static str,
        /// What was wrong and what was used instead.
        message: String,
    },
    /// A known input is too big for a hand exercise ([`QuizQuestion::from_input`]).
    #[error("too large for a quiz: {reason}")]
    TooLarge {
        /// Which limit.
        reason: String,
    },
    /// The simulator refused a known input.
    #[error(transparent)]
    Refused(#[from] SimError),
    /// A result code was asked for with the wrong number of answer sets.
    #[error("{given} answer set(s) for {questions} question(s)")]
    AnswerSets {
        /// Answer sets given.
        given: usize,
        /// Questions of the link.
        questions: usize,
    },
    /// The text is not a result code.
    #[error("this is not a tasklab result code: {reason}")]
    NotACode {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The code was made for a link with another question count.
    #[error("this code is for {code} question(s), but this link has {link}")]
    CountMismatch {
        /// The code's count.
        code: usize,
        /// The link's count.
        link: usize,
    },
    /// The code carries another number of answers than the link's questions have tasks.
    #[error(
        "this code carries {code} answers, but this link's questions have {link} tasks: it was made for another \
         link, or mistyped"
    )]
    AnswerCountMismatch {
        /// Answers in the code.
        code: usize,
        /// Tasks of the link's questions.
        link: usize,
    },
    /// The checksum does not match the link and the code's contents.
    #[error(
        "the check does not match: the code was mistyped, changed, or made for another quiz link (seed, level, \
         count, policy, quantum and CPUs must all be the same)"
    )]
    ChecksumMismatch,
    /// The code's score is not what its answers earn.
    #[error("the code claims {claimed} point(s), but its answers earn {actual}")]
    ScoreMismatch {
        /// The code's score.
        claimed: u32,
        /// The score of its answers.
        actual: u32,
    },
}
