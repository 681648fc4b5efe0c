//! UTC timestamps as WAMP carries them (WAMP-CRA challenges, meta API `created`, event
//! history): `2014-06-22T16:36:25.448Z`, and reading RFC 3339 timestamps back.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `time` in ISO 8601, UTC, with milliseconds.
pub(crate) fn utc_timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// An RFC 3339 timestamp (`2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.125+01:00`, a lower-case
/// `t` or `z`, or a space for `T`), as the instant it names; `None` if it is not one (or before
/// 1970).
pub(crate) fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u64> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0u64;
    if sep(at, b".") {
        let start = at + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start {
            return None;
        }
        let frac = std::str::from_utf8(b.get(start..end.min(start + 9))?).ok()?;
        nanos = format!("{frac:0<9}").parse().ok()?;
        at = end;
    }
    let offset: i64 = match b.get(at..) {
        Some(b"Z" | b"z") => 0,
        Some(&[sign @ (b'+' | b'-'), _, _, b':', _, _]) => {
            let h = i64::try_from(digits(at + 1..at + 3)?).ok()?;
            let m = i64::try_from(digits(at + 4..at + 6)?).ok()?;
            let sign = if sign == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    let days = i64::try_from(days_from_civil(year, month, day)?).ok()?;
    let local = days * 86_400 + i64::try_from(hour * 3600 + minute * 60 + second).ok()?;
    let secs = u64::try_from(local - offset).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(secs, u32::try_from(nanos).ok()?))
}

/// Days from 1970-01-01 to the proleptic Gregorian date (H. Hinnant's days-from-civil); `None`
/// before 1970.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's civil-from-days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_known_instants() {
        let at = |secs: u64, millis: u64| {
            utc_timestamp(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(1_403_455_001, 643), "2014-06-22T16:36:41.643Z");
        assert_eq!(at(951_782_400, 0), "2000-02-29T00:00:00.000Z");
        assert_eq!(at(1_798_761_599, 999), "2026-12-31T23:59:59.999Z");
    }

    #[test]
    fn parses_what_it_writes_and_rfc3339_offsets() {
        for secs in [0, 951_782_400, 1_403_455_001, 1_798_761_599, 4_102_444_800] {
            let t = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(643);
            assert_eq!(parse_timestamp(&utc_timestamp(t)), Some(t), "{secs}");
        }
        let utc = parse_timestamp("2014-06-22T16:36:41Z").unwrap();
        assert_eq!(utc, UNIX_EPOCH + Duration::from_secs(1_403_455_001));
        assert_eq!(parse_timestamp("2014-06-22T18:36:41+02:00"), Some(utc));
        assert_eq!(parse_timestamp("2014-06-22t16:36:41z"), Some(utc));
        assert_eq!(parse_timestamp("2014-06-22 16:36:41Z"), Some(utc));
        assert_eq!(
            parse_timestamp("2014-06-22T16:36:41.5Z"),
            Some(utc + Duration::from_millis(500))
        );
        for bad in [
            "",
            "2014-06-22",
            "2014-06-22T16:36:41",
            "2014-13-22T16:36:41Z",
            "2014-06-22T24:00:00Z",
            "1969-12-31T23:59:59Z",
            "2014-06-22T16:36:41.Z",
            "2014-06-22T16:36:41+2:00",
            "２０14-06-22T16:36:41Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
