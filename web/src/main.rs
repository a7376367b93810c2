//! tasklab's page: a yew app (client-side rendered) that runs scenarios for real as multitasking on the main
//! thread and as multiprocessing on Web Workers, and draws what happened.

mod app;
mod browser;
mod diagnostics;
mod editor;
mod explain;
mod exports;
mod gallery;
mod live;
mod predict;
mod runner;
mod timeline;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
