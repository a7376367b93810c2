//! Tests of the scheduling simulator: textbook worked examples and property tests over random scenarios.

mod sim {
    pub mod check;
    mod examples;
    mod properties;
}
