//! Dates: the values `--since`, `--until` and `--at` accept, and commit times as shown.
//!
//! Read as git reads them, through `jiff`: a day (`2024-03-04`) is that whole day in the local
//! time zone (`TZ`, else the system's), an instant with an offset or `Z` is that instant, and
//! a date and time without one (`2024-03-04T10:30`) is local time. ISO 8601 / RFC 3339, with a
//! `T` or a space between date and time. Commit times are shown in the commit's own offset.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};

/// A period named on the command line: from `start` (inclusive) to `end` (exclusive), in
/// seconds since the epoch. An instant is the one second it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub start: i64,
    pub end: i64,
}

impl When {
    /// The first second after the period.
    pub fn end(&self) -> i64 {
        self.end
    }
}

/// Parse a day, a local date and time, an instant with an offset, or one of git's relative
/// dates (`today`, `yesterday`, `now`, `3 days ago`), in the local time zone; `None` for
/// anything else (a revision such as `main` or `HEAD~2`).
pub fn parse(text: &str) -> Option<When> {
    parse_at(text, &TimeZone::system(), Timestamp::now())
}

/// Whether `text` is written like a date (`2024-...`) or a relative date (`... ago`), so that
/// a failure to read it says "not a valid date" rather than "unknown revision".
pub fn looks_like_date(text: &str) -> bool {
    let b = text.trim().as_bytes();
    (b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'-' | b'/'))
        || text.trim().ends_with(" ago")
}

/// What `--since`, `--until` and `--at` accept, for hints.
pub const DATE_FORMS: &str = "a date is YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], today, yesterday or N days ago";

/// [`parse`] with a given time zone and a given "now" (for the relative dates).
pub fn parse_at(text: &str, tz: &TimeZone, now: Timestamp) -> Option<When> {
    let text = text.trim();
    let today = || now.to_zoned_datetime(tz.clone()).date();
    match text {
        "now" => return Some(When { start: now.as_second(), end: now.as_second() + 1 }),
        "today" => return day_in(today(), tz),
        "yesterday" => return day_in(today().yesterday().ok()?, tz),
        _ => {}
    }
    if let Some(count) = text.strip_suffix(" ago") {
        let (n, unit) = count.trim().split_once(' ')?;
        let n: i64 = n.parse().ok().filter(|n| *n >= 0)?;
        let span = match unit.trim_end_matches('s') {
            "second" => jiff::Span::new().try_seconds(n).ok()?,
            "minute" => jiff::Span::new().try_minutes(n).ok()?,
            "hour" => jiff::Span::new().try_hours(n).ok()?,
            "day" => jiff::Span::new().try_days(n).ok()?,
            "week" => jiff::Span::new().try_weeks(n).ok()?,
            "month" => jiff::Span::new().try_months(n).ok()?,
            "year" => jiff::Span::new().try_years(n).ok()?,
            _ => return None,
        };
        let then = now.to_zoned_datetime(tz.clone()).checked_sub(span).ok()?.timestamp().as_second();
        return Some(When { start: then, end: then + 1 });
    }
    parse_in(text, tz)
}

/// The first second of a day of the local time zone, and of the day after it.
pub fn day_span(day: Date) -> (i64, i64) {
    day_in(day, &TimeZone::system()).map_or((0, 0), |w| (w.start, w.end))
}

/// The day of the local time zone an instant falls on.
pub fn local_day(secs: i64) -> Option<Date> {
    Some(Timestamp::from_second(secs).ok()?.to_zoned_datetime(TimeZone::system()).date())
}

/// A whole day in a time zone.
fn day_in(day: Date, tz: &TimeZone) -> Option<When> {
    let start = day.to_zoned_datetime(tz.clone()).ok()?;
    let end = day.tomorrow().ok()?.to_zoned_datetime(tz.clone()).ok()?;
    Some(When { start: start.timestamp().as_second(), end: end.timestamp().as_second() })
}

/// [`parse`] of the absolute forms, in a given time zone.
pub fn parse_in(text: &str, tz: &TimeZone) -> Option<When> {
    let text = text.trim();
    // Only text that starts like a date is a date: `2024-03-04...`.
    let b = text.as_bytes();
    if b.len() < 10 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if text.len() == 10 {
        return day_in(text.parse().ok()?, tz);
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    // Only whole seconds count: a fraction of any length (jiff takes at most nine digits) is
    // dropped, as git drops it.
    let whole;
    let text = match b.get(19) {
        Some(b'.' | b',') => {
            let digits = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
            whole = format!("{}{}", &text[..19], &text[20 + digits..]);
            whole.as_str()
        }
        _ => text,
    };
    let instant = match text.parse::<Timestamp>() {
        Ok(t) => t,
        // No offset: local time, as git takes it.
        Err(_) => text.parse::<DateTime>().ok()?.to_zoned_datetime(tz.clone()).ok()?.timestamp(),
    };
    let start = instant.as_second();
    Some(When { start, end: start + 1 })
}

/// The first day of a window ending on `last`, or a date ([`parse`]: `2024-03-01`, `3 weeks
/// ago`). `1w`, `2w`, `1m` are the 7 or 14 days, or the month, ending on `last` (so weekly
/// reports never count a day twice); `Nd` starts N days before it: `1d` is yesterday and
/// `last`, the stand-up view.
pub fn day_or_window(text: &str, last: Date) -> Option<Date> {
    let t = text.trim();
    if let Some(unit) = t.chars().last().filter(char::is_ascii)
        && t.len() >= 2
        && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit())
    {
        let n: i64 = t[..t.len() - 1].parse().ok()?;
        let (span, after) = match unit {
            'd' => (jiff::Span::new().try_days(n).ok()?, false),
            'w' => (jiff::Span::new().try_weeks(n).ok()?, true),
            'm' => (jiff::Span::new().try_months(n).ok()?, true),
            _ => return None,
        };
        let start = last.checked_sub(span).ok()?;
        return if after && n > 0 { start.tomorrow().ok() } else { Some(start) };
    }
    parse(text).and_then(|w| local_day(w.start))
}

/// The forms [`day_or_window`] reads, for hints.
pub const WINDOW_FORMS: &str =
    "1d (yesterday on), 1w, 2w or 1m (the days ending on the last), or a date (YYYY-MM-DD, 3 weeks ago)";

/// Today, in the local time zone (`TZ`, else the system's); `PM_TODAY=YYYY-MM-DD` sets it, for
/// output that must not change from one day to the next (tests, documentation, demos).
pub fn today() -> Date {
    if let Some(day) = std::env::var("PM_TODAY").ok().and_then(|d| d.trim().parse().ok()) {
        return day;
    }
    Timestamp::now().to_zoned_datetime(TimeZone::system()).date()
}

/// An instant in the given offset (minutes east of UTC).
fn zoned(secs: i64, offset_minutes: i32) -> Option<ZonedDateTime> {
    let offset = Offset::from_seconds(offset_minutes.checked_mul(60)?).ok()?;
    Some(Timestamp::from_second(secs).ok()?.to_zoned_datetime(TimeZone::fixed(offset)))
}

/// `YYYY-MM-DD` of an instant in the given offset (minutes east of UTC), as git shows it.
pub fn day(secs: i64, offset_minutes: i32) -> String {
    zoned(secs, offset_minutes).map(|z| z.strftime("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// RFC 3339 of an instant in the given offset: `2024-03-04T10:30:00+01:00`.
pub fn rfc3339(secs: i64, offset_minutes: i32) -> String {
    zoned(secs, offset_minutes).map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Option<When> {
        parse_in(text, &TimeZone::UTC)
    }

    #[test]
    fn parses_days_and_instants() {
        assert_eq!(utc("1970-01-02"), Some(When { start: 86_400, end: 2 * 86_400 }));
        assert_eq!(utc("2024-03-04T10:30:00Z").map(|w| w.start), Some(1_709_548_200));
        assert_eq!(utc("2024-03-04T11:30:00+01:00").map(|w| w.start), Some(1_709_548_200));
        assert_eq!(utc("2024-03-04 10:30:00.5Z").map(|w| w.start), Some(1_709_548_200));
        assert_eq!(utc("2024-03-04T10:30:00,123456789123+00:00").map(|w| w.start), Some(1_709_548_200));
        assert_eq!(utc("2024-03-04T10:30:00.9999999999").map(|w| w.start), Some(1_709_548_200));
        assert_eq!(utc("2024-03-04T10:30").map(|w| w.start), Some(1_709_548_200));
        assert_eq!(utc("2024-03-04T10:30:00Z").map(|w| w.end - w.start), Some(1));
        for not_a_date in ["2024-02-30", "main", "HEAD~2", "2024-03", "v2024-03-04", "2024-03-04x", ""] {
            assert_eq!(utc(not_a_date), None, "{not_a_date}");
        }
    }

    #[test]
    fn relative_dates_count_back_from_now() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        // 2024-03-04T10:30:00Z, 11:30 in Paris.
        let now = Timestamp::from_second(1_709_548_200).unwrap();
        let at = |text: &str| parse_at(text, &paris, now);
        assert_eq!(at("now"), Some(When { start: 1_709_548_200, end: 1_709_548_201 }));
        assert_eq!(at("today"), parse_in("2024-03-04", &paris));
        assert_eq!(at("yesterday"), parse_in("2024-03-03", &paris));
        assert_eq!(at("3 days ago").map(|w| w.start), Some(1_709_548_200 - 3 * 86_400));
        assert_eq!(at("1 week ago").map(|w| w.start), Some(1_709_548_200 - 7 * 86_400));
        assert_eq!(at("2 hours ago").map(|w| w.start), Some(1_709_548_200 - 7_200));
        for not_a_date in ["ago", "x days ago", "-1 days ago", "3 fortnights ago", "main"] {
            assert_eq!(at(not_a_date), None, "{not_a_date}");
        }
        assert!(looks_like_date("2024-02-30") && looks_like_date("2024/03/04") && looks_like_date("x days ago"));
        assert!(!looks_like_date("main") && !looks_like_date("HEAD~2") && !looks_like_date("v2024-03-04"));
    }

    #[test]
    fn a_day_is_a_local_day() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let w = parse_in("2024-03-04", &paris).unwrap();
        assert_eq!((w.start, w.end), (1_709_506_800, 1_709_593_200), "midnight to midnight at +01:00");
        // The day the clocks go forward has 23 hours.
        let w = parse_in("2024-03-31", &paris).unwrap();
        assert_eq!(w.end - w.start, 23 * 3600);
        // Without an offset a time is local; with one it is that instant.
        assert_eq!(parse_in("2024-03-04T11:30:00", &paris).map(|w| w.start), Some(1_709_548_200));
        assert_eq!(parse_in("2024-03-04T10:30:00Z", &paris).map(|w| w.start), Some(1_709_548_200));
    }

    #[test]
    fn formats_in_the_commit_offset() {
        assert_eq!(day(1_709_548_200, 0), "2024-03-04");
        assert_eq!(rfc3339(1_709_548_200, 60), "2024-03-04T11:30:00+01:00");
        assert_eq!(rfc3339(1_709_548_200, -330), "2024-03-04T05:00:00-05:30");
        assert_eq!(rfc3339(1_709_548_200, 0), "2024-03-04T10:30:00+00:00");
        assert_eq!(day(951_782_400, 0), "2000-02-29");
        assert_eq!(day(1_709_589_600, 120), "2024-03-05");
        assert_eq!(day(1_709_589_600, 0), "2024-03-04");
    }
}
