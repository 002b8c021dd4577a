//! `pm feedback add|link|unlink`: what customers and stakeholders said, kept beside the
//! stories and epics it supports. (`list`, `show`, `set` and `edit` are the shared ones.)

use crate::cli::Ctx;
use crate::cli::add::Common;
use crate::error::{Error, Result};
use crate::model::id::Kind;
use crate::ops::add::NewItem;

/// Record feedback: the quote is the file's body, the title a summary of it.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm feedback add \"We reconcile by hand every Friday; a CSV export would save us an hour\" \\\n    --from \"Acme Corp\" --story S-12 --source https://support.example.com/t/4411 --weight 3\n  pm feedback add \"Splitting rent is the first thing flatmates ask for\" --from \"Sales\" --epic E-2"
)]
pub struct AddArgs {
    /// What was said, in their words (the body of the file; may span lines)
    quote: String,
    /// Who said it: a customer, a segment or a stakeholder
    #[arg(long, value_name = "WHO")]
    from: Option<String>,
    /// A story it supports; repeat for several
    #[arg(long = "story", value_name = "STORY", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    stories: Vec<String>,
    /// An epic it supports; repeat for several
    #[arg(long = "epic", value_name = "EPIC", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    epics: Vec<String>,
    /// Where it was heard: a link, or a channel such as "sales call"
    #[arg(long, value_name = "URL|CHANNEL")]
    source: Option<String>,
    /// When it was said (YYYY-MM-DD; default today)
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// How much it counts: 1 (default), 2 or 3
    #[arg(long, value_name = "1-3")]
    weight: Option<String>,
    /// The title (default: the quote's first words)
    #[arg(long)]
    title: Option<String>,
    /// Initial status (default from pm.yaml: new)
    #[arg(long)]
    status: Option<String>,
    /// Who looks after it
    #[arg(long)]
    owner: Option<String>,
    /// A label; repeat for several, or separate with commas
    #[arg(long = "label", value_name = "LABEL")]
    labels: Vec<String>,
    /// Open the new file in $VISUAL or $EDITOR before it is saved
    #[arg(long)]
    edit: bool,
}

/// Link feedback to the stories and epics it supports (or, with unlink, undo that).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm feedback link F-3 S-15 E-3\n  pm feedback unlink F-4 E-4")]
pub struct LinkArgs {
    /// The feedback item
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::feedback_ids))]
    feedback: String,
    /// Stories and epics, by ID
    #[arg(required = true, value_name = "ID")]
    targets: Vec<String>,
}

/// The longest title made from a quote, in characters.
const TITLE_LENGTH: usize = 60;

/// A title for a quote: its first line, cut at its first sentence's end or, past
/// [`TITLE_LENGTH`] characters, at a word boundary with an ellipsis.
pub fn title_of(quote: &str) -> String {
    let first = quote.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let first = first.trim_matches(['"', '\u{201c}', '\u{201d}', '.', '\u{2026}', ' ']).trim();
    // A sentence ends at `.`, `!` or `?` before a space (not in `2.5` or `example.com`).
    let end = first
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && first[i + 1..].starts_with(char::is_whitespace))
        .map(|(i, _)| i);
    let sentence = end.map_or(first, |i| &first[..=i]).trim_end_matches('.');
    if sentence.chars().count() <= TITLE_LENGTH {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(TITLE_LENGTH).collect();
    let at = cut.rfind(' ').filter(|&i| i > TITLE_LENGTH / 2).unwrap_or(cut.len());
    format!("{}...", cut[..at].trim_end_matches([',', ';', ':', ' ']))
}

pub fn run_add(ctx: &Ctx, a: AddArgs) -> Result<()> {
    let quote = a.quote.trim();
    if quote.is_empty() {
        return Err(Error::bad_argument("the quote is empty")
            .with_hint("say what was said: pm feedback add \"We need CSV export\" --from \"Acme Corp\""));
    }
    let date = match &a.date {
        Some(d) => crate::ops::values::date("--date", d)?,
        None => crate::model::date::today(),
    };
    let weight = a.weight.as_deref().map(crate::ops::values::weight).transpose()?;
    let split = |v: &[String]| -> Vec<String> {
        v.iter().flat_map(|s| s.split(',')).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    };
    let product = ctx.product()?;
    let stories = crate::ops::values::links(&product, &split(&a.stories), Kind::Story)?;
    let epics = crate::ops::values::links(&product, &split(&a.epics), Kind::Epic)?;
    let title = a.title.clone().unwrap_or_else(|| title_of(quote));
    if title.trim().is_empty() && a.title.is_none() {
        return Err(Error::bad_argument("the quote's first words make no title")
            .with_hint("give one: --title \"Wants CSV export\""));
    }
    let common = Common { title, status: a.status, owner: a.owner, labels: a.labels, edit: a.edit };
    let new = NewItem {
        from: a.from,
        date: Some(date.to_string()),
        source: a.source,
        stories,
        epics,
        weight,
        body: Some(format!("{}\n", quote.replace("\r\n", "\n"))),
        ..crate::cli::add::base(&common)
    };
    crate::cli::add::create(ctx, Kind::Feedback, &new, a.edit)
}

/// `link` (or, with `remove`, `unlink`): the feedback's `stories` and `epics` with the targets
/// added or taken out, in one edit of its front matter.
pub fn run_link(ctx: &Ctx, a: LinkArgs, remove: bool) -> Result<()> {
    let product = ctx.product()?;
    let mut tx = ctx.transaction(&product)?;
    let item = product.get(&a.feedback, Kind::Feedback)?;
    let mut lists = [("stories", Kind::Story, item.list("stories")?), ("epics", Kind::Epic, item.list("epics")?)];
    for target in &a.targets {
        let id = product.config.id_from_input(target);
        let kind = id.as_ref().and_then(|id| product.config.kind_of(id));
        let Some((_, _, list)) = lists.iter_mut().find(|(_, k, _)| Some(*k) == kind) else {
            return Err(Error::bad_argument(format!("`{target}` is not a story or epic ID")).with_hint(format!(
                "feedback supports stories ({}-12) and epics ({}-3)",
                product.config.prefix(Kind::Story),
                product.config.prefix(Kind::Epic)
            )));
        };
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        if remove {
            if !list.contains(&id) {
                return Err(Error::bad_argument(format!("{} is not linked to {id}", item.id))
                    .with_hint(format!("see what it supports: pm feedback show {}", item.id)));
            }
            list.retain(|l| *l != id);
        } else {
            // A story or epic that does not exist is refused (as `set` refuses it).
            product.get(&id, kind.expect("found above"))?;
            if !list.contains(&id) {
                list.push(id);
            }
        }
    }
    let pairs: Vec<(String, String)> = lists
        .iter()
        .filter(|(key, _, list)| item.list(key).ok().as_ref() != Some(list))
        .map(|(key, _, list)| (key.to_string(), list.join(",")))
        .collect();
    if pairs.is_empty() {
        return ctx.say(&format!("{} unchanged: it is linked to each already", item.id));
    }
    let changed = crate::ops::set::set(&mut tx, item, &pairs, false)?;
    crate::cli::set::report(ctx, &changed)
}
