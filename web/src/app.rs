//! The page's wiring: the state ([`crate::state`]) in one reducer, the effects at its edge (starting the worker
//! pool, mirroring the settings in the address bar, Back/Forward, `run=1`, runs, the clipboard, dropped files),
//! and the panels laid out in order. No logic of its own beyond connecting them.

use std::rc::Rc;

use tasklab_engine::model::tasks_against_model;
use tasklab_engine::plan::ExecutorPlan;
use tasklab_engine::web::{cross_origin_isolated, hardware_concurrency, start_pool};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::compare_runner;
use crate::explain::{mode_explanation, MEASUREMENT_NOTE};
use crate::isolation;
use crate::panels::compare::CompareView;
use crate::panels::controls::Controls;
use crate::panels::editor::ScenarioEditor;
use crate::panels::files::{import_file, ScenarioFiles};
use crate::panels::gallery::Gallery;
use crate::panels::live::{Progress, RunIdentity};
use crate::panels::notices::Notices;
use crate::panels::predict::{MeasuredRun, PredictView};
use crate::panels::results::Results;
use crate::panels::try_this::TryThis;
use crate::panels::update::UpdateReady;
use crate::panels::views::{LearnView, ViewNav};
use crate::runner;
use crate::state::{scenario_key, Action, AppState, PoolStatus};
use crate::widgets::LargeTextToggle;
use tasklab_core::settings::View;

/// The first state: the address's query string, this machine's cores, and whether the page may have workers.
fn initial_state() -> AppState {
    let pool = isolation::initial_pool();
    AppState::new(&browser::current_query(), hardware_concurrency(), pool)
}

/// The last run as Predict compares it with its model, when it is of the scenario on show.
fn measured_run(state: &AppState) -> Option<MeasuredRun> {
    state.last_complete_run_of_this_scenario().map(|run| {
        let plan = ExecutorPlan::from_settings(&run.settings);
        MeasuredRun {
            wall_ms: run.record.wall_ms,
            how: plan.describe(),
            on_workers: plan.needs_pool(),
            model: plan.model(),
            of_run: run.model.clone(),
            tasks: run.model.as_ref().map_or_else(Vec::new, |model| {
                tasks_against_model(&run.settings.scenario(), &run.record, model)
            }),
        }
    })
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    let dispatch: Callback<Action> = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action| dispatcher.dispatch(action))
    };

    // Start the worker pool once, if the page may share memory.
    {
        let dispatch = dispatch.clone();
        let pool = state.pool.clone();
        let max_workers = state.max_workers;
        use_effect_with((), move |_| {
            browser::observe_long_tasks();
            if pool == PoolStatus::Starting && !cross_origin_isolated() {
                isolation::when_unavailable(dispatch);
            } else if pool == PoolStatus::Starting {
                spawn_local(async move {
                    // Twice the cores, so a comparison can show that workers beyond the cores do not help
                    // ("oversubscribed"); a run never uses more pool threads than its workers.
                    let result = start_pool(max_workers.saturating_mul(2))
                        .await
                        .map_err(|error| error.to_string());
                    dispatch.emit(Action::PoolStarted(result));
                });
            }
        });
    }
    // The URL mirrors the settings: a new preset or an import adds a history entry, other changes replace it.
    {
        let push = state.push_history;
        let dispatch = dispatch.clone();
        use_effect_with(state.settings.to_query(false), move |query| {
            if let Err(error) = browser::set_query(query, push) {
                dispatch.emit(Action::Failed(error));
            }
        });
    }
    // Back and forward restore the scenario and settings of that entry.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listener = browser::PopstateListener::new(move || {
                dispatch.emit(Action::LoadFromUrl(browser::current_query()))
            });
            move || drop(listener)
        });
    }
    // `run=1`: start as soon as the chosen mode can run.
    {
        let state = state.clone();
        let dispatch = dispatch.clone();
        use_effect_with(state.should_autorun(), move |ready| {
            if *ready && state.settings.view == View::Compare {
                compare_runner::start(&state, dispatch);
            } else if *ready {
                runner::start(&state, dispatch);
            }
        });
    }

    let settings = &state.settings;
    let running = state.is_running();
    let on_run = {
        let state = state.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |()| runner::start(&state, dispatch.clone()))
    };
    let on_compare = {
        let state = state.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |()| {
            if state.settings.view != View::Compare {
                dispatch.emit(Action::SetView(View::Compare));
            }
            compare_runner::start(&state, dispatch.clone());
        })
    };
    let on_stop = {
        let active = state.active.clone();
        let comparison = state.comparison.clone();
        Callback::from(move |()| {
            if let Some(active) = &active {
                active.progress.request_stop();
            }
            // Stop ends the whole comparison, also between two of its runs.
            if let Some(comparison) = &comparison {
                comparison.plan.stop.set(true);
            }
        })
    };
    let on_copy = {
        let dispatch = dispatch.clone();
        let settings = settings.clone();
        Callback::from(move |with_run: bool| {
            let url = format!(
                "{}?{}",
                browser::page_base_url(),
                settings.to_query(with_run)
            );
            let dispatch = dispatch.clone();
            spawn_local(async move {
                dispatch.emit(Action::Copied(browser::copy_to_clipboard(&url).await));
            });
        })
    };
    let on_drop = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            if let Some(file) = browser::dropped_file(&event).filter(|_| !running) {
                import_file(file, dispatch.clone());
            }
        })
    };
    let on_drag_over = Callback::from(|event: DragEvent| event.prevent_default());
    let on_error = dispatch.reform(Action::Failed);
    let (costs, calibration) = state.prediction_costs();
    let scenario = settings.scenario();

    html! {
        <main ondrop={on_drop} ondragover={on_drag_over}>
            <header>
                <h1>{"tasklab"}</h1>
                <p class="tagline">{"Multitasking is one CPU switching quickly between tasks; multiprocessing is several CPUs running them at the same time. Run both for real in this page and compare."}</p>
                <LargeTextToggle />
            </header>

            <UpdateReady />
            <Notices notices={state.notices.clone()} on_dismiss={dispatch.reform(|()| Action::DismissNotices)} />

            if !settings.view.is_learning() {
                <TryThis settings={settings.clone()} history={Rc::clone(&state.history)} max_workers={state.max_workers}
                         pool={state.pool.clone()} running={running} run_blocker={state.run_blocker().map(AttrValue::from)}
                         dispatch={dispatch.clone()} on_run={on_run.clone()} />
                <Controls settings={settings.clone()} max_workers={state.max_workers} pool={state.pool.clone()}
                          running={running} run_blocker={state.run_blocker().map(AttrValue::from)}
                          copy_status={state.copy_status.clone().map(AttrValue::from)}
                          share_url={format!("{}?{}", browser::page_base_url(), settings.to_query(false))}
                          dispatch={dispatch.clone()} on_run={on_run} on_stop={on_stop} on_copy={on_copy}
                          on_compare={on_compare.clone()} compare_blocker={state.compare_blocker().map(AttrValue::from)} />
            }

            <ViewNav view={settings.view} on_view={dispatch.reform(Action::SetView)} />

            if settings.view.is_learning() {
                <LearnView settings={settings.clone()} costs={costs} on_learn={dispatch.reform(Action::SetLearn)} />
            } else if settings.view == View::Compare {
                <CompareView comparison={state.comparison.clone()} history={Rc::clone(&state.history)}
                             on_error={on_error.clone()} />
            }

            if !settings.view.is_learning() {
                <section class="scenario-tools">
                    <Gallery current={settings.custom.is_none().then_some(settings.preset)}
                             on_choose={dispatch.reform(Action::SetPreset)} disabled={running} />
                    <ScenarioEditor scenario={scenario.clone()} costs={costs} modified={settings.custom.is_some()}
                                    can_undo={!state.undo.is_empty()} problem={state.scenario_problem().map(AttrValue::from)}
                                    on_edit={dispatch.reform(Action::EditScenario)} on_undo={dispatch.reform(|()| Action::Undo)}
                                    on_reset={dispatch.reform(|()| Action::ResetToPreset)} disabled={running} />
                    <ScenarioFiles settings={settings.clone()} disabled={running} dispatch={dispatch.clone()} />
                </section>

                <section class="explain">
                    <h2>{settings.mode.label()}</h2>
                    <p>{mode_explanation(settings.mode)}</p>
                </section>

                <Progress active={state.active.clone().map(RunIdentity)} last={state.last.clone()}
                          last_is_of_this_scenario={state.last_run_is_of_this_scenario()}
                          last_progress={Rc::clone(&state.last_progress)}
                          names={scenario.tasks.iter().map(|task| task.name.clone()).collect::<Vec<_>>()}
                          colours={scenario.colours()} />

                if let Some(run) = &state.last {
                    <Results run={Rc::clone(run)} one_cpu={state.one_cpu_runs.get(&scenario_key(&run.settings)).cloned()}
                             history={Rc::clone(&state.history)}
                             on_error={on_error.clone()} />
                }

                <PredictView scenario={scenario.clone()} settings={settings.predict} costs={costs}
                             calibration={calibration} measured={measured_run(&state)}
                             on_change={dispatch.reform(Action::SetPredict)} on_error={on_error}
                             on_step={dispatch.reform(|()| Action::SetView(View::Step))} />
            }

            <footer><p>{MEASUREMENT_NOTE}</p></footer>
        </main>
    }
}
