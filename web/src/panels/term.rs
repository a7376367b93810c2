//! A term of the glossary where the page uses it to label a figure or a control: the word, underlined with dots,
//! that explains itself in plain words on hover and on keyboard focus (it is in the Tab order). The explanation is
//! a `role="tooltip"` element the word points to with `aria-describedby`; Escape hides it.

use std::cell::Cell;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::glossary;

thread_local! {
    /// Numbers the tooltips, so that every one has its own id.
    static NEXT_TIP: Cell<u32> = const { Cell::new(0) };
}

/// What a term shows.
#[derive(Properties, PartialEq)]
pub struct TermProps {
    /// The glossary id (`crate::glossary`).
    pub id: AttrValue,
    /// The words on the page.
    pub text: AttrValue,
}

/// The words `text`, explained by the glossary's entry `id` (the words alone if the glossary has none).
pub fn term(id: &'static str, text: &'static str) -> Html {
    html! { <Term id={id} text={text} /> }
}

/// Sets `flag` to `value` on an event; turning it on forgets an earlier Escape.
fn flag<E: 'static>(
    flag: &UseStateHandle<bool>,
    dismissed: &UseStateHandle<bool>,
    value: bool,
) -> Callback<E> {
    let (flag, dismissed) = (flag.clone(), dismissed.clone());
    Callback::from(move |_| {
        flag.set(value);
        if value {
            dismissed.set(false);
        }
    })
}

/// Room kept between a tooltip and the right edge of the page's view (the main column's padding), px.
const EDGE_PX: f64 = 24.0;

/// A number property of a JS object (0 when it has none).
fn number(object: &wasm_bindgen::JsValue, key: &str) -> f64 {
    js_sys::Reflect::get(object, &key.into())
        .ok()
        .and_then(|value| value.as_f64())
        .unwrap_or(0.0)
}

/// Moves a shown tooltip left, if it would go past the right edge of the view (a term near the edge, a phone),
/// so it is never cut off by its panel.
fn keep_in_view(tip: &NodeRef) {
    let Some(element) = tip.cast::<web_sys::Element>() else {
        return;
    };
    let _ = element.remove_attribute("style");
    let Some(view_width) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
        .map(|root| f64::from(root.client_width()))
    else {
        return;
    };
    let Ok(measure) = js_sys::Reflect::get(&element, &"getBoundingClientRect".into())
        .and_then(|function| function.dyn_into::<js_sys::Function>())
        .and_then(|function| function.call0(&element))
    else {
        return;
    };
    let (left, right) = (number(&measure, "left"), number(&measure, "right"));
    let overflow = right - (view_width - EDGE_PX);
    if overflow > 0.0 {
        // Never past the left edge either.
        let shift = overflow.min(left - EDGE_PX).max(0.0);
        let _ = element.set_attribute("style", &format!("left: {:.0}px", -shift));
    }
}

/// A term that explains itself.
#[function_component(Term)]
pub fn term_view(props: &TermProps) -> Html {
    let tip_id = use_memo((), |_| {
        NEXT_TIP.with(|next| {
            let number = next.get();
            next.set(number + 1);
            format!("term-tip-{number}")
        })
    });
    // Shown while hovered or focused, until Escape.
    let hovered = use_state(|| false);
    let focused = use_state(|| false);
    let dismissed = use_state(|| false);
    let tip = use_node_ref();
    {
        let tip = tip.clone();
        use_effect_with((*hovered || *focused) && !*dismissed, move |shown| {
            if *shown {
                keep_in_view(&tip);
            }
        });
    }
    let Some(entry) = glossary::lookup(&props.id) else {
        return html! { {props.text.clone()} };
    };
    let shown = (*hovered || *focused) && !*dismissed;
    let on_key = {
        let dismissed = dismissed.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && shown {
                // Hiding the explanation is all this Escape does (it does not also stop a run).
                event.prevent_default();
                dismissed.set(true);
            }
        })
    };
    html! {
        <span class="term" data-term={entry.id} tabindex="0" aria-describedby={(*tip_id).clone()}
              onmouseenter={flag(&hovered, &dismissed, true)} onmouseleave={flag(&hovered, &dismissed, false)}
              onfocus={flag(&focused, &dismissed, true)} onblur={flag(&focused, &dismissed, false)} onkeydown={on_key}>
            {props.text.clone()}
            <span class="term-tip" role="tooltip" id={(*tip_id).clone()} hidden={!shown} ref={tip}>
                <strong>{entry.term}</strong>{": "}{entry.definition}
            </span>
        </span>
    }
}
