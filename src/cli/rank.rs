//! `pm rank S-12 --top|--bottom|--before ID|--after ID|--to N`.

use crate::cli::Ctx;
use crate::error::Result;
use crate::ops::rank::{Moved, Position, rank};

/// Move a story in the backlog
///
/// The move is one line moved in backlog.md; the story files do not change.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm rank S-10 --top\n  pm rank S-10 --before S-8\n  pm rank S-10 --to 5")]
#[command(group(clap::ArgGroup::new("position").required(true)))]
pub struct Args {
    /// The story's ID
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    id: String,
    /// Make it the most important
    #[arg(long, group = "position")]
    top: bool,
    /// Make it the least important
    #[arg(long, group = "position")]
    bottom: bool,
    /// Put it just above this story
    #[arg(long, group = "position", value_name = "STORY", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    before: Option<String>,
    /// Put it just below this story
    #[arg(long, group = "position", value_name = "STORY", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    after: Option<String>,
    /// Put it at this rank (1 is the top)
    #[arg(long, group = "position", value_name = "N")]
    to: Option<usize>,
}

pub fn position(top: bool, bottom: bool, before: Option<String>, after: Option<String>, to: Option<usize>) -> Position {
    match (top, bottom, before, after, to) {
        (true, ..) => Position::Top,
        (_, true, ..) => Position::Bottom,
        (_, _, Some(b), ..) => Position::Before(b),
        (_, _, _, Some(a), _) => Position::After(a),
        (_, _, _, _, Some(n)) => Position::To(n),
        _ => Position::Bottom,
    }
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let pos = position(a.top, a.bottom, a.before, a.after, a.to);
    let moved = rank(&mut ctx.transaction(&product)?, &a.id, &pos)?;
    ctx.say(&describe(&moved))
}

fn describe(m: &Moved) -> String {
    match m.from {
        Some(f) if f == m.to => format!("{} stays at rank {}", m.id, m.to),
        Some(f) => format!("{} moved from rank {f} to {}", m.id, m.to),
        None => format!("{} added to the backlog at rank {}", m.id, m.to),
    }
}
