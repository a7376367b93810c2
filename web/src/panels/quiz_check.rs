//! The teacher's page (`view=quiz-check`): paste a student's result code; the page regenerates the link's
//! questions and verifies it (`tasklab_core::quiz::verify_code`), showing the score or why it was refused.

use tasklab_core::quiz::{verify_code, CodedAnswer, QuizParams, VerifiedResult};
use yew::prelude::*;

use crate::browser;

/// The checking page's properties.
#[derive(Properties, PartialEq)]
pub struct QuizCheckProps {
    /// The link's quiz (none: the link names no quiz).
    pub params: Option<QuizParams>,
    /// `code=` from the link.
    pub code: Option<String>,
}

fn answer_in_words(answer: CodedAnswer) -> String {
    match answer {
        CodedAnswer::Blank => "blank".to_owned(),
        CodedAnswer::Value(tick) => tick.to_string(),
        CodedAnswer::Other => "0 or above 62".to_owned(),
    }
}

fn verified(result: &VerifiedResult) -> Html {
    html! {
        <>
            <p><strong>{format!("Verified: {} of {} points", result.score, result.max_score)}</strong>
                {format!(" over {} question(s). The score was recomputed from the answers the code carries.", result.count)}</p>
            <table class="task-table">
                <caption>{"Each answer beside the right one"}</caption>
                <thead><tr><th scope="col">{"Question"}</th><th scope="col">{"Task"}</th><th scope="col">{"Answered"}</th><th scope="col">{"Right"}</th><th scope="col">{"Mark"}</th></tr></thead>
                <tbody>
                    { for result.questions.iter().flat_map(|question| question.answers.iter().map(move |answer| html! {
                        <tr><td>{question.index + 1}</td><td>{answer.name.clone()}</td><td>{answer_in_words(answer.answer)}</td>
                            <td>{answer.expected}</td><td>{ if answer.correct { "✓ right" } else { "✗ wrong" } }</td></tr>
                    })) }
                </tbody>
            </table>
        </>
    }
}

/// The checking page.
#[function_component(QuizCheckView)]
pub fn quiz_check_view(props: &QuizCheckProps) -> Html {
    let text = use_state(|| props.code.clone().unwrap_or_default());
    // The code checked last (a link's code= is checked at once).
    let checked = use_state(|| props.code.clone());
    let on_input = {
        let text = text.clone();
        Callback::from(move |event: InputEvent| text.set(browser::form_value(&event)))
    };
    let verify = {
        let text = text.clone();
        let checked = checked.clone();
        move || checked.set(Some((*text).clone()))
    };
    let on_verify = {
        let verify = verify.clone();
        Callback::from(move |_: MouseEvent| verify())
    };
    let on_key = Callback::from(move |event: KeyboardEvent| {
        if event.key() == "Enter" {
            verify();
        }
    });
    let about = match &props.params {
        Some(params) => format!(
            "This page checks result codes of quiz \u{201c}{}\u{201d} (level {}, {} question(s){}): it draws the same questions again and checks that the code was made for them, that its check matches, and that its score is what its answers earn. The check is tamper-evident, not secure: it catches typing mistakes, codes of another link and edited scores, but it cannot show who made a code.",
            params.seed.text,
            params.level,
            params.count,
            if params.options == Default::default() { "" } else { ", with the link's policy, quantum or CPUs" }
        ),
        None => "This link names no quiz: open the quiz's own link with view=quiz-check (the same quiz, level, count, policy, quantum and CPUs) to check its codes.".to_owned(),
    };
    let result = checked.as_ref().map(|code| match &props.params {
        None => html! { <p class="notice">{"Refused: this link names no quiz (quiz=…), so there is nothing to check the code against."}</p> },
        Some(_) if code.trim().is_empty() => html! { <p class="notice">{"Refused: paste a result code first (it starts with TL-)."}</p> },
        Some(params) => match verify_code(code, params) {
            Ok(result) => verified(&result),
            Err(error) => html! { <p class="notice"><strong>{"Refused: "}</strong>{error.to_string()}</p> },
        },
    });
    html! {
        <section id="quiz-check-view" class="quiz">
            <h2>{"Check a quiz result code"}</h2>
            <p class="story">{about}</p>
            <p class="quiz-check-form">
                <label for="quiz-check-code">{"Result code "}</label>
                <input id="quiz-check-code" type="text" spellcheck="false" autocomplete="off" placeholder="TL-…"
                       value={(*text).clone()} oninput={on_input} onkeydown={on_key} />
                {" "}<button id="quiz-check-verify" class="primary" onclick={on_verify}>{"Verify"}</button>
            </p>
            <div id="quiz-check-result" role="status">{result.unwrap_or_default()}</div>
        </section>
    }
}
