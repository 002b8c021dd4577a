//! A deterministic generator of realistic product folders and git histories, for benchmarks.
//!
//! `cargo run --release --example gen-product -- --stories 10000 --epics 500 --commits 5000 --seed 1 OUT`
//! writes `OUT/product/` in the format of the bundled example (`examples/tandem/product/`) and a
//! git history in `OUT/.git` whose commits do what teams do: import a backlog, add stories and
//! epics, reorder the backlog, move stories through their statuses, change priorities, check
//! acceptance criteria, move epics between roadmap horizons, rename a story now and then.
//!
//! Commits are written as git objects through git2: every file version is one blob written
//! once, trees are kept in memory and only the folders a commit changed are written again, and
//! the working tree is checked out once, at the end. The same arguments give the same bytes,
//! the same commits and the same object IDs: the randomness is a seeded splitmix64.
//!
//! The final state is valid: every open story is in the backlog once, every story has at least
//! one acceptance criterion, every link names an item that exists, dependencies only point to
//! lower story numbers (so they cannot form a cycle), a done story depends only on done stories,
//! and no story depends on a dropped one.
//!
//! Two flags give a different history shape. `--rank-every-commit` makes every commit also move
//! one backlog line, so every commit rewrites `product/backlog.md`. `--fast-import` writes the
//! history as a `git fast-import` stream piped to `git fast-import` (which must be on `PATH`)
//! instead of through git2: one pack with fast-import's own deltas (each object against the
//! previous version of its path), never repacked by `git gc`.
//!
//! This program is a benchmark tool, not part of `pm`; it uses `pm`'s library only to spell
//! slugs, YAML scalars and list lines exactly as `pm` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Parser;
use git2::{Oid, Repository, Signature, Time};
use pm::model::frontmatter::{yaml_flow_list, yaml_scalar};
use pm::model::id::slug;
use pm::model::listfile::ListFile;

/// Generate a product folder and its git history.
#[derive(Debug, Parser)]
#[command(name = "gen-product")]
struct Args {
    /// Stories in the final state
    #[arg(long, default_value_t = 1000)]
    stories: usize,
    /// Epics in the final state
    #[arg(long, default_value_t = 50)]
    epics: usize,
    /// Commits of history (0: write the folder only, no git repository)
    #[arg(long, default_value_t = 0)]
    commits: usize,
    /// Extra local branches, each forking from a recent commit and adding one story
    #[arg(long, default_value_t = 0)]
    branches: usize,
    /// Seed of the pseudo-random choices
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Make every commit also move one backlog line, so that every commit rewrites backlog.md
    #[arg(long)]
    rank_every_commit: bool,
    /// Write the history through `git fast-import` (one pack, not repacked) instead of git2
    #[arg(long, conflicts_with = "branches")]
    fast_import: bool,
    /// Output folder (created; must not hold a product/ or .git already)
    out: PathBuf,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("gen-product: {e}");
        std::process::exit(2);
    }
}

fn run(args: &Args) -> Result<(), String> {
    if args.stories == 0 || args.epics == 0 {
        return Err("--stories and --epics must be at least 1".into());
    }
    if args.branches > 0 && args.commits == 0 {
        return Err("--branches needs --commits 1 or more (branches need a history)".into());
    }
    if args.out.join("product").exists() || args.out.join(".git").exists() {
        return Err(format!("{} already holds a product/ or .git; choose an empty folder", args.out.display()));
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let started = std::time::Instant::now();
    let mut world = World::new(args);
    if args.commits == 0 {
        world.import(args.stories, args.epics);
        world.write_folder(&args.out)?;
    } else {
        let git = |e: git2::Error| format!("git: {e}");
        let repo = History::init(&args.out).map_err(git)?;
        let odb = repo.odb().map_err(git)?;
        // Objects go to memory first and reach the disk as one pack per batch of commits:
        // hundreds of thousands of loose object files would make the file system the bottleneck.
        let mempack = odb.add_new_mempack_backend(999).map_err(git)?;
        let sink = if args.fast_import { Sink::fast_import(&args.out).map_err(git)? } else { Sink::Git2 };
        let mut history = History::new(&repo, &odb, &mempack, sink);
        world.run_history(args, &mut history).map_err(git)?;
        history.finish(&world, args).map_err(git)?;
    }
    let open = world.backlog.len();
    eprintln!(
        "gen-product: {} stories ({open} open), {} epics, {} visions, {} commits, {} branches in {:.1}s",
        world.stories.len(),
        world.epics.len(),
        world.visions.len(),
        args.commits,
        args.branches,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast, and good enough to vary benchmark data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index chosen with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = (self.next() % u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const PEOPLE: [(&str, &str); 8] = [
    ("maya", "Maya Okafor"),
    ("priya", "Priya Raman"),
    ("jonas", "Jonas Berg"),
    ("aisha", "Aisha Haddad"),
    ("tomas", "Tomás Silva"),
    ("lena", "Lena Fischer"),
    ("omar", "Omar Farouk"),
    ("kenji", "Kenji Sato"),
];
/// Minutes east of UTC, per person.
const TZ: [i32; 8] = [0, 330, 60, 240, -180, 60, 120, 540];
const AUTHOR_WEIGHTS: [u32; 8] = [30, 22, 14, 12, 8, 6, 5, 3];

const STATUSES: [&str; 5] = ["draft", "ready", "in-progress", "done", "dropped"];
const DRAFT: u8 = 0;
const READY: u8 = 1;
const IN_PROGRESS: u8 = 2;
const DONE: u8 = 3;
const DROPPED: u8 = 4;
const PRIORITIES: [&str; 4] = ["critical", "high", "medium", "low"];
const POINTS: [u8; 7] = [1, 2, 3, 5, 8, 13, 21];
const HORIZONS: [&str; 3] = ["Now", "Next", "Later"];

const VERBS: [&str; 24] = [
    "Export",
    "Import",
    "Archive",
    "Share",
    "Filter",
    "Search",
    "Duplicate",
    "Tag",
    "Preview",
    "Sort",
    "Bulk edit",
    "Restore",
    "Schedule",
    "Comment on",
    "Pin",
    "Merge",
    "Lock",
    "Approve",
    "Assign",
    "Rename",
    "Subscribe to",
    "Print",
    "Compare",
    "Sync",
];
const OBJECTS: [&str; 24] = [
    "invoices",
    "reports",
    "projects",
    "tasks",
    "files",
    "comments",
    "dashboards",
    "contacts",
    "teams",
    "API tokens",
    "webhooks",
    "calendar events",
    "expenses",
    "orders",
    "support tickets",
    "templates",
    "notes",
    "forms",
    "survey results",
    "time entries",
    "purchase orders",
    "release notes",
    "customer accounts",
    "saved views",
];
const QUALIFIERS: [&str; 24] = [
    "",
    "from the mobile app",
    "in bulk",
    "by date range",
    "with keyboard shortcuts",
    "while offline",
    "as CSV",
    "as PDF",
    "for guests",
    "across workspaces",
    "from email",
    "on a schedule",
    "with an audit trail",
    "for admins only",
    "without reloading the page",
    "by owner",
    "with a shareable link",
    "from Slack",
    "in under a second",
    "for a whole team",
    "with undo",
    "from the command palette",
    "in the activity feed",
    "per workspace",
];
const ROLES: [&str; 12] = [
    "workspace admin",
    "new user",
    "project manager",
    "guest",
    "billing owner",
    "support agent",
    "developer",
    "finance lead",
    "mobile user",
    "auditor",
    "team lead",
    "occasional user",
];
const BENEFITS: [&str; 12] = [
    "I save time every week",
    "nothing gets lost between tools",
    "my team sees the same numbers",
    "I can work from wherever I am",
    "we pass our compliance review",
    "I do not have to ask an admin",
    "customers get answers faster",
    "mistakes are caught before they spread",
    "I can trust what I see",
    "the monthly close takes one day instead of three",
    "new colleagues find their way on their own",
    "I stop keeping a spreadsheet on the side",
];
const CONTEXTS: [&str; 14] = [
    "a workspace with 500 members",
    "I am signed in as a guest",
    "my connection drops halfway",
    "two people edit the same item at once",
    "the list holds more than 10,000 entries",
    "I have no permission on the project",
    "the item was archived last week",
    "my language is set to German",
    "a webhook is configured",
    "I use a screen reader",
    "the export is larger than 50 MB",
    "the account's trial has ended",
    "I selected 25 items",
    "a filter is already applied",
];
const OUTCOMES: [&str; 14] = [
    "the change is visible to everyone within 2 seconds",
    "I see a confirmation with an undo link for 10 seconds",
    "nothing is saved and I see why in one sentence",
    "the result opens in a new tab",
    "an entry is written to the audit log with my name",
    "the owner receives an email",
    "the page stays responsive and shows progress",
    "the items keep their order",
    "I see \"You don't have access to this project\" and a link to ask for it",
    "the totals match the finance report to the cent",
    "the file downloads with the workspace's name and today's date",
    "the same action is offered in the mobile app",
    "keyboard focus returns to where it was",
    "a retry happens automatically within a minute",
];
const LABELS: [&str; 32] = [
    "onboarding",
    "billing",
    "search",
    "mobile",
    "api",
    "export",
    "import",
    "permissions",
    "notifications",
    "performance",
    "accessibility",
    "reporting",
    "integrations",
    "security",
    "audit",
    "offline",
    "collaboration",
    "settings",
    "i18n",
    "design-debt",
    "customer-request",
    "enterprise",
    "growth",
    "retention",
    "email",
    "slack",
    "files",
    "dashboards",
    "compliance",
    "sync",
    "admin",
    "quick-win",
];
const THEMES: [&str; 20] = [
    "Workspace",
    "Billing",
    "Search",
    "Mobile",
    "Public API",
    "Reporting",
    "Permissions",
    "Notifications",
    "Integrations",
    "Audit",
    "Offline",
    "Onboarding",
    "Collaboration",
    "Imports",
    "Exports",
    "Dashboards",
    "Security",
    "Accessibility",
    "Localisation",
    "Performance",
];
const EPIC_KINDS: [&str; 12] = [
    "foundations",
    "for enterprise customers",
    "overhaul",
    "on mobile",
    "self-service",
    "at scale",
    "v2",
    "for small teams",
    "clean-up",
    "insights",
    "automation",
    "reliability",
];
const VISION_TITLES: [&str; 5] = [
    "Every team runs its week from one place",
    "Answers before anyone has to ask",
    "Trusted by the largest customers",
    "Useful in the first five minutes",
    "Works wherever the work happens",
];

// ---------------------------------------------------------------------------------------------
// The product's state

struct Vision {
    num: usize,
    title: String,
    owner: usize,
}

struct Epic {
    num: usize,
    title: String,
    status: &'static str,
    vision: usize,
    owner: usize,
    labels: Vec<usize>,
    file: String,
}

struct Criterion {
    num: u32,
    checked: bool,
    text: String,
}

struct Story {
    num: usize,
    title: String,
    status: u8,
    epic: usize,
    priority: u8,
    points: Option<u8>,
    owner: usize,
    labels: Vec<usize>,
    depends_on: Vec<usize>,
    role: usize,
    benefit: usize,
    criteria: Vec<Criterion>,
    notes: Option<String>,
    file: String,
    /// How many stories depend on this one (a story others depend on is never dropped).
    dependents: usize,
}

impl Story {
    fn is_open(&self) -> bool {
        self.status != DONE && self.status != DROPPED
    }
}

/// What changed in one step, for the commit.
#[derive(Default)]
struct Touched {
    stories: Vec<usize>,
    epics: Vec<usize>,
    backlog: bool,
    roadmap: bool,
    /// Files that went away (renames).
    removed: Vec<String>,
}

struct World {
    rng: Rng,
    visions: Vec<Vision>,
    epics: Vec<Epic>,
    stories: Vec<Story>,
    /// Open story numbers, most important first.
    backlog: Vec<usize>,
    /// Open epic numbers per horizon.
    roadmap: [Vec<usize>; 3],
    /// The highest story number handed out (main and branches).
    highest_story: usize,
}

fn item_id(prefix: &str, num: usize) -> String {
    format!("{prefix}-{num}")
}

fn file_name(prefix: &str, num: usize, title: &str) -> String {
    let s = slug(title);
    if s.is_empty() { format!("{prefix}-{num}.md") } else { format!("{prefix}-{num}-{s}.md") }
}

impl World {
    fn new(args: &Args) -> World {
        World {
            rng: Rng(args.seed ^ 0x005E_ED0F_B0A7),
            visions: Vec::new(),
            epics: Vec::new(),
            stories: Vec::new(),
            backlog: Vec::new(),
            roadmap: [Vec::new(), Vec::new(), Vec::new()],
            highest_story: 0,
        }
    }

    fn story_title(&mut self) -> String {
        let verb = *self.rng.pick(&VERBS);
        let object = *self.rng.pick(&OBJECTS);
        let qualifier = *self.rng.pick(&QUALIFIERS);
        if qualifier.is_empty() { format!("{verb} {object}") } else { format!("{verb} {object} {qualifier}") }
    }

    fn criterion_text(&mut self, title: &str) -> String {
        let context = *self.rng.pick(&CONTEXTS);
        let outcome = *self.rng.pick(&OUTCOMES);
        let mut action = title.to_string();
        if let Some(first) = action.get(..1) {
            action = format!("{}{}", first.to_lowercase(), &action[1..]);
        }
        format!("Given {context}, when I {action}, then {outcome}.")
    }

    fn labels(&mut self, min: usize, max: usize) -> Vec<usize> {
        let n = self.rng.range(min, max);
        let mut labels: Vec<usize> = Vec::new();
        while labels.len() < n {
            let l = self.rng.below(LABELS.len());
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
        labels
    }

    fn add_vision(&mut self) -> usize {
        let num = self.visions.len() + 1;
        let title = VISION_TITLES[(num - 1) % VISION_TITLES.len()].to_string();
        let owner = self.rng.below(3);
        self.visions.push(Vision { num, title, owner });
        num
    }

    /// A new epic; `done` ones are off the roadmap.
    fn add_epic(&mut self, done: bool) -> usize {
        let num = self.epics.len() + 1;
        let theme = THEMES[self.rng.below(THEMES.len())];
        let kind = EPIC_KINDS[(num + self.rng.below(3)) % EPIC_KINDS.len()];
        let title = format!("{theme} {kind}");
        let vision = 1 + self.rng.below(self.visions.len());
        let owner = self.rng.weighted(&AUTHOR_WEIGHTS);
        let labels = self.labels(1, 2);
        let status = if done {
            "done"
        } else if self.rng.chance(35) {
            "active"
        } else {
            "proposed"
        };
        let file = file_name("E", num, &title);
        self.epics.push(Epic { num, title, status, vision, owner, labels, file });
        if !done {
            let horizon =
                if status == "active" { self.rng.weighted(&[70, 25, 5]) } else { self.rng.weighted(&[5, 40, 55]) };
            let list = &mut self.roadmap[horizon];
            let at = if self.rng.chance(30) { 0 } else { list.len() };
            list.insert(at, num);
        }
        num
    }

    fn open_epic(&mut self) -> usize {
        // Recent epics get more stories, as teams work on what they just planned.
        let open: Vec<usize> = self.epics.iter().filter(|e| e.status != "done").map(|e| e.num).collect();
        if open.is_empty() {
            return 1 + self.rng.below(self.epics.len());
        }
        if self.rng.chance(50) {
            let recent = open.len().min(12);
            open[open.len() - 1 - self.rng.below(recent)]
        } else {
            *self.rng.pick(&open)
        }
    }

    /// A new story with `status`; open ones join the backlog (`top`: at the top).
    fn add_story(&mut self, status: u8, epic: Option<usize>, top: bool) -> usize {
        self.highest_story += 1;
        let num = self.highest_story;
        let title = self.story_title();
        let epic = epic.unwrap_or_else(|| self.open_epic());
        let priority = self.rng.weighted(&[10, 30, 40, 20]) as u8;
        let points = if status == DRAFT && self.rng.chance(30) {
            None
        } else {
            Some(POINTS[self.rng.weighted(&[15, 25, 25, 20, 10, 4, 1])])
        };
        let owner = self.rng.weighted(&AUTHOR_WEIGHTS);
        let labels = self.labels(0, 3);
        let mut depends_on = Vec::new();
        if num > 1 && self.rng.chance(25) {
            let wanted = self.rng.range(1, 3);
            for _ in 0..wanted * 3 {
                if depends_on.len() >= wanted {
                    break;
                }
                // Mostly nearby stories, sometimes anything older.
                let d = if self.rng.chance(70) {
                    num - 1 - self.rng.below((num - 1).min(40))
                } else {
                    1 + self.rng.below(num - 1)
                };
                let Some(dep) = self.stories.get(d - 1) else { continue };
                let ok = dep.status != DROPPED && (status != DONE || dep.status == DONE);
                if ok && !depends_on.contains(&d) {
                    depends_on.push(d);
                }
            }
            depends_on.sort_unstable();
        }
        for d in &depends_on {
            self.stories[d - 1].dependents += 1;
        }
        let n_criteria = 1 + self.rng.weighted(&[10, 25, 30, 20, 10, 5]);
        let mut criteria = Vec::with_capacity(n_criteria);
        let mut ac = 0u32;
        for _ in 0..n_criteria {
            // Now and then a criterion was removed earlier: numbers are never reused.
            ac += if self.rng.chance(4) { 2 } else { 1 };
            let checked = match status {
                DONE => true,
                IN_PROGRESS => self.rng.chance(40),
                _ => false,
            };
            let text = self.criterion_text(&title);
            criteria.push(Criterion { num: ac, checked, text });
        }
        let notes = if self.rng.chance(15) {
            let label = LABELS[self.rng.below(LABELS.len())];
            Some(format!(
                "Raised in {} customer interviews; see the support tickets tagged `{label}`. Check with {} before changing the scope.",
                self.rng.range(2, 14),
                PEOPLE[self.rng.below(PEOPLE.len())].0
            ))
        } else {
            None
        };
        let file = file_name("S", num, &title);
        let role = self.rng.below(ROLES.len());
        let benefit = self.rng.below(BENEFITS.len());
        self.stories.push(Story {
            num,
            title,
            status,
            epic,
            priority,
            points,
            owner,
            labels,
            depends_on,
            role,
            benefit,
            criteria,
            notes,
            file,
            dependents: 0,
        });
        if status != DONE && status != DROPPED {
            if top {
                self.backlog.insert(0, num);
            } else {
                self.backlog.push(num);
            }
        }
        num
    }

    /// The first state: visions, epics and stories as a team would import them.
    fn import(&mut self, stories: usize, epics: usize) {
        let visions = (epics / 150 + 1).min(VISION_TITLES.len());
        for _ in 0..visions {
            self.add_vision();
        }
        let done_epics = epics / 10;
        for i in 0..epics {
            self.add_epic(i < done_epics);
        }
        // Stories of done epics are done; the rest spread over the workflow.
        let mut order: Vec<(u32, usize)> = Vec::new();
        for i in 0..stories {
            let status = if done_epics > 0 && i < stories * done_epics / epics {
                DONE
            } else {
                [DRAFT, READY, IN_PROGRESS, DONE, DROPPED][self.rng.weighted(&[25, 17, 6, 48, 4])]
            };
            let epic = if status == DONE && done_epics > 0 && i < stories * done_epics / epics {
                Some(1 + i * epics / stories.max(1))
            } else {
                None
            };
            let num = self.add_story(status, epic, false);
            if self.stories[num - 1].is_open() {
                let key = u32::from(self.stories[num - 1].priority) * 10 + self.rng.below(25) as u32;
                order.push((key, num));
            }
        }
        // A backlog roughly in priority order, as a product owner would have sorted it.
        order.sort_by_key(|(k, _)| *k);
        self.backlog = order.into_iter().map(|(_, n)| n).collect();
    }

    // -- rendering --------------------------------------------------------------------------

    fn render_vision(&self, v: &Vision) -> String {
        let mut t = format!(
            "---\nid: V-{}\ntitle: {}\nstatus: active\nowner: {}\nmetrics:\n",
            v.num,
            yaml_scalar(&v.title),
            PEOPLE[v.owner].0
        );
        for (name, target, current) in
            [("Weekly active teams", 20000, 8400), ("Teams with three or more active members (%)", 70, 52)]
        {
            t.push_str(&format!("  - name: {name}\n    target: {target}\n    current: {}\n", current + v.num * 10));
        }
        t.push_str("  - name: Median minutes to first shared item\n    target: 5\n");
        t.push_str("---\n");
        t.push_str(&format!(
            "{} is the promise we make to every team that picks us. Today work is spread over chat, \
             email and a spreadsheet someone keeps on the side; we want one place the whole team trusts.\n\n\
             Success is a team that stops asking where things are. We measure it by teams that stay \
             active week after week with most of their members taking part.\n\n\
             ## Non-goals\n\n- Replacing the team's chat.\n- Time tracking for payroll.\n",
            v.title
        ));
        t
    }

    fn render_epic(&self, e: &Epic) -> String {
        let labels: Vec<String> = e.labels.iter().map(|l| LABELS[*l].to_string()).collect();
        format!(
            "---\nid: E-{}\ntitle: {}\nstatus: {}\nvision: V-{}\nowner: {}\nlabels: {}\n---\n\
             {} is where teams lose the most time today. This epic gathers the stories that fix it, \
             in the order the backlog gives them.\n\n\
             ## Success looks like\n\n\
             - Support tickets about {} drop by half within a quarter of shipping.\n\
             - At least 60% of active teams use it every week.\n",
            e.num,
            yaml_scalar(&e.title),
            e.status,
            e.vision,
            PEOPLE[e.owner].0,
            yaml_flow_list(&labels),
            e.title,
            e.title.to_lowercase()
        )
    }

    fn render_story(&self, s: &Story) -> String {
        let mut t = String::with_capacity(1024);
        t.push_str(&format!(
            "---\nid: S-{}\ntitle: {}\nstatus: {}\n",
            s.num,
            yaml_scalar(&s.title),
            STATUSES[s.status as usize]
        ));
        t.push_str(&format!("epic: E-{}\npriority: {}\n", s.epic, PRIORITIES[s.priority as usize]));
        if let Some(p) = s.points {
            t.push_str(&format!("points: {p}\n"));
        }
        t.push_str(&format!("owner: {}\n", PEOPLE[s.owner].0));
        if !s.labels.is_empty() {
            let labels: Vec<String> = s.labels.iter().map(|l| LABELS[*l].to_string()).collect();
            t.push_str(&format!("labels: {}\n", yaml_flow_list(&labels)));
        }
        if !s.depends_on.is_empty() {
            let deps: Vec<String> = s.depends_on.iter().map(|d| item_id("S", *d)).collect();
            t.push_str(&format!("depends_on: {}\n", yaml_flow_list(&deps)));
        }
        let role = ROLES[s.role];
        let article = if role.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        let mut goal = s.title.clone();
        if let Some(first) = goal.get(..1) {
            goal = format!("{}{}", first.to_lowercase(), &goal[1..]);
        }
        t.push_str(&format!(
            "---\nAs {article} {role}, I want to {goal}, so that {}.\n\n## Acceptance criteria\n\n",
            BENEFITS[s.benefit]
        ));
        for c in &s.criteria {
            t.push_str(&format!("- [{}] AC-{}: {}\n", if c.checked { "x" } else { " " }, c.num, c.text));
        }
        if let Some(n) = &s.notes {
            t.push_str(&format!("\n## Notes\n\n{n}\n"));
        }
        t
    }

    fn render_backlog(&self) -> String {
        let mut t = ListFile::new_backlog();
        t.reserve(self.backlog.len() * 90);
        for n in &self.backlog {
            let s = &self.stories[n - 1];
            t.push_str(&ListFile::entry_line(&item_id("S", s.num), &format!("stories/{}", s.file), &s.title));
            t.push('\n');
        }
        t
    }

    fn render_roadmap(&self) -> String {
        let mut t = String::from(
            "# Roadmap\n\n<!-- Epics by horizon, most important first. Move with `pm roadmap move`. -->\n\n",
        );
        for (i, h) in HORIZONS.iter().enumerate() {
            if i > 0 {
                t.push('\n');
            }
            t.push_str(&format!("## {h}\n"));
            if !self.roadmap[i].is_empty() {
                t.push('\n');
                for n in &self.roadmap[i] {
                    let e = &self.epics[n - 1];
                    t.push_str(&ListFile::entry_line(&item_id("E", e.num), &format!("epics/{}", e.file), &e.title));
                    t.push('\n');
                }
            }
        }
        t
    }

    fn config_file(&self) -> String {
        pm::model::config::Config::default_file("Teamwork")
    }

    /// Every file of the current state, paths relative to the output folder.
    fn files(&self) -> Vec<(String, String)> {
        let mut files = vec![
            (".gitattributes".to_string(), format!("{}\n", pm::store::setup::attribute_line())),
            ("product/pm.yaml".into(), self.config_file()),
            ("product/backlog.md".into(), self.render_backlog()),
            ("product/roadmap.md".into(), self.render_roadmap()),
        ];
        for v in &self.visions {
            files.push((format!("product/visions/{}", file_name("V", v.num, &v.title)), self.render_vision(v)));
        }
        for e in &self.epics {
            files.push((format!("product/epics/{}", e.file), self.render_epic(e)));
        }
        for s in &self.stories {
            files.push((format!("product/stories/{}", s.file), self.render_story(s)));
        }
        files
    }

    fn write_folder(&self, out: &Path) -> Result<(), String> {
        for (rel, text) in self.files() {
            let path = out.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }

    // -- history ----------------------------------------------------------------------------

    fn run_history(&mut self, args: &Args, history: &mut History) -> Result<(), git2::Error> {
        let commits = args.commits;
        // The import holds most of the final stories and epics (a team moving from another
        // tracker); the rest arrive through the history on a schedule, in bursts.
        let (first_stories, first_epics) = if commits > 1 {
            ((args.stories * 7 / 10).max(1), (args.epics * 7 / 10).max(1))
        } else {
            (args.stories, args.epics)
        };
        self.import(first_stories, first_epics);
        let files = self.files();
        for (rel, text) in &files {
            history.put(rel, text)?;
        }
        let author = self.rng.weighted(&AUTHOR_WEIGHTS);
        history.commit(author, self.rng.range(600, 3600) as i64, "Import the product from the old tracker")?;

        for i in 1..commits {
            let last = i == commits - 1;
            let due = |first: usize, total: usize| first + (total - first) * i / (commits - 1);
            let story_deficit = due(first_stories, args.stories).saturating_sub(self.stories.len());
            let epic_deficit = due(first_epics, args.epics).saturating_sub(self.epics.len());
            let mut touched = Touched::default();
            if args.rank_every_commit {
                self.nudge_backlog();
                touched.backlog = true;
            }
            let message = if last && (self.stories.len() < args.stories || self.epics.len() < args.epics) {
                let mut added = 0;
                while self.epics.len() < args.epics {
                    let n = self.add_epic(false);
                    touched.epics.push(n);
                    touched.roadmap = true;
                }
                while self.stories.len() < args.stories {
                    let n = self.add_story(DRAFT, None, false);
                    touched.stories.push(n);
                    touched.backlog = true;
                    added += 1;
                }
                if added == 1 {
                    "Add the last story from the planning session".to_string()
                } else {
                    format!("Add {added} stories from the planning session")
                }
            } else if epic_deficit > 0 && self.rng.chance(50) {
                let n = self.add_epic(false);
                touched.epics.push(n);
                touched.roadmap = true;
                format!("Add epic E-{n}: {}", self.epics[n - 1].title)
            } else if story_deficit >= 3 || (story_deficit > 0 && self.rng.chance(30)) {
                self.step_add_stories(story_deficit.min(12), &mut touched)
            } else {
                self.step_change(&mut touched)
            };
            for n in &touched.stories {
                let s = &self.stories[n - 1];
                history.put(&format!("product/stories/{}", s.file), &self.render_story(s))?;
            }
            for n in &touched.epics {
                let e = &self.epics[n - 1];
                history.put(&format!("product/epics/{}", e.file), &self.render_epic(e))?;
            }
            for rel in &touched.removed {
                history.remove(rel);
            }
            if touched.backlog {
                history.put("product/backlog.md", &self.render_backlog())?;
            }
            if touched.roadmap {
                history.put("product/roadmap.md", &self.render_roadmap())?;
            }
            let author = self.rng.weighted(&AUTHOR_WEIGHTS);
            let gap =
                if self.rng.chance(80) { self.rng.range(300, 4 * 3600) } else { self.rng.range(12 * 3600, 3 * 86400) };
            history.commit(author, gap as i64, &message)?;
        }
        Ok(())
    }

    fn step_add_stories(&mut self, count: usize, touched: &mut Touched) -> String {
        let epic = self.open_epic();
        let top = self.rng.chance(10);
        for _ in 0..count {
            let status = if self.rng.chance(80) { DRAFT } else { READY };
            let n = self.add_story(status, Some(epic), top);
            touched.stories.push(n);
        }
        touched.backlog = true;
        if count == 1 {
            let n = touched.stories[0];
            format!("Add S-{n}: {}", self.stories[n - 1].title)
        } else {
            format!("Add {count} stories to E-{epic}: {}", self.epics[epic - 1].title)
        }
    }

    /// One everyday change; falls back to a backlog move when the chosen change has no target.
    fn step_change(&mut self, touched: &mut Touched) -> String {
        let action = self.rng.weighted(&[24, 22, 8, 15, 5, 3, 5, 6]);
        let message = match action {
            1 => self.step_status(touched),
            2 => self.step_priority(touched),
            3 => self.step_check(touched),
            4 => self.step_roadmap(touched),
            5 => self.step_retitle(touched),
            6 => self.step_add_criterion(touched),
            7 => self.step_field(touched),
            _ => None,
        };
        message.unwrap_or_else(|| self.step_rank(touched))
    }

    fn random_open(&mut self) -> Option<usize> {
        (!self.backlog.is_empty()).then(|| self.backlog[self.rng.below(self.backlog.len())])
    }

    fn step_rank(&mut self, touched: &mut Touched) -> String {
        let Some(n) = self.random_open() else {
            return "Tidy the backlog".into();
        };
        let from = self.backlog.iter().position(|x| *x == n).unwrap_or(0);
        self.backlog.remove(from);
        let len = self.backlog.len();
        let (to, message) = match self.rng.weighted(&[25, 10, 45, 20]) {
            0 => (0, format!("Rank S-{n} to the top")),
            1 => (len, format!("Rank S-{n} to the bottom")),
            2 => {
                let to = from.saturating_sub(self.rng.range(1, 30)).min(len);
                (to, format!("Move S-{n} up to {}", to + 1))
            }
            _ => {
                let to = (from + self.rng.range(1, 60)).min(len);
                (to, format!("Move S-{n} down to {}", to + 1))
            }
        };
        self.backlog.insert(to, n);
        touched.backlog = true;
        message
    }

    /// Move one open story one to 20 places up or down, never onto the place it holds (for
    /// `--rank-every-commit`; the commit's message is that of its other change).
    fn nudge_backlog(&mut self) {
        let len = self.backlog.len();
        if len < 2 {
            return;
        }
        let from = self.rng.below(len);
        let n = self.backlog.remove(from);
        let shift = self.rng.range(1, 20);
        let to = if self.rng.chance(50) { from.saturating_sub(shift) } else { (from + shift).min(len - 1) };
        let to = if to != from {
            to
        } else if from == 0 {
            1
        } else {
            from - 1
        };
        self.backlog.insert(to, n);
    }

    fn step_status(&mut self, touched: &mut Touched) -> Option<String> {
        let n = self.random_open()?;
        let s = &self.stories[n - 1];
        let from = s.status;
        let deps_done = s.depends_on.iter().all(|d| self.stories[d - 1].status == DONE);
        let to = if (from == DRAFT || from == READY) && s.dependents == 0 && self.rng.chance(5) {
            DROPPED
        } else {
            match from {
                DRAFT => READY,
                READY => IN_PROGRESS,
                _ if deps_done => DONE,
                _ => return None,
            }
        };
        let s = &mut self.stories[n - 1];
        s.status = to;
        if to == DONE {
            for c in &mut s.criteria {
                c.checked = true;
            }
        }
        if to == DONE || to == DROPPED {
            self.backlog.retain(|x| *x != n);
            touched.backlog = true;
        }
        touched.stories.push(n);
        Some(match to {
            DONE => format!("Done S-{n}: {}", self.stories[n - 1].title),
            DROPPED => format!("Drop S-{n}: no longer needed"),
            _ => format!("S-{n}: {} -> {}", STATUSES[from as usize], STATUSES[to as usize]),
        })
    }

    fn step_priority(&mut self, touched: &mut Touched) -> Option<String> {
        let n = self.random_open()?;
        let from = self.stories[n - 1].priority;
        let to = ((from as usize + 1 + self.rng.below(3)) % PRIORITIES.len()) as u8;
        self.stories[n - 1].priority = to;
        touched.stories.push(n);
        if to == 0 {
            // A story made critical usually goes to the top as well.
            self.backlog.retain(|x| *x != n);
            self.backlog.insert(0, n);
            touched.backlog = true;
        }
        Some(format!("S-{n}: priority {} -> {}", PRIORITIES[from as usize], PRIORITIES[to as usize]))
    }

    fn step_check(&mut self, touched: &mut Touched) -> Option<String> {
        // Criteria are checked on stories being worked on.
        let mut candidate = None;
        for _ in 0..20 {
            let n = self.random_open()?;
            if self.stories[n - 1].status == IN_PROGRESS {
                candidate = Some(n);
                break;
            }
        }
        let n = candidate?;
        let uncheck = self.rng.chance(5);
        let s = &mut self.stories[n - 1];
        let c = if uncheck {
            s.criteria.iter_mut().find(|c| c.checked)?
        } else {
            s.criteria.iter_mut().find(|c| !c.checked)?
        };
        c.checked = !uncheck;
        let ac = c.num;
        touched.stories.push(n);
        Some(if uncheck { format!("Uncheck S-{n}/AC-{ac}: failed in review") } else { format!("Check S-{n}/AC-{ac}") })
    }

    fn step_roadmap(&mut self, touched: &mut Touched) -> Option<String> {
        let horizon = self.rng.below(3);
        if self.roadmap[horizon].is_empty() {
            return None;
        }
        let at = self.rng.below(self.roadmap[horizon].len());
        let n = self.roadmap[horizon].remove(at);
        let to = (horizon + 1 + self.rng.below(2)) % 3;
        let pos = if self.rng.chance(50) { 0 } else { self.roadmap[to].len() };
        self.roadmap[to].insert(pos, n);
        touched.roadmap = true;
        if to == 0 && self.epics[n - 1].status == "proposed" {
            self.epics[n - 1].status = "active";
            touched.epics.push(n);
        }
        Some(format!("Move E-{n} to {}", HORIZONS[to]))
    }

    fn step_retitle(&mut self, touched: &mut Touched) -> Option<String> {
        let n = self.random_open()?;
        let title = self.story_title();
        let s = &mut self.stories[n - 1];
        let old = std::mem::replace(&mut s.title, title);
        let file = file_name("S", n, &s.title);
        if file != s.file {
            touched.removed.push(format!("product/stories/{}", s.file));
            s.file = file;
        }
        touched.stories.push(n);
        touched.backlog = true;
        Some(format!("Rename S-{n}: {old} -> {}", self.stories[n - 1].title))
    }

    fn step_add_criterion(&mut self, touched: &mut Touched) -> Option<String> {
        let n = self.random_open()?;
        let title = self.stories[n - 1].title.clone();
        let text = self.criterion_text(&title);
        let s = &mut self.stories[n - 1];
        let num = s.criteria.iter().map(|c| c.num).max().unwrap_or(0) + 1;
        s.criteria.push(Criterion { num, checked: false, text });
        touched.stories.push(n);
        Some(format!("S-{n}: add AC-{num}"))
    }

    fn step_field(&mut self, touched: &mut Touched) -> Option<String> {
        let n = self.random_open()?;
        let what = self.rng.below(3);
        let owner = self.rng.weighted(&AUTHOR_WEIGHTS);
        let points = POINTS[self.rng.weighted(&[15, 25, 25, 20, 10, 4, 1])];
        let label = self.rng.below(LABELS.len());
        let s = &mut self.stories[n - 1];
        touched.stories.push(n);
        Some(match what {
            0 => {
                s.owner = owner;
                format!("S-{n}: owner {}", PEOPLE[owner].0)
            }
            1 => {
                s.points = Some(points);
                format!("Estimate S-{n}: {points} points")
            }
            _ => {
                if !s.labels.contains(&label) {
                    s.labels.push(label);
                }
                format!("S-{n}: label {}", LABELS[label])
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Git objects

/// A folder of the tree being built: entries by name, and the tree's ID while unchanged.
#[derive(Default)]
struct Dir {
    files: BTreeMap<String, Oid>,
    dirs: BTreeMap<String, Dir>,
    written: Option<Oid>,
}

impl Dir {
    /// The folder at `path` (created), marking every folder on the way as changed.
    fn dir_mut(&mut self, path: &str) -> &mut Dir {
        let mut dir = self;
        dir.written = None;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            dir = dir.dirs.entry(part.to_string()).or_default();
            dir.written = None;
        }
        dir
    }

    fn split(path: &str) -> (&str, &str) {
        path.rsplit_once('/').unwrap_or(("", path))
    }

    fn put(&mut self, path: &str, oid: Oid) {
        let (parent, name) = Dir::split(path);
        self.dir_mut(parent).files.insert(name.to_string(), oid);
    }

    fn remove(&mut self, path: &str) {
        let (parent, name) = Dir::split(path);
        self.dir_mut(parent).files.remove(name);
    }

    /// Write the changed folders (only those) and return this folder's tree ID.
    ///
    /// The tree object is serialised here rather than through a `TreeBuilder`: the stories
    /// folder has 10,000 entries and changes in almost every commit, and building it entry by
    /// entry cost more than hashing and compressing it.
    fn write(&mut self, odb: &git2::Odb) -> Result<Oid, git2::Error> {
        if let Some(oid) = self.written {
            return Ok(oid);
        }
        // Git orders entries by name, a folder's name compared as if it ended with `/`.
        let mut entries: Vec<(Vec<u8>, &str, Oid, &str)> = Vec::with_capacity(self.files.len() + self.dirs.len());
        for (name, dir) in &mut self.dirs {
            let oid = dir.write(odb)?;
            entries.push((format!("{name}/").into_bytes(), name, oid, "40000"));
        }
        for (name, oid) in &self.files {
            entries.push((name.as_bytes().to_vec(), name, *oid, "100644"));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut bytes = Vec::with_capacity(entries.len() * 72);
        for (_, name, oid, mode) in &entries {
            bytes.extend_from_slice(mode.as_bytes());
            bytes.push(b' ');
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(oid.as_bytes());
        }
        let oid = odb.write(git2::ObjectType::Tree, &bytes)?;
        self.written = Some(oid);
        Ok(oid)
    }
}

/// Where the history's objects are written.
enum Sink {
    /// Through git2, into an in-memory pack written out every [`COMMITS_PER_PACK`] commits.
    Git2,
    /// As a stream to a `git fast-import` process.
    FastImport {
        child: std::process::Child,
        stream: std::io::BufWriter<std::process::ChildStdin>,
        /// The file commands (`M`, `D`) of the commit being built: a commit's header comes first
        /// in the stream, its files after it.
        files: Vec<u8>,
    },
}

impl Sink {
    /// Start `git fast-import` in the repository at `out` (already initialised).
    fn fast_import(out: &Path) -> Result<Sink, git2::Error> {
        let mut child = std::process::Command::new("git")
            .arg("-C")
            .arg(out)
            .args(["fast-import", "--quiet", "--done"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| git2::Error::from_str(&format!("cannot run git fast-import: {e}")))?;
        let stdin = child.stdin.take().ok_or_else(|| git2::Error::from_str("git fast-import has no stdin"))?;
        Ok(Sink::FastImport { child, stream: std::io::BufWriter::with_capacity(1 << 20, stdin), files: Vec::new() })
    }
}

/// An I/O error on the stream to `git fast-import`, as the generator's error type.
fn stream_error(e: std::io::Error) -> git2::Error {
    git2::Error::from_str(&format!("git fast-import stream: {e}"))
}

/// A signature line's time zone as git writes it (`+0530`), from minutes east of UTC.
fn tz_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{:02}{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

struct History<'r> {
    sink: Sink,
    repo: &'r Repository,
    odb: &'r git2::Odb<'r>,
    mempack: &'r git2::Mempack<'r>,
    /// Commits written to the mempack since it was last written out as a pack.
    pending: usize,
    root: Dir,
    parent: Option<Oid>,
    /// Every commit on main, oldest first.
    commits: Vec<Oid>,
    /// Seconds since the epoch of the last commit.
    time: i64,
}

/// Commits kept in memory before they are written out as a pack.
const COMMITS_PER_PACK: usize = 100;

impl<'r> History<'r> {
    fn init(out: &Path) -> Result<Repository, git2::Error> {
        // Every object a tree or commit names was written just before; libgit2 need not look
        // each one up again (with 10,000 entries per tree that lookup dominated the run).
        git2::opts::strict_object_creation(false);
        // Objects read back (by the pack writer) were hashed when written.
        git2::opts::strict_hash_verification(false);
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = Repository::init_opts(out, &opts)?;
        {
            let mut config = repo.config()?;
            config.set_str("user.name", "Benchmark User")?;
            config.set_str("user.email", "bench@example.com")?;
        }
        Ok(repo)
    }

    fn new(repo: &'r Repository, odb: &'r git2::Odb<'r>, mempack: &'r git2::Mempack<'r>, sink: Sink) -> History<'r> {
        // Monday 4 January 2021, 09:00 UTC.
        History {
            sink,
            repo,
            odb,
            mempack,
            pending: 0,
            root: Dir::default(),
            parent: None,
            commits: Vec::new(),
            time: 1_609_750_800,
        }
    }

    /// Write the objects held in memory to a pack (with its index) and forget them.
    fn flush(&mut self) -> Result<(), git2::Error> {
        if self.pending == 0 {
            return Ok(());
        }
        let mut buf = git2::Buf::new();
        self.mempack.dump(self.repo, &mut buf)?;
        let mut writer = self.odb.packwriter()?;
        std::io::Write::write_all(&mut writer, &buf).map_err(|e| git2::Error::from_str(&e.to_string()))?;
        writer.commit()?;
        self.mempack.reset()?;
        self.pending = 0;
        Ok(())
    }

    fn put(&mut self, rel: &str, text: &str) -> Result<(), git2::Error> {
        if let Sink::FastImport { files, .. } = &mut self.sink {
            files.extend_from_slice(format!("M 100644 inline {rel}\ndata {}\n", text.len()).as_bytes());
            files.extend_from_slice(text.as_bytes());
            files.push(b'\n');
            return Ok(());
        }
        let oid = self.repo.blob(text.as_bytes())?;
        self.root.put(rel, oid);
        Ok(())
    }

    fn remove(&mut self, rel: &str) {
        if let Sink::FastImport { files, .. } = &mut self.sink {
            files.extend_from_slice(format!("D {rel}\n").as_bytes());
            return;
        }
        self.root.remove(rel);
    }

    fn signature(&self, person: usize) -> Result<Signature<'static>, git2::Error> {
        let (login, name) = PEOPLE[person];
        Signature::new(name, &format!("{login}@example.com"), &Time::new(self.time, TZ[person]))
    }

    /// Commit the current tree, `gap` seconds after the previous commit.
    fn commit(&mut self, person: usize, gap: i64, message: &str) -> Result<(), git2::Error> {
        self.time += gap;
        if let Sink::FastImport { stream, files, .. } = &mut self.sink {
            // The same bytes as git2 writes: the commits get the same IDs as without --fast-import.
            let (login, name) = PEOPLE[person];
            let who = format!("{name} <{login}@example.com> {} {}", self.time, tz_text(TZ[person]));
            let message = format!("{message}\n");
            let header =
                format!("commit refs/heads/main\nauthor {who}\ncommitter {who}\ndata {}\n{message}", message.len());
            let write = |stream: &mut std::io::BufWriter<_>| -> std::io::Result<()> {
                std::io::Write::write_all(stream, header.as_bytes())?;
                std::io::Write::write_all(stream, files)?;
                std::io::Write::write_all(stream, b"\n")
            };
            write(stream).map_err(stream_error)?;
            files.clear();
            return Ok(());
        }
        let tree_id = self.root.write(self.odb)?;
        let tree = self.repo.find_tree(tree_id)?;
        let sig = self.signature(person)?;
        let parent = self.parent.map(|p| self.repo.find_commit(p)).transpose()?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let oid = self.repo.commit(None, &sig, &sig, &format!("{message}\n"), &tree, &parents)?;
        self.parent = Some(oid);
        self.commits.push(oid);
        self.pending += 1;
        if self.pending >= COMMITS_PER_PACK {
            self.flush()?;
        }
        Ok(())
    }

    /// Point main at the last commit, add the branches, and check out main once.
    fn finish(&mut self, world: &World, args: &Args) -> Result<(), git2::Error> {
        if let Sink::FastImport { mut child, mut stream, .. } = std::mem::replace(&mut self.sink, Sink::Git2) {
            // fast-import writes its pack and refs/heads/main once the stream is done.
            std::io::Write::write_all(&mut stream, b"done\n").map_err(stream_error)?;
            std::io::Write::flush(&mut stream).map_err(stream_error)?;
            drop(stream);
            let status = child.wait().map_err(stream_error)?;
            if !status.success() {
                return Err(git2::Error::from_str(&format!("git fast-import failed ({status})")));
            }
            // A fresh handle sees the pack fast-import wrote.
            let repo = Repository::open(self.repo.path())?;
            repo.set_head("refs/heads/main")?;
            let mut checkout = git2::build::CheckoutBuilder::new();
            checkout.force();
            return repo.checkout_head(Some(&mut checkout));
        }
        let head = self.parent.expect("at least one commit");
        self.repo.reference("refs/heads/main", head, true, "gen-product")?;
        self.add_branches(world, args.branches, args.seed)?;
        self.flush()?;
        self.repo.set_head("refs/heads/main")?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force();
        self.repo.checkout_head(Some(&mut checkout))?;
        Ok(())
    }

    /// `count` branches, each forking from one of the last few hundred commits and adding one
    /// story (with a number no other branch uses, as `pm story add` would allocate it).
    fn add_branches(&mut self, world: &World, count: usize, seed: u64) -> Result<(), git2::Error> {
        let mut rng = Rng(seed ^ 0xB4A2_C4E5);
        let recent = self.commits.len().min(300);
        // An epic that is open and exists from the first commit on.
        let epic = world.epics.iter().find(|e| e.status != "done").map_or(1, |e| e.num);
        for b in 0..count {
            let base_oid = self.commits[self.commits.len() - 1 - rng.below(recent)];
            let base = self.repo.find_commit(base_oid)?;
            let num = world.highest_story + 1 + b;
            let title = format!(
                "{} {} {}",
                VERBS[rng.below(VERBS.len())],
                OBJECTS[rng.below(OBJECTS.len())],
                QUALIFIERS[1 + rng.below(QUALIFIERS.len() - 1)]
            );
            let file = file_name("S", num, &title);
            let text = format!(
                "---\nid: S-{num}\ntitle: {}\nstatus: draft\nepic: E-{epic}\npriority: medium\nowner: {}\n---\n\
                 As a team lead, I want to {}, so that I save time every week.\n\n## Acceptance criteria\n\n\
                 - [ ] AC-1: Given a workspace with 500 members, when I open it, then it loads within a second.\n",
                yaml_scalar(&title),
                PEOPLE[b % PEOPLE.len()].0,
                title.to_lowercase()
            );
            let blob = self.repo.blob(text.as_bytes())?;
            let tree = base.tree()?;
            let product = self.repo.find_tree(tree.get_name("product").expect("product/").id())?;
            let stories = self.repo.find_tree(product.get_name("stories").expect("stories/").id())?;
            let mut sb = self.repo.treebuilder(Some(&stories))?;
            sb.insert(&file, blob, 0o100644)?;
            let stories_id = sb.write()?;
            let backlog = self.repo.find_blob(product.get_name("backlog.md").expect("backlog.md").id())?;
            let mut backlog_text = String::from_utf8_lossy(backlog.content()).into_owned();
            backlog_text.push_str(&ListFile::entry_line(&format!("S-{num}"), &format!("stories/{file}"), &title));
            backlog_text.push('\n');
            let backlog_id = self.repo.blob(backlog_text.as_bytes())?;
            let mut pb = self.repo.treebuilder(Some(&product))?;
            pb.insert("stories", stories_id, 0o040000)?;
            pb.insert("backlog.md", backlog_id, 0o100644)?;
            let product_id = pb.write()?;
            let mut rb = self.repo.treebuilder(Some(&tree))?;
            rb.insert("product", product_id, 0o040000)?;
            let root = self.repo.find_tree(rb.write()?)?;
            let person = b % PEOPLE.len();
            let when = base.time().seconds() + 3600 + rng.below(86400) as i64;
            let (login, name) = PEOPLE[person];
            let sig = Signature::new(name, &format!("{login}@example.com"), &Time::new(when, TZ[person]))?;
            let oid = self.repo.commit(None, &sig, &sig, &format!("Add S-{num}: {title}\n"), &root, &[&base])?;
            let branch = format!("refs/heads/{login}/s-{num}-{}", slug(&title).chars().take(30).collect::<String>());
            self.repo.reference(branch.trim_end_matches('-'), oid, true, "gen-product")?;
            self.pending += 1;
        }
        Ok(())
    }
}
