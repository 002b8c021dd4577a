//! `pm agents`: instructions for coding agents on how to use pm in this repository, printed
//! or kept as a section of `AGENTS.md` (also written by `pm init --agents`).

use crate::cli::Ctx;
use crate::cli::output::print;
use crate::error::Result;
use crate::store::transaction::Changes;

/// The instructions: the same text for `AGENTS.md` and for the MCP server's handshake.
pub const INSTRUCTIONS: &str = include_str!("agents.md");

const BEGIN: &str = "<!-- pm:begin (written by `pm agents --write`; edit outside these markers) -->";
const END: &str = "<!-- pm:end -->";

/// The file agents read, beside `product/`.
pub const FILE: &str = "AGENTS.md";

/// Print (or --write into AGENTS.md) instructions for coding agents on using pm here
///
/// The text says where the product lives, how to read it, that changes go through pm, and to
/// run `pm check` and `pm diff` before a commit. With --write, keep them as a section of AGENTS.md beside product/: created if missing,
/// the section between pm's markers replaced if there, added at the end otherwise; the rest
/// of the file is left byte for byte.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm agents\n  pm agents --write")]
pub struct Args {
    /// Write the section into AGENTS.md instead of printing it
    #[arg(long)]
    write: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    if !a.write {
        return print(INSTRUCTIONS);
    }
    let product = ctx.product()?;
    let top = product.root.parent().map(std::path::Path::to_path_buf).unwrap_or_else(|| product.root.clone());
    let mut tx = Changes::new();
    let said = stage(&mut tx, &top)?;
    tx.commit()?;
    ctx.say(said)
}

/// Stage AGENTS.md in `top` with pm's section; returns what was done, for the user.
pub fn stage(tx: &mut Changes, top: &std::path::Path) -> Result<&'static str> {
    let path = top.join(FILE);
    let current = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(crate::error::Error::io(&path, e)),
    };
    let (text, said) = with_section(current.as_deref()).map_err(|e| {
        crate::error::Error::bad_file(crate::error::Location::file(path.clone()), e)
            .with_hint("keep one `<!-- pm:begin ... -->` line and one `<!-- pm:end -->` line after it, or delete both")
    })?;
    match current {
        None => tx.create(path, text),
        Some(old) if old == text => return Ok("AGENTS.md already has pm's instructions"),
        Some(_) => tx.write(&path, text),
    }
    Ok(said)
}

/// `existing` with pm's section in place (replaced between the markers, or appended), in the
/// file's own line endings. Markers that do not pair up (a begin without its end, two begins)
/// are refused: replacing from one to the other could take the team's own lines with it.
fn with_section(existing: Option<&str>) -> Result<(String, &'static str), String> {
    let Some(text) = existing else {
        return Ok((format!("{BEGIN}\n{INSTRUCTIONS}{END}\n"), "Created AGENTS.md with pm's instructions"));
    };
    let eol = crate::model::frontmatter::line_ending(text);
    let section = format!("{BEGIN}\n{INSTRUCTIONS}{END}\n").replace('\n', eol);
    let (begins, ends) = (text.matches(BEGIN).count(), text.matches(END).count());
    match (begins, ends) {
        (0, 0) => {}
        (1, 1) if text.find(BEGIN) < text.find(END) => {
            let start = text.find(BEGIN).unwrap_or(0);
            let end = text.find(END).map(|e| e + END.len()).unwrap_or(text.len());
            let rest = text[end..].strip_prefix(eol).unwrap_or(&text[end..]);
            return Ok((format!("{}{section}{rest}", &text[..start]), "Updated pm's section of AGENTS.md"));
        }
        _ => return Err(format!("pm's section markers do not pair up ({begins} begin, {ends} end)")),
    }
    let blank = format!("{eol}{eol}");
    let sep = match text {
        "" => String::new(),
        t if t.ends_with(&blank) => String::new(),
        t if t.ends_with('\n') => eol.to_string(),
        _ => blank.clone(),
    };
    Ok((format!("{text}{sep}{section}"), "Added pm's instructions to AGENTS.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_replaced_in_place_and_the_rest_kept() {
        let (first, _) = with_section(Some("# Agents\n\nRun the tests.\n")).unwrap();
        assert_eq!(first, format!("# Agents\n\nRun the tests.\n\n{BEGIN}\n{INSTRUCTIONS}{END}\n"));
        let edited = first.replace("Run the tests.", "Run cargo test.") + "\n## Style\n";
        let old = edited.replace(INSTRUCTIONS, "old text\n");
        let (again, said) = with_section(Some(&old)).unwrap();
        assert_eq!(again, edited);
        assert_eq!(said, "Updated pm's section of AGENTS.md");
    }

    #[test]
    fn markers_that_do_not_pair_up_are_refused_and_crlf_is_kept() {
        let (first, _) = with_section(Some("# Agents\r\n")).unwrap();
        assert!(first.starts_with("# Agents\r\n\r\n<!-- pm:begin") && !first.replace("\r\n", "").contains('\n'));
        let broken = first.replace(&format!("{END}\r\n"), "## My notes\r\n");
        assert_eq!(with_section(Some(&broken)).unwrap_err(), "pm's section markers do not pair up (1 begin, 0 end)");
        let twice = format!("{first}{first}");
        assert!(with_section(Some(&twice)).is_err());
    }
}
