//! How much a finding of `pm check` matters: an error fails the check, a warning fails it only
//! under `--strict`, and `off` silences a rule. Read from `pm.yaml` (`rules:`) and owned by the
//! model so the settings can name it without knowing the checker.

use std::fmt;

/// The severity of a rule (and of its findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    #[serde(alias = "warn")]
    Warning,
    Off,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Off => "off",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
