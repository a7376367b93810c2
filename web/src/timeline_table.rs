//! The table view of a timeline, for screen readers and for reading exact times: the slices (by CPU) or the
//! stretches (by task) a zoomed range shows, in order of start.

use tasklab_core::timeline::{TimeRange, TimeUnit, Timeline};
use yew::prelude::*;

/// Most rows of the table view.
const TABLE_ROWS: usize = 500;

/// A time in the timeline's unit for people: at most three decimals.
pub fn time_text(time: f64, unit: TimeUnit) -> String {
    format!("{} {}", (time * 1_000.0).round() / 1_000.0, unit.suffix())
}

/// The slices (by CPU) or the stretches (by task) that `range` shows, in order of start, at most [`TABLE_ROWS`].
pub fn timeline_table(timeline: &Timeline, by_task: bool, range: TimeRange) -> Html {
    let overlaps = |start: f64, end: f64| start <= range.end && end >= range.start;
    // (task, lane or state, start, end), by start.
    let mut rows: Vec<(usize, String, f64, f64)> = if by_task {
        timeline
            .task_rows
            .iter()
            .flat_map(|row| row.stretches.iter().map(move |stretch| (row.task, stretch)))
            .filter(|(_, stretch)| overlaps(stretch.start, stretch.end))
            .map(|(task, stretch)| {
                (
                    task,
                    stretch.state.label().to_owned(),
                    stretch.start,
                    stretch.end,
                )
            })
            .collect()
    } else {
        timeline
            .spans
            .iter()
            .filter(|span| overlaps(span.start, span.end))
            .map(|span| {
                (
                    span.task,
                    timeline.lane_label(span.lane).into_owned(),
                    span.start,
                    span.end,
                )
            })
            .collect()
    };
    rows.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
    let count = rows.len();
    let unit = timeline.unit;
    let what = if by_task { "stretches" } else { "slices" };
    html! {
        <>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("{}: {what}", timeline.title)}>
                <table class="task-table slices-table">
                    <caption>{format!("{} {what} from {} to {}", count, time_text(range.start, unit), time_text(range.end, unit))}</caption>
                    <thead><tr>
                        <th scope="col">{"Task"}</th><th scope="col">{if by_task { "State" } else { "CPU" }}</th>
                        <th scope="col">{"Start"}</th><th scope="col">{"End"}</th><th scope="col">{"Duration"}</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().take(TABLE_ROWS).map(|(task, lane, start, end)| html! {
                            <tr>
                                <td>{timeline.task_name(*task).into_owned()}</td><td>{lane.clone()}</td>
                                <td>{time_text(*start, unit)}</td><td>{time_text(*end, unit)}</td><td>{time_text(end - start, unit)}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            if count > TABLE_ROWS {
                <p class="timeline-note">{format!("The first {TABLE_ROWS} of {count} {what} are listed: zoom in to list the others.")}</p>
            }
        </>
    }
}
