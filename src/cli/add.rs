//! `pm vision|epic|story add`: create an item.

use crate::cli::{Ctx, editor};
use crate::error::Result;
use crate::model::id::Kind;
use crate::ops::Placement;
use crate::ops::add::{Created, NewItem, prepare};

/// Fields every kind of item takes.
#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// The title (one line)
    pub(crate) title: String,
    /// Initial status (default from pm.yaml)
    #[arg(long)]
    pub(crate) status: Option<String>,
    /// Who owns it
    #[arg(long)]
    pub(crate) owner: Option<String>,
    /// A label; repeat for several (--label auth --label email), or separate with commas
    #[arg(long = "label", value_name = "LABEL")]
    pub(crate) labels: Vec<String>,
    /// Open the new file in $VISUAL or $EDITOR before it is saved
    #[arg(long)]
    pub(crate) edit: bool,
}

/// Create a story and append it to the backlog.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  pm story add \"Reset password by email\" --epic E-2 --priority high --points 3 \\\n    --as \"registered member\" --want \"to reset my password by email\" \\\n    --so-that \"I can get back into my account\" \\\n    --ac \"Given a registered email, when I ask for a reset, then a link is sent\""
)]
pub struct StoryArgs {
    #[command(flatten)]
    common: Common,
    /// The epic it belongs to (an epic ID)
    #[arg(long, add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    epic: Option<String>,
    /// Priority (critical, high, medium, low by default)
    #[arg(long)]
    priority: Option<String>,
    /// Estimate, on the points scale of pm.yaml
    #[arg(long)]
    points: Option<String>,
    /// A story it depends on; repeat for several
    #[arg(long = "depends-on", value_name = "STORY")]
    depends_on: Vec<String>,
    /// An acceptance criterion; repeat for several (AC-1, AC-2, ...)
    #[arg(long = "ac", value_name = "TEXT")]
    criteria: Vec<String>,
    /// User-story role: "As a ROLE, ..."
    #[arg(long = "as", value_name = "ROLE", requires = "want")]
    role: Option<String>,
    /// User-story goal: "..., I want GOAL, ..."
    #[arg(long, value_name = "GOAL", requires = "role")]
    want: Option<String>,
    /// User-story benefit: "..., so that BENEFIT."
    #[arg(long = "so-that", value_name = "BENEFIT", requires = "want")]
    so_that: Option<String>,
    /// The sprint it joins (a sprint ID)
    #[arg(long)]
    sprint: Option<String>,
    /// Put it at the top of the backlog instead of the bottom
    #[arg(long, conflicts_with_all = ["before", "after", "to"])]
    top: bool,
    /// Put it just above this story in the backlog
    #[arg(long, value_name = "STORY", conflicts_with_all = ["after", "to"], add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    before: Option<String>,
    /// Put it just below this story in the backlog
    #[arg(long, value_name = "STORY", conflicts_with = "to", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    after: Option<String>,
    /// Put it at this rank (1 is the top)
    #[arg(long, value_name = "N")]
    to: Option<usize>,
}

/// Create an epic and put it on the roadmap.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  pm epic add \"Bank sync\" --vision V-1 --horizon next --owner maya")]
pub struct EpicArgs {
    #[command(flatten)]
    common: Common,
    /// The vision it serves (a vision ID)
    #[arg(long)]
    vision: Option<String>,
    /// Roadmap horizon: now, next or later
    #[arg(long, default_value = "later", value_name = "HORIZON")]
    horizon: String,
    /// The date it is promised for (YYYY-MM-DD); pm roadmap shows it beside its forecast
    #[arg(long, value_name = "DATE")]
    target: Option<String>,
    /// Put it first in its horizon instead of last
    #[arg(long)]
    top: bool,
}

/// Create a vision.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  pm vision add \"Money without awkward conversations\" --owner maya")]
pub struct VisionArgs {
    #[command(flatten)]
    common: Common,
}

fn labels(raw: &[String]) -> Vec<String> {
    raw.iter().flat_map(|l| l.split(',')).map(|l| l.trim().to_string()).collect()
}

pub(crate) fn base(c: &Common) -> NewItem {
    NewItem {
        title: c.title.clone(),
        status: c.status.clone(),
        owner: c.owner.clone(),
        labels: labels(&c.labels),
        ..NewItem::default()
    }
}

pub fn run_story(ctx: &Ctx, a: StoryArgs) -> Result<()> {
    let new = NewItem {
        epic: a.epic,
        priority: a.priority,
        points: a.points,
        depends_on: a.depends_on.iter().flat_map(|d| d.split(',')).map(|d| d.trim().to_string()).collect(),
        criteria: a.criteria,
        user_story: a.role.zip(a.want).map(|(r, w)| (r, w, a.so_that)),
        placement: Some(match (a.top, a.before, a.after, a.to) {
            (true, ..) => Placement::Top,
            (_, Some(s), ..) => Placement::Before(s),
            (_, _, Some(s), _) => Placement::After(s),
            (_, _, _, Some(n)) => Placement::To(n.max(1)),
            _ => Placement::Bottom,
        }),
        sprint: a.sprint,
        ..base(&a.common)
    };
    create(ctx, Kind::Story, &new, a.common.edit)
}

pub fn run_epic(ctx: &Ctx, a: EpicArgs) -> Result<()> {
    let target = a.target.as_deref().map(|t| crate::ops::values::date("--target", t)).transpose()?;
    let new = NewItem {
        target: target.map(|t| t.to_string()),
        vision: a.vision,
        horizon: Some(a.horizon),
        placement: Some(if a.top { Placement::Top } else { Placement::Bottom }),
        ..base(&a.common)
    };
    create(ctx, Kind::Epic, &new, a.common.edit)
}

pub fn run_vision(ctx: &Ctx, a: VisionArgs) -> Result<()> {
    create(ctx, Kind::Vision, &base(&a.common), a.common.edit)
}

pub(crate) fn create(ctx: &Ctx, kind: Kind, new: &NewItem, edit: bool) -> Result<()> {
    let product = ctx.product()?;
    let kept = std::cell::RefCell::new(None);
    let hook = |text: &str| -> Result<String> {
        let (session, edited) = editor::edit(text, &format!("new-{kind}.md"))?;
        *kept.borrow_mut() = Some(session);
        Ok(edited)
    };
    // The editor runs before the lock is taken; the ID is allocated under it.
    let result = prepare(&product, kind, new, if edit { Some(&hook) } else { None })
        .and_then(|prepared| prepared.create(&mut ctx.transaction(&product)?));
    let Created { id, path, item } = match result {
        Ok(c) => c,
        Err(e) => {
            return Err(match kept.borrow_mut().take() {
                Some(session) => editor::keep_on_error(session, e),
                None => e,
            });
        }
    };
    // Links are read by no command; their numbers were skipped. Say so where they were seen.
    for link in product.symlinks() {
        ctx.warn(&format!(
            "{}: is a symbolic link, which pm does not read (`pm check`: file/symlink); its number was not given to {id}",
            product.shown(link).display()
        ));
    }
    // A story without criteria fails `pm check` (unless the team turned the rule off): say so
    // now, with the command that adds one.
    if kind == Kind::Story {
        let rule = "story/no-acceptance-criteria";
        if item.criteria.items.is_empty()
            && crate::check::severity(&product.config, rule) != crate::model::severity::Severity::Off
        {
            ctx.warn(&format!(
                "{id} has no acceptance criteria yet, which `pm check` reports ({rule}); add one: pm ac add {id} \"Given ..., when ..., then ...\""
            ));
        }
    }
    if ctx.quiet {
        // Scripts capture the new ID: `id=$(pm -q story add ...)`.
        return crate::cli::output::print(&format!("{id}\n"));
    }
    if let Some(epic) = new.epic.as_deref().and_then(|e| product.get(e, Kind::Epic).ok())
        && product.config.is_closed(&epic.status)
    {
        ctx.warn(&format!("{} is {}; the new story belongs to a closed epic", epic.id, epic.status));
    }
    ctx.say(&format!("Created {id} {}", product.shown(&path).display()))
}
