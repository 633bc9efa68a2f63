//! Partial dates: birth dates in police and sanctions data are often known
//! only to the year, the month, or a range of years ("circa 1975").

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InvalidValue;

/// A date known exactly, to the month, to the year, or within a year range.
///
/// Written as `1971-07-28`, `1971-07`, `1971` or `1969..1973`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartialDate {
    Exact(NaiveDate),
    YearMonth { year: i32, month: u32 },
    Year(i32),
    YearRange { from: i32, to: i32 },
}

const MIN_YEAR: i32 = 1800;
const MAX_YEAR: i32 = 2200;

impl PartialDate {
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let text = text.trim();
        let bad = |why: &str| InvalidValue::new(format!("'{}' {why}", clip(text)));
        if let Some((a, b)) = text.split_once("..") {
            let from = parse_year(a).ok_or_else(|| bad("has an invalid range start"))?;
            let to = parse_year(b).ok_or_else(|| bad("has an invalid range end"))?;
            if from > to {
                return Err(bad("is a range that ends before it starts"));
            }
            return Ok(if from == to {
                PartialDate::Year(from)
            } else {
                PartialDate::YearRange { from, to }
            });
        }
        let parts: Vec<&str> = text.split('-').collect();
        match parts.as_slice() {
            [y] => parse_year(y)
                .map(PartialDate::Year)
                .ok_or_else(|| bad("is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY..YYYY)")),
            [y, m] => {
                let year = parse_year(y).ok_or_else(|| bad("has an invalid year"))?;
                let month = parse_num(m, 2)
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| bad("has an invalid month"))?;
                Ok(PartialDate::YearMonth { year, month })
            }
            [y, m, d] => {
                let year = parse_year(y).ok_or_else(|| bad("has an invalid year"))?;
                let month = parse_num(m, 2)
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(|| bad("has an invalid month"))?;
                let day = parse_num(d, 2).ok_or_else(|| bad("has an invalid day"))?;
                NaiveDate::from_ymd_opt(year, month, day)
                    .map(PartialDate::Exact)
                    .ok_or_else(|| bad("is not a calendar date"))
            }
            _ => Err(bad(
                "is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY..YYYY)",
            )),
        }
    }

    /// First and last year the date may fall in.
    pub fn year_bounds(&self) -> (i32, i32) {
        match *self {
            PartialDate::Exact(d) => (d.year(), d.year()),
            PartialDate::YearMonth { year, .. } | PartialDate::Year(year) => (year, year),
            PartialDate::YearRange { from, to } => (from, to),
        }
    }

    pub fn month(&self) -> Option<u32> {
        match *self {
            PartialDate::Exact(d) => Some(d.month()),
            PartialDate::YearMonth { month, .. } => Some(month),
            _ => None,
        }
    }

    pub fn day(&self) -> Option<u32> {
        match *self {
            PartialDate::Exact(d) => Some(d.day()),
            _ => None,
        }
    }
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

fn parse_num(text: &str, width: usize) -> Option<u32> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_year(text: &str) -> Option<i32> {
    let y = parse_num(text.trim(), 4)? as i32;
    (MIN_YEAR..=MAX_YEAR).contains(&y).then_some(y)
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartialDate::Exact(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            PartialDate::YearMonth { year, month } => write!(f, "{year:04}-{month:02}"),
            PartialDate::Year(y) => write!(f, "{y:04}"),
            PartialDate::YearRange { from, to } => write!(f, "{from:04}..{to:04}"),
        }
    }
}

impl fmt::Debug for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PartialDate({self})")
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartialDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_form() {
        for (input, shown) in [
            ("1971-07-28", "1971-07-28"),
            ("1971-07", "1971-07"),
            ("1971", "1971"),
            ("1969..1973", "1969..1973"),
            ("1970..1970", "1970"),
        ] {
            assert_eq!(PartialDate::parse(input).unwrap().to_string(), shown);
        }
        for bad in [
            "1971-02-30",
            "1971-13",
            "71",
            "1973..1969",
            "",
            "abcd",
            "1971-7-1",
            "0001",
        ] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_round_trips(s in "\\PC{0,20}") {
            if let Ok(d) = PartialDate::parse(&s) {
                prop_assert_eq!(PartialDate::parse(&d.to_string()).unwrap(), d);
            }
        }
    }
}
