//! Cross-origin isolation and updates, as the page's first script (`web/isolation.js`) found them: on a host that
//! sends no COOP/COEP headers its service worker (`web/sw.js`) adds them and the page reloads once; where that
//! cannot happen, the words that say why multiprocessing is off. Also the "new version ready" signal of the
//! service worker's cache. The words are pure (tested natively); reading the page is wasm32 only.

/// Why the service worker could not make the page cross-origin isolated, from `window.tasklabIsolation.why`
/// (`detail`: the browser's message, if any), as the end of a sentence.
pub fn why_not_isolated(why: &str, detail: &str) -> String {
    let detail = detail.trim();
    match why {
        "file" => "it was opened from a file (file://), where browsers run no service worker to add them: serve the \
                   folder over http(s) instead, as the README's \"Publish it\" says"
            .into(),
        "insecure" => "it is served over plain http from another machine, and browsers allow the service worker \
                       that adds them only on https or localhost"
            .into(),
        "unsupported" => "this browser offers no service workers here to add them (private windows of some \
                          browsers, or service workers turned off in the settings)"
            .into(),
        "refused" if !detail.is_empty() => format!(
            "the browser refused the service worker that adds them ({detail}), as private windows and some \
             privacy settings do"
        ),
        "refused" => "the browser refused the service worker that adds them, as private windows and some privacy \
                      settings do"
            .into(),
        "timeout" => "the service worker that adds them did not start within 15 seconds".into(),
        "still-not-isolated" => "the service worker that adds them is installed, but the browser still did not \
                                 isolate the page after a reload"
            .into(),
        _ => "no service worker added them".into(),
    }
}

/// The reason multiprocessing is off, for the pool note and the notices.
pub fn not_isolated_reason(why: &str, detail: &str) -> String {
    format!(
        "this page is not cross-origin isolated: it was served without the COOP/COEP headers and {}, so the browser \
         forbids the shared memory that workers need",
        why_not_isolated(why, detail)
    )
}

#[cfg(target_arch = "wasm32")]
pub use page::*;

#[cfg(target_arch = "wasm32")]
mod page {
    use js_sys::Reflect;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use super::not_isolated_reason;
    use yew::Callback;

    use crate::state::{Action, PoolStatus};

    /// Where the page stands.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Isolation {
        /// Cross-origin isolated: the worker pool may start.
        Isolated,
        /// The service worker is being installed; the page reloads isolated when it is ready.
        Pending,
        /// No isolation on this page: why, in words.
        Unavailable(String),
    }

    fn window_value(name: &str) -> JsValue {
        Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    fn field(object: &JsValue, name: &str) -> String {
        Reflect::get(object, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default()
    }

    /// `window.tasklabIsolation` in Rust; without it (a page built without `isolation.js`), what
    /// `crossOriginIsolated` says.
    pub fn current() -> Isolation {
        let status = window_value("tasklabIsolation");
        match field(&status, "state").as_str() {
            "isolated" => Isolation::Isolated,
            "pending" => Isolation::Pending,
            "unavailable" => Isolation::Unavailable(not_isolated_reason(
                &field(&status, "why"),
                &field(&status, "detail"),
            )),
            _ if tasklab_engine::web::cross_origin_isolated() => Isolation::Isolated,
            _ => Isolation::Unavailable(not_isolated_reason("", "")),
        }
    }

    /// The worker pool's first status: starting when the page is isolated, and also while the service worker is
    /// about to reload it isolated (so a link's `mode=multiprocessing` is kept); else unavailable, with why.
    pub fn initial_pool() -> PoolStatus {
        match current() {
            Isolation::Isolated | Isolation::Pending => PoolStatus::Starting,
            Isolation::Unavailable(reason) => PoolStatus::Unavailable(reason),
        }
    }

    /// Calls a function on each `name` event of the window while it lives; removes itself when dropped.
    pub struct WindowListener {
        name: &'static str,
        callback: Closure<dyn FnMut()>,
    }

    impl WindowListener {
        /// Starts listening.
        pub fn new(name: &'static str, on_event: impl FnMut() + 'static) -> Self {
            let callback = Closure::<dyn FnMut()>::new(on_event);
            if let Some(window) = web_sys::window() {
                let _ = window
                    .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
            }
            Self { name, callback }
        }
    }

    impl Drop for WindowListener {
        fn drop(&mut self) {
            if let Some(window) = web_sys::window() {
                let _ = window.remove_event_listener_with_callback(
                    self.name,
                    self.callback.as_ref().unchecked_ref(),
                );
            }
        }
    }

    /// While the page waits for the service worker (which reloads it isolated): if isolation fails instead,
    /// tells the state why, as a pool that cannot start. The listener lives as long as the page.
    pub fn when_unavailable(dispatch: Callback<Action>) {
        let check = move || {
            if let Isolation::Unavailable(reason) = current() {
                dispatch.emit(Action::PoolStarted(Err(reason)));
            }
        };
        check();
        std::mem::forget(WindowListener::new("tasklab-isolation", check));
    }

    /// Whether a new version of the app is cached and waits for a reload.
    pub fn update_ready() -> bool {
        window_value("tasklabUpdateReady")
            .as_bool()
            .unwrap_or(false)
    }

    /// Calls `on_ready` when a new version becomes ready, while the listener lives.
    pub fn on_update_ready(on_ready: impl FnMut() + 'static) -> WindowListener {
        WindowListener::new("tasklab-update-ready", on_ready)
    }

    /// Switches to the new version and reloads the page (its settings are in the address).
    pub fn apply_update() {
        if let Ok(apply) = window_value("tasklabApplyUpdate").dyn_into::<js_sys::Function>() {
            let _ = apply.call0(&JsValue::NULL);
        } else if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_says_not_isolated_and_why() {
        for why in [
            "file",
            "insecure",
            "unsupported",
            "refused",
            "timeout",
            "still-not-isolated",
            "?",
        ] {
            let reason = not_isolated_reason(why, "");
            assert!(reason.contains("cross-origin isolated"), "{reason}");
            assert!(reason.contains("shared memory"), "{reason}");
        }
        assert!(not_isolated_reason("file", "").contains("file://"));
        assert!(not_isolated_reason("unsupported", "").contains("private windows"));
        assert!(not_isolated_reason("refused", "SecurityError").contains("(SecurityError)"));
    }
}
