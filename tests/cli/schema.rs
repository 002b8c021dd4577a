//! `pm schema`: every file of the example product is valid against its kind's schema, a wrong
//! type is not, and the settings schema knows exactly the keys pm.yaml has.

use crate::harness::{Test, example_dir, walk};

fn validator(t: &Test, target: &str) -> jsonschema::Validator {
    let schema: serde_json::Value = t.pm(&["schema", target]).success().json();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// The front matter of an item file as JSON (as an editor's YAML server reads it).
fn front_matter(text: &str) -> serde_json::Value {
    let yaml = text.strip_prefix("---\n").and_then(|r| r.split_once("\n---\n")).map(|(y, _)| y).expect("front matter");
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).expect("YAML");
    serde_json::to_value(value).expect("JSON")
}

#[test]
fn every_example_file_is_valid_against_its_schema_and_a_wrong_type_is_not() {
    let t = Test::with_example();
    let mut checked = 0;
    for (folder, kind) in [
        ("visions", "vision"),
        ("epics", "epic"),
        ("stories", "story"),
        ("sprints", "sprint"),
        ("feedback", "feedback"),
    ] {
        let v = validator(&t, kind);
        for path in walk(&example_dir().join(folder)) {
            let fm = front_matter(&std::fs::read_to_string(&path).unwrap());
            let errors: Vec<String> = v.iter_errors(&fm).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 30, "{checked}");
    let story = validator(&t, "story");
    let mut bad = front_matter(
        &std::fs::read_to_string(
            example_dir().join("stories").join(t.find("product/stories", "S-16-").rsplit('/').next().unwrap()),
        )
        .unwrap(),
    );
    bad["points"] = serde_json::json!("thirteen");
    assert!(!story.is_valid(&bad));
    bad["points"] = serde_json::json!(13);
    bad["priorty"] = serde_json::json!("high");
    assert!(!story.is_valid(&bad), "an unknown field is flagged, as pm check warns about it");
    bad.as_object_mut().unwrap().remove("priorty");
    bad["status"] = serde_json::json!("doing");
    assert!(!story.is_valid(&bad), "a status pm.yaml does not list");
}

#[test]
fn the_settings_schema_knows_every_key_of_pm_yaml() {
    let t = Test::with_example();
    let v = validator(&t, "config");
    let default: serde_yaml::Value = serde_yaml::from_str(&pm::model::config::Config::default_file("Demo")).unwrap();
    let default = serde_json::to_value(default).unwrap();
    assert!(v.is_valid(&default));
    let example: serde_yaml::Value = serde_yaml::from_str(&t.read("product/pm.yaml")).unwrap();
    assert!(v.is_valid(&serde_json::to_value(example).unwrap()));
    let schema = t.pm(&["schema", "config"]).success().json();
    let mut keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    let mut written: Vec<&String> = default.as_object().unwrap().keys().collect();
    // `import:` is written by the first `pm import` that needs it, not by `pm init`.
    let import = "import".to_string();
    written.push(&import);
    keys.sort();
    written.sort();
    assert_eq!(keys, written, "pm.yaml's keys and the schema's");
    let mut typo = default.clone();
    typo["priorites"] = serde_json::json!(["high"]);
    assert!(!v.is_valid(&typo));
}

#[test]
fn schemas_follow_the_products_settings_and_out_writes_them_all() {
    let t = Test::initialized();
    let yaml = t.read("product/pm.yaml").replace("custom_fields: []", "custom_fields: [jira]");
    t.write("product/pm.yaml", &yaml);
    let schema = t.pm(&["schema", "story"]).success().json();
    assert_eq!(schema["properties"]["jira"], serde_json::json!({}));
    assert_eq!(schema["properties"]["priority"]["enum"], serde_json::json!(["critical", "high", "medium", "low"]));
    t.pm(&["schema", "--out", "schemas"]).success().stdout_is(
        "Wrote schemas/vision.schema.json, schemas/epic.schema.json, schemas/story.schema.json, schemas/sprint.schema.json, schemas/feedback.schema.json, schemas/config.schema.json\n",
    );
    assert_eq!(t.read("schemas/story.schema.json"), t.pm(&["schema", "story"]).success().stdout);
    t.pm(&["schema"]).code(2).stderr_has("name what to describe, or --out DIR");
}
