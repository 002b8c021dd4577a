//! `pm schema`: the JSON Schema of an item kind's front matter or of `pm.yaml`, under this
//! product's settings (statuses, priorities, points, prefixes, custom fields).

use crate::check::schema::Target;
use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::model::config::Config;
use crate::store::transaction::Changes;

/// Print the JSON Schema of a kind's front matter or of pm.yaml, or write them all with --out
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm schema story\n  pm schema --out .vscode/pm-schemas\n\nWith yaml-language-server (VS Code's YAML extension), point a file's front matter at its\nschema: docs/format.md#editor-schemas shows the settings."
)]
pub struct Args {
    /// vision, epic, story, sprint, feedback or config (pm.yaml)
    #[arg(value_parser = ["vision", "epic", "story", "sprint", "feedback", "config"])]
    target: Option<String>,
    /// Write every schema into DIR (KIND.schema.json, config.schema.json)
    #[arg(long, value_name = "DIR", conflicts_with = "target")]
    out: Option<std::path::PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    // Outside a product, the defaults (a schema for a product not made yet).
    let config = match ctx.product() {
        Ok(p) => p.config,
        Err(Error::NoProduct { .. }) => Config::default(),
        Err(e) => return Err(e),
    };
    let render = |t: Target| {
        serde_json::to_string_pretty(&t.schema(&config))
            .map(|s| format!("{s}\n"))
            .map_err(|e| Error::bad_argument(e.to_string()))
    };
    if let Some(dir) = a.out {
        let mut tx = Changes::new();
        let mut written = Vec::new();
        for t in Target::ALL {
            let path = dir.join(format!("{}.schema.json", t.name()));
            tx.write(&path, render(t)?);
            written.push(path.display().to_string());
        }
        tx.commit()?;
        return ctx.say(&format!("Wrote {}", written.join(", ")));
    }
    // (clap allows only the targets' names.)
    let target = match a.target.as_deref().and_then(|name| Target::ALL.into_iter().find(|t| t.name() == name)) {
        Some(t) => t,
        None => {
            return Err(Error::bad_argument("name what to describe, or --out DIR for every schema")
                .with_hint("pm schema story, pm schema config, pm schema --out schemas"));
        }
    };
    crate::cli::output::print_raw(&render(target)?)
}
