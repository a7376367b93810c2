//! The page's few direct uses of browser APIs: the URL, animation frames, long-task observation, the clipboard,
//! downloads and the published report. Everything else in the app is plain Rust and yew.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::PageError;

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

/// Puts `query` in the address bar: a new history entry when `push` (a new scenario the user chose, so Back returns
/// to the previous one), else in place of the current one (small edits must not pile up history entries).
pub fn set_query(query: &str, push: bool) -> Result<(), PageError> {
    let failed = |error: JsValue| PageError::History(format!("{error:?}"));
    let window = web_sys::window().ok_or(PageError::History("no window".into()))?;
    let history = window.history().map_err(failed)?;
    let url = format!("{}?{query}", page_base_url());
    if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    }
    .map_err(failed)
}

/// The value of the `<input>` or `<select>` an event came from (empty for anything else).
pub fn form_value(event: &web_sys::Event) -> String {
    let Some(target) = event.target() else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        input.value()
    } else if let Some(select) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

/// Whether the checkbox an event came from is checked (false for anything else).
pub fn input_checked(event: &web_sys::Event) -> bool {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|input| input.checked())
}

/// An animation-frame callback (its argument: the frame's timestamp).
type FrameCallback = Closure<dyn FnMut(f64)>;

/// Calls `on_frame` at every animation frame until it returns false, straight from the browser's frame callback.
/// A loop of awaited [`next_animation_frame`]s would cost every frame a second task: with wasm threads a woken
/// future resumes through `Atomics.waitAsync`.
pub fn each_animation_frame(mut on_frame: impl FnMut() -> bool + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    // The callback re-requests itself, so it holds its own JS function; it is dropped after its last frame.
    let slot: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let own = Rc::clone(&slot);
    let callback = FrameCallback::new(move |_timestamp: f64| {
        let again = on_frame()
            && own.borrow().as_ref().is_some_and(|callback| {
                web_sys::window().is_some_and(|window| {
                    window
                        .request_animation_frame(callback.as_ref().unchecked_ref())
                        .is_ok()
                })
            });
        if !again {
            // Dropping a closure while it runs is safe: wasm-bindgen frees it when the call returns.
            own.borrow_mut().take();
        }
    });
    let requested = window
        .request_animation_frame(callback.as_ref().unchecked_ref())
        .is_ok();
    if requested {
        *slot.borrow_mut() = Some(callback);
    }
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

/// Sets `window[name]` to the string `value` (nothing without a window).
fn set_window_string(name: &str, value: &str) {
    if let Some(window) = web_sys::window() {
        let _ = Reflect::set(&window, &JsValue::from_str(name), &JsValue::from_str(value));
    }
}

/// Publishes the last run's JSON report as `window.tasklabLastRun` (a string), for scripts and tests, and keeps it
/// for the script API's `tasklab.lastRun()` (the same report as an object).
pub fn publish_last_run(json: &str) {
    set_window_string("tasklabLastRun", json);
    // The string was written by serde_json, so it parses; were it not JSON, lastRun() would keep the last report.
    let _ = tasklab_engine::script::set_last_run_json(json);
}

/// Publishes the comparison's JSON report as `window.tasklabLastCompare` (a string), for scripts and tests, and
/// keeps it for the script API's `tasklab.lastCompare()` (the same report as an object). Call it with the whole
/// report (`{"runs": [...], "fit": {...}, "predicted": [...]}`) each time a comparison ends, partial or not.
pub fn publish_last_compare(json: &str) {
    set_window_string("tasklabLastCompare", json);
    // As in `publish_last_run`: serde_json's text parses; otherwise lastCompare() keeps the last report.
    let _ = tasklab_engine::script::set_last_compare_json(json);
}

/// Publishes a graded quiz question's JSON report as `window.tasklabLastQuiz` (a string), for scripts and tests.
pub fn publish_last_quiz(json: &str) {
    set_window_string("tasklabLastQuiz", json);
}

/// A random number in [0, 1), for a quiz link without a seed.
pub fn random() -> f64 {
    js_sys::Math::random()
}

/// The last comparison's JSON report, if one was published.
pub fn last_compare_json() -> Option<String> {
    let window = web_sys::window()?;
    Reflect::get(&window, &JsValue::from_str("tasklabLastCompare"))
        .ok()?
        .as_string()
}

/// Copies text to the clipboard.
pub async fn copy_to_clipboard(text: &str) -> Result<(), PageError> {
    let window = web_sys::window().ok_or(PageError::Clipboard)?;
    let clipboard = window.navigator().clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| PageError::Clipboard)
}

/// Offers `contents` as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, contents: &str) -> Result<(), PageError> {
    let failed = |reason: String| PageError::Download {
        file: file_name.to_owned(),
        reason,
    };
    let window = web_sys::window().ok_or_else(|| failed("no window".into()))?;
    let document = window
        .document()
        .ok_or_else(|| failed("no document".into()))?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = Array::of1(&JsValue::from_str(contents));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|error| failed(format!("{error:?}")))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|error| failed(format!("{error:?}")))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|error| failed(format!("{error:?}")))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // Some browsers read the blob after click() returns: free it a little later.
    wasm_bindgen_futures::spawn_local(async move {
        tasklab_engine::web::sleep_ms(30_000.0).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

/// Calls a function on every back/forward navigation while it lives; removes itself when dropped.
pub struct PopstateListener {
    callback: Closure<dyn FnMut()>,
}

impl PopstateListener {
    /// Starts listening.
    pub fn new(on_change: impl FnMut() + 'static) -> Self {
        let callback = Closure::<dyn FnMut()>::new(on_change);
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("popstate", callback.as_ref().unchecked_ref());
        }
        Self { callback }
    }
}

impl Drop for PopstateListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "popstate",
                self.callback.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Largest file the page imports.
pub const MAX_IMPORT_BYTES: f64 = 1024.0 * 1024.0;

/// Reads a user's file as text, refusing files over [`MAX_IMPORT_BYTES`] before reading them.
pub async fn read_file_text(file: &web_sys::File) -> Result<String, PageError> {
    if file.size() > MAX_IMPORT_BYTES {
        return Err(PageError::Import(format!(
            "{} is {:.1} MB; scenario files may be at most 1 MB",
            file.name(),
            file.size() / 1_048_576.0
        )));
    }
    let text = JsFuture::from(file.text())
        .await
        .map_err(|_| PageError::Import(format!("{} could not be read", file.name())))?;
    text.as_string()
        .ok_or_else(|| PageError::Import(format!("{} is not text", file.name())))
}

/// Draws an SVG document on a canvas (at twice its size, for sharp text) and offers it as a PNG download.
pub async fn download_svg_as_png(
    file_name: &str,
    svg: &str,
    width: u32,
    height: u32,
) -> Result<(), PageError> {
    let error = |what: &str| PageError::Download {
        file: file_name.to_owned(),
        reason: format!("the PNG could not be made ({what})"),
    };
    let window = web_sys::window().ok_or_else(|| error("no window"))?;
    let document = window.document().ok_or_else(|| error("no document"))?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(
        &Array::of1(&JsValue::from_str(svg)),
        &options,
    )
    .map_err(|_| error("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| error("object URL"))?;
    let image = web_sys::HtmlImageElement::new().map_err(|_| error("image"))?;
    let loaded = Promise::new(&mut |resolve, reject| {
        image.set_onload(Some(&resolve));
        image.set_onerror(Some(&reject));
    });
    image.set_src(&url);
    let load_result = JsFuture::from(loaded).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    load_result.map_err(|_| error("the SVG did not load as an image"))?;
    let scale = 2;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| error("canvas"))?
        .unchecked_into();
    canvas.set_width(width * scale);
    canvas.set_height(height * scale);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or_else(|| error("2D context"))?
        .unchecked_into();
    context.set_fill_style_str("#ffffff");
    context.fill_rect(
        0.0,
        0.0,
        f64::from(width * scale),
        f64::from(height * scale),
    );
    context
        .draw_image_with_html_image_element_and_dw_and_dh(
            &image,
            0.0,
            0.0,
            f64::from(width * scale),
            f64::from(height * scale),
        )
        .map_err(|_| error("drawing"))?;
    let data_url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|_| error("encoding"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| error("link"))?
        .unchecked_into();
    anchor.set_href(&data_url);
    anchor.set_download(file_name);
    anchor.click();
    Ok(())
}

/// Whether the page is hidden (a background tab, whose timers and frames the browser throttles).
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|window| window.document())
        .is_some_and(|document| document.hidden())
}

/// Notes whether the page was hidden at any moment while it lives (now, or at any `visibilitychange` after).
pub struct VisibilityWatch {
    hidden: Rc<Cell<bool>>,
    callback: Closure<dyn FnMut()>,
}

impl VisibilityWatch {
    /// Starts watching.
    pub fn start() -> Self {
        let hidden = Rc::new(Cell::new(page_hidden()));
        let seen = Rc::clone(&hidden);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if page_hidden() {
                seen.set(true);
            }
        });
        if let Some(document) = web_sys::window().and_then(|window| window.document()) {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                callback.as_ref().unchecked_ref(),
            );
        }
        Self { hidden, callback }
    }

    /// Whether the page was hidden at some point since [`VisibilityWatch::start`], or is now.
    pub fn was_hidden(&self) -> bool {
        self.hidden.get() || page_hidden()
    }
}

impl Drop for VisibilityWatch {
    fn drop(&mut self) {
        if let Some(document) = web_sys::window().and_then(|window| window.document()) {
            let _ = document.remove_event_listener_with_callback(
                "visibilitychange",
                self.callback.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Resolves at the next animation frame, or after `limit_ms` if none comes (a hidden tab draws none).
pub async fn next_animation_frame_within(limit_ms: f64) {
    let frame = Box::pin(next_animation_frame());
    let timeout = Box::pin(tasklab_engine::web::sleep_ms(limit_ms));
    futures::future::select(frame, timeout).await;
}

/// The file picked in the `<input type="file">` an event came from, clearing the input so the same file can be
/// picked again.
pub fn take_picked_file(event: &web_sys::Event) -> Option<web_sys::File> {
    let input = event
        .target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}

/// The first file of a drop, if any.
pub fn dropped_file(event: &web_sys::DragEvent) -> Option<web_sys::File> {
    event
        .data_transfer()
        .and_then(|transfer| transfer.files())
        .and_then(|files| files.get(0))
}

/// `performance.timeOrigin`: added to a page timestamp (`event.timeStamp`, an entry's `startTime`) it gives the
/// shared clock (the engine's `WebClock`).
pub fn time_origin_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.time_origin())
}

/// Observes the Event Timing API (`type: "event"`, events of at least `threshold_ms`, no earlier entries), calling
/// `callback` with each list of entries. None where the browser lacks the API or refuses the options.
pub fn observe_event_timing(
    callback: &js_sys::Function,
    threshold_ms: f64,
) -> Option<web_sys::PerformanceObserver> {
    let global = js_sys::global();
    let constructor = Reflect::get(&global, &JsValue::from_str("PerformanceObserver")).ok()?;
    let supported: Array = Reflect::get(&constructor, &JsValue::from_str("supportedEntryTypes"))
        .ok()?
        .dyn_into()
        .ok()?;
    if !supported.includes(&JsValue::from_str("event"), 0) {
        return None;
    }
    let observer = web_sys::PerformanceObserver::new(callback).ok()?;
    let options = js_sys::Object::new();
    for (name, value) in [
        ("type", JsValue::from_str("event")),
        ("durationThreshold", JsValue::from_f64(threshold_ms)),
        ("buffered", JsValue::FALSE),
    ] {
        Reflect::set(&options, &JsValue::from_str(name), &value).ok()?;
    }
    // Called through Reflect, so that a browser refusing the options throws into a Result, not through Rust.
    let observe: js_sys::Function = Reflect::get(&observer, &JsValue::from_str("observe"))
        .ok()?
        .dyn_into()
        .ok()?;
    observe.call1(&observer, &options).ok()?;
    Some(observer)
}
