//! "A new version is ready — reload": shown when the service worker has cached a newer build of the page than the
//! one running (`crate::isolation`), with a button that switches to it.

use yew::prelude::*;

use crate::isolation;

/// The update notice (nothing until a new version is ready).
#[function_component(UpdateReady)]
pub fn update_ready() -> Html {
    let ready = use_state(isolation::update_ready);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            let listener = isolation::on_update_ready(move || ready.set(true));
            move || drop(listener)
        });
    }
    if !*ready {
        return html! {};
    }
    html! {
        <section id="update-ready" class="update-ready" role="status">
            <p>{"A new version is ready — reload to use it (your scenario and settings are kept in the address)."}</p>
            <button onclick={Callback::from(|_: MouseEvent| isolation::apply_update())}>{"Reload"}</button>
        </section>
    }
}
