//! Flow over time, read from one walk of history: each story's timeline (when it was created,
//! and each change of its status, points and sprint, at the time of the commit that made it),
//! and what is computed from those timelines: when a story started and finished, cycle and lead
//! times, weekly throughput, work in progress, a sprint's burndown and velocity.
//!
//! Items are followed by ID (a renamed file keeps its timeline). Times are commit times in
//! seconds; days are days of the local time zone, as everywhere in pm.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::history::changes::What;
use crate::history::walk::History;
use crate::model::config::Config;
use crate::model::date;
use crate::model::sprint::{Sprint, Standing, WorkingDays, standing};

/// The fields a timeline follows (the epic for charts of one epic's progress).
const FOLLOWED: [&str; 4] = ["status", "points", "sprint", "epic"];

/// One story's (or sprint's) life, as history recorded it.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub id: String,
    /// `story` or `sprint`.
    pub kind: String,
    pub title: String,
    /// When it first appeared.
    pub created: Option<i64>,
    /// `(time, field, new value)` for `status`, `points`, `sprint` and `epic`, oldest first; the values
    /// it was created with come first, at `created`. `None`: removed (or the file deleted).
    pub events: Vec<(i64, &'static str, Option<String>)>,
}

impl Timeline {
    /// The value of `field` just after `time` (the changes made at `time` included).
    pub fn at(&self, field: &str, time: i64) -> Option<&str> {
        self.events.iter().rev().find(|(t, f, _)| *t <= time && *f == field).and_then(|(_, _, v)| v.as_deref())
    }

    /// Its points just after `time`.
    pub fn points_at(&self, time: i64) -> u64 {
        self.at("points", time).and_then(|p| p.trim().parse().ok()).unwrap_or(0)
    }

    /// The statuses it went through: `(time, status)`, oldest first.
    fn statuses(&self) -> impl Iterator<Item = (i64, Option<&str>)> {
        self.events.iter().filter(|(_, f, _)| *f == "status").map(|(t, _, v)| (*t, v.as_deref()))
    }

    /// When it finished: the last time it entered a finished status, if it is finished now (a
    /// story reopened and finished again counts its last finish).
    pub fn finished(&self, config: &Config) -> Option<i64> {
        let mut at = None;
        let mut was = false;
        for (t, s) in self.statuses() {
            let now = s.is_some_and(|s| config.is_finished(s));
            if now && !was {
                at = Some(t);
            }
            if !now {
                at = None;
            }
            was = now;
        }
        at
    }

    /// When it first entered a started status; `None` when it never did (a story moved
    /// straight to done has no cycle time, rather than one of zero days).
    pub fn started(&self, config: &Config) -> Option<i64> {
        self.statuses().find(|(_, s)| s.is_some_and(|s| config.is_started(s))).map(|(t, _)| t)
    }

    /// When it first took `status` (a sprint's closed status: when it closed).
    pub fn first_time(&self, status: &str) -> Option<i64> {
        self.statuses().find(|(_, s)| *s == Some(status)).map(|(t, _)| t)
    }

    pub fn is_story(&self) -> bool {
        self.kind == "story"
    }

    /// How many times it left a finished status for an open one.
    pub fn reopened(&self, config: &Config) -> usize {
        let mut count = 0;
        let mut was = false;
        for (_, s) in self.statuses() {
            let now = s.is_some_and(|s| config.is_finished(s));
            if was && !now && s.is_some_and(|s| !config.is_closed(s)) {
                count += 1;
            }
            was = now;
        }
        count
    }
}

/// The timelines of every story and sprint the history shows, by ID.
///
/// A change's time is its commit's, kept in commit order: a commit made in the same second as
/// the one before it (a script, a rebase) or earlier than it (clock skew) takes the second
/// after, so "just before the close" is always before the commit that closed the sprint.
pub fn timelines(history: &History) -> BTreeMap<String, Timeline> {
    let mut out: BTreeMap<String, Timeline> = BTreeMap::new();
    for (commit, time) in history.commits.iter().zip(clock(history)) {
        for c in commit.changes() {
            match &c.what {
                // A renumbered item keeps its life under its new ID.
                What::Renumbered { from, to, .. } => {
                    if let Some(mut old) = out.remove(from) {
                        old.id = to.clone();
                        old.title = c.title.clone();
                        out.insert(to.clone(), old);
                    }
                }
                What::Created { kind, fields, .. } if kind == "story" || kind == "sprint" => {
                    let t = out.entry(c.id.clone()).or_default();
                    t.id = c.id.clone();
                    t.kind = kind.clone();
                    t.title = c.title.clone();
                    t.created.get_or_insert(time);
                    for field in FOLLOWED {
                        let value = fields.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone());
                        t.events.push((time, field, value.filter(|v| !v.is_empty())));
                    }
                }
                What::Deleted { kind } if kind == "story" || kind == "sprint" => {
                    if let Some(t) = out.get_mut(&c.id) {
                        for field in FOLLOWED {
                            t.events.push((time, field, None));
                        }
                    }
                }
                What::Field { field, to, .. } => {
                    if let (Some(t), Some(field)) = (out.get_mut(&c.id), FOLLOWED.iter().find(|f| **f == field)) {
                        t.events.push((time, field, to.clone()));
                        t.title = c.title.clone();
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The time of each commit as timelines count it: its commit time, or the second after the
/// commit before it when it is not later (a script, a rebase, clock skew).
pub fn clock(history: &History) -> Vec<i64> {
    let mut clock = i64::MIN;
    history
        .commits
        .iter()
        .map(|c| {
            clock = c.info.time.max(clock.saturating_add(1));
            clock
        })
        .collect()
}

/// The first second of a local day, and of the day after it.
fn day_bounds(day: Date) -> (i64, i64) {
    date::day_span(day)
}

/// One working day of a sprint's burndown: the points of its unfinished stories at the day's
/// end, and the sprint's scope then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurndownDay {
    pub day: Date,
    pub remaining: u64,
    pub scope: u64,
}

/// What history says of a sprint: its burndown over the working days up to `today` (or its
/// end), the stories that joined it after it started, and the points completed in it.
#[derive(Debug, Clone, Default)]
pub struct SprintHistory {
    pub burndown: Vec<BurndownDay>,
    /// Stories whose `sprint` became this sprint after its first day began.
    pub added_after_start: Vec<String>,
    /// Points of the stories that finished within the sprint's dates (their points then).
    pub completed: u64,
    pub completed_stories: Vec<String>,
    /// When it closed, and the stories it held just before (the ones not finished then were
    /// carried), with their points then: a closed sprint is shown as it closed.
    pub closed_at: Option<i64>,
    pub at_close: Vec<String>,
    pub carried: Vec<String>,
    pub scope_at_close: u64,
    pub carried_points: u64,
    /// Its scope when it started: just after the commit that made it active, else at the end
    /// of its first day (stories planned on the morning of day one are not "added").
    pub committed: u64,
}

pub fn sprint_history(
    sprint: &Sprint,
    timelines: &BTreeMap<String, Timeline>,
    config: &Config,
    days: &WorkingDays,
    today: Date,
) -> SprintHistory {
    let mut out = SprintHistory::default();
    let Some((start, end)) = sprint.dates() else { return out };
    let (start_time, _) = day_bounds(start);
    let (_, end_time) = day_bounds(end);
    let (_, active, closed) = config.sprint_states();
    out.closed_at = timelines.get(&sprint.id).and_then(|t| t.first_time(closed));
    let started_at = timelines
        .get(&sprint.id)
        .and_then(|t| t.first_time(active))
        .filter(|t| (start_time..end_time).contains(t))
        .unwrap_or(day_bounds(start).1 - 1);
    // A moment is read as it was before the close: the close carries stories out, and a
    // sprint closed on its last day would otherwise end with nothing left to do.
    let before_close = |time: i64| out.closed_at.map_or(time, |c| time.min(c - 1));
    let in_sprint = |t: &Timeline, time: i64| t.at("sprint", time) == Some(sprint.id.as_str());
    let stand = |t: &Timeline, time: i64| t.at("status", time).map_or(Standing::Open, |s| standing(s, config));
    // Only the stories that were in it at some point matter.
    let ever: Vec<&Timeline> = timelines
        .values()
        .filter(|t| t.is_story())
        .filter(|t| t.events.iter().any(|(_, f, v)| *f == "sprint" && v.as_deref() == Some(sprint.id.as_str())))
        .collect();
    for &t in &ever {
        // Joined after the start: not in the sprint when it started, and in it at a change
        // after that, before its end.
        let joined = !in_sprint(t, started_at)
            && t.events.iter().any(|(time, f, v)| {
                *f == "sprint" && *time > started_at && *time < end_time && v.as_deref() == Some(sprint.id.as_str())
            });
        if joined {
            out.added_after_start.push(t.id.clone());
        }
        // Open (or without a recorded close): what finished within its dates while in it. A
        // closed sprint's completed points are those of its close, below.
        if out.closed_at.is_none()
            && let Some(done) = t.finished(config)
            && done >= start_time
            && done < end_time
            && in_sprint(t, done)
        {
            out.completed = out.completed.saturating_add(t.points_at(done));
            out.completed_stories.push(t.id.clone());
        }
    }
    out.committed = ever
        .iter()
        .filter(|t| in_sprint(t, started_at) && stand(t, started_at) != Standing::Dropped)
        .fold(0u64, |sum, t| sum.saturating_add(t.points_at(started_at)));
    if let Some(closed) = out.closed_at {
        // Completed is what was finished when it closed: the same count as `pm sprint close`
        // printed, whatever happens to those stories later (reopened, deleted).
        for t in ever.iter().filter(|t| in_sprint(t, closed - 1)) {
            let at = stand(t, closed - 1);
            if at == Standing::Dropped {
                continue;
            }
            let points = t.points_at(closed - 1);
            out.at_close.push(t.id.clone());
            out.scope_at_close = out.scope_at_close.saturating_add(points);
            if at == Standing::Finished {
                out.completed = out.completed.saturating_add(points);
                out.completed_stories.push(t.id.clone());
            } else {
                out.carried.push(t.id.clone());
                out.carried_points = out.carried_points.saturating_add(points);
            }
        }
    }
    let last = end.min(today);
    for day in days.between(start, last) {
        let (_, day_end) = day_bounds(day);
        let at = before_close(day_end - 1);
        let (mut remaining, mut scope) = (0u64, 0u64);
        for t in ever.iter().filter(|t| in_sprint(t, at)) {
            let at_now = stand(t, at);
            if at_now == Standing::Dropped {
                continue;
            }
            let points = t.points_at(at);
            scope = scope.saturating_add(points);
            if at_now == Standing::Open {
                remaining = remaining.saturating_add(points);
            }
        }
        out.burndown.push(BurndownDay { day, remaining, scope });
    }
    out
}

/// A story that finished, with the times of its life.
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: String,
    pub title: String,
    pub created: Option<i64>,
    pub started: Option<i64>,
    pub finished: i64,
    /// Its points when it finished.
    pub points: u64,
    pub reopened: usize,
}

impl Finished {
    /// Started to finished, in days.
    pub fn cycle_days(&self) -> Option<f64> {
        self.started.map(|s| days_between(s, self.finished))
    }

    /// Created to finished, in days.
    pub fn lead_days(&self) -> Option<f64> {
        self.created.map(|c| days_between(c, self.finished))
    }
}

/// The stories that finished in `[since, until)` (commit times; open ends when `None`) and
/// that `keep` keeps, by finish time.
pub fn finished_stories(
    timelines: &BTreeMap<String, Timeline>,
    config: &Config,
    since: Option<i64>,
    until: Option<i64>,
    keep: impl Fn(&str) -> bool,
) -> Vec<Finished> {
    let mut out: Vec<Finished> = timelines
        .values()
        .filter(|t| t.is_story() && keep(&t.id))
        .filter_map(|t| {
            let finished = t.finished(config)?;
            if since.is_some_and(|s| finished < s) || until.is_some_and(|u| finished >= u) {
                return None;
            }
            Some(Finished {
                id: t.id.clone(),
                title: t.title.clone(),
                created: t.created,
                started: t.started(config),
                finished,
                points: t.points_at(finished),
                reopened: t.reopened(config),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.finished, &a.id).cmp(&(b.finished, &b.id)));
    out
}

/// A story in progress now: in a started status, since it first started.
#[derive(Debug, Clone)]
pub struct InProgress {
    pub id: String,
    pub title: String,
    pub status: String,
    pub started: i64,
}

/// The stories whose last status is a started one, oldest start first.
pub fn in_progress(
    timelines: &BTreeMap<String, Timeline>,
    config: &Config,
    keep: impl Fn(&str) -> bool,
) -> Vec<InProgress> {
    let mut out: Vec<InProgress> = timelines
        .values()
        .filter(|t| t.is_story() && keep(&t.id))
        .filter_map(|t| {
            let status = t.at("status", i64::MAX)?;
            if !config.is_started(status) {
                return None;
            }
            Some(InProgress {
                id: t.id.clone(),
                title: t.title.clone(),
                status: status.to_string(),
                started: t.started(config)?,
            })
        })
        .collect();
    out.sort_by(|a, b| (a.started, &a.id).cmp(&(b.started, &b.id)));
    out
}

/// The Monday of the week holding `day`.
pub fn week_of(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
}

/// Stories and points finished in each week (by its Monday) from the week of `from` to the week
/// of `to`, weeks without any included.
pub fn weekly(finished: &[Finished], from: Date, to: Date) -> Vec<(Date, usize, u64)> {
    let mut weeks: BTreeMap<Date, (usize, u64)> = BTreeMap::new();
    let mut week = week_of(from);
    let last = week_of(to);
    while week <= last {
        weeks.insert(week, (0, 0));
        match week.checked_add(jiff::Span::new().days(7)) {
            Ok(next) => week = next,
            Err(_) => break,
        }
    }
    for f in finished {
        if let Some(day) = date::local_day(f.finished)
            && let Some(w) = weeks.get_mut(&week_of(day))
        {
            w.0 += 1;
            w.1 += f.points;
        }
    }
    weeks.into_iter().map(|(w, (n, p))| (w, n, p)).collect()
}

/// The longest future a forecast simulates: ten years. A run that has not finished by then
/// stops there (the forecast then says "more than ten years").
pub const HORIZON_WEEKS: usize = 520;

/// When `count` stories are likely done, by Monte Carlo over a weekly throughput sample: each
/// run draws a past week's count until the work is done. The weeks it took at the 50th, 85th
/// and 95th percentiles. `None` when the sample has no week with finished work.
pub fn forecast(sample: &[usize], count: usize, runs: usize, seed: u64) -> Option<[usize; 3]> {
    if count == 0 {
        return Some([0, 0, 0]);
    }
    if !sample.iter().any(|n| *n > 0) {
        return None;
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut weeks: Vec<usize> = (0..runs.max(1))
        .map(|_| {
            let (mut left, mut n) = (count, 0);
            while left > 0 && n < HORIZON_WEEKS {
                left = left.saturating_sub(sample[rng.usize(..sample.len())]);
                n += 1;
            }
            n
        })
        .collect();
    weeks.sort_unstable();
    let at = |p: usize| weeks[((p * weeks.len()).div_ceil(100)).clamp(1, weeks.len()) - 1];
    Some([at(50), at(85), at(95)])
}

/// The weekly throughput a forecast draws from: stories finished in each full week from `from`
/// to `before` (the day before this week began).
pub struct Sample {
    pub weeks: Vec<usize>,
    pub from: Date,
    pub before: Date,
}

/// The 12 full weeks before this one, or the weeks since `since`.
pub fn sample(timelines: &BTreeMap<String, Timeline>, config: &Config, today: Date, since: Option<Date>) -> Sample {
    let this_week = week_of(today);
    // Not before the product's history began: weeks before any story existed are not weeks
    // in which the team finished nothing.
    let began = timelines.values().filter_map(|t| t.created).min().and_then(date::local_day).map(week_of);
    let twelve = this_week.checked_sub(jiff::Span::new().days(84)).unwrap_or(this_week);
    let from = since.unwrap_or_else(|| began.map_or(twelve, |b| b.max(twelve)));
    let before = this_week.checked_sub(jiff::Span::new().days(1)).unwrap_or(this_week);
    let finished =
        finished_stories(timelines, config, Some(date::day_span(from).0), Some(date::day_span(this_week).0), |_| true);
    let weeks = if from <= before { weekly(&finished, from, before) } else { Vec::new() };
    Sample { weeks: weeks.iter().map(|(_, n, _)| *n).collect(), from, before }
}

/// Whether a sample is enough to forecast from: 3 weeks or more with finished work.
pub fn enough(sample: &[usize]) -> bool {
    sample.iter().filter(|n| **n > 0).count() >= 3
}

/// The value at `p` (0-100) of sorted values, by the nearest-rank method.
pub fn percentile(sorted: &[f64], p: u32) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (f64::from(p) / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Days between two commit times, to a tenth.
pub fn days_between(from: i64, to: i64) -> f64 {
    ((to - from) as f64 / 86_400.0 * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(events: &[(i64, &'static str, Option<&str>)]) -> Timeline {
        Timeline {
            id: "S-1".into(),
            kind: "story".into(),
            title: "T".into(),
            created: Some(events[0].0),
            events: events.iter().map(|(t, f, v)| (*t, *f, v.map(String::from))).collect(),
        }
    }

    #[test]
    fn a_reopened_story_counts_its_last_finish() {
        let config = Config::default();
        let t = timeline(&[
            (10, "status", Some("draft")),
            (20, "status", Some("in-progress")),
            (30, "status", Some("done")),
            (40, "status", Some("in-progress")),
            (50, "status", Some("done")),
        ]);
        assert_eq!((t.started(&config), t.finished(&config), t.reopened(&config)), (Some(20), Some(50), 1));
        let open =
            timeline(&[(10, "status", Some("draft")), (30, "status", Some("done")), (40, "status", Some("ready"))]);
        assert_eq!((open.started(&config), open.finished(&config)), (None, None), "never started");
    }

    #[test]
    fn a_forecast_is_deterministic_with_a_seed_and_never_loops() {
        let sample = [0, 2, 3, 1, 0, 4, 2, 3, 2, 1, 0, 3];
        let a = forecast(&sample, 20, 10_000, 7).unwrap();
        assert_eq!(a, forecast(&sample, 20, 10_000, 7).unwrap());
        assert!(a[0] <= a[1] && a[1] <= a[2], "{a:?}");
        // 20 stories at 1.75 a week: about 11-12 weeks at the median.
        assert!((10..=13).contains(&a[0]), "{a:?}");
        assert_eq!(forecast(&[0, 0, 0], 5, 100, 1), None);
        // A future longer than the horizon stops there.
        let mut thin = vec![0; 99];
        thin.push(1);
        assert_eq!(forecast(&thin, 10_000, 50, 1), Some([HORIZON_WEEKS; 3]));
        assert_eq!(forecast(&[5], 10, 100, 1), Some([2, 2, 2]));
    }

    #[test]
    fn weeks_start_on_monday() {
        let d = |t: &str| t.parse::<Date>().unwrap();
        assert_eq!(week_of(d("2026-12-02")), d("2026-11-30"));
        assert_eq!(week_of(d("2026-11-30")), d("2026-11-30"));
        assert_eq!(week_of(d("2026-12-06")), d("2026-11-30"));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!((percentile(&v, 50), percentile(&v, 85), percentile(&v, 95)), (Some(5.0), Some(9.0), Some(10.0)));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[4.0], 95), Some(4.0));
    }
}
