//! `pm init` and `pm vision|epic|story add`.

use crate::harness::Test;

#[test]
fn init_creates_the_product_folder_and_merge_attributes() {
    let t = Test::without_merge_setup();
    t.pm(&["init", "--name", "Demo"]).success().stdout_has("Created product for Demo");
    assert!(t.read("product/pm.yaml").contains("name: Demo"));
    assert!(t.exists("product/visions/V-1-demo.md"));
    assert!(t.read("product/backlog.md").starts_with("# Backlog"));
    assert!(t.read("product/roadmap.md").contains("## Now\n\n## Next\n\n## Later\n"));
    assert_eq!(t.read(".gitattributes"), "product/**/*.md merge=pm\n");
    assert_eq!(t.git(&["config", "merge.pm.driver"]), format!("{}\n", crate::harness::driver_command()));
}

#[test]
fn init_refuses_an_existing_product() {
    let t = Test::initialized();
    let before = t.snapshot();
    t.pm(&["init"]).code(2).stderr_has("already exists");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn init_below_a_product_says_which_one_pm_will_use() {
    let t = Test::initialized();
    std::fs::create_dir_all(t.path("apps/web")).unwrap();
    t.pm_in("apps/web", &["init", "--name", "Web"]).success().stderr_is(
        "warning: ../../product already holds a product: pm run in this folder (and below it) now uses the new one, \
         pm run elsewhere that one\n",
    );
    assert!(t.exists("apps/web/product/pm.yaml"));
    t.pm_in("apps/web", &["story", "add", "Dark mode"]).success();
    assert!(t.exists("apps/web/product/stories/S-1-dark-mode.md"));
}

#[test]
fn story_add_writes_the_file_and_the_backlog_line() {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Accounts", "--vision", "V-1", "--horizon", "now"]).success().stdout_has("Created E-1");
    t.pm(&[
        "story",
        "add",
        "Reset password by email",
        "--epic",
        "E-1",
        "--priority",
        "high",
        "--points",
        "3",
        "--label",
        "auth",
        "--label",
        "email",
        "--owner",
        "maya",
        "--as",
        "registered member",
        "--want",
        "to reset my password by email",
        "--so-that",
        "I can get back in",
        "--ac",
        "Given a registered email, when I ask, then a link is sent",
        "--ac",
        "Given an expired link, when I open it, then I can ask again",
    ])
    .success()
    .stdout_has("Created S-1 product/stories/S-1-reset-password-by-email.md");
    assert_eq!(
        t.read("product/stories/S-1-reset-password-by-email.md"),
        "---\nid: S-1\ntitle: Reset password by email\nstatus: draft\nepic: E-1\npriority: high\npoints: 3\nowner: maya\nlabels: [auth, email]\n---\n\nAs a registered member, I want to reset my password by email, so that I can get back in.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given a registered email, when I ask, then a link is sent\n- [ ] AC-2: Given an expired link, when I open it, then I can ask again\n"
    );
    assert!(
        t.read("product/backlog.md")
            .ends_with("\n- [S-1](stories/S-1-reset-password-by-email.md) Reset password by email\n")
    );
    assert!(t.read("product/roadmap.md").contains("## Now\n\n- [E-1](epics/E-1-accounts.md) Accounts\n\n## Next"));
}

#[test]
fn init_in_a_sub_folder_puts_the_product_and_attributes_there() {
    let t = Test::without_merge_setup();
    std::fs::create_dir_all(t.path("apps/web")).unwrap();
    t.pm_in("apps/web", &["init"]).success();
    assert!(t.exists("apps/web/product/pm.yaml"));
    assert!(t.read("apps/web/product/pm.yaml").contains("name: web"));
    assert_eq!(t.read("apps/web/.gitattributes"), "product/**/*.md merge=pm\n");
    t.pm_in("apps/web/product/visions", &["init"]).code(2).stderr_has("already exists");
}

#[test]
fn epics_and_visions_take_their_own_fields() {
    let t = Test::initialized();
    t.pm(&["vision", "add", "Second vision", "--owner", "kim"]).success().stdout_has("Created V-2");
    t.pm(&["epic", "add", "Onboarding", "--vision", "V-2", "--label", "growth,web", "--top", "--horizon", "next"])
        .success()
        .stdout_has("Created E-1 product/epics/E-1-onboarding.md");
    assert_eq!(
        t.read("product/epics/E-1-onboarding.md"),
        "---\nid: E-1\ntitle: Onboarding\nstatus: proposed\nvision: V-2\nlabels: [growth, web]\n---\n"
    );
    t.pm(&["epic", "add", "Later epic", "--status", "done"]).success();
    let roadmap = t.read("product/roadmap.md");
    assert!(roadmap.contains("## Next\n\n- [E-1](epics/E-1-onboarding.md) Onboarding\n"), "{roadmap}");
    assert!(!roadmap.contains("E-2"), "a closed epic stays off the roadmap: {roadmap}");
    t.pm(&["epic", "add", "X", "--vision", "V-9"]).code(2).stderr_has("no vision with ID V-9");
}

#[test]
fn titles_that_need_quoting_are_quoted() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Export: CSV #2", "--depends-on", "S-1"]).code(2).stderr_has("no story with ID S-1");
    t.pm(&["story", "add", "Export: CSV #2"]).success().stdout_has("product/stories/S-1-export-csv-2.md");
    assert!(t.read("product/stories/S-1-export-csv-2.md").contains("title: \"Export: CSV #2\"\n"));
    assert_eq!(t.pm(&["story", "show", "S-1", "--format", "json"]).success().json()["title"], "Export: CSV #2");
}

#[test]
fn quiet_add_prints_only_the_new_id() {
    let t = Test::initialized();
    t.pm(&["-q", "story", "add", "Scripted"]).success().stdout_is("S-1\n");
}

#[test]
fn a_story_added_without_criteria_is_told_what_check_will_say() {
    let t = Test::initialized();
    t.pm(&["story", "add", "No criteria yet"]).success().stderr_is(
        "warning: S-1 has no acceptance criteria yet, which `pm check` reports (story/no-acceptance-criteria); add one: pm ac add S-1 \"Given ..., when ..., then ...\"\n",
    );
    t.pm(&["story", "add", "With one", "--ac", "Given a, then b"]).success().stderr_is_empty();
    let yaml = t.read("product/pm.yaml").replace("rules: {}", "rules: {story/no-acceptance-criteria: off}");
    t.write("product/pm.yaml", &yaml);
    t.pm(&["story", "add", "A spike"]).success().stderr_is_empty();
}
