//! The Notices panel: what the page could not use or do (bad link values, a failed import, a refused download or
//! clipboard), each naming its field, with a Dismiss button.

use tasklab_core::settings::Notice;
use yew::prelude::*;

/// The notices to show.
#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    /// Newest last.
    pub notices: Vec<Notice>,
    /// Clears them.
    pub on_dismiss: Callback<()>,
}

/// The Notices panel (nothing when there is none).
#[function_component(Notices)]
pub fn notices(props: &NoticesProps) -> Html {
    if props.notices.is_empty() {
        return html! {};
    }
    html! {
        <section class="notices" role="alert">
            <strong>{"Some things could not be used or done as asked:"}</strong>
            <ul>
                { for props.notices.iter().map(|notice| html! {
                    <li class="notice" data-field={notice.field.clone()}>
                        <code>{notice.field.clone()}</code>{": "}{notice.message.clone()}
                    </li>
                }) }
            </ul>
            <button onclick={props.on_dismiss.reform(|_: MouseEvent| ())}>{"Dismiss"}</button>
        </section>
    }
}
