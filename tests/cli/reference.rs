//! docs/commands.md carries the help of every command, generated from the clap definitions;
//! this test fails when they drift. Run with PM_UPDATE_DOCS=1 to regenerate.

use crate::harness::Test;

const START: &str = "<!-- generated reference: start -->\n";
const END: &str = "<!-- generated reference: end -->\n";

#[test]
fn commands_md_matches_the_help() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let (head, rest) = doc.split_once(START).expect("start marker");
    let (_, tail) = rest.split_once(END).expect("end marker");
    let fresh = format!("{head}{START}\n{}{END}{tail}", pm::cli::reference_markdown());
    if std::env::var_os("PM_UPDATE_DOCS").is_some() {
        std::fs::write(path, &fresh).unwrap();
    } else {
        assert!(doc == fresh, "docs/commands.md is stale: run `PM_UPDATE_DOCS=1 cargo test --test cli reference`");
    }
}

/// The bash completion script loads in bash and completes pm's commands.
#[test]
fn bash_completion_loads_and_completes_commands() {
    let t = Test::without_git();
    let script = t.pm(&["completions", "bash"]).success().stdout;
    t.write("pm.bash", &script);
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg("source ./pm.bash && complete -p pm && COMP_WORDS=(pm spr) && COMP_CWORD=1 && _pm pm spr pm && echo \"${COMPREPLY[@]}\"")
        .current_dir(t.root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // `complete -p` orders its options by bash version: compare what it registers, not how.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let (registered, completed) = stdout.split_once('\n').unwrap();
    assert!(
        registered.starts_with("complete ") && registered.contains(" -F _pm ") && registered.ends_with(" pm"),
        "{registered}"
    );
    assert_eq!(completed, "sprint\n");
}

/// `pm man --out DIR` writes a page for pm and for every command and subcommand, named as man
/// expects (pm-story-add.1), and `pm man` prints the page of pm.
#[test]
fn man_pages_cover_every_command() {
    fn names(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        let name = if prefix.is_empty() { cmd.get_name().to_string() } else { format!("{prefix}-{}", cmd.get_name()) };
        out.push(format!("{name}.1"));
        for sub in cmd.get_subcommands() {
            names(sub, &name, out);
        }
    }
    let t = Test::without_git();
    let run = t.pm(&["man", "--out", "man1"]).success();
    let mut written: Vec<String> = std::fs::read_dir(t.path("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected = Vec::new();
    names(&pm::cli::command(), "", &mut expected);
    expected.retain(|n| !n.ends_with("-help.1"));
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(run.stdout, format!("Wrote {} man pages to {}\n", expected.len(), t.path("man1").display()));
    assert!(t.pm(&["man"]).success().stdout.contains(".TH pm 1"), "a roff page");
}
