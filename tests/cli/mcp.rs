//! `pm mcp` driven over stdio as an MCP client drives it: the handshake, the tool list, and
//! tool calls whose results and files are what the CLI gives; `pm agents` and `init --agents`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::Test;

/// A client of one `pm mcp` process.
struct Client {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next: u64,
}

impl Client {
    fn start(t: &Test) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pm"))
            .arg("mcp")
            .current_dir(t.root())
            .env_remove("CI")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pm mcp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut c = Client { child, stdin, lines, next: 1 };
        let init = c.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "pm", "{init}");
        c.notify("notifications/initialized");
        c
    }

    fn notify(&mut self, method: &str) {
        writeln!(self.stdin, "{}", json!({"jsonrpc": "2.0", "method": method})).unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        writeln!(self.stdin, "{}", json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).unwrap();
        self.stdin.flush().unwrap();
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(60)).expect("the server answers within a minute");
            let v: Value = serde_json::from_str(&line).expect("a JSON-RPC line");
            if v["id"] == json!(id) {
                return v;
            }
        }
    }

    /// `tools/call`: (is an error, the texts of its content).
    fn call(&mut self, tool: &str, arguments: Value) -> (bool, Vec<String>) {
        let r = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        let result = &r["result"];
        let texts = result["content"].as_array().unwrap_or_else(|| panic!("{r}"));
        (result["isError"] == json!(true), texts.iter().map(|c| c["text"].as_str().unwrap().to_string()).collect())
    }

    fn close(mut self) -> i32 {
        drop(self.stdin);
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

#[test]
fn an_agent_lists_tools_adds_a_story_and_gets_what_the_cli_shows() {
    let t = Test::initialized();
    t.pm(&["epic", "add", "Bank data", "--vision", "V-1"]).success();
    t.pm(&[
        "story",
        "add",
        "Import a bank statement",
        "--epic",
        "E-1",
        "--ac",
        "Given a CSV, when I import, then rows appear",
    ])
    .success();
    t.commit("start");
    let mut c = Client::start(&t);

    let tools = c.request("tools/list", json!({}));
    let mut names: Vec<&str> =
        tools["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "add_criterion",
            "add_story",
            "backlog",
            "check_criterion",
            "check_product",
            "diff",
            "history",
            "list_items",
            "rank_story",
            "search_items",
            "set_fields",
            "show_item"
        ]
    );
    let add = tools["result"]["tools"].as_array().unwrap().iter().find(|t| t["name"] == "add_story").unwrap();
    assert_eq!(add["inputSchema"]["required"], json!(["title"]), "{add}");

    let (error, texts) = c.call(
        "add_story",
        json!({"title": "Export to CSV", "criteria": ["Given an expense, when I export, then it is a row"],
               "epic": "E-1", "priority": "high", "top": true}),
    );
    assert!(!error, "{texts:?}");
    assert_eq!(texts, [t.pm(&["story", "show", "S-2", "--format", "json"]).success().stdout]);
    assert_eq!(
        t.read("product/stories/S-2-export-to-csv.md"),
        "---\nid: S-2\ntitle: Export to CSV\nstatus: draft\nepic: E-1\npriority: high\n---\n\n\
         ## Acceptance criteria\n\n- [ ] AC-1: Given an expense, when I export, then it is a row\n"
    );
    let backlog = t.pm(&["backlog", "--format", "ids"]).success().stdout;
    assert_eq!(backlog, "S-2\nS-1\n");

    // Reads are the CLI's JSON, byte for byte.
    let (_, listed) = c.call("list_items", json!({"open": true}));
    assert_eq!(listed, [t.pm(&["story", "list", "--open", "--format", "json"]).success().stdout]);
    let (_, found) = c.call("search_items", json!({"text": "BANK"}));
    let found: Value = serde_json::from_str(&found[0]).unwrap();
    assert_eq!(found.as_array().unwrap().iter().map(|s| s["id"].clone()).collect::<Vec<_>>(), [json!("S-1")]);
    let (_, checked) = c.call("check_product", json!({}));
    assert_eq!(checked, [t.pm(&["check", "--format", "json"]).code(0).stdout]);

    // Writes: one line each, the item returned.
    let before = t.read("product/stories/S-1-import-a-bank-statement.md");
    let (error, texts) = c.call("set_fields", json!({"id": "s-1", "fields": {"points": 3}}));
    assert!(!error, "{texts:?}");
    let after = t.read("product/stories/S-1-import-a-bank-statement.md");
    assert_eq!(crate::harness::changed_lines(&before, &after), (vec![], vec!["points: 3\n".to_string()]));
    let (_, texts) = c.call("check_criterion", json!({"id": "S-1", "ac": "AC-1", "checked": true}));
    let shown: Value = serde_json::from_str(&texts[0]).unwrap();
    assert_eq!(shown["criteria"], json!({"accepted": 1, "total": 1}));
    let (_, texts) = c.call("rank_story", json!({"id": "S-1", "top": true}));
    assert_eq!(serde_json::from_str::<Value>(&texts[0]).unwrap()["rank"], json!(1));
    // A write that warns says so after the item.
    let (error, texts) = c.call("add_story", json!({"title": "Undo an import"}));
    assert!(!error);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[1].starts_with("pm warned:\nwarning: S-3 has no acceptance criteria"), "{}", texts[1]);
    assert_eq!(c.close(), 0);
}

#[test]
fn a_refused_tool_call_is_an_error_result_and_changes_nothing() {
    let t = Test::initialized();
    t.pm(&["story", "add", "Export to CSV", "--ac", "Given an expense, when I export, then it is a row"]).success();
    let mut c = Client::start(&t);
    let (error, texts) = c.call("set_fields", json!({"id": "S-1", "fields": {"priorty": "high"}}));
    assert!(error);
    assert_eq!(
        texts,
        ["`pm -q story set -- S-1 priorty=high` failed (exit 2):\nerror: S-1 has no field `priorty`\n  \
          hint: did you mean priority? To add `priorty` anyway, list it in pm.yaml custom_fields or pass --force"]
    );
    // Text that looks like a flag is text: a title, a criterion, an ID.
    let (error, texts) = c.call("add_story", json!({"title": "--force", "criteria": ["-q: quiet mode keeps errors"]}));
    assert!(!error, "{texts:?}");
    assert_eq!(
        t.read("product/stories/S-2-force.md"),
        "---\nid: S-2\ntitle: --force\nstatus: draft\n---\n\n## Acceptance criteria\n\n- [ ] AC-1: -q: quiet mode keeps errors\n"
    );
    let files = t.snapshot();
    let (error, texts) = c.call("rank_story", json!({"id": "--top", "top": true}));
    assert!(error, "{texts:?}");
    // Arguments outside the schema are refused, not guessed at or dropped.
    for (tool, args) in
        [("list_items", json!({"kind": "--help"})), ("add_story", json!({"title": "t", "statuss": "done"}))]
    {
        let r = c.request("tools/call", json!({"name": tool, "arguments": args}));
        assert!(r["error"]["message"].is_string() || r["result"]["isError"] == json!(true), "{tool}: {r}");
    }
    let (error, texts) = c.call("set_fields", json!({"id": "S-1", "fields": {"owner=x priority": "high"}}));
    assert!(error);
    assert_eq!(texts, ["`owner=x priority` is not a field name: a name has no `=` and does not start with `-`"]);
    let (error, texts) = c.call("show_item", json!({"id": "X-1"}));
    assert!(error);
    assert_eq!(texts, ["`X-1` is not an item ID of this product; IDs look like V-N, E-N, S-N, SP-N, F-N"]);
    let (error, texts) = c.call("check_criterion", json!({"id": "S-1", "ac": "AC-7", "checked": true}));
    assert!(error, "{texts:?}");
    assert_eq!(t.snapshot(), files);
    assert_eq!(c.close(), 0);
}

#[test]
fn outside_a_product_the_server_refuses_to_start() {
    let t = Test::new();
    t.pm(&["mcp"]).code(2).stderr_is(&format!(
        "error: no product folder found in {} or any parent\n  hint: run `pm init` to create one, or \
         `pm -C DIR ...` to point at a repository that has one\n",
        t.root().display()
    ));
}

#[test]
fn agents_instructions_print_and_are_kept_as_one_section_of_agents_md() {
    let t = Test::new();
    t.write("AGENTS.md", "# Agents\n\nRun `cargo test` before you push.\n");
    t.pm(&["init", "--name", "Demo", "--agents"]).success();
    let printed = t.pm(&["agents"]).success().stdout;
    assert!(printed.starts_with("## Product backlog (pm)\n"), "{printed}");
    let section = format!(
        "<!-- pm:begin (written by `pm agents --write`; edit outside these markers) -->\n{printed}<!-- pm:end -->\n"
    );
    assert_eq!(t.read("AGENTS.md"), format!("# Agents\n\nRun `cargo test` before you push.\n\n{section}"));
    // Written again, nothing changes; the team's own lines after it stay.
    t.write("AGENTS.md", &format!("{}\n## Style\nShort commits.\n", t.read("AGENTS.md")));
    let kept = t.read("AGENTS.md");
    t.pm(&["agents", "--write"]).success().stdout_is("AGENTS.md already has pm's instructions\n");
    assert_eq!(t.read("AGENTS.md"), kept);
}
