//! Running the user's editor on a text, as `git commit` does: `$VISUAL`, else `$EDITOR`,
//! else `vi`, through the shell so editors with arguments (`code --wait`) work.

use std::path::PathBuf;
use std::process::Command;

use crate::error::{Error, Result};

/// A text being edited in a temporary file; the file is removed when dropped unless kept.
pub struct Session {
    pub path: PathBuf,
    keep: bool,
}

impl Session {
    /// Keep the temporary file (the edit could not be used; the user may want it back).
    pub fn keep(mut self) -> PathBuf {
        self.keep = true;
        self.path.clone()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Open `text` in the editor under a file named like `name`; returns the session and the
/// edited text.
pub fn edit(text: &str, name: &str) -> Result<(Session, String)> {
    let configured = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok().filter(|v| !v.trim().is_empty()));
    if configured.is_none() && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(Error::Editor {
            message: "no editor: $VISUAL and $EDITOR are not set and there is no terminal for vi".into(),
            hint: Some("set EDITOR, e.g. EDITOR=nano, or give the fields as flags instead of --edit".into()),
        });
    }
    let editor = configured.unwrap_or_else(|| "vi".to_string());
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let path = std::env::temp_dir().join(format!("pm-edit-{}-{nanos}-{name}", std::process::id()));
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    let session = Session { path: path.clone(), keep: false };
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(&path)
        .status()
        .map_err(|e| Error::Editor { message: format!("cannot run `{editor}`: {e}"), hint: None })?;
    if !status.success() {
        return Err(Error::Editor {
            message: format!("`{editor}` exited with {status}; nothing was changed"),
            hint: Some("set $VISUAL or $EDITOR to an editor that exits 0 when you save".into()),
        });
    }
    let edited = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    if edited.trim().is_empty() {
        return Err(Error::bad_argument("aborted: the file was emptied, so nothing was saved")
            .with_hint("as with `git commit`, an empty file cancels the edit"));
    }
    Ok((session, edited))
}

/// Point an error about the edited text at the temporary file that holds it, and keep that
/// file so the user's work is not lost.
pub fn keep_on_error(session: Session, e: Error) -> Error {
    match e {
        Error::BadFile { mut location, message, hint } => {
            let saved = session.keep();
            location.path = saved.clone();
            let hint = hint.map(|h| format!("{h}; ")).unwrap_or_default();
            Error::BadFile {
                location,
                message,
                hint: Some(format!("{hint}nothing was changed; your text is kept in {}", saved.display())),
            }
        }
        Error::BadArgument { message, hint } => {
            let saved = session.keep();
            let hint = hint.map(|h| format!("{h}; ")).unwrap_or_default();
            Error::BadArgument {
                message,
                hint: Some(format!("{hint}nothing was changed; your text is kept in {}", saved.display())),
            }
        }
        other => other,
    }
}
