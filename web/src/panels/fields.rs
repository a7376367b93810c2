//! A form field that keeps what the person is typing.
//!
//! Yew writes an input's `value` back from the page state whenever the component re-renders. A re-render in the
//! middle of an edit (the worker pool becoming ready, a run ending) would then put the old value back under the
//! person's fingers and lose the edit. A [`DraftField`] shows its own draft from the first keystroke until the
//! change is committed, so every re-render writes back what is already there.

use yew::prelude::*;

use crate::browser;

/// What a draft field needs.
#[derive(Properties, PartialEq)]
pub struct DraftFieldProps {
    /// Element id.
    pub id: AttrValue,
    /// `number` (default) or `text`.
    #[prop_or(AttrValue::Static("number"))]
    pub kind: AttrValue,
    /// The committed value, shown when there is no draft.
    pub value: AttrValue,
    /// Told when the person commits an edit (the input's `change` event).
    pub on_change: Callback<Event>,
    /// `min` of a number field.
    #[prop_or_default]
    pub min: Option<AttrValue>,
    /// `max` of a number field.
    #[prop_or_default]
    pub max: Option<AttrValue>,
    /// Shown while empty.
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// Whether the field can be edited now.
    #[prop_or_default]
    pub disabled: bool,
    /// Whether the last commit was refused (`aria-invalid`).
    #[prop_or_default]
    pub invalid: bool,
}

/// An input that shows the person's draft until they commit it.
#[function_component(DraftField)]
pub fn draft_field(props: &DraftFieldProps) -> Html {
    let draft = use_state(|| None::<String>);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| draft.set(Some(browser::form_value(&event))))
    };
    let onchange = {
        let draft = draft.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            on_change.emit(event);
            draft.set(None);
        })
    };
    let value = (*draft)
        .clone()
        .map_or_else(|| props.value.clone(), AttrValue::from);
    html! {
        <input id={props.id.clone()} type={props.kind.clone()} value={value}
               min={props.min.clone()} max={props.max.clone()} placeholder={props.placeholder.clone()}
               disabled={props.disabled} aria-invalid={props.invalid.then_some("true")}
               {oninput} {onchange} />
    }
}

/// The whole number typed in the field an event came from, if it is one.
pub fn number_from(event: &Event) -> Option<u64> {
    browser::form_value(event).trim().parse().ok()
}
