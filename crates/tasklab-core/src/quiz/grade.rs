//! Grading a student's answers against a question's [`Solution`](super::Solution).
//!
//! **Score**: one point per task whose completion tick is right; a question is worth as many points as it has
//! tasks. A painted Gantt chart is graded cell by cell (right cells, the wrong ones listed, the first tick it
//! differs) but earns no points, so a score can always be recomputed from the completions alone, which is what a
//! result code carries ([`super::ResultCode`]).

use serde::{Deserialize, Serialize};

use super::generate::{ExpectedCompletion, QuizOrigin, QuizQuestion};
use crate::sim::{SimInput, SliceKind};

/// What a student answered to one question.
///
/// JSON: `{"completions": [7, null, 12], "gantt": [[0, 0, 1, null], …]}`; `gantt` may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// Each task's completion tick, in scenario order; `None` (or a missing entry) is no answer.
    pub completions: Vec<Option<u64>>,
    /// The painted chart, if the student painted one: `gantt[cpu][tick]` is the index of the task painted there,
    /// or `None` for a cell left empty (idle; a context switch is left empty too). Cells beyond the question's
    /// CPUs or [`QuizQuestion::paint_ticks`] are ignored; missing ones count as empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gantt: Option<Vec<Vec<Option<u32>>>>,
}

/// One task's answer, graded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskGrade {
    /// The task's name.
    pub name: String,
    /// The right completion tick.
    pub expected: u64,
    /// What the student answered.
    pub answer: Option<u64>,
    /// Whether it is right.
    pub correct: bool,
}

/// A cell of the painted chart that differs from the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CellMismatch {
    /// The CPU (row).
    pub cpu: u32,
    /// The tick (column).
    pub tick: u64,
    /// What the CPU really did.
    pub expected: SliceKind,
    /// What the student painted (`None`: empty).
    pub painted: Option<u32>,
}

/// The painted chart against the real one, over every CPU and the ticks from 0 to the later of the real end and
/// the last painted cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GanttGrade {
    /// Cells compared.
    pub cells: u64,
    /// Cells painted right.
    pub right: u64,
    /// The wrong cells, by tick then CPU.
    pub mismatches: Vec<CellMismatch>,
}

impl GanttGrade {
    /// The first tick where the charts differ.
    pub fn first_difference(&self) -> Option<u64> {
        self.mismatches.first().map(|mismatch| mismatch.tick)
    }
}

/// A question graded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grade {
    /// Where the question comes from (none for a known input).
    pub origin: Option<QuizOrigin>,
    /// The question, in the CLI's JSON input format.
    pub input: SimInput,
    /// Each task's answer, in scenario order.
    pub tasks: Vec<TaskGrade>,
    /// The painted chart, if there was one.
    pub gantt: Option<GanttGrade>,
    /// Points: right completions.
    pub score: u32,
    /// Points possible: the tasks.
    pub max_score: u32,
    /// Where the student's account first disagrees with the run, for the step-through link
    /// (`view=step&…&tick=T`): the first differing cell of the painted chart, or, for a wrong completion, the
    /// earlier of the right tick and the answered one (where one of them says the task is done and the other
    /// not); the earliest of these. `None` when everything is right.
    pub first_wrong_tick: Option<u64>,
}

/// Grades `answers` to `question` (see the module docs for the score).
pub fn grade(question: &QuizQuestion, answers: &Answers) -> Grade {
    let solution = question.solution();
    let tasks: Vec<TaskGrade> = solution
        .completions
        .iter()
        .enumerate()
        .map(|(index, expected)| {
            let answer = answers.completions.get(index).copied().flatten();
            TaskGrade {
                name: expected.name.clone(),
                expected: expected.completion,
                answer,
                correct: answer == Some(expected.completion),
            }
        })
        .collect();
    let gantt = answers
        .gantt
        .as_ref()
        .map(|painted| grade_gantt(question, painted));
    let completion_disagreement = tasks
        .iter()
        .filter(|task| !task.correct)
        .map(|task| {
            task.answer
                .map_or(task.expected, |answer| answer.min(task.expected))
        })
        .min();
    let first_wrong_tick = [
        completion_disagreement,
        gantt.as_ref().and_then(GanttGrade::first_difference),
    ]
    .into_iter()
    .flatten()
    .min();
    let score = tasks.iter().filter(|task| task.correct).count();
    Grade {
        origin: question.origin(),
        input: question.input().clone(),
        score: u32::try_from(score).unwrap_or(u32::MAX),
        max_score: u32::try_from(tasks.len()).unwrap_or(u32::MAX),
        tasks,
        gantt,
        first_wrong_tick,
    }
}

fn grade_gantt(question: &QuizQuestion, painted: &[Vec<Option<u32>>]) -> GanttGrade {
    let truth = &question.solution().gantt;
    let limit = question.paint_ticks();
    let painted_cell = |cpu: u32, tick: u64| -> Option<u32> {
        let row = painted.get(cpu as usize)?;
        row.get(usize::try_from(tick).ok()?).copied().flatten()
    };
    // Columns up to the last painted task (within the paintable width) or the real end, whichever is later.
    let last_painted = painted
        .iter()
        .take(truth.cpus as usize)
        .filter_map(|row| row.iter().rposition(Option::is_some))
        .max()
        .map_or(0, |position| position as u64 + 1)
        .min(limit);
    let ticks = truth.ticks.max(last_painted);
    let mut mismatches = Vec::new();
    for tick in 0..ticks {
        for cpu in 0..truth.cpus {
            let expected = truth.cell(cpu, tick);
            let wanted = match expected {
                SliceKind::Task(task) => Some(task),
                SliceKind::Switch(_) | SliceKind::Idle => None,
            };
            let painted = painted_cell(cpu, tick);
            if painted != wanted {
                mismatches.push(CellMismatch {
                    cpu,
                    tick,
                    expected,
                    painted,
                });
            }
        }
    }
    let cells = ticks.saturating_mul(u64::from(truth.cpus));
    GanttGrade {
        cells,
        right: cells - mismatches.len() as u64,
        mismatches,
    }
}

impl Grade {
    /// Whether every completion (and the painted chart, if any) is right.
    pub fn all_right(&self) -> bool {
        self.first_wrong_tick.is_none()
    }

    /// The right completions, as `[{"name", "completion"}]`.
    pub fn expected(&self) -> Vec<ExpectedCompletion> {
        self.tasks
            .iter()
            .map(|task| ExpectedCompletion {
                name: task.name.clone(),
                completion: task.expected,
            })
            .collect()
    }

    /// The document the page publishes after Reveal as `window.tasklabLastQuiz` (as a JSON string):
    /// `{"input": <the CLI's JSON input>, "expected": [{"name", "completion"}], "answers": [{"name",
    /// "completion", "correct"}], "score": n}`, plus `max_score`, `first_wrong_tick`, `gantt` (`null`, or `cells`,
    /// `right` and `mismatches`) and `quiz` (`null`, or its `seed`, `level` and `index`). Keys sorted.
    pub fn to_report_json(&self) -> serde_json::Value {
        let answers: Vec<serde_json::Value> = self
            .tasks
            .iter()
            .map(|task| {
                serde_json::json!({
                    "name": task.name,
                    "completion": task.answer,
                    "correct": task.correct,
                })
            })
            .collect();
        serde_json::json!({
            "input": self.input,
            "expected": self.expected(),
            "answers": answers,
            "score": self.score,
            "max_score": self.max_score,
            "first_wrong_tick": self.first_wrong_tick,
            "gantt": self.gantt,
            "quiz": self.origin,
        })
    }
}
