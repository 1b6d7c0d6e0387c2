//! Dates as the app reads and shows them: one way in, and one way out for each use.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The years a date typed into a form may fall in; anything else is a typing slip.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A day typed into a form: `DD/MM/YYYY`, as people write it, or `YYYY-MM-DD`, as a browser's
/// date input posts it; surrounding spaces are ignored. `None` unless it is a real day.
pub fn parse_day(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}

/// A day as people read it: "17 April 2026".
pub fn long_day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A day as a form shows it back for editing: "17/04/2026".
pub fn form_day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A moment, in UTC to the minute: "2026-04-17 09:05 UTC".
pub fn moment(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_read_as_people_write_it_or_as_a_date_input_posts_it() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 27);
        assert_eq!(parse_day("27/03/2027"), day);
        assert_eq!(parse_day(" 2027-03-27 "), day);
        for slip in ["", "31/02/2027", "27-03-2027", "27/03/27", "27/03/0027", "2027/03/27", "next week"] {
            assert_eq!(parse_day(slip), None, "{slip:?}");
        }
    }

    #[test]
    fn days_and_moments_are_shown_one_way() {
        let d = NaiveDate::from_ymd_opt(2026, 4, 7).unwrap_or_default();
        assert_eq!(long_day(d), "7 April 2026");
        assert_eq!(form_day(d), "07/04/2026");
        let at = d.and_hms_opt(9, 5, 59).unwrap_or_default().and_utc();
        assert_eq!(moment(at), "2026-04-07 09:05 UTC");
    }
}
