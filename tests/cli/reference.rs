//! docs/commands.md carries the help of every command, generated from the clap definitions;
//! this test fails when they drift. Run with PM_UPDATE_DOCS=1 to regenerate.

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
