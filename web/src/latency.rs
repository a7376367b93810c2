//! "Reply while it runs": how long each keystroke typed in the reply box waits before the page draws it, measured
//! in the page, live and per run.
//!
//! A keystroke's latency runs from its `keydown` event's timestamp (the moment the browser received the key, even
//! while the main thread was busy) to the frame that paints it. Two measurements are combined:
//!
//! - **Every keystroke, by animation frame** (works everywhere): on `keydown`, `performance.now() − event.timeStamp`
//!   in the callback of the next animation frame, the one that draws the key. Its rendering follows the callback,
//!   so this reads a few ms early, never a frame late: against Event Timing in a multitasking run (headless
//!   Chromium), keys it put at 16 ms read 12–15 ms, keys under 16 ms 2–11 ms. A task posted from the callback
//!   (`MessageChannel`) queues behind the executor's turns (15–26 ms for those short keys) and the next frame's
//!   callback adds a whole frame (up to 34 ms for a 16 ms key): both read late.
//! - **The Event Timing API, where the browser has it**: a `PerformanceObserver` of `type: "event"` with
//!   `durationThreshold: 16` (the smallest allowed) and `buffered: false` reports `keydown`, `keypress` and
//!   `input` events whose target is the box. Its `duration` runs from the event's timestamp to the next paint
//!   after its handlers, as the browser itself saw the frame presented, **rounded to 8 ms** (a privacy measure).
//!   It reports only events of at least 16 ms, so it cannot count keystrokes by itself; where it has an entry for
//!   a keystroke (its `startTime` is the key event's timestamp, within 1 ms; the longest of the key's entries), its
//!   duration replaces the frame measurement.
//!
//! A keystroke belongs to a run when its timestamp falls between the executor's start and end (`begin_run`,
//! `close_run`): it goes into that run's `ActiveRun::latencies` and the run's report (`input_latency_ms`). The text
//! the page shows is made by the pure functions at the top, tested natively; the measurement (wasm32 only) is in
//! [`measure`].

use tasklab_core::report::InputLatency;
use tasklab_engine::plan::ExecutorPlan;

/// Above this p95 a delay is easy to notice while typing (the usual 100 ms budget for a response).
pub const NOTICEABLE_MS: f64 = 100.0;

/// What the reply box shows: the last keystroke, the keystrokes of the run in progress or of the last run, and
/// after a run the sentence on what they say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypingView {
    /// The last keystroke's latency, ms.
    pub last_ms: Option<f64>,
    /// The run's keystrokes so far, and whether it is still running.
    pub run: Option<(bool, InputLatency)>,
    /// After a run: what its keystrokes tell.
    pub story: Option<String>,
}

/// A latency for people: whole milliseconds ("17 ms"), seconds from one second on ("1.25 s").
pub fn latency_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// "12 keys, p95 17 ms, worst 24 ms", or "no keys typed".
pub fn keys_text(latency: &InputLatency) -> String {
    match latency.count {
        0 => "no keys typed".to_owned(),
        1 => format!("1 key, drawn after {}", latency_text(latency.worst)),
        count => format!(
            "{count} keys, p95 {}, worst {}",
            latency_text(latency.p95),
            latency_text(latency.worst)
        ),
    }
}

/// The line under the reply box, e.g. "Last keystroke drawn after 16 ms · this run: 12 keys, p95 17 ms, worst
/// 24 ms".
pub fn live_line(view: &TypingView) -> String {
    let last = view
        .last_ms
        .map(|ms| format!("Last keystroke drawn after {}", latency_text(ms)));
    let run = view.run.map(|(running, latency)| {
        let which = if running { "this run" } else { "last run" };
        format!("{which}: {}", keys_text(&latency))
    });
    match (last, run) {
        (None, None) => {
            "Type here while the tasks run: the page measures how long each keystroke waits to be drawn.".to_owned()
        }
        (Some(last), None) => last,
        (None, Some(run)) => format!("{}{}", run[..1].to_uppercase(), &run[1..]),
        (Some(last), Some(run)) => format!("{last} · {run}"),
    }
}

/// What a run's keystrokes tell, with its numbers: a run that held the main thread made every key wait for its
/// end; one that gave the thread back (time slices) or left it free (workers) drew them at once.
pub fn story(plan: &ExecutorPlan, latency: &InputLatency) -> String {
    if latency.count == 0 {
        return "Nothing was typed during this run: type in the box while the tasks run to feel the difference \
                between the modes."
            .to_owned();
    }
    let because = if plan.needs_pool() {
        let workers = match plan.workers {
            1 => "a Web Worker".to_owned(),
            workers => format!("{workers} Web Workers"),
        };
        format!("the tasks ran on {workers} and the main thread only handed out the work")
    } else if plan.cooperative_options().yield_to_host {
        format!(
            "the tasks gave the main thread back to the browser after every {} ms slice",
            plan.slice_ms
        )
    } else {
        return format!(
            "Each key waited until the run ended: worst {}. The page could not draw while the tasks held the main \
             thread.",
            latency_text(latency.worst)
        );
    };
    if latency.p95 > NOTICEABLE_MS {
        format!(
            "Keys waited up to {} (p95) to be drawn, long enough to notice, although {because}.",
            latency_text(latency.p95)
        )
    } else {
        format!(
            "Keys were drawn within {} (p95): the page stayed responsive because {because}.",
            latency_text(latency.p95)
        )
    }
}

#[cfg(target_arch = "wasm32")]
pub use measure::{begin_run, close_run, end_run, KeystrokeMeter};

/// The measurement in the page (see the module's introduction).
#[cfg(target_arch = "wasm32")]
mod measure {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    use js_sys::{Array, Object, Reflect};
    use tasklab_core::report::InputLatency;
    use tasklab_engine::plan::ExecutorPlan;
    use tasklab_engine::web::WebClock;
    use tasklab_engine::Clock;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use yew::Callback;

    use super::{story, TypingView};
    use crate::browser;
    use crate::run::ActiveRun;

    /// The Event Timing entries that say when a keystroke in the box was drawn.
    const KEY_EVENTS: [&str; 3] = ["keydown", "keypress", "input"];
    /// The smallest threshold the Event Timing API allows, ms.
    const EVENT_TIMING_THRESHOLD_MS: f64 = 16.0;
    /// Keys that draw nothing by themselves.
    const MODIFIERS: [&str; 6] = ["Shift", "Control", "Alt", "Meta", "AltGraph", "CapsLock"];
    /// Largest gap between a key event's timestamp and an Event Timing entry's `startTime` that still matches.
    const MATCH_MS: f64 = 1.0;
    /// Keystrokes remembered (to match late Event Timing entries).
    const KEPT_KEYS: usize = 256;
    /// Longest wait for an animation frame while settling a run (a hidden tab draws none).
    const FRAME_WAIT_MS: f64 = 100.0;
    /// Frames a run's end waits, at most, for its keystrokes to be drawn.
    const SETTLE_FRAMES: usize = 10;

    /// One keystroke, times on the shared clock (`performance.timeOrigin` + ms, like `WebClock`).
    struct Key {
        stamp_ms: f64,
        /// Measured by animation frame.
        frame_ms: Option<f64>,
        /// From the Event Timing API (the longest of its entries).
        event_timing_ms: Option<f64>,
    }

    impl Key {
        fn latency(&self) -> Option<f64> {
            self.event_timing_ms.or(self.frame_ms)
        }
    }

    /// The run keystrokes are attributed to.
    struct Attribution {
        active: Rc<ActiveRun>,
        from_ms: f64,
        to_ms: f64,
    }

    impl Attribution {
        fn holds(&self, stamp_ms: f64) -> bool {
            (self.from_ms..=self.to_ms).contains(&stamp_ms)
        }
    }

    #[derive(Default)]
    struct Meter {
        keys: VecDeque<Key>,
        run: Option<Attribution>,
        view: TypingView,
        /// Where the view goes (the reply box), and the box and the observer while it is on the page.
        notify: Option<Callback<TypingView>>,
        target: Option<web_sys::EventTarget>,
        observer: Option<web_sys::PerformanceObserver>,
    }

    thread_local! {
        static METER: RefCell<Meter> = RefCell::new(Meter::default());
    }

    impl Meter {
        /// Shows a key's latency, and if it belongs to the run, the run's latencies again (an Event Timing entry
        /// may replace a key's frame measurement).
        fn settle_key(&mut self, index: usize) {
            let key = &self.keys[index];
            self.view.last_ms = key.latency().or(self.view.last_ms);
            let Some(run) = self.run.as_ref().filter(|run| run.holds(key.stamp_ms)) else {
                return;
            };
            let of_run = self.keys.iter().filter(|key| run.holds(key.stamp_ms));
            let latencies: Vec<f64> = of_run.filter_map(Key::latency).collect();
            let running = self.view.run.is_some_and(|(running, _)| running);
            self.view.run = Some((running, InputLatency::from_latencies(&latencies)));
            *run.active.latencies.borrow_mut() = latencies;
        }

        /// An Event Timing entry for the key typed at `stamp_ms`.
        fn event_timing(&mut self, stamp_ms: f64, duration_ms: f64) {
            let closest = self
                .keys
                .iter()
                .enumerate()
                .map(|(index, key)| (index, (key.stamp_ms - stamp_ms).abs()))
                .filter(|(_, distance)| *distance <= MATCH_MS)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((index, _)) = closest {
                let key = &mut self.keys[index];
                key.event_timing_ms = Some(key.event_timing_ms.unwrap_or(0.0).max(duration_ms));
                self.settle_key(index);
            }
        }

        /// Reads the entries of an Event Timing list (or `takeRecords()`).
        fn read_entries(&mut self, entries: &Array) {
            let origin = browser::time_origin_ms();
            for entry in entries.iter() {
                let Ok(entry) = entry.dyn_into::<web_sys::PerformanceEntry>() else {
                    continue;
                };
                let target =
                    Reflect::get(&entry, &JsValue::from_str("target")).unwrap_or(JsValue::NULL);
                let in_box = self
                    .target
                    .as_ref()
                    .is_some_and(|element| Object::is(element, &target));
                if in_box && KEY_EVENTS.contains(&entry.name().as_str()) {
                    self.event_timing(origin + entry.start_time(), entry.duration());
                }
            }
        }
    }

    /// Changes the meter, then tells the reply box (outside the borrow: yew may render at once).
    fn update(change: impl FnOnce(&mut Meter)) {
        let told = METER.with(|meter| {
            let mut meter = meter.borrow_mut();
            change(&mut meter);
            meter
                .notify
                .clone()
                .map(|notify| (notify, meter.view.clone()))
        });
        if let Some((notify, view)) = told {
            notify.emit(view);
        }
    }

    /// A keystroke typed at `stamp_ms`: remember it, and measure when the frame that draws it comes.
    fn key_typed(stamp_ms: f64) {
        METER.with(|meter| {
            let keys = &mut meter.borrow_mut().keys;
            keys.push_back(Key {
                stamp_ms,
                frame_ms: None,
                event_timing_ms: None,
            });
            if keys.len() > KEPT_KEYS {
                keys.pop_front();
            }
        });
        wasm_bindgen_futures::spawn_local(async move {
            // The frame that draws the key: its rendering follows this callback (resumed in its microtasks).
            browser::next_animation_frame().await;
            let drawn_ms = WebClock.now_ms();
            update(|meter| {
                // Keys are told apart by their timestamps (two keys never share one).
                if let Some(index) = meter.keys.iter().position(|key| key.stamp_ms == stamp_ms) {
                    meter.keys[index].frame_ms = Some(drawn_ms - stamp_ms);
                    meter.settle_key(index);
                }
            });
        });
    }

    /// Attributes the keystrokes typed from `start_ms` (shared clock) on to `active`, until [`close_run`].
    pub fn begin_run(active: &Rc<ActiveRun>, start_ms: f64) {
        update(|meter| {
            meter.run = Some(Attribution {
                active: Rc::clone(active),
                from_ms: start_ms,
                to_ms: f64::INFINITY,
            });
            meter.view.run = Some((true, InputLatency::default()));
            meter.view.story = None;
        });
    }

    /// The run's executor returned at `end_ms`: later keystrokes are not the run's (call it at once, before keys
    /// held up by a frozen page are handled).
    pub fn close_run(end_ms: f64) {
        METER.with(|meter| {
            if let Some(run) = &mut meter.borrow_mut().run {
                run.to_ms = end_ms;
            }
        });
    }

    /// Ends the run: waits (a few frames at most) until the keys typed during it are drawn and their Event Timing
    /// entries are in, then returns their figures and shows what they say for a run of `plan`.
    pub async fn end_run(plan: &ExecutorPlan) -> InputLatency {
        // Keys typed during the run, and how many of them are not drawn yet.
        let keys_of_run = || {
            METER.with(|meter| {
                let meter = meter.borrow();
                let run = meter.run.as_ref();
                let during = |key: &&Key| run.is_some_and(|run| run.holds(key.stamp_ms));
                let of_run: Vec<&Key> = meter.keys.iter().filter(during).collect();
                let waiting = of_run.iter().filter(|key| key.latency().is_none()).count();
                (of_run.len(), waiting)
            })
        };
        let (typed, _) = keys_of_run();
        for _ in 0..SETTLE_FRAMES {
            if keys_of_run().1 == 0 {
                break;
            }
            browser::next_animation_frame_within(FRAME_WAIT_MS).await;
        }
        if typed > 0 {
            // Event Timing entries come once the frame was presented: one more frame, then take what is queued.
            browser::next_animation_frame_within(FRAME_WAIT_MS).await;
            update(|meter| {
                if let Some(observer) = meter.observer.clone() {
                    meter.read_entries(&observer.take_records());
                }
            });
        }
        let mut latency = InputLatency::default();
        update(|meter| {
            if let Some(run) = meter.run.take() {
                latency = InputLatency::from_latencies(&run.active.latencies.borrow());
            }
            meter.view.run = Some((false, latency));
            meter.view.story = Some(story(plan, &latency));
        });
        latency
    }

    /// The meter on one reply box, while it lives: its `keydown` listener and Event Timing observer, removed when
    /// dropped (the box's effect drops it when the box leaves the page).
    pub struct KeystrokeMeter {
        target: web_sys::EventTarget,
        on_key: Closure<dyn FnMut(web_sys::Event)>,
        observer: Option<web_sys::PerformanceObserver>,
        _on_entries: Closure<dyn FnMut(web_sys::PerformanceObserverEntryList)>,
    }

    impl KeystrokeMeter {
        /// Starts measuring the keystrokes typed in `target`, telling `notify` what to show after each change.
        pub fn attach(target: web_sys::EventTarget, notify: Callback<TypingView>) -> Self {
            let on_key = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
                let field = |name: &str| Reflect::get(&event, &JsValue::from_str(name)).ok();
                let key = field("key")
                    .and_then(|key| key.as_string())
                    .unwrap_or_default();
                let composing = field("isComposing").is_some_and(|composing| composing.is_truthy());
                if !composing && !MODIFIERS.contains(&key.as_str()) {
                    key_typed(browser::time_origin_ms() + event.time_stamp());
                }
            });
            let _ =
                target.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
            let on_entries = Closure::<dyn FnMut(web_sys::PerformanceObserverEntryList)>::new(
                |list: web_sys::PerformanceObserverEntryList| {
                    update(|meter| meter.read_entries(&list.get_entries()));
                },
            );
            let observer = browser::observe_event_timing(
                on_entries.as_ref().unchecked_ref(),
                EVENT_TIMING_THRESHOLD_MS,
            );
            update(|meter| {
                meter.notify = Some(notify);
                meter.target = Some(target.clone());
                meter.observer = observer.clone();
            });
            Self {
                target,
                on_key,
                observer,
                _on_entries: on_entries,
            }
        }
    }

    impl Drop for KeystrokeMeter {
        fn drop(&mut self) {
            let _ = self.target.remove_event_listener_with_callback(
                "keydown",
                self.on_key.as_ref().unchecked_ref(),
            );
            if let Some(observer) = &self.observer {
                observer.disconnect();
            }
            METER.with(|meter| {
                let mut meter = meter.borrow_mut();
                meter.notify = None;
                meter.target = None;
                meter.observer = None;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use tasklab_core::settings::Mode;

    use super::*;

    fn view(last_ms: Option<f64>, running: bool, count: u32, p95: f64, worst: f64) -> TypingView {
        let run = Some((running, InputLatency { count, p95, worst }));
        TypingView {
            last_ms,
            run,
            story: None,
        }
    }

    fn story_of(mode: Mode, slice_ms: u32, p95: f64, worst: f64) -> String {
        let latency = InputLatency {
            count: 9,
            p95,
            worst,
        };
        story(&ExecutorPlan::new(mode, 2, slice_ms), &latency)
    }

    #[test]
    fn the_live_line_says_what_is_known() {
        assert!(live_line(&TypingView::default()).starts_with("Type here"));
        let typing = view(Some(16.2), true, 12, 17.4, 24.0);
        let line = "Last keystroke drawn after 16 ms · this run: 12 keys, p95 17 ms, worst 24 ms";
        assert_eq!(live_line(&typing), line);
        assert_eq!(
            live_line(&view(None, true, 0, 0.0, 0.0)),
            "This run: no keys typed"
        );
        let after = "Last keystroke drawn after 690 ms · last run: 1 key, drawn after 690 ms";
        assert_eq!(live_line(&view(Some(690.0), false, 1, 690.0, 690.0)), after);
        assert_eq!(latency_text(1234.0), "1.23 s");
    }

    #[test]
    fn the_story_follows_the_mode_and_the_numbers() {
        let frozen = "Each key waited until the run ended: worst 690 ms. The page could not draw while the tasks \
                      held the main thread.";
        assert_eq!(story_of(Mode::SingleThread, 5, 680.0, 690.0), frozen);
        let sliced = story_of(Mode::Multitasking, 5, 17.0, 24.0);
        assert!(
            sliced.starts_with("Keys were drawn within 17 ms (p95)"),
            "{sliced}"
        );
        assert!(sliced.ends_with("after every 5 ms slice."), "{sliced}");
        let workers = story_of(Mode::Multiprocessing, 5, 16.0, 18.0);
        assert!(workers.contains("ran on 2 Web Workers"), "{workers}");
        let slow = story_of(Mode::Multitasking, 50, 120.0, 130.0);
        assert!(slow.starts_with("Keys waited up to 120 ms (p95)"), "{slow}");
        let none = story(
            &ExecutorPlan::new(Mode::SingleThread, 1, 5),
            &InputLatency::default(),
        );
        assert!(none.starts_with("Nothing was typed"), "{none}");
    }
}
