//! The view buttons, and the learning views (`view=step`, `quiz`, `quiz-check`) in place of the run panels.

use tasklab_core::predict::UnitCosts;
use tasklab_core::quiz::{QuizParams, QuizSeed, MIN_LEVEL};
use tasklab_core::settings::{LearnLink, Settings, View};
use yew::prelude::*;

use crate::browser;
use crate::learn::drawn_seed;
use crate::panels::quiz::QuizView;
use crate::panels::quiz_check::QuizCheckView;
use crate::panels::step::{StepSource, StepView};

/// The view buttons' properties.
#[derive(Properties, PartialEq)]
pub struct ViewNavProps {
    /// The view on show.
    pub view: View,
    /// Told of the view asked for.
    pub on_view: Callback<View>,
}

/// The view buttons: `#view-main`, `#view-compare`, `#view-step`, `#view-quiz`.
#[function_component(ViewNav)]
pub fn view_nav(props: &ViewNavProps) -> Html {
    let button = |view: View, label: &'static str| {
        let on_view = props.on_view.clone();
        html! {
            <button id={format!("view-{}", view.id())} class="small" aria-pressed={(props.view == view).to_string()}
                    onclick={Callback::from(move |_: MouseEvent| on_view.emit(view))}>{label}</button>
        }
    };
    html! {
        <nav class="views" aria-label="Views">
            {button(View::Main, "One run + Predict")}
            {button(View::Compare, "Compare all modes")}
            {button(View::Step, "Step through")}
            {button(View::Quiz, "Quiz")}
        </nav>
    }
}

/// The learning view's properties.
#[derive(Properties, PartialEq)]
pub struct LearnProps {
    /// The page's settings (scenario, Predict's settings, the learning link).
    pub settings: Settings,
    /// Predict's unit costs (calibrated), so the step-through shows Predict's schedule.
    pub costs: UnitCosts,
    /// Told of a new learning link (a quiz's drawn seed).
    pub on_learn: Callback<LearnLink>,
}

/// The step-through, the quiz or the teacher's checking page.
#[function_component(LearnView)]
pub fn learn_view(props: &LearnProps) -> Html {
    let settings = &props.settings;
    let learn = &settings.learn;
    // A quiz link without a seed: draw one, so the question can be shared (it goes in the address bar).
    {
        let on_learn = props.on_learn.clone();
        use_effect_with((settings.view, learn.clone()), move |(view, learn)| {
            if *view == View::Quiz && learn.seeded_quiz().is_none() {
                let mut next = learn.clone();
                let mut params = next
                    .quiz
                    .take()
                    .unwrap_or_else(|| QuizParams::new(QuizSeed::from_number(0), MIN_LEVEL));
                params.seed = QuizSeed::from_number(drawn_seed(browser::random()));
                next.quiz = Some(params);
                next.seed_given = true;
                on_learn.emit(next);
            }
        });
    }
    let key = settings.to_query(false);
    match settings.view {
        View::Step => {
            let source = match learn.seeded_quiz() {
                Some(params) => StepSource::Question {
                    params: params.clone(),
                    index: learn.question,
                },
                None => StepSource::Prediction {
                    scenario: settings.scenario(),
                    costs: props.costs,
                    settings: settings.predict,
                },
            };
            html! { <StepView key={key} source={source} tick={learn.tick} /> }
        }
        View::Quiz => match learn.seeded_quiz() {
            Some(params) => html! { <QuizView key={key} params={params.clone()} /> },
            None => {
                html! { <section id="quiz-view"><p role="status">{"Drawing a quiz…"}</p></section> }
            }
        },
        View::QuizCheck => html! {
            <QuizCheckView key={key} params={learn.seeded_quiz().cloned()} code={learn.code.clone()} />
        },
        View::Main | View::Compare => html! {},
    }
}
