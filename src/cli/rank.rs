//! `pm rank S-12 --top|--bottom|--before ID|--after ID|--to N`, and `pm rank --by score`.

use crate::cli::Ctx;
use crate::error::Result;
use crate::ops::rank::{Moved, Position, rank};

/// Move a story in the backlog
///
/// The move is one line moved in backlog.md; the story files do not change. `--by score` puts
/// the whole backlog in the order the scores suggest (pm score), in the fewest such moves:
/// stories without a score keep their order below the scored ones.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm rank S-10 --top\n  pm rank S-10 --before S-8\n  pm rank S-10 --to 5\n  pm rank --by score --dry-run"
)]
#[command(group(clap::ArgGroup::new("position").required(true)))]
pub struct Args {
    /// The story's ID
    #[arg(required_unless_present = "by", conflicts_with = "by", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    id: Option<String>,
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
    /// Rank the whole backlog by this: `score`, the scores of pm.yaml's scoring model
    #[arg(long, group = "position", value_name = "ORDER", value_parser = ["score"])]
    by: Option<String>,
    /// With --by: print the moves, change nothing
    #[arg(long, requires = "by")]
    dry_run: bool,
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
    let Some(id) = a.id else { return by_score(ctx, &product, a.dry_run) };
    let pos = position(a.top, a.bottom, a.before, a.after, a.to);
    let moved = rank(&mut ctx.transaction(&product)?, &id, &pos)?;
    ctx.say(&describe(&moved))
}

/// `pm rank --by score [--dry-run]`.
fn by_score(ctx: &Ctx, product: &crate::store::product::Product, dry_run: bool) -> Result<()> {
    let model = crate::cli::score::model(product)?;
    let mut tx = ctx.transaction(product)?;
    // Every item is read: a story whose file does not read cannot be scored, and ranking
    // around it would move it on a guess.
    let items = product.load_all()?;
    let support = crate::model::feedback::Support::of(items.of_kind(crate::model::id::Kind::Feedback));
    let feedback = |i: &crate::model::item::Item| support.get(&i.id.to_string()).weight;
    // A story whose input is off its scale has no score by mistake, not by choice: ranking
    // it below the scored ones would sink it (the top story, for one typo). Refuse, naming
    // each, until they are fixed.
    let bad: Vec<String> = (items.of_kind(crate::model::id::Kind::Story))
        .filter(|i| !product.config.is_closed(&i.status))
        .filter_map(|i| {
            let e = model.score(&i.fields, feedback(i)).err()?;
            let line = i.line_of(e.field()?).map(|l| format!(":{l}")).unwrap_or_default();
            Some(format!("{}{line}: {}", i.shown.display(), model.explain(&e)))
        })
        .collect();
    if !bad.is_empty() {
        return Err(crate::error::Error::bad_argument(format!(
            "{} cannot be scored as written:\n  {}",
            crate::cli::output::plural(bad.len(), "open story", "open stories"),
            bad.join("\n  ")
        ))
        .with_hint("fix these values (pm check lists them as score/out-of-scale), then rank again"));
    }
    let order = |entries: &[crate::model::listfile::Entry]| {
        let scores: Vec<_> = (entries.iter())
            .map(|e| match items.get(&e.id) {
                Some(i) if i.kind == crate::model::id::Kind::Story && !product.config.is_closed(&i.status) => {
                    model.score(&i.fields, feedback(i)).map_err(drop)
                }
                _ => Err(()),
            })
            .collect();
        crate::model::score::order(&scores)
    };
    let moves = crate::ops::rank::rank_by(&mut tx, order, !dry_run)?;
    if moves.is_empty() {
        return ctx.say("The backlog is already in score order.");
    }
    let verb = if dry_run { "would move" } else { "moved" };
    let lines: Vec<String> =
        (moves.iter()).map(|m| format!("{} {verb} from rank {} to {}", m.id, m.from.unwrap_or(0), m.to)).collect();
    ctx.say(&lines.join("\n"))
}

fn describe(m: &Moved) -> String {
    match m.from {
        Some(f) if f == m.to => format!("{} stays at rank {}", m.id, m.to),
        Some(f) => format!("{} moved from rank {f} to {}", m.id, m.to),
        None => format!("{} added to the backlog at rank {}", m.id, m.to),
    }
}
