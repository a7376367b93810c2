//! The quiz (`view=quiz&quiz=SEED`): small scheduling questions drawn from a seed (`tasklab_core::quiz`). The
//! student types each task's completion tick and may paint the Gantt chart; Reveal grades it against the
//! simulator, publishes `window.tasklabLastQuiz`, and links to the step-through at the first wrong decision. A
//! link of several questions ends with a result code for the teacher (`view=quiz-check`).

use std::collections::HashMap;
use std::rc::Rc;

use tasklab_core::policy::PolicyKind;
use tasklab_core::quiz::{grade, Grade, Quiz, QuizParams, QuizQuestion, ResultCode};
use tasklab_core::scenario::palette_colour;
use tasklab_core::sim::{Burst, SliceKind};
use yew::prelude::*;

use crate::browser;
use crate::learn::answers;
use crate::panels::chart::chart_table;
use crate::panels::quiz_gantt::{Paint, PaintGantt};
use crate::panels::step::{cpus_in_words, policy_words};

/// What the student has done so far, question by question.
#[derive(Clone, PartialEq)]
struct Progress {
    /// The question on show.
    index: usize,
    /// Typed completions.
    texts: Vec<Vec<String>>,
    /// Painted charts.
    painted: Vec<Vec<Vec<Option<u32>>>>,
    /// Grades, once revealed.
    grades: Vec<Option<Rc<Grade>>>,
}

impl Progress {
    fn new(questions: &[QuizQuestion]) -> Self {
        Progress {
            index: 0,
            texts: questions
                .iter()
                .map(|question| vec![String::new(); question.task_names().len()])
                .collect(),
            painted: questions
                .iter()
                .map(|question| {
                    vec![vec![None; question.paint_ticks() as usize]; question.cpus() as usize]
                })
                .collect(),
            grades: vec![None; questions.len()],
        }
    }
}

/// The quiz's properties.
#[derive(Properties, PartialEq)]
pub struct QuizProps {
    /// The link's quiz (with a seed).
    pub params: QuizParams,
}

/// A burst list in words: "CPU 3, I/O 2, CPU 1".
fn bursts_in_words(bursts: &[Burst]) -> String {
    bursts
        .iter()
        .map(|burst| match burst {
            Burst::Cpu(ticks) => format!("CPU {ticks}"),
            Burst::Io(ticks) => format!("I/O {ticks}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What really ran in a cell, in words.
fn cell_in_words(kind: SliceKind, names: &[String]) -> String {
    match kind {
        SliceKind::Task(task) => names.get(task as usize).cloned().unwrap_or_default(),
        SliceKind::Switch(_) => "a context switch (leave it empty)".to_owned(),
        SliceKind::Idle => "idle (leave it empty)".to_owned(),
    }
}

/// The quiz.
#[function_component(QuizView)]
pub fn quiz_view(props: &QuizProps) -> Html {
    let questions = use_memo(props.params.clone(), |params| {
        Quiz::new(params.clone()).questions()
    });
    let progress = use_state(|| Progress::new(&questions));
    let params = &props.params;
    let count = questions.len();
    let index = progress.index.min(count.saturating_sub(1));
    let Some(question) = questions.get(index) else {
        return html! { <section id="quiz-view"><p class="notice">{"This quiz has no questions."}</p></section> };
    };
    let names: Vec<String> = question
        .task_names()
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    let colours: Vec<String> = (0..names.len())
        .map(|task| palette_colour(task).to_owned())
        .collect();
    let input = question.input();
    let policy = input.policy_or_default();
    let uses_priorities = PolicyKind::of(&policy).uses_priorities();
    let revealed = progress.grades[index].clone();

    let on_type = |task: usize| {
        let progress = progress.clone();
        Callback::from(move |event: InputEvent| {
            let mut next = (*progress).clone();
            next.texts[index][task] = browser::form_value(&event);
            progress.set(next);
        })
    };
    let on_paint = {
        let progress = progress.clone();
        Callback::from(move |(cpu, tick, paint): Paint| {
            let mut next = (*progress).clone();
            if let Some(cell) = next.painted[index]
                .get_mut(cpu as usize)
                .and_then(|row| row.get_mut(tick as usize))
            {
                *cell = paint;
            }
            progress.set(next);
        })
    };
    let on_reveal = {
        let progress = progress.clone();
        let question = question.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*progress).clone();
            let graded = grade(
                &question,
                &answers(&next.texts[index], &next.painted[index]),
            );
            browser::publish_last_quiz(&graded.to_report_json().to_string());
            next.grades[index] = Some(Rc::new(graded));
            progress.set(next);
        })
    };
    let on_next = {
        let progress = progress.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*progress).clone();
            next.index = (index + 1).min(count - 1);
            progress.set(next);
        })
    };
    let wrong_cells = revealed.as_ref().map(|graded| {
        graded
            .gantt
            .iter()
            .flat_map(|gantt| &gantt.mismatches)
            .map(|cell| ((cell.cpu, cell.tick), cell_in_words(cell.expected, &names)))
            .collect::<HashMap<_, _>>()
    });
    let conventions = "Rules: time is counted in ticks from 0, and a task that starts at tick 2 with 3 ticks of CPU completes at tick 5. Switching costs nothing. Equal tasks run in the order they became ready (at the same tick: in the order of the table); a task that arrives at the tick another's quantum ends queues before it; a task back from I/O queues like a new arrival; a lower priority number is more urgent.";
    let answer_row = |task: usize| {
        let name = &names[task];
        let mark = revealed.as_ref().and_then(|graded| graded.tasks.get(task)).map(|graded| {
            if graded.correct {
                html! { <span class="mark right" id={format!("quiz-mark-{task}")}>{"✓ right"}</span> }
            } else {
                html! { <span class="mark wrong" id={format!("quiz-mark-{task}")}>{format!("✗ wrong: {name} completes at {}", graded.expected)}</span> }
            }
        });
        html! {
            <li class="quiz-answer">
                <label for={format!("quiz-answer-{task}")}>{format!("{name} completes at tick")}</label>
                <input type="number" inputmode="numeric" min="1" max="99" id={format!("quiz-answer-{task}")}
                       value={progress.texts[index][task].clone()} oninput={on_type(task)} disabled={revealed.is_some()} />
                {mark.unwrap_or_default()}
            </li>
        }
    };
    let all_revealed = progress.grades.iter().all(Option::is_some);
    let code = all_revealed.then(|| {
        let sets: Vec<_> = progress
            .texts
            .iter()
            .zip(&progress.painted)
            .map(|(texts, painted)| answers(texts, painted))
            .collect();
        ResultCode::new(params, &sets).map(|code| code.to_string())
    });
    let total: (u32, u32) = progress
        .grades
        .iter()
        .flatten()
        .fold((0, 0), |(score, max), graded| {
            (score + graded.score, max + graded.max_score)
        });
    let step_link = |tick: Option<u64>| {
        let tick = tick.map(|tick| format!("&tick={tick}")).unwrap_or_default();
        format!("?view=step&{}&q={index}{tick}", params.to_query())
    };
    html! {
        <section id="quiz-view" class="quiz" data-input={question.input_json().to_string()} data-question={index.to_string()} data-count={count.to_string()}>
            <h2>{format!("Quiz \u{201c}{}\u{201d} · question {} of {count}", params.seed.text, index + 1)}</h2>
            <p class="story">{format!(
                "Level {}: {} tasks on {} under {}. Work out when each task completes, as the scheduler would run them, then press Reveal to check against the simulator.",
                params.level, names.len(), cpus_in_words(question.cpus()), policy_words(&policy, "tick")
            )}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="The tasks of this question (scrolls sideways)">
                <table class="task-table" id="quiz-tasks">
                    <caption>{"The tasks: when each arrives and the bursts it needs, in order"}</caption>
                    <thead><tr><th scope="col">{"Task"}</th><th scope="col">{"Arrives at tick"}</th><th scope="col">{"Bursts (ticks)"}</th>
                        if uses_priorities { <th scope="col">{"Priority (lower runs first)"}</th> }</tr></thead>
                    <tbody>
                        { for input.tasks.iter().zip(&names).zip(&colours).map(|((task, name), colour)| html! {
                            <tr><td>{crate::widgets::swatch(colour)}{name.clone()}</td><td>{task.arrival}</td><td>{bursts_in_words(&task.bursts)}</td>
                                if uses_priorities { <td>{task.priority}</td> }</tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <p class="conventions"><small>{conventions}</small></p>
            <fieldset class="quiz-answers">
                <legend>{"When does each task complete?"}</legend>
                <ul>{ for (0..names.len()).map(answer_row) }</ul>
            </fieldset>
            <h3>{"Your Gantt chart"}</h3>
            <PaintGantt names={names.clone()} colours={colours.clone()} painted={progress.painted[index].clone()}
                        wrong={wrong_cells.clone()} on_paint={on_paint} />
            <p><button id="quiz-reveal" class="primary" onclick={on_reveal} disabled={revealed.is_some()}>{"Reveal"}</button>
                { if revealed.is_some() { " Graded: your answers are locked." } else { " Your answers are graded against the simulator; after Reveal they cannot change." } }</p>
            if let Some(graded) = &revealed {
                <div class="quiz-result" role="status">
                    <p id="quiz-score"><strong>{format!("Score: {} of {}", graded.score, graded.max_score)}</strong>
                        {format!(" (one point per right completion tick). {}", match &graded.gantt {
                            Some(gantt) => format!("Your chart: {} of {} cells right; the {} that differ are marked ✗ with a red border.", gantt.right, gantt.cells, gantt.mismatches.len()),
                            None => "You did not paint the chart: compare the real one below with the one in your head.".to_owned(),
                        })}</p>
                    {chart_table("quiz-gantt-expected", &format!("The real chart (to the last completion, tick {})", question.solution().gantt.ticks), &question.solution().gantt.cells, &names, &colours, u64::MAX)}
                    <p>
                        <a id="quiz-step-link" href={step_link(graded.first_wrong_tick)}>{ match graded.first_wrong_tick {
                            Some(tick) => format!("Step through this question from tick {tick}, where your answer and the scheduler first disagree"),
                            None => "All right. Step through this question to see each decision's reason".to_owned(),
                        } }</a>
                    </p>
                    if index + 1 < count {
                        <p><button id="quiz-next" class="primary" onclick={on_next}>{format!("Next question ({} of {count})", index + 2)}</button></p>
                    }
                </div>
            }
            if let Some(code) = code {
                <div class="quiz-code-box">
                    <h3>{"Your result code"}</h3>
                    { match code {
                        Ok(code) => html! { <>
                            <p><code id="quiz-code">{code}</code></p>
                            <p class="story">{format!("You scored {} of {} over {count} question(s). Give this code to your teacher: it carries your completion answers and the score, and the teacher's page recomputes the score from the answers, so a changed code fails its check. Your painted charts are not in it.", total.0, total.1)}</p>
                        </> },
                        Err(error) => html! { <p class="notice">{format!("No result code: {error}")}</p> },
                    } }
                </div>
            }
            <p class="conventions"><small>{"Teachers: a link with count=5 asks five questions; check a student's code on "}
                <a id="quiz-check-link" href={format!("?view=quiz-check&{}", params.to_query())}>{"this quiz's checking page"}</a>{"."}</small></p>
        </section>
    }
}
