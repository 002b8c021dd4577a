//! `pm score [ID ...]`: each open story's scoring inputs and score, highest first, beside its
//! backlog rank.

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{ListFormat, print_rows};
use crate::cli::view;
use crate::error::{Error, Result};
use crate::model::id::Kind;
use crate::model::item::{Item, value_text};
use crate::model::score::{Model, NoScore, format_score, order};
use crate::store::product::Product;

/// Show each open story's prioritisation score, highest first, beside its backlog rank
///
/// The model and the scales of its inputs are `scoring:` in pm.yaml (rice, wsjf, value-effort
/// or a formula; docs/prioritise.md). A story without a score names what it lacks; those come
/// last, in backlog order. `pm rank --by score` puts the backlog in this order.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm score\n  pm score S-4 S-9\n  pm score --format json")]
pub struct Args {
    /// Only these stories
    #[arg(value_name = "ID", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::story_ids))]
    ids: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

/// The scoring model of the product, or the error that says how to choose one.
pub fn model(product: &Product) -> Result<&Model> {
    product.config.score_model.as_ref().ok_or_else(|| {
        Error::bad_argument("no scoring model: pm.yaml has no `scoring:` with a `model:`").with_hint(
            "choose one in product/pm.yaml, e.g. `scoring: {model: rice}` (rice, wsjf, value-effort or formula; docs/prioritise.md)",
        )
    })
}

/// One open story with its backlog rank and its score (or why it has none).
pub struct Scored<'a> {
    pub item: &'a Item,
    pub rank: Option<usize>,
    /// The weighted count of the feedback that supports it.
    pub feedback: u64,
    pub score: std::result::Result<f64, NoScore>,
}

/// The open stories in backlog order (listed ones by rank, then the rest by ID), scored.
pub fn scored<'a>(
    product: &Product,
    model: &Model,
    items: &'a crate::store::product::Items,
    backlog: &crate::model::listfile::ListFile,
) -> Vec<Scored<'a>> {
    let ranks = view::ranks_in(backlog);
    // Each story's rank looked up once, not in every comparison of the sort.
    let mut open: Vec<(Option<usize>, &Item)> = (items.of_kind(Kind::Story))
        .filter(|i| !product.config.is_closed(&i.status))
        .map(|i| (ranks.get(&i.id.to_string()).copied(), i))
        .collect();
    open.sort_by(|(ra, a), (rb, b)| (ra.unwrap_or(usize::MAX), &a.id).cmp(&(rb.unwrap_or(usize::MAX), &b.id)));
    open.dedup_by(|a, b| a.1.id == b.1.id);
    let support = view::support(items);
    (open.into_iter())
        .map(|(rank, item)| {
            let feedback = support.get(&item.id.to_string()).weight;
            Scored { item, rank, feedback, score: model.score(&item.fields, feedback) }
        })
        .collect()
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let view = view::load_view(ctx, None)?;
    let wanted = (a.ids.iter())
        .map(|id| view::get_at(&view, id, Kind::Story).map(|i| i.id.to_string()))
        .collect::<Result<Vec<_>>>()?;
    let view::View { product, items, backlog, errors, .. } = view;
    let items = view::kept_to_exit(items);
    let model = model(&product)?;
    let all = scored(&product, model, &items, &backlog);
    let shown: Vec<&Scored> =
        all.iter().filter(|s| wanted.is_empty() || wanted.contains(&s.item.id.to_string())).collect();
    let scores: Vec<_> = shown.iter().map(|s| s.score.as_ref().map(|v| *v)).collect();
    let mut header = vec!["#", "SCORE", "RANK", "ID", "TITLE"];
    let upper: Vec<String> = model.inputs.iter().map(|f| f.to_uppercase()).collect();
    header.extend(upper.iter().map(String::as_str));
    header.push("NOTE");
    let (mut rows, mut json, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    for (place, i) in order(&scores).into_iter().enumerate() {
        let s = shown[i];
        let values: Vec<Option<&serde_yaml::Value>> =
            model.inputs.iter().map(|f| s.item.fields.get(f).filter(|v| !v.is_null())).collect();
        ids.push(s.item.id.to_string());
        if !matches!(a.format, ListFormat::Table | ListFormat::Csv) {
            if a.format == ListFormat::Json {
                json.push(row_json(model, s, &values));
            }
            continue;
        }
        let inputs: Vec<Option<String>> = (model.inputs.iter().zip(&values))
            .map(|(f, v)| v.map(value_text).or_else(|| model.derives(f).then(|| s.feedback.to_string())))
            .collect();
        let mut row = vec![
            if s.score.is_ok() { (place + 1).to_string() } else { "-".into() },
            s.score.as_ref().map(|v| format_score(*v)).unwrap_or_else(|_| "-".into()),
            s.rank.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
            s.item.id.to_string(),
            s.item.title.clone(),
        ];
        row.extend(inputs.iter().map(|v| v.clone().unwrap_or_default()));
        row.push(s.score.as_ref().err().map(|e| model.explain(e)).unwrap_or_default());
        rows.push(row);
    }
    if ids.is_empty() && a.format == ListFormat::Table {
        ctx.say("No open stories to score.")?;
        return ctx.finish(errors);
    }
    print_rows(a.format, ctx.stdout_tty, &header, &rows, &json, &ids)?;
    ctx.finish(errors)
}

/// One story's object in `pm score --format json`.
fn row_json(model: &Model, s: &Scored, values: &[Option<&serde_yaml::Value>]) -> serde_json::Value {
    let missing = match &s.score {
        Err(NoScore::Missing(m)) => m.clone(),
        _ => Vec::new(),
    };
    json!({
        "id": s.item.id.to_string(),
        "title": s.item.title,
        "rank": s.rank,
        "score": s.score.as_ref().ok().map(|v| (v * 100.0).round() / 100.0),
        "model": model.name.name(),
        "inputs": (model.inputs.iter().zip(values))
            .map(|(f, v)| {
                let value = match v {
                    Some(v) => crate::model::item::value_json(v),
                    None if model.derives(f) => json!(s.feedback),
                    None => serde_json::Value::Null,
                };
                (f.clone(), value)
            })
            .collect::<serde_json::Map<_, _>>(),
        "feedback": s.feedback,
        // The inputs taken from feedback (`reach_from_feedback`), not written in the story.
        "from_feedback": (model.inputs.iter().zip(values))
            .filter(|(f, v)| v.is_none() && model.derives(f))
            .map(|(f, _)| f.clone())
            .collect::<Vec<_>>(),
        "missing": missing,
        "problem": s.score.as_ref().err().filter(|e| !matches!(e, NoScore::Missing(_))).map(|e| model.explain(e)),
    })
}
