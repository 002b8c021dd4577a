//! `pm init`: create the product folder.

use std::path::Path;

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::model::config::Config;
use crate::model::layout::{BACKLOG_FILE, CONFIG_FILE, PRODUCT_DIR, ROADMAP_FILE};
use crate::model::listfile::ListFile;
use crate::store::setup;
use crate::store::transaction::Changes;

/// Create product/ with a vision, an empty backlog and roadmap, and pm.yaml
///
/// pm.yaml has every default written out, with comments. Also the .gitattributes line (and, in a
/// git repository, the .git/config driver) that let git merge product files by item, field and
/// criterion.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm init --name \"Tandem\"\n  pm init --name \"Tandem\" --agents")]
pub struct Args {
    /// The product's name (default: the folder's name)
    #[arg(long)]
    name: Option<String>,
    /// Also write instructions for coding agents into AGENTS.md beside product/ (see `pm agents`)
    #[arg(long)]
    agents: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<()> {
    // Like `git init`: the product goes where pm runs (or -C DIR); the .gitattributes beside
    // it names the list files relative to itself, so this works in a sub-folder of a repo too.
    let top = ctx.cwd.clone();
    let root = top.join(PRODUCT_DIR);
    if root.exists() {
        return Err(Error::AlreadyInitialized { path: root });
    }
    if let Ok(existing) = crate::store::product::Product::locate(&ctx.cwd)
        && ctx.cwd.starts_with(&existing.root)
    {
        return Err(Error::AlreadyInitialized { path: existing.root });
    }
    // A product above (this is a sub-folder of a product's project): pm run here will use the
    // new one, pm run elsewhere the old one; both may be meant (a monorepo), but say so.
    let above = crate::store::product::Product::locate(&ctx.cwd).ok().map(|p| p.root);
    let name = match args.name {
        Some(n) if n.trim().is_empty() => {
            return Err(Error::bad_argument("--name is empty").with_hint("e.g. pm init --name \"Tandem\""));
        }
        Some(n) => n.trim().to_string(),
        None => top.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "Product".into()),
    };
    let vision = format!(
        "---\nid: V-1\ntitle: {}\nstatus: active\nmetrics: []\n---\n\nWho is {name} for, what problem does it solve for them, and what does success look like?\n",
        crate::model::frontmatter::yaml_scalar(&name)
    );
    let mut tx = Changes::new();
    tx.create(root.join(CONFIG_FILE), Config::default_file(&name));
    tx.create(
        root.join("visions").join(format!("V-1-{}.md", crate::model::id::slug(&name)).replace("-.md", ".md")),
        vision,
    );
    tx.create(root.join(BACKLOG_FILE), ListFile::new_backlog());
    tx.create(root.join(ROADMAP_FILE), ListFile::new_roadmap());
    let attributes = setup::attributes_path(&root);
    let current = std::fs::read_to_string(&attributes).unwrap_or_default();
    if let Some(text) = setup::attributes_with_driver(&current) {
        tx.write(&attributes, text);
    }
    let agents = if args.agents { Some(crate::cli::agents::stage(&mut tx, &top)?) } else { None };
    tx.commit()?;
    // In a git repository, this clone merges product files with pm from now on.
    if let Ok(product) = crate::store::product::Product::locate(&ctx.cwd)
        && let Some(repo) = crate::store::repo::Repo::discover(&product)
    {
        setup::register_driver(&repo)?;
    }
    let shown = |p: &Path| p.strip_prefix(&ctx.cwd).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf());
    if let Some(said) = agents {
        ctx.say(said)?;
    }
    if let Some(above) = above {
        let up = ctx.cwd.strip_prefix(above.parent().unwrap_or(&above)).map_or(0, |p| p.components().count());
        let shown_above = match above.file_name() {
            Some(name) if up > 0 => Path::new(&"../".repeat(up)).join(name),
            _ => above.clone(),
        };
        ctx.warn(&format!(
            "{} already holds a product: pm run in this folder (and below it) now uses the new one, pm run elsewhere that one",
            shown_above.display()
        ));
    }
    ctx.say(&format!(
        "Created {} for {name}\nNext: pm epic add \"An epic\" --vision V-1, then pm story add \"A story\" --epic E-1",
        shown(&root).display()
    ))
}
