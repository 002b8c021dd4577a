//! `pm init` and `pm vision|epic|story add`.

use crate::harness::Test;

#[test]
fn init_creates_the_product_folder_and_merge_attributes() {
    let t = Test::new();
    t.pm(&["init", "--name", "Demo"]).success().stdout_has("Created product for Demo");
    assert!(t.read("product/pm.yaml").contains("name: Demo"));
    assert!(t.exists("product/visions/V-1-demo.md"));
    assert!(t.read("product/backlog.md").starts_with("# Backlog"));
    assert!(t.read("product/roadmap.md").contains("## Now\n\n## Next\n\n## Later\n"));
    assert_eq!(t.read(".gitattributes"), "product/backlog.md merge=union\nproduct/roadmap.md merge=union\n");
}

#[test]
fn init_refuses_an_existing_product() {
    let t = Test::initialized();
    let before = t.snapshot();
    t.pm(&["init"]).code(2).stderr_has("already exists");
    assert_eq!(t.snapshot(), before);
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
