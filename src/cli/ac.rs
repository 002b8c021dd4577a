//! `pm ac add|check|uncheck|rm|list`: acceptance criteria of stories.

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{ListFormat, print_rows};
use crate::error::{Error, Result};
use crate::model::id::{CriterionRef, Kind, parse_ac_id};
use crate::ops::ac::{Action, add, change};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a criterion; it takes the next free number (AC-n)
    ///
    /// The number is the lowest above the story's highest criterion that no file beside
    /// product/ names (`S-10/AC-3` in code, in the files pm trace reads), so a removed
    /// criterion's number is not given to a new one while code points at it.
    #[command(
        after_help = "Example:\n  pm ac add S-10 \"Given an expired link, when I open it, then I can ask for a new one\""
    )]
    Add {
        /// The story's ID
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
        story: String,
        /// The criterion, one line (Given ..., when ..., then ...)
        text: String,
    },
    /// Mark a criterion accepted: [x]
    #[command(after_help = "Examples:\n  pm ac check S-10 AC-2\n  pm ac check S-10/AC-2")]
    Check(Target),
    /// Mark a criterion not accepted: [ ]
    #[command(after_help = "Example:\n  pm ac uncheck S-8 AC-1")]
    Uncheck(Target),
    /// Remove a criterion; the others keep their numbers
    ///
    /// Files outside product/ that still name it (`S-10/AC-3` in code, `s_10_ac_3` in a test)
    /// are listed in a warning: change them, or pm check reports them. While they name it, its
    /// number is not given to a new criterion.
    #[command(after_help = "Example:\n  pm ac rm S-10 AC-3")]
    Rm(Target),
    /// List criteria of one story, or of every story
    #[command(after_help = "Examples:\n  pm ac list S-10\n  pm ac list --unchecked --format json")]
    List {
        /// The story's ID (all stories when omitted)
        story: Option<String>,
        /// Only criteria not yet accepted
        #[arg(long)]
        unchecked: bool,
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

/// A criterion: `S-12 AC-2` or `S-12/AC-2`.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// The story's ID, or STORY/AC-N
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    story: String,
    /// The criterion (AC-N, or N)
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::criteria))]
    ac: Option<String>,
}

fn resolve(t: &Target) -> Result<(String, u32)> {
    if let Some(r) = CriterionRef::parse(&t.story) {
        if t.ac.is_some() {
            return Err(
                Error::bad_argument("the criterion is given twice").with_hint("give it once: S-12/AC-2 or S-12 AC-2")
            );
        }
        return Ok((r.story.to_string(), r.number));
    }
    let Some(ac) = &t.ac else {
        return Err(Error::bad_argument("which criterion?").with_hint(format!("e.g. pm ac check {} AC-1", t.story)));
    };
    let n = parse_ac_id(ac).or_else(|| ac.parse().ok()).ok_or_else(|| {
        Error::bad_argument(format!("`{ac}` is not a criterion ID")).with_hint("criteria are named AC-1, AC-2, ...")
    })?;
    Ok((t.story.clone(), n))
}

pub fn run(ctx: &Ctx, c: Command) -> Result<()> {
    let product = ctx.product()?;
    match c {
        Command::Add { story, text } => {
            let mut tx = ctx.transaction(&product)?;
            let item = product.get(&story, Kind::Story)?;
            let id = item.id.to_string();
            let named = named_criteria(ctx, &product, &id);
            let numbers: std::collections::BTreeSet<u32> = named.iter().map(|(n, _)| *n).collect();
            let present = item.criteria.next_number();
            let n = add(&mut tx, &item, &text, &numbers)?;
            ctx.say(&format!("Added {id}/AC-{n}"))?;
            if n > present {
                // The numbers passed over are exactly the ones still named.
                let skipped: Vec<String> = (present..n).map(|m| format!("AC-{m}")).collect();
                let places = named.into_iter().filter(|(m, _)| (present..n).contains(m)).map(|(_, p)| p).collect();
                ctx.say(&crate::model::escape::terminal(&format!(
                    "Skipped {}: still named in {}",
                    skipped.join(", "),
                    shown(places)
                )))?;
            }
            Ok(())
        }
        Command::Check(t) => act(ctx, &product, &t, Action::Check),
        Command::Uncheck(t) => act(ctx, &product, &t, Action::Uncheck),
        Command::Rm(t) => act(ctx, &product, &t, Action::Remove),
        Command::List { story, unchecked, format } => {
            let mut errors = Vec::new();
            let stories = match story {
                Some(s) => vec![product.get(&s, Kind::Story)?],
                None => {
                    let (items, skipped) = ctx.load(&product);
                    errors = skipped;
                    let ranks = crate::cli::view::ranks(&product)?;
                    let mut all: Vec<_> = items.of_kind(Kind::Story).cloned().collect();
                    all.sort_by_key(|i| (ranks.get(&i.id.to_string()).copied().unwrap_or(usize::MAX), i.id.number));
                    all
                }
            };
            let mut rows = Vec::new();
            let mut json = Vec::new();
            let mut ids = Vec::new();
            for s in &stories {
                for c in s.criteria.items.iter().filter(|c| !unchecked || !c.checked) {
                    let id = format!("{}/{}", s.id, c.label());
                    rows.push(vec![id.clone(), if c.checked { "[x]" } else { "[ ]" }.into(), c.text.clone()]);
                    json.push(json!({"id": id, "story": s.id.to_string(), "checked": c.checked, "text": c.text}));
                    ids.push(id);
                }
            }
            if rows.is_empty() && format == ListFormat::Table {
                ctx.say("No acceptance criteria match.")?;
            }
            print_rows(format, ctx.stdout_tty, &["ID", "STATE", "CRITERION"], &rows, &json, &ids)?;
            ctx.finish(errors)
        }
    }
}

fn act(ctx: &Ctx, product: &crate::store::product::Product, t: &Target, action: Action) -> Result<()> {
    let (story, n) = resolve(t)?;
    let mut tx = ctx.transaction(product)?;
    let item = product.get(&story, Kind::Story)?;
    let changed = change(&mut tx, &item, n, action)?;
    let verb = match (action, changed) {
        (Action::Check, true) => "Checked",
        (Action::Uncheck, true) => "Unchecked",
        (Action::Remove, _) => "Removed",
        (Action::Check, false) => "Already checked:",
        (Action::Uncheck, false) => "Already unchecked:",
    };
    ctx.say(&format!("{verb} {}/AC-{n}", item.id))?;
    if action == Action::Remove {
        warn_still_named(ctx, product, &item.id.to_string(), n);
    }
    Ok(())
}

/// The criteria of `story` that files outside product/ name (code, tests), with each place:
/// the files `pm trace` reads. A repository that cannot be scanned names none, with a warning:
/// the caller's edit does not depend on it.
fn named_criteria(ctx: &Ctx, product: &crate::store::product::Product, story: &str) -> Vec<(u32, (String, usize))> {
    let scan = match crate::cli::trace::references(product, &[]) {
        Ok(scan) => scan,
        Err(e) => {
            ctx.warn(&format!(
                "the files beside product/ could not be read for references to {story}'s criteria ({e}); \
                 numbers they name are not known"
            ));
            return Vec::new();
        }
    };
    let mut named: Vec<(u32, (String, usize))> = scan
        .found
        .into_iter()
        .filter(|f| f.reference.story == story)
        .filter_map(|f| Some((f.reference.ac?, (f.path, f.reference.line))))
        .collect();
    named.sort();
    named
}

/// `a.rs:3, b.rs:9, c.rs:1, +2 more`.
fn shown(mut places: Vec<(String, usize)>) -> String {
    places.sort();
    let count = places.len();
    let mut shown: Vec<String> = places.iter().take(3).map(|(p, l)| format!("{p}:{l}")).collect();
    if count > 3 {
        shown.push(format!("+{} more", count - 3));
    }
    shown.join(", ")
}

/// After `pm ac rm`: the files that still name the removed criterion (code, tests), which
/// `pm check` reports; its number is not given to a new criterion while they do.
fn warn_still_named(ctx: &Ctx, product: &crate::store::product::Product, story: &str, n: u32) {
    let places: Vec<(String, usize)> =
        named_criteria(ctx, product, story).into_iter().filter(|(m, _)| *m == n).map(|(_, place)| place).collect();
    if places.is_empty() {
        return;
    }
    ctx.warn(&crate::model::escape::terminal(&format!(
        "{story}/AC-{n} is still named in {}; change or remove those references: pm check reports them \
         (trace/removed-criterion)",
        shown(places)
    )));
}
