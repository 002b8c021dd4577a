//! Sprints: a time box (`start` to `end`, both inclusive), an optional capacity in points and a
//! goal, held in `product/sprints/SP-N-<slug>.md`; stories join one with `sprint: SP-N`.
//!
//! This module owns what a sprint is as data: its dates and their rules (the length of a new
//! sprint, the team's working days), read from an [`Item`]. What a sprint did over time
//! (burndown, velocity) is read from history elsewhere.

use jiff::civil::Date;

use crate::model::config::Config;
use crate::model::item::Item;

/// The fields a sprint carries beyond the common ones.
pub const SPRINT_FIELDS: &[&str] = &["start", "end", "capacity", "goal"];

/// The length of a sprint, as `sprint_length` in `pm.yaml` writes it: `2w` or `10d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    pub days: i32,
}

impl Length {
    /// `Nw` (weeks) or `Nd` (days), N from 1; `None` for anything else.
    pub fn parse(text: &str) -> Option<Length> {
        let text = text.trim();
        let (n, per) = match (text.strip_suffix('w'), text.strip_suffix('d')) {
            (Some(n), _) => (n, 7),
            (_, Some(n)) => (n, 1),
            _ => return None,
        };
        let n: i32 = n.parse().ok().filter(|n| (1..=366).contains(n))?;
        Some(Length { days: n * per })
    }
}

/// The days of the week a team works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDays {
    days: [bool; 7],
}

impl Default for WorkingDays {
    fn default() -> Self {
        WorkingDays { days: [true, true, true, true, true, false, false] }
    }
}

impl WorkingDays {
    /// `mon` ... `sun` (any case, or the full names); the first word that is none of them is the
    /// error. An empty list is every day.
    pub fn parse(names: &[String]) -> Result<WorkingDays, String> {
        if names.is_empty() {
            return Ok(WorkingDays { days: [true; 7] });
        }
        let mut days = [false; 7];
        for name in names {
            let lower = name.trim().to_ascii_lowercase();
            let i = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .iter()
                .position(|d| lower == *d || (lower.len() > 3 && full_name(d).starts_with(&lower)))
                .ok_or_else(|| name.clone())?;
            days[i] = true;
        }
        Ok(WorkingDays { days })
    }

    pub fn is_working(&self, day: Date) -> bool {
        self.days[day.weekday().to_monday_zero_offset().unsigned_abs() as usize]
    }

    /// The working days from `start` to `end`, both inclusive (at most 1,000 days are looked
    /// at: a sprint is weeks long, and a mistyped year must not make a command crawl).
    pub fn between(&self, start: Date, end: Date) -> Vec<Date> {
        let mut out = Vec::new();
        let mut day = start;
        let mut seen = 0;
        while day <= end && seen < 1000 {
            seen += 1;
            if self.is_working(day) {
                out.push(day);
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        out
    }

    /// The first working day after `day` (the day itself is not counted).
    pub fn next_after(&self, day: Date) -> Option<Date> {
        let mut d = day.tomorrow().ok()?;
        for _ in 0..7 {
            if self.is_working(d) {
                return Some(d);
            }
            d = d.tomorrow().ok()?;
        }
        day.tomorrow().ok()
    }
}

fn full_name(short: &str) -> &'static str {
    match short {
        "mon" => "monday",
        "tue" => "tuesday",
        "wed" => "wednesday",
        "thu" => "thursday",
        "fri" => "friday",
        "sat" => "saturday",
        _ => "sunday",
    }
}

/// A sprint's dates and plan, as its file gives them. A field that is missing or not a date
/// is `None` here (`pm check` reports it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sprint {
    pub id: String,
    pub title: String,
    pub status: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub capacity: Option<u64>,
    pub goal: Option<String>,
}

/// A date field: `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    (text.len() == 10).then_some(())?;
    text.parse().ok()
}

impl Sprint {
    pub fn of(item: &Item) -> Sprint {
        let date = |key: &str| item.get(key).and_then(|v| parse_date(&v));
        Sprint {
            id: item.id.to_string(),
            title: item.title.clone(),
            status: item.status.clone(),
            start: date("start"),
            end: date("end"),
            capacity: item.get("capacity").and_then(|v| v.trim().parse().ok()),
            goal: item.get("goal").filter(|g| !g.trim().is_empty()),
        }
    }

    /// Both dates, when the sprint has them in order.
    pub fn dates(&self) -> Option<(Date, Date)> {
        match (self.start, self.end) {
            (Some(s), Some(e)) if s <= e => Some((s, e)),
            _ => None,
        }
    }

    /// Whether the two sprints share a day.
    pub fn overlaps(&self, other: &Sprint) -> bool {
        match (self.dates(), other.dates()) {
            (Some((a, b)), Some((c, d))) => a <= d && c <= b,
            _ => false,
        }
    }
}

/// Where a story stands for a sprint: finished (its points are completed), dropped (out of the
/// sprint's scope), or open (still to do). The one definition every sprint number uses: the
/// plan and the close, `pm sprint show` and `list`, `pm check`, burndown and velocity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Finished,
    Dropped,
    Open,
}

/// How a story with `status` stands (`finished` in pm.yaml, else closed = dropped, else open).
pub fn standing(status: &str, config: &Config) -> Standing {
    if config.is_finished(status) {
        Standing::Finished
    } else if config.is_closed(status) {
        Standing::Dropped
    } else {
        Standing::Open
    }
}

/// What a sprint holds now: its stories and their points.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The stories whose `sprint` names it, in the order given.
    pub stories: Vec<String>,
    /// Points of all of them (committed) and of the finished ones (completed).
    pub committed: u64,
    pub completed: u64,
    /// Stories without points (they count as 0).
    pub unestimated: Vec<String>,
    /// Stories not finished yet.
    pub open: Vec<String>,
}

/// The stories among `stories` that joined the sprint `id`, and their points.
pub fn tally<'a>(id: &str, stories: impl Iterator<Item = &'a Item>, config: &Config) -> Tally {
    let mut t = Tally::default();
    let mut seen = std::collections::HashSet::new();
    for s in stories.filter(|s| s.sprint().as_deref() == Some(id)) {
        let sid = s.id.to_string();
        // A story once, though two files carry its ID (a copy `pm check` reports).
        if !seen.insert(sid.clone()) {
            continue;
        }
        let points = s.points_or_none();
        let standing = standing(&s.status, config);
        if standing == Standing::Dropped {
            continue; // out of the sprint's scope
        }
        t.committed = t.committed.saturating_add(points.unwrap_or(0));
        if standing == Standing::Finished {
            t.completed = t.completed.saturating_add(points.unwrap_or(0));
        } else {
            t.open.push(sid.clone());
        }
        if points.is_none() {
            t.unestimated.push(sid.clone());
        }
        t.stories.push(sid);
    }
    t
}

/// The dates of a new sprint: from `start` (or the first working day after the last sprint's
/// end, or `today`), `length` long, ending on the day before the next one would start.
pub fn next_dates(
    start: Option<Date>,
    end: Option<Date>,
    last_end: Option<Date>,
    today: Date,
    length: Length,
    days: &WorkingDays,
) -> Option<(Date, Date)> {
    let start = match start {
        Some(s) => s,
        None => match last_end {
            Some(e) => days.next_after(e)?,
            None => today,
        },
    };
    let end = match end {
        Some(e) => e,
        None => start.checked_add(jiff::Span::new().days(i64::from(length.days) - 1)).ok()?,
    };
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn lengths_are_weeks_or_days() {
        assert_eq!(Length::parse("2w"), Some(Length { days: 14 }));
        assert_eq!(Length::parse("10d"), Some(Length { days: 10 }));
        for bad in ["", "w", "0w", "2", "2 weeks", "-1d", "2m"] {
            assert_eq!(Length::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn working_days_skip_the_weekend() {
        let days = WorkingDays::default();
        // 2026-11-30 is a Monday.
        assert_eq!(days.between(d("2026-11-30"), d("2026-12-13")).len(), 10);
        assert_eq!(days.next_after(d("2026-12-04")), Some(d("2026-12-07")), "Friday -> Monday");
        let four = WorkingDays::parse(&["Mon".into(), "tuesday".into(), "wed".into(), "thu".into()]).unwrap();
        assert_eq!(four.between(d("2026-11-30"), d("2026-12-06")).len(), 4);
        assert_eq!(WorkingDays::parse(&["funday".into()]), Err("funday".into()));
    }

    #[test]
    fn a_new_sprint_follows_the_last() {
        let days = WorkingDays::default();
        let two = Length { days: 14 };
        let today = d("2026-12-01");
        assert_eq!(next_dates(None, None, None, today, two, &days), Some((today, d("2026-12-14"))));
        // The last sprint ended on a Friday: the next starts on Monday.
        assert_eq!(
            next_dates(None, None, Some(d("2026-12-11")), today, two, &days),
            Some((d("2026-12-14"), d("2026-12-27")))
        );
        assert_eq!(
            next_dates(Some(d("2027-01-04")), Some(d("2027-01-08")), None, today, two, &days),
            Some((d("2027-01-04"), d("2027-01-08")))
        );
    }
}
