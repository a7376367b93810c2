//! Parity of the simulator across platforms, native side: every case of `parity/cases.rs` must give exactly
//! the result stored in `parity/golden.json` (the wasm side, `sim_parity_wasm.rs`, checks the same fixture in
//! a browser).
//!
//! After an intended change of the simulator's results, rewrite the fixture and review its diff:
//! `TASKLAB_BLESS=1 cargo test -p tasklab-core --test sim_parity`.
#![cfg(not(target_arch = "wasm32"))]

mod parity {
    pub mod cases;
}

use parity::cases::{cases, compare_with_golden};

const GOLDEN_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/parity/golden.json");

#[test]
fn case_names_are_unique() {
    let mut names: Vec<String> = cases().into_iter().map(|case| case.name).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "duplicate case names");
}

#[test]
fn native_results_equal_the_golden_fixture() {
    if std::env::var("TASKLAB_BLESS").is_ok_and(|value| value == "1") {
        std::fs::write(GOLDEN_PATH, golden_text()).expect("write golden.json");
        eprintln!("wrote {GOLDEN_PATH}");
        return;
    }
    // Read at run time (not include_str!) so a freshly blessed fixture is checked without a rebuild.
    let golden = std::fs::read_to_string(GOLDEN_PATH).expect("read golden.json");
    match compare_with_golden(&golden) {
        Ok(compared) => eprintln!("{compared} cases equal the golden fixture"),
        Err(problems) => panic!(
            "{} problem(s) (rerun with TASKLAB_BLESS=1 if the change is intended):\n{}",
            problems.len(),
            problems.join("\n")
        ),
    }
}

/// The fixture text for the current results: an object from case name to result, one case per line so that a
/// change shows as a readable diff.
fn golden_text() -> String {
    let mut text = String::from("{\n");
    let cases = cases();
    for (index, case) in cases.iter().enumerate() {
        let key = serde_json::to_string(&case.name).expect("a string serializes");
        let value = serde_json::to_string(&case.run()).expect("a SimResult serializes");
        let comma = if index + 1 < cases.len() { "," } else { "" };
        text.push_str(&format!("{key}: {value}{comma}\n"));
    }
    text.push_str("}\n");
    text
}
