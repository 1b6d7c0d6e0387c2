use serde::{Deserialize, Serialize};
use std::fmt;

/// An Agenda for Change pay band: 2 to 9, with 8 split into 8a–8d. Ordered from lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PayBand {
    B2,
    B3,
    B4,
    B5,
    B6,
    B7,
    B8a,
    B8b,
    B8c,
    B8d,
    B9,
}

impl PayBand {
    /// The band's place in [`Self::ALL`] (2 is 0, 9 is 10), stored beside a placement's band
    /// range so eligibility compares bands in SQL.
    pub fn rank(self) -> i16 {
        Self::ALL.iter().position(|b| *b == self).map_or(0, |p| p as i16)
    }

    pub const ALL: [PayBand; 11] = [
        PayBand::B2,
        PayBand::B3,
        PayBand::B4,
        PayBand::B5,
        PayBand::B6,
        PayBand::B7,
        PayBand::B8a,
        PayBand::B8b,
        PayBand::B8c,
        PayBand::B8d,
        PayBand::B9,
    ];

    /// Parses "6", "Band 6", "8a", "band 8C".
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_ascii_lowercase();
        let s = s.strip_prefix("band").map(str::trim).unwrap_or(&s);
        Self::ALL.into_iter().find(|b| b.code() == s).ok_or_else(|| {
            if s.is_empty() {
                "Select a pay band".to_owned()
            } else {
                "Enter an Agenda for Change band from 2 to 9, like 6 or 8a".to_owned()
            }
        })
    }

    /// The short code stored in the database and used in forms: "2" … "9", "8a" … "8d".
    pub fn code(self) -> &'static str {
        match self {
            PayBand::B2 => "2",
            PayBand::B3 => "3",
            PayBand::B4 => "4",
            PayBand::B5 => "5",
            PayBand::B6 => "6",
            PayBand::B7 => "7",
            PayBand::B8a => "8a",
            PayBand::B8b => "8b",
            PayBand::B8c => "8c",
            PayBand::B8d => "8d",
            PayBand::B9 => "9",
        }
    }
}

impl fmt::Display for PayBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Band {}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_prefixed_and_lettered_bands() {
        assert_eq!(PayBand::parse("6"), Ok(PayBand::B6));
        assert_eq!(PayBand::parse("Band 7"), Ok(PayBand::B7));
        assert_eq!(PayBand::parse("band 8C"), Ok(PayBand::B8c));
        assert_eq!(PayBand::parse(" 8a "), Ok(PayBand::B8a));
    }

    #[test]
    fn refuses_bands_outside_agenda_for_change() {
        for bad in ["1", "10", "8", "8e", "six", "-3"] {
            assert!(PayBand::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(PayBand::parse(""), Err("Select a pay band".into()));
    }

    #[test]
    fn orders_eight_a_to_d_between_seven_and_nine() {
        assert!(PayBand::B7 < PayBand::B8a);
        assert!(PayBand::B8a < PayBand::B8d);
        assert!(PayBand::B8d < PayBand::B9);
        let codes: Vec<_> = PayBand::ALL.iter().map(|b| PayBand::parse(b.code()).unwrap()).collect();
        assert_eq!(codes, PayBand::ALL.to_vec());
    }
}
