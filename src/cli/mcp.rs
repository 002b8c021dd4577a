//! `pm mcp`: a Model Context Protocol server over stdio, for coding agents.
//!
//! Each tool is one pm command: the server runs this same `pm` binary with the tool's
//! arguments turned into a command line, so a tool returns exactly what the command's
//! `--format json` prints and every write goes through the command's own locked, atomic,
//! byte-preserving path. A write tool returns the item as `pm ... show --format json` shows it
//! afterwards. A command's error (its stderr: what is wrong, `file:line`, the hint) comes back
//! as the tool's error result. stdout carries the protocol; nothing else is printed there.

use std::path::PathBuf;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::model::config::Config;
use crate::model::id::Kind;

/// Run a Model Context Protocol server on stdio, for coding agents
///
/// The tools: list_items, search_items, show_item, backlog, add_story, add_criterion,
/// set_fields, check_criterion, rank_story, check_product, diff, history. Each returns the JSON
/// of the pm command it runs (`--format json`), and each write is that command's own careful
/// edit. `pm agents` prints instructions for agents; docs/agents.md shows client setups.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm mcp\n  claude mcp add pm -- pm -C /path/to/repo mcp")]
pub struct Args {}

pub fn run(ctx: &Ctx, _a: Args) -> Result<()> {
    // The product is found now, so a server started in the wrong folder says so at once.
    let product = ctx.product()?;
    let exe = std::env::current_exe().map_err(|e| Error::bad_argument(format!("cannot find pm's own binary: {e}")))?;
    let server =
        Server { exe, root: product.root.clone(), config: product.config.clone(), router: Server::tool_router() };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::bad_argument(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| Error::bad_argument(format!("MCP: the client's handshake failed: {e}")))?;
        running.waiting().await.map_err(|e| Error::bad_argument(format!("MCP: {e}")))?;
        Ok(())
    })
}

#[derive(Clone)]
struct Server {
    exe: PathBuf,
    root: PathBuf,
    config: Config,
    router: ToolRouter<Server>,
}

/// `--flag=VALUE`: one word, so a value that starts with `-` is a value, never a flag.
fn push_opt(args: &mut Vec<String>, flag: &str, value: &Option<String>) {
    if let Some(v) = value {
        args.push(format!("{flag}={v}"));
    }
}

/// The positional arguments after `--`, so none of them (a title, an ID) is read as a flag.
fn positionals(args: &mut Vec<String>, values: impl IntoIterator<Item = String>) {
    args.push("--".into());
    args.extend(values);
}

/// A command that succeeded: its stdout, and what it said on stderr (warnings).
struct Said {
    out: String,
    warnings: String,
}

impl Said {
    /// The tool's result: the command's output, then its warnings as a second text, if any.
    fn result(self) -> CallToolResult {
        with_warnings(CallToolResult::success(vec![ContentBlock::text(self.out)]), &self.warnings)
    }
}

fn with_warnings(mut result: CallToolResult, warnings: &str) -> CallToolResult {
    if !warnings.is_empty() {
        result.content.push(ContentBlock::text(format!("pm warned:\n{warnings}")));
    }
    result
}

fn failed(text: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text.into())])
}

impl Server {
    /// Run `pm -C ROOT ARGS...`: its stdout on success, its stderr as the tool's error. Exit
    /// codes in `ok` count as success (`pm check` exits 1 when it has findings to report).
    async fn pm(&self, args: &[String], ok: &[i32]) -> std::result::Result<Said, CallToolResult> {
        let out = tokio::process::Command::new(&self.exe)
            .arg("-C")
            .arg(&self.root)
            .args(["--color", "never"])
            .args(args)
            .env("NO_COLOR", "1")
            .env("EDITOR", "false")
            .env_remove("VISUAL")
            // Not the job summary on every tool call in CI, and never a completion request.
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("PM_COMPLETE")
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .map_err(|e| failed(format!("cannot run pm: {e}")))?;
        let code = out.status.code().unwrap_or(-1);
        if ok.contains(&code) {
            Ok(Said {
                out: String::from_utf8_lossy(&out.stdout).into_owned(),
                warnings: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
            })
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            Err(failed(format!("`pm {}` failed (exit {code}):\n{}", args.join(" "), err.trim_end())))
        }
    }

    async fn json(&self, args: Vec<String>, ok: &[i32]) -> CallToolResult {
        match self.pm(&args, ok).await {
            Ok(said) => said.result(),
            Err(e) => e,
        }
    }

    fn kind(&self, id: &str) -> std::result::Result<Kind, CallToolResult> {
        let kind = self.config.id_from_input(id).and_then(|i| self.config.kind_of(&i));
        kind.ok_or_else(|| {
            let prefixes: Vec<String> = Kind::ALL.iter().map(|k| format!("{}-N", self.config.prefix(*k))).collect();
            failed(format!("`{id}` is not an item ID of this product; IDs look like {}", prefixes.join(", ")))
        })
    }

    /// `pm KIND show ID --format json`: what a write tool returns.
    async fn show(&self, id: &str) -> CallToolResult {
        match self.kind(id) {
            Ok(kind) => {
                self.json(vec![kind.name().into(), "show".into(), "--format=json".into(), "--".into(), id.into()], &[0])
                    .await
            }
            Err(e) => e,
        }
    }

    /// Run a write command, then show the item it changed (the command's stdout names it
    /// when `id` is None: `pm -q story add` prints the new ID).
    async fn write_then_show(&self, args: Vec<String>, id: Option<&str>) -> CallToolResult {
        match self.pm(&args, &[0]).await {
            Ok(said) => {
                let id = id.map(str::to_string).unwrap_or_else(|| said.out.trim().to_string());
                let mut shown = self.show(&id).await;
                // The write is done: a show that fails after it must not read as a failed write
                // (a retry would add the story twice).
                if shown.is_error == Some(true) {
                    let why: Vec<String> =
                        shown.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect();
                    shown = CallToolResult::success(vec![ContentBlock::text(format!(
                        "done ({id}); showing it afterwards failed:\n{}",
                        why.join("\n")
                    ))]);
                }
                // What the write warned about (a story without criteria, say) comes too.
                with_warnings(shown, &said.warnings)
            }
            Err(e) => e,
        }
    }
}

/// A field's value as an agent sends it: text, a number (`"points": 3`), true/false, or null
/// (which removes the field, as an empty text does).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Flag(bool),
    Nothing(()),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Text(t) => f.write_str(t),
            Scalar::Number(n) => write!(f, "{n}"),
            Scalar::Flag(b) => write!(f, "{b}"),
            Scalar::Nothing(()) => Ok(()),
        }
    }
}

/// A kind of item, as the tools name it.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum ItemKind {
    #[default]
    Story,
    Epic,
    Vision,
    Sprint,
    Feedback,
}

impl ItemKind {
    fn command(self) -> &'static str {
        match self {
            ItemKind::Story => "story",
            ItemKind::Epic => "epic",
            ItemKind::Vision => "vision",
            ItemKind::Sprint => "sprint",
            ItemKind::Feedback => "feedback",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListParams {
    /// story (default), epic, vision, sprint or feedback
    kind: Option<ItemKind>,
    /// Only items with one of these statuses
    #[serde(default)]
    status: Vec<String>,
    /// Only open items
    #[serde(default)]
    open: bool,
    /// Only stories of this epic
    epic: Option<String>,
    /// Only items with this label
    label: Option<String>,
    /// Only items owned by this person
    owner: Option<String>,
    /// Only stories with this priority
    priority: Option<String>,
    /// Only stories of this sprint, or "none"
    sprint: Option<String>,
    /// Only items whose ID, title, description or criteria contain this text (ignoring case)
    search: Option<String>,
    /// At most this many (stories in backlog order)
    limit: Option<usize>,
}

impl ListParams {
    fn args(&self) -> Vec<String> {
        let mut args = vec![self.kind.unwrap_or_default().command().to_string(), "list".into()];
        for s in &self.status {
            args.push(format!("--status={s}"));
        }
        if self.open {
            args.push("--open".into());
        }
        push_opt(&mut args, "--epic", &self.epic);
        push_opt(&mut args, "--label", &self.label);
        push_opt(&mut args, "--owner", &self.owner);
        push_opt(&mut args, "--priority", &self.priority);
        push_opt(&mut args, "--sprint", &self.sprint);
        push_opt(&mut args, "--search", &self.search);
        push_opt(&mut args, "--limit", &self.limit.map(|n| n.to_string()));
        args.extend(["--format".into(), "json".into()]);
        args
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    /// The text to find in IDs, titles, descriptions and criteria (ignoring case)
    text: String,
    /// story (default), epic, vision, sprint or feedback
    kind: Option<ItemKind>,
    /// Only open items
    #[serde(default)]
    open: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct IdParams {
    /// An item ID: S-12, E-3, V-1, SP-2
    id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AddStoryParams {
    /// The story's title
    title: String,
    /// Acceptance criteria, each a testable sentence ("Given ..., when ..., then ...")
    #[serde(default)]
    criteria: Vec<String>,
    /// The epic it belongs to
    epic: Option<String>,
    /// Priority (critical, high, medium, low by default)
    priority: Option<String>,
    /// Estimate, on the product's points scale
    points: Option<Scalar>,
    /// User-story role: "As a ROLE, ..."
    as_a: Option<String>,
    /// User-story goal: "..., I want GOAL, ..."
    want: Option<String>,
    /// User-story benefit: "..., so that BENEFIT."
    so_that: Option<String>,
    /// Labels
    #[serde(default)]
    labels: Vec<String>,
    /// Put it at the top of the backlog (default: the bottom)
    #[serde(default)]
    top: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AddCriterionParams {
    /// The story's ID
    id: String,
    /// The criterion: a testable sentence ("Given ..., when ..., then ...")
    text: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SetParams {
    /// The item's ID
    id: String,
    /// Fields to set, e.g. {"status": "ready", "points": 3}; an empty value or null removes a field
    fields: std::collections::BTreeMap<String, Scalar>,
    /// Add a field that is neither pm's nor in pm.yaml's custom_fields (refused as a likely
    /// typo otherwise)
    #[serde(default)]
    force: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CriterionParams {
    /// The story's ID
    id: String,
    /// The criterion: AC-1, AC-2, ...
    ac: String,
    /// true to tick it (met), false to untick it
    checked: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RankParams {
    /// The story to move
    id: String,
    /// Move to the top
    #[serde(default)]
    top: bool,
    /// Move to the bottom
    #[serde(default)]
    bottom: bool,
    /// Move just above this story
    before: Option<String>,
    /// Move just below this story
    after: Option<String>,
    /// Move to this rank (1 is the top)
    to: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CheckParams {
    /// Report only findings in items added or changed since the merge-base with this revision
    changed_since: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DiffParams {
    /// From this revision or date, or a range A...B (default: the merge-base with the default branch)
    base: Option<String>,
    /// To this revision or date (default: the working tree)
    head: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct HistoryParams {
    /// Only these items (their whole life); none: the priority history of the product
    #[serde(default)]
    ids: Vec<String>,
    /// Only changes since this date or revision
    since: Option<String>,
    /// Every kind of change (fields, criteria, descriptions), not only the priority history
    #[serde(default)]
    all_fields: bool,
}

#[tool_router]
impl Server {
    #[tool(
        description = "List items (stories by default, in backlog order) with filters. Returns the JSON array of `pm story list --format json`."
    )]
    async fn list_items(
        &self,
        Parameters(p): Parameters<ListParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        Ok(self.json(p.args(), &[0]).await)
    }

    #[tool(
        description = "Find items whose ID, title, description or acceptance criteria contain a text (ignoring case)."
    )]
    async fn search_items(
        &self,
        Parameters(p): Parameters<SearchParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        let list = ListParams {
            kind: p.kind,
            status: vec![],
            open: p.open,
            epic: None,
            label: None,
            owner: None,
            priority: None,
            sprint: None,
            search: Some(p.text),
            limit: None,
        };
        Ok(self.json(list.args(), &[0]).await)
    }

    #[tool(
        description = "Show one item (story, epic, vision, sprint or feedback) by ID: fields, description, acceptance criteria, links."
    )]
    async fn show_item(&self, Parameters(p): Parameters<IdParams>) -> std::result::Result<CallToolResult, ErrorData> {
        Ok(self.show(&p.id).await)
    }

    #[tool(description = "The ordered backlog of open stories, highest priority first.")]
    async fn backlog(&self) -> std::result::Result<CallToolResult, ErrorData> {
        Ok(self.json(vec!["backlog".into(), "--format".into(), "json".into()], &[0]).await)
    }

    #[tool(description = "Create a story with acceptance criteria and add it to the backlog. Returns the new story.")]
    async fn add_story(
        &self,
        Parameters(p): Parameters<AddStoryParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        let mut args = vec!["-q".into(), "story".into(), "add".into()];
        for ac in p.criteria {
            args.push(format!("--ac={ac}"));
        }
        push_opt(&mut args, "--epic", &p.epic);
        push_opt(&mut args, "--priority", &p.priority);
        push_opt(&mut args, "--points", &p.points.map(|v| v.to_string()));
        push_opt(&mut args, "--as", &p.as_a);
        push_opt(&mut args, "--want", &p.want);
        push_opt(&mut args, "--so-that", &p.so_that);
        for l in p.labels {
            args.push(format!("--label={l}"));
        }
        if p.top {
            args.push("--top".into());
        }
        positionals(&mut args, [p.title]);
        Ok(self.write_then_show(args, None).await)
    }

    #[tool(description = "Add an acceptance criterion to a story (it gets the next AC-n). Returns the story.")]
    async fn add_criterion(
        &self,
        Parameters(p): Parameters<AddCriterionParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        let mut args = vec!["-q".into(), "ac".into(), "add".into()];
        positionals(&mut args, [p.id.clone(), p.text]);
        Ok(self.write_then_show(args, Some(&p.id)).await)
    }

    #[tool(
        description = "Set fields of an item (status, priority, points, owner, epic, labels, custom fields). Only those lines change. Returns the item."
    )]
    async fn set_fields(&self, Parameters(p): Parameters<SetParams>) -> std::result::Result<CallToolResult, ErrorData> {
        let kind = match self.kind(&p.id) {
            Ok(k) => k,
            Err(e) => return Ok(e),
        };
        if p.fields.is_empty() {
            return Ok(failed("give at least one field to set, e.g. {\"status\": \"ready\"}"));
        }
        if let Some(bad) = p.fields.keys().find(|k| k.is_empty() || k.contains('=') || k.starts_with('-')) {
            return Ok(failed(format!("`{bad}` is not a field name: a name has no `=` and does not start with `-`")));
        }
        let mut args = vec!["-q".into(), kind.name().into(), "set".into()];
        if p.force {
            args.push("--force".into());
        }
        positionals(&mut args, std::iter::once(p.id.clone()).chain(p.fields.iter().map(|(k, v)| format!("{k}={v}"))));
        Ok(self.write_then_show(args, Some(&p.id)).await)
    }

    #[tool(description = "Tick (checked: true) or untick an acceptance criterion of a story. Returns the story.")]
    async fn check_criterion(
        &self,
        Parameters(p): Parameters<CriterionParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        let verb = if p.checked { "check" } else { "uncheck" };
        let mut args = vec!["-q".into(), "ac".into(), verb.into()];
        positionals(&mut args, [p.id.clone(), p.ac]);
        Ok(self.write_then_show(args, Some(&p.id)).await)
    }

    #[tool(
        description = "Move a story in the backlog: top, bottom, before or after another story, or to a rank. Returns the story with its new rank."
    )]
    async fn rank_story(
        &self,
        Parameters(p): Parameters<RankParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        let mut args = vec!["-q".into(), "rank".into()];
        if p.top {
            args.push("--top".into());
        }
        if p.bottom {
            args.push("--bottom".into());
        }
        push_opt(&mut args, "--before", &p.before);
        push_opt(&mut args, "--after", &p.after);
        push_opt(&mut args, "--to", &p.to.map(|n| n.to_string()));
        positionals(&mut args, [p.id.clone()]);
        Ok(self.write_then_show(args, Some(&p.id)).await)
    }

    #[tool(
        description = "Check the product for problems (missing criteria, broken links, cycles, ...). Returns `pm check --format json`: a summary and the findings with file, line and a hint."
    )]
    async fn check_product(
        &self,
        Parameters(p): Parameters<CheckParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        let mut args = vec!["check".into(), "--format".into(), "json".into()];
        push_opt(&mut args, "--changed-since", &p.changed_since);
        Ok(self.json(args, &[0, 1]).await)
    }

    #[tool(
        description = "What changed in the product between two states (default: this branch's changes, including uncommitted ones): created items, moves, field and criteria changes."
    )]
    async fn diff(&self, Parameters(p): Parameters<DiffParams>) -> std::result::Result<CallToolResult, ErrorData> {
        let mut args = vec!["diff".into(), "--format=json".into()];
        positionals(&mut args, p.base.into_iter().chain(p.head));
        Ok(self.json(args, &[0]).await)
    }

    #[tool(
        description = "How the product changed over time, from git: who moved or changed what, when and why (commit messages)."
    )]
    async fn history(
        &self,
        Parameters(p): Parameters<HistoryParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        let mut args = vec!["history".into(), "--format=json".into()];
        push_opt(&mut args, "--since", &p.since);
        if p.all_fields {
            args.push("--all-fields".into());
        }
        positionals(&mut args, p.ids);
        Ok(self.json(args, &[0]).await)
    }
}

#[tool_handler(router = self.router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let mut info = Implementation::from_build_env();
        info.name = "pm".into();
        info.version = env!("CARGO_PKG_VERSION").into();
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(info)
            .with_instructions(crate::cli::agents::INSTRUCTIONS)
    }
}
