//! tasklab's page: a yew app (client-side rendered) that runs scenarios for real as multitasking on the main
//! thread and as multiprocessing on Web Workers, and draws what happened.
//!
//! Module layers (each imports only from the layers below it; `tests/e2e/structure.test.mjs` checks there is no
//! cycle): `app` (wiring) → `panels::*`, `runner` and `compare_runner` (effects) → `state` (pure reducer) → `compare`, `run`, `error`;
//! `widgets`, `explain` and `browser` are leaves for everyone.

//!
//! The page itself exists only in wasm32; natively the crate builds its pure modules alone, so that
//! `cargo test -p tasklab-web` tests the page state without a browser.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
mod compare;
#[cfg(target_arch = "wasm32")]
mod compare_runner;
#[cfg(target_arch = "wasm32")]
mod diagnostics;
mod error;
mod explain;
mod faults;
mod glossary;
mod intro;
mod isolation;
mod latency;
mod learn;
#[cfg(target_arch = "wasm32")]
mod panels;
mod run;
#[cfg(target_arch = "wasm32")]
mod runner;
mod state;
mod story;
mod timeline_canvas;
mod timeline_table;
mod timeline_view;
mod widgets;

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        // `window.tasklab`, the script API for course pages and notebooks (engine `script.rs`); the runner and the
        // comparison feed its lastRun()/lastCompare() through `browser::publish_last_run`/`publish_last_compare`.
        tasklab_engine::script::install_on_page();
        yew::Renderer::<app::App>::new().render();
    }
}
