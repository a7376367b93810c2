//! One component per panel of the page. Panels receive what they show as properties and report what the person
//! does through callbacks (most take the state's `Callback<Action>`); they import the state's types, the leaf
//! `widgets` and `browser`, never `app`.

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
pub mod results;
