//! One component per panel of the page. Panels receive what they show as properties and report what the person
//! does through callbacks (most take the state's `Callback<Action>`); they import the state's types, the leaf
//! `widgets` and `browser`, never `app`.

pub mod chart;
pub mod compare;
pub mod controls;
pub mod editor;
pub mod exports;
pub mod fields;
pub mod files;
pub mod gallery;
pub mod live;
pub mod multiprocessor;
pub mod notices;
pub mod predict;
pub mod quiz;
pub mod quiz_check;
pub mod quiz_gantt;
pub mod results;
pub mod step;
pub mod step_parts;
pub mod term;
pub mod try_this;
pub mod update;
pub mod views;
