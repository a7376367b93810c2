//! What can go wrong on the page's side, as types: each becomes a notice the person can read (never a silent
//! failure). Pure data, no page APIs.

use tasklab_core::settings::Notice;

/// A failure of something the person asked the page to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PageError {
    /// The browser refused a download.
    #[error("could not save {file}: {reason}")]
    Download {
        /// The file name offered.
        file: String,
        /// What the browser said.
        reason: String,
    },
    /// The browser refused the clipboard.
    #[error("the browser refused the clipboard; select the link below and copy it")]
    Clipboard,
    /// The browser refused to update the address bar (some limit how often a page may do it).
    #[error("the address bar could not follow the settings ({0}); use Copy link to share them")]
    History(String),
    /// A file could not be read or was not a scenario.
    #[error("{0}; nothing was changed")]
    Import(String),
}

impl PageError {
    /// The notice shown for this failure; its field says what failed (`download`, `clipboard`, `import`, …).
    pub fn notice(&self) -> Notice {
        let field = match self {
            Self::Download { .. } => "download",
            Self::Clipboard => "clipboard",
            Self::Import(_) => "import",
            Self::History(_) => "address",
        };
        Notice {
            field: field.into(),
            message: self.to_string(),
        }
    }
}
