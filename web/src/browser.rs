//! The page's few direct uses of browser APIs: the URL, animation frames, long-task observation, the clipboard,
//! downloads and the published report. Everything else in the app is plain Rust and yew.

use std::cell::RefCell;

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The current query string, with its leading `?` (empty if none).
pub fn current_query() -> String {
    web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default()
}

/// The page's address without its query string.
pub fn page_base_url() -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let location = window.location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}")
}

/// Replaces the current history entry's query (small edits must not pile up history entries).
pub fn replace_query(query: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(history) = window.history() else {
        return;
    };
    let url = format!("{}?{query}", page_base_url());
    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
}

/// Resolves at the next animation frame.
pub async fn next_animation_frame() {
    let promise = Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            if window.request_animation_frame(&resolve).is_err() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        } else {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The observer and the Rust callback it calls, kept alive together for the page's lifetime.
type LongTaskObserver = (
    web_sys::PerformanceObserver,
    Closure<dyn FnMut(web_sys::PerformanceObserverEntryList)>,
);

thread_local! {
    /// (start, duration) of each long task the browser reported, start in the shared clock's milliseconds.
    static LONG_TASKS: RefCell<Vec<(f64, f64)>> = const { RefCell::new(Vec::new()) };
    static LONG_TASK_OBSERVER: RefCell<Option<LongTaskObserver>> = const { RefCell::new(None) };
}

/// Starts recording the browser's long tasks (main-thread tasks over 50 ms). Returns false where unsupported.
pub fn observe_long_tasks() -> bool {
    let time_origin = web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.time_origin());
    let callback = Closure::<dyn FnMut(web_sys::PerformanceObserverEntryList)>::new(
        move |list: web_sys::PerformanceObserverEntryList| {
            LONG_TASKS.with(|tasks| {
                let mut tasks = tasks.borrow_mut();
                for entry in list.get_entries().iter() {
                    if let Ok(entry) = entry.dyn_into::<web_sys::PerformanceEntry>() {
                        tasks.push((time_origin + entry.start_time(), entry.duration()));
                    }
                }
                // Keep memory bounded on a page left open for hours.
                if tasks.len() > 10_000 {
                    tasks.drain(..5_000);
                }
            });
        },
    );
    let Ok(observer) = web_sys::PerformanceObserver::new(callback.as_ref().unchecked_ref()) else {
        return false;
    };
    let options =
        web_sys::PerformanceObserverInit::new(&Array::of1(&JsValue::from_str("longtask")));
    observer.observe(&options);
    LONG_TASK_OBSERVER.with(|slot| *slot.borrow_mut() = Some((observer, callback)));
    true
}

/// Longest long task that overlapped `[from_ms, to_ms]` (shared clock), or 0.
pub fn longest_long_task_between(from_ms: f64, to_ms: f64) -> f64 {
    LONG_TASKS.with(|tasks| {
        tasks
            .borrow()
            .iter()
            .filter(|(start, duration)| start + duration >= from_ms && *start <= to_ms)
            .map(|(_, duration)| *duration)
            .fold(0.0, f64::max)
    })
}

/// Publishes the last run's JSON report as `window.tasklabLastRun` (a string), for scripts and tests.
pub fn publish_last_run(json: &str) {
    if let Some(window) = web_sys::window() {
        let _ = Reflect::set(
            &window,
            &JsValue::from_str("tasklabLastRun"),
            &JsValue::from_str(json),
        );
    }
}

/// Copies text to the clipboard; resolves to whether it worked.
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = window.navigator().clipboard();
    JsFuture::from(clipboard.write_text(text)).await.is_ok()
}

/// Offers `contents` as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, contents: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = Array::of1(&JsValue::from_str(contents));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|error| format!("{error:?}"))?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|error| format!("{error:?}"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|error| format!("{error:?}"))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
