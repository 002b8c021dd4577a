//! `pm import github|jira|backlog-md` on the real-looking exports in tests/fixtures/import:
//! what each creates (whole files, lists), a second run that matches by `source`, a changed
//! export updating one line per field, the mapping table of pm.yaml, and bad input that
//! writes nothing.

use crate::harness::{Test, copy_dir};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");

/// A new product (`pm init`) with the three exports beside it.
fn product() -> Test {
    let t = Test::initialized();
    std::fs::copy(format!("{FIXTURES}/github-issues.json"), t.path("issues.json")).unwrap();
    std::fs::copy(format!("{FIXTURES}/jira-export.csv"), t.path("jira.csv")).unwrap();
    copy_dir(std::path::Path::new(&format!("{FIXTURES}/backlog-md/backlog")), &t.path("backlog"));
    t.commit("a new product and the exports");
    t
}

#[test]
fn github_issues_become_stories_and_milestones_epics() {
    let t = product();
    t.pm(&["import", "github", "issues.json"]).success().stdout_is(
        "Imported issues.json (github): 8 new, 0 updated, 0 unchanged.
  E-1 created from github-milestone#3: Month-end close
  S-1 created from github#112: Export invoices as CSV
  S-2 created from github#118: Remind customers of overdue invoices
  S-3 created from github#121: Show the buyer's VAT number on the invoice PDF
  S-4 created from github#124: Dark theme for the dashboard
  E-2 created from github-milestone#4: Get paid online
  S-5 created from github#130: Pay an invoice by card <script>alert(1)</script>
  S-6 created from github#133: Send recurring invoices automatically
",
    );
    assert_eq!(
        t.read("product/stories/S-1-export-invoices-as-csv.md"),
        "---
id: S-1
title: Export invoices as CSV
status: draft
epic: E-1
source: github#112
owner: rosa-m
labels: [export, finance]
---

Customers ask for their invoices in a spreadsheet every month-end.

## Acceptance criteria

- [ ] AC-1: Given a month with invoices, when I choose Export > CSV, then a file with one row per invoice downloads
- [ ] AC-2: Given an invoice in another currency, when it is exported, then its amount and currency are separate columns

## Notes

- [ ] check with finance which columns they need
"
    );
    // Closed as completed is done, closed as not planned dropped; neither is in the backlog.
    let status = |rel: &str| t.read(rel).lines().find(|l| l.starts_with("status:")).unwrap().to_string();
    assert_eq!(status("product/stories/S-3-show-the-buyer-s-vat-number-on-the-invoice-pdf.md"), "status: done");
    assert_eq!(status("product/stories/S-4-dark-theme-for-the-dashboard.md"), "status: dropped");
    // A title with characters no file name should hold gets a safe slug.
    assert!(t.exists("product/stories/S-5-pay-an-invoice-by-card-script-alert-1-script.md"));
    t.pm(&["backlog", "--format", "ids"]).success().stdout_is("S-1\nS-2\nS-5\nS-6\n");
    t.pm(&["roadmap", "--format", "json"]).success();
    assert_eq!(
        t.read("product/epics/E-1-month-end-close.md"),
        "---\nid: E-1\ntitle: Month-end close\nstatus: proposed\ntarget: 2026-12-18\nsource: github-milestone#3\n---\n\nWhat finance needs to close the books without spreadsheets.\n"
    );
    // It passes pm check; the stories that came without criteria are warnings, named.
    let json = t.pm(&["check", "--format", "json"]).success().json();
    let imported: Vec<&str> = (json["findings"].as_array().unwrap().iter())
        .filter(|f| f["rule"] == "import/no-acceptance-criteria")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        imported,
        [
            "product/stories/S-3-show-the-buyer-s-vat-number-on-the-invoice-pdf.md",
            "product/stories/S-4-dark-theme-for-the-dashboard.md",
            "product/stories/S-6-send-recurring-invoices-automatically.md"
        ]
    );
}

#[test]
fn a_second_import_creates_nothing_and_a_changed_export_changes_one_line_per_field() {
    let t = product();
    t.pm(&["import", "github", "issues.json"]).success();
    t.commit("imported");
    let before = t.snapshot();
    t.pm(&["import", "github", "issues.json"])
        .success()
        .stdout_is("Imported issues.json (github): 0 new, 0 updated, 8 unchanged.\n")
        .stderr_is_empty();
    assert_eq!(t.snapshot(), before);
    let mut issues: serde_json::Value = serde_json::from_str(&t.read("issues.json")).unwrap();
    issues[0]["state"] = "CLOSED".into();
    issues[0]["labels"] = serde_json::json!([{"name": "export"}]);
    issues[1]["title"] = "Remind customers politely of overdue invoices".into();
    issues.as_array_mut().unwrap().push(serde_json::json!({"number": 140, "title": "Credit notes", "state": "OPEN"}));
    t.write("issues.json", &serde_json::to_string_pretty(&issues).unwrap());
    let story = "product/stories/S-1-export-invoices-as-csv.md";
    let old = t.read(story);
    t.pm(&["import", "github", "issues.json", "--dry-run"]).success().stdout_is(
        "Would import issues.json (github): 1 new, 2 updated, 6 unchanged.
  S-7 would be created from github#140: Credit notes
  S-1 would be updated from github#112: status: draft -> done; labels: [export, finance] -> [export]
  S-2 would be updated from github#118: title: Remind customers of overdue invoices -> Remind customers politely of overdue invoices
",
    );
    assert_eq!(t.read(story), old, "a dry run writes nothing");
    t.pm(&["import", "github", "issues.json"]).success();
    let new = t.read(story);
    assert_eq!(old.lines().count(), new.lines().count());
    let changed: Vec<(&str, &str)> = old.lines().zip(new.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed, [("status: draft", "status: done"), ("labels: [export, finance]", "labels: [export]")]);
    // Done leaves the backlog; the retitled story keeps its place with its new title.
    t.pm(&["backlog", "--format", "ids"]).success().stdout_is("S-2\nS-5\nS-6\nS-7\n");
    assert!(t.read("product/backlog.md").contains(
        "- [S-2](stories/S-2-remind-customers-of-overdue-invoices.md) Remind customers politely of overdue invoices\n"
    ));
}

#[test]
fn a_reimport_keeps_what_was_changed_in_pm_while_the_source_kept_its_value() {
    let t = product();
    t.pm(&["import", "backlog-md", "backlog"]).success();
    assert!(t.exists("product/.import/backlog-md.json"), "the import records what it set");
    t.pm(&["story", "set", "S-4", "priority=critical", "status=ready"]).success();
    t.commit("imported, then refined in pm");
    let before = t.snapshot();
    t.pm(&["import", "backlog-md", "backlog"])
        .success()
        .stdout_is("Imported backlog (backlog-md): 0 new, 0 updated, 8 unchanged.\n");
    assert_eq!(t.snapshot(), before, "pm's edits stay: the source did not change those fields");
    // What the source changes since is applied; its body is named, not applied; a task
    // deleted there is named and left open.
    let task = "backlog/tasks/task-3 - List-my-invoices.md";
    t.write(task, &t.read(task).replace("priority: high", "priority: low").replace("- [ ] #2", "- [x] #2"));
    std::fs::remove_file(t.path("backlog/tasks/task-6 - Set-up-error-tracking.md")).unwrap();
    t.pm(&["import", "backlog-md", "backlog"])
        .success()
        .stdout_is("Imported backlog (backlog-md): 0 new, 1 updated, 6 unchanged.\n  S-4 updated from backlog-md:task-3: priority: critical -> low\n")
        .stderr_is("warning: S-4: its description or criteria changed in backlog-md:task-3 since the last import; the body is the product's after the first import and stays as it is (edit it with pm story edit S-4)\nwarning: one item an earlier import made is not in this export: S-6 (backlog-md:task-6); left as it is (close what was deleted with pm story drop)\n");
    let s4 = t.read("product/stories/S-4-list-my-invoices.md");
    assert!(s4.contains("status: ready\n") && s4.contains("priority: low\n") && s4.contains("- [ ] AC-2:"), "{s4}");
}

#[test]
fn milestones_can_become_sprints_ending_on_their_due_date() {
    let t = product();
    t.pm_env(&["import", "github", "issues.json", "--milestones-as", "sprints"], &[("PM_TODAY", "2026-12-10")])
        .success();
    assert_eq!(
        t.read("product/sprints/SP-1-month-end-close.md"),
        "---\nid: SP-1\ntitle: Month-end close\nstatus: active\nstart: 2026-12-05\nend: 2026-12-18\nsource: github-milestone#3\n---\n\nWhat finance needs to close the books without spreadsheets.\n\n## Notes\n\n## Review\n\n## Retrospective\n"
    );
    let s1 = t.read("product/stories/S-1-export-invoices-as-csv.md");
    assert!(s1.contains("\nsprint: SP-1\n") && !s1.contains("epic:"), "{s1}");
    // The mode is the first import's: another would move every story's link.
    let before = t.snapshot();
    t.pm(&["import", "github", "issues.json"]).code(2).stderr_is(
        "error: the milestone github-milestone#3 was imported as a sprint (SP-1); nothing was imported\n  hint: import with --milestones-as sprints, as before\n",
    );
    assert_eq!(t.snapshot(), before);
    // A milestone without a due date cannot be a sprint: nothing is written.
    let t = product();
    t.write("issues.json", &t.read("issues.json").replace("\"2027-01-29T08:00:00Z\"", "null"));
    let before = t.snapshot();
    t.pm(&["import", "github", "issues.json", "--milestones-as", "sprints"])
        .code(2)
        .stderr_has("issues.json:52: the milestone `Get paid online` has no due date, and a sprint needs its dates; nothing was imported");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn jira_writes_its_mapping_table_on_first_use_and_stops_on_a_status_it_does_not_map() {
    let t = product();
    let settings = t.read("product/pm.yaml");
    t.pm(&["import", "jira", "jira.csv"]).success().stdout_is(
        "Imported jira.csv (jira): 8 new, 0 updated, 0 unchanged.
  E-1 created from jira:LED-40: Bank reconciliation
  S-1 created from jira:LED-41: Import a bank statement (CAMT.053)
  S-2 created from jira:LED-42: Suggest matches between bank lines and invoices
  S-3 created from jira:LED-43: Reconcile a payment split across two invoices
  S-4 created from jira:LED-44: Export the reconciliation report
  E-2 created from jira:LED-50: Payment provider webhooks
  S-5 created from jira:LED-51: Mark an invoice paid when the provider says so
  S-6 created from jira:LED-55: Old CSV importer crashes on semicolons
product/pm.yaml declares jira_sprint in custom_fields: what jira has and pm keeps as it is
product/pm.yaml wrote the `import:` table, how jira's words map to this product's: In Progress -> in-progress, Done -> done, In Review -> in-progress, To Do -> draft, Selected for Development -> ready, Won't Do -> dropped, High -> high, Medium -> medium, Low -> low, Highest -> critical, Lowest -> low (edit it to map them otherwise; later imports read it)
",
    );
    let now = t.read("product/pm.yaml");
    assert_eq!(
        now,
        format!(
            "{}
# How pm import maps another tool's words to this product's (docs/import.md);
# pm import wrote it, and reads it on every import.
import:
  statuses:
    In Progress: in-progress
    Done: done
    In Review: in-progress
    To Do: draft
    Selected for Development: ready
    Won't Do: dropped
  priorities:
    High: high
    Medium: medium
    Low: low
    Highest: critical
    Lowest: low
",
            settings.replace("custom_fields: []\n", "custom_fields: [jira_sprint]\n")
        )
    );
    assert_eq!(
        t.read("product/stories/S-1-import-a-bank-statement-camt-053.md"),
        "---
id: S-1
title: Import a bank statement (CAMT.053)
status: done
epic: E-1
priority: high
source: jira:LED-41
jira_sprint: LED Sprint 8
points: 5
owner: Dawid Kowalski
labels: [banking, import]
---

Upload the CAMT.053 file the bank gives; every line becomes a bank transaction.

Files up to 10 MB.

## Acceptance criteria

- [ ] AC-1: Given a valid CAMT.053 file, when I upload it, then every booked entry appears as a transaction
- [ ] AC-2: Given the same file twice, when I upload it again, then no transaction is duplicated
"
    );
    // The epic in progress is on the roadmap's Now, the other under Later.
    let roadmap = t.read("product/roadmap.md");
    assert!(roadmap.contains("## Now\n\n- [E-1](epics/E-1-bank-reconciliation.md) Bank reconciliation\n"), "{roadmap}");
    t.pm(&["check"]).success();
    t.commit("imported");
    // The table is read from now on: a status it does not map stops the import.
    t.write("jira.csv", &t.read("jira.csv").replace("LED-43,10043,Story,To Do", "LED-43,10043,Story,Blocked by legal"));
    let before = t.snapshot();
    t.pm(&["import", "jira", "jira.csv"]).code(2).stderr_is(
        "error: product/pm.yaml:143: the jira status `Blocked by legal` is not in import.statuses of pm.yaml; nothing was imported
  hint: add to the `import:` table of pm.yaml, each line under its `statuses:` or `priorities:` (fill in any empty value), then import again:
    Blocked by legal: \"\"   # one of draft, ready, in-progress, done, dropped
",
    );
    assert_eq!(t.snapshot(), before);
}

#[test]
fn a_first_import_with_a_status_pm_cannot_guess_writes_nothing() {
    let t = product();
    t.write("jira.csv", "Summary,Issue key,Status\nA,LED-1,Blocked by legal\nB,LED-2,To Do\n");
    let before = t.snapshot();
    t.pm(&["import", "jira", "jira.csv"]).code(2).stderr_is(
        "error: pm cannot tell what the jira status `Blocked by legal` means here; nothing was imported
  hint: add this table to product/pm.yaml, fill in each empty value, and import again:
import:
  statuses:
    Blocked by legal: \"\"   # one of draft, ready, in-progress, done, dropped
    To Do: draft
",
    );
    assert_eq!(t.snapshot(), before);
}

#[test]
fn backlog_md_parents_become_epics_and_ordinals_the_backlog_order() {
    let t = product();
    t.pm(&["import", "backlog-md", "backlog"]).success().stdout_is(
        "Imported backlog (backlog-md): 8 new, 0 updated, 0 unchanged.
  S-1 created from backlog-md:task-7: Choose a PDF library
  E-1 created from backlog-md:task-1: Customer portal
  S-2 created from backlog-md:task-2: Sign in with a magic link
  S-3 created from backlog-md:task-4: Download an invoice as PDF
  S-4 created from backlog-md:task-3: List my invoices
  S-5 created from backlog-md:task-5: Pay from the portal
  S-6 created from backlog-md:task-6: Set up error tracking
  S-7 created from backlog-md:task-8: Invoice templates per customer
product/pm.yaml wrote the `import:` table, how backlog-md's words map to this product's: Done -> done, In Progress -> in-progress, Review -> in-progress, To Do -> draft, high -> high, medium -> medium, low -> low (edit it to map them otherwise; later imports read it)
",
    );
    assert_eq!(
        t.read("product/stories/S-4-list-my-invoices.md"),
        "---
id: S-4
title: List my invoices
status: in-progress
epic: E-1
priority: high
source: backlog-md:task-3
owner: dawid
labels: [portal]
depends_on: [S-2]
---

## Description

The portal's first page: every invoice, newest first, with its status.

## Acceptance Criteria
- [x] AC-1: Invoices are listed newest first with number, date, amount and status
- [ ] AC-2: An overdue invoice is marked as overdue
- [ ] AC-3: The list loads in under a second for a customer with 500 invoices

## Implementation Plan

1. Endpoint with cursor pagination
2. Table component
"
    );
    // Done tasks leave the backlog; the archived one is not imported; a draft is a draft.
    t.pm(&["backlog", "--format", "ids"]).success().stdout_is("S-3\nS-4\nS-5\nS-6\nS-7\n");
    t.pm(&["check"]).success();
    t.pm(&["import", "backlog-md", "backlog"])
        .success()
        .stdout_is("Imported backlog (backlog-md): 0 new, 0 updated, 8 unchanged.\n");
}

#[test]
fn bad_exports_name_the_line_and_write_nothing() {
    let t = product();
    let before = t.snapshot();
    t.write("bad.json", "[\n  {\"number\": 1, \"title\": \"a\"},\n  {\"number\": 2 \"title\": \"b\"}\n]\n");
    t.pm(&["import", "github", "bad.json"]).code(2).stderr_is(
        "error: bad.json:3: expected `,` or `}` (column 16)\n  hint: the file is not JSON as `gh issue list --json ...` writes it; export it again\n",
    );
    t.write("shape.json", "{\"number\": 1}\n");
    t.pm(&["import", "github", "shape.json"])
        .code(2)
        .stderr_has("shape.json:1: invalid type: map, expected a sequence");
    t.write("ragged.csv", "Summary,Issue key,Status\nA,LED-1,To Do\n\"B,LED-2,To Do\nC,LED-3\n");
    t.pm(&["import", "jira", "ragged.csv"])
        .code(2)
        .stderr_has("ragged.csv:3: this row has 1 fields where the header has 3");
    t.write("nokey.csv", "Summary,Key,Status\nA,LED-1,To Do\n");
    t.pm(&["import", "jira", "nokey.csv"]).code(2).stderr_has("nokey.csv:1: the header has no `Issue Key` column");
    t.write_bytes("latin1.csv", b"Summary,Issue key,Status\nCaf\xe9,LED-1,To Do\n");
    t.pm(&["import", "jira", "latin1.csv"]).code(2).stderr_has("latin1.csv:2: the file is not UTF-8 text");
    t.write("points.csv", "Summary,Issue key,Status,Story Points\nA,LED-1,To Do,4\n");
    t.pm(&["import", "jira", "points.csv"])
        .code(2)
        .stderr_has("one estimate is not on this product's points scale (0, 1, 2, 3, 5, 8, 13, 21): jira:LED-1: 4 points; nothing was imported");
    t.pm(&["import", "github", "missing.json"]).code(2).stderr_has("missing.json: no such file");
    t.pm(&["import", "backlog-md", "nowhere"]).code(2).stderr_has("nowhere: no such folder");
    t.write("backlog/tasks/task-10 - Broken.md", "---\nid: task-10\ntitle: [unclosed\n---\n");
    t.pm(&["import", "backlog-md", "backlog"]).code(2).stderr_has("backlog/tasks/task-10 - Broken.md:4:");
    std::fs::remove_file(t.path("backlog/tasks/task-10 - Broken.md")).unwrap();
    for f in ["bad.json", "shape.json", "ragged.csv", "nokey.csv", "latin1.csv", "points.csv"] {
        std::fs::remove_file(t.path(f)).unwrap();
    }
    assert_eq!(t.snapshot(), before, "a refused import writes nothing");
}
