//! Dates for history: parsing `--since`, `--until` and `--at` values (YYYY-MM-DD or RFC 3339)
//! and formatting commit times. Days are civil days in UTC unless an offset is given.

/// An instant parsed from the command line: seconds since the epoch, and whether the text was
/// a whole day (then `secs` is that day's midnight UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub secs: i64,
    pub whole_day: bool,
}

impl When {
    /// The first second after the period the text named: the next midnight for a day, or the
    /// instant itself plus one second.
    pub fn end(&self) -> i64 {
        if self.whole_day { self.secs + 86_400 } else { self.secs + 1 }
    }
}

/// Parse `2024-03-04` or `2024-03-04T10:30:00Z` / `2024-03-04T10:30:00+01:00` (a space may
/// stand for the `T`, fractions of a second are ignored).
pub fn parse(text: &str) -> Option<When> {
    let text = text.trim();
    let (date, time) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (num(y)?, num(m)? as u32, num(d)? as u32);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let day = days_from_civil(y, m, d) * 86_400;
    let Some(time) = time else {
        return Some(When { secs: day, whole_day: true });
    };
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let i = time.rfind(['+', '-'])?;
        let (c, off) = (&time[..i], &time[i..]);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        (c, sign * (num(oh)? * 3600 + num(om)? * 60))
    };
    let clock = clock.split('.').next()?;
    let mut hms = clock.split(':');
    let (h, mi, s) = (num(hms.next()?)?, num(hms.next()?)?, num(hms.next().unwrap_or("0"))?);
    if hms.next().is_some() || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(When { secs: day + h * 3600 + mi * 60 + s - offset, whole_day: false })
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` of an instant in the given offset (minutes east of UTC), as git shows it.
pub fn day(secs: i64, offset_minutes: i32) -> String {
    let local = secs + i64::from(offset_minutes) * 60;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 of an instant in the given offset: `2024-03-04T10:30:00+01:00`.
pub fn rfc3339(secs: i64, offset_minutes: i32) -> String {
    let local = secs + i64::from(offset_minutes) * 60;
    let t = local.rem_euclid(86_400);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        day(secs, offset_minutes),
        t / 3600,
        t % 3600 / 60,
        t % 60,
        off / 60,
        off % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_instants() {
        assert_eq!(parse("1970-01-02"), Some(When { secs: 86_400, whole_day: true }));
        assert_eq!(parse("2024-03-04T10:30:00Z").map(|w| w.secs), Some(1_709_548_200));
        assert_eq!(parse("2024-03-04T11:30:00+01:00").map(|w| w.secs), Some(1_709_548_200));
        assert_eq!(parse("2024-03-04 10:30:00.5Z").map(|w| w.secs), Some(1_709_548_200));
        assert_eq!(parse("2024-02-30"), None);
        assert_eq!(parse("main"), None);
        assert_eq!(parse("HEAD~2"), None);
    }

    #[test]
    fn formats_in_the_commit_offset() {
        assert_eq!(day(1_709_548_200, 0), "2024-03-04");
        assert_eq!(rfc3339(1_709_548_200, 60), "2024-03-04T11:30:00+01:00");
        assert_eq!(rfc3339(1_709_548_200, -330), "2024-03-04T05:00:00-05:30");
        assert_eq!(day(951_782_400, 0), "2000-02-29");
    }
}
