//! MRZ parser tests: the ICAO vectors from docs/domain.md, zones built here
//! with computed check digits, rejections that name the field, OCR repairs,
//! and a never-panics property.

use chrono::NaiveDate;
use proptest::prelude::*;
use vigil_core::PartialDate;
use vigil_formats::mrz::{check_digit, parse, Format, Mrz, MrzError, Sex};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).expect("valid date")
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn cd(data: &str) -> char {
    check_digit(data).expect("MRZ alphabet")
}

fn pad(s: &str, width: usize) -> String {
    format!("{s:<<width$}")
}

/// Line 2 of a TD2/TD3/MRV zone, check digits computed.
fn line2(number: &str, nat: &str, birth: &str, sex: char, expiry: &str, optional: &str) -> String {
    let number = pad(number, 9);
    format!(
        "{number}{}{nat}{birth}{}{sex}{expiry}{}{optional}",
        cd(&number),
        cd(birth),
        cd(expiry)
    )
}

fn with_composite(line: &str, spans: &[(usize, usize)]) -> String {
    let data: String = spans.iter().map(|&(a, b)| &line[a..b]).collect();
    format!("{line}{}", cd(&data))
}

fn td2(
    name_line: &str,
    number: &str,
    nat: &str,
    birth: &str,
    sex: char,
    expiry: &str,
    optional: &str,
) -> String {
    let l2 = line2(number, nat, birth, sex, expiry, &pad(optional, 7));
    let l2 = with_composite(&l2, &[(0, 10), (13, 20), (21, 35)]);
    format!("{}\n{l2}", pad(name_line, 36))
}

struct Expect {
    format: Format,
    document_type: &'static str,
    issuing_state: &'static str,
    document_number: &'static str,
    surname: &'static str,
    given_names: &'static str,
    nationality: &'static str,
    birth_date: Option<NaiveDate>,
    expiry_date: Option<NaiveDate>,
    sex: Option<Sex>,
    optional_data: &'static str,
    repairs: &'static [(&'static str, &'static str, &'static str)],
}

fn check(input: &str, expect: Expect) {
    let mrz: Mrz = parse(input, today()).unwrap_or_else(|e| panic!("{input}\n{e}"));
    assert_eq!(mrz.format, expect.format, "{input}");
    assert_eq!(mrz.document_type, expect.document_type, "{input}");
    assert_eq!(mrz.issuing_state, expect.issuing_state, "{input}");
    assert_eq!(mrz.document_number, expect.document_number, "{input}");
    assert_eq!(mrz.surname, expect.surname, "{input}");
    assert_eq!(mrz.given_names, expect.given_names, "{input}");
    assert_eq!(mrz.nationality, expect.nationality, "{input}");
    assert_eq!(
        mrz.birth_date,
        expect.birth_date.map(PartialDate::Exact),
        "{input}"
    );
    assert_eq!(mrz.expiry_date, expect.expiry_date, "{input}");
    assert_eq!(mrz.sex, expect.sex, "{input}");
    assert_eq!(mrz.optional_data, expect.optional_data, "{input}");
    let repairs: Vec<(&str, &str, &str)> = mrz
        .repairs
        .iter()
        .map(|r| (r.field, r.from.as_str(), r.to.as_str()))
        .collect();
    assert_eq!(repairs, expect.repairs, "{input}");
}

const TD3_ERIKSSON: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1_ERIKSSON: &str =
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
const TD3_MUELLER: &str =
    "P<UTOMUELLER<LUEDENSCHEIDT<<JUERGEN<OEMER<<<\nC01X00T478UTO8508122M3103142ZE184226B<<<<<14";

fn eriksson(
    format: Format,
    document_type: &'static str,
    number: &'static str,
    optional: &'static str,
) -> Expect {
    Expect {
        format,
        document_type,
        issuing_state: "UTO",
        document_number: number,
        surname: "ERIKSSON",
        given_names: "ANNA MARIA",
        nationality: "UTO",
        birth_date: date(1974, 8, 12),
        expiry_date: date(2012, 4, 15),
        sex: Some(Sex::Female),
        optional_data: optional,
        repairs: &[],
    }
}

#[test]
fn known_check_digits() {
    // Pinned from the ICAO specimens, independent of the implementation.
    for (data, digit) in [
        ("L898902C3", '6'),
        ("740812", '2'),
        ("120415", '9'),
        ("D23145890", '7'),
        ("ZE184226B<<<<<", '1'),
        ("", '0'),
    ] {
        assert_eq!(check_digit(data), Some(digit), "{data}");
    }
    assert_eq!(check_digit("abc"), None);
}

#[test]
fn icao_vectors() {
    check(
        TD3_ERIKSSON,
        eriksson(Format::TD3, "P", "L898902C3", "ZE184226B"),
    );
    check(TD1_ERIKSSON, eriksson(Format::TD1, "I", "D23145890", ""));
    check(
        TD3_MUELLER,
        Expect {
            format: Format::TD3,
            document_type: "P",
            issuing_state: "UTO",
            document_number: "C01X00T47",
            surname: "MUELLER LUEDENSCHEIDT",
            given_names: "JUERGEN OEMER",
            nationality: "UTO",
            birth_date: date(1985, 8, 12),
            expiry_date: date(2031, 3, 14),
            sex: Some(Sex::Male),
            optional_data: "ZE184226B",
            repairs: &[],
        },
    );
}

#[test]
fn constructed_layouts() {
    let td2_zone = td2(
        "I<UTOERIKSSON<<ANNA<MARIA",
        "D23145890",
        "UTO",
        "740812",
        'F',
        "120415",
        "",
    );
    // The 9303 TD2 specimen, so the builder itself is pinned.
    assert_eq!(
        td2_zone,
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
    );
    check(&td2_zone, eriksson(Format::TD2, "I", "D23145890", ""));

    let mrva = format!(
        "{}\n{}",
        pad("V<UTOERIKSSON<<ANNA<MARIA", 44),
        line2(
            "L8988901C",
            "XXX",
            "400907",
            'F',
            "961210",
            &pad("6ZE184226B", 16)
        )
    );
    let mut expect = eriksson(Format::MRVA, "V", "L8988901C", "6ZE184226B");
    expect.nationality = "XXX";
    expect.birth_date = date(1940, 9, 7);
    expect.expiry_date = date(1996, 12, 10);
    check(&mrva, expect);

    let mrvb = format!(
        "{}\n{}",
        pad("V<UTOERIKSSON<<ANNA<MARIA", 36),
        line2("L8988901C", "XXX", "400907", 'F', "961210", &pad("", 8))
    );
    let mut expect = eriksson(Format::MRVB, "V", "L8988901C", "");
    expect.nationality = "XXX";
    expect.birth_date = date(1940, 9, 7);
    expect.expiry_date = date(1996, 12, 10);
    check(&mrvb, expect);
}

#[test]
fn input_shapes() {
    // Surrounding whitespace, blank lines, CRLF.
    check(
        &format!("\n  {}  \r\n\r\n", TD3_ERIKSSON.replace('\n', "\r\n\n   ")),
        eriksson(Format::TD3, "P", "L898902C3", "ZE184226B"),
    );
    // One concatenated line per layout.
    check(
        &TD3_ERIKSSON.replace('\n', ""),
        eriksson(Format::TD3, "P", "L898902C3", "ZE184226B"),
    );
    check(
        &TD1_ERIKSSON.replace('\n', ""),
        eriksson(Format::TD1, "I", "D23145890", ""),
    );
    let td2_zone = td2(
        "I<UTOERIKSSON<<ANNA<MARIA",
        "D23145890",
        "UTO",
        "740812",
        'F',
        "120415",
        "",
    );
    check(
        &td2_zone.replace('\n', ""),
        eriksson(Format::TD2, "I", "D23145890", ""),
    );
}

#[test]
fn unknown_dates_and_sex() {
    let zone = td2(
        "I<UTOERIKSSON<<ANNA<MARIA",
        "D23145890",
        "UTO",
        "74<<<<",
        '<',
        "<<<<<<",
        "",
    );
    let mrz = parse(&zone, today()).expect("fillers are allowed in dates");
    assert_eq!(
        (mrz.birth_date, mrz.expiry_date, mrz.sex),
        (Some(PartialDate::Year(1974)), None, None),
        "the known year is kept"
    );
    assert_eq!(mrz.warnings[0].field, "birth_date");
    let zone = |birth: &str| td2("I<UTOX<<Y", "D23145890", "UTO", birth, 'M', "120415", "");
    for (birth, want) in [
        (
            "7408<<",
            Some(PartialDate::YearMonth {
                year: 1974,
                month: 8,
            }),
        ),
        // Month-only dates in the future belong to the last century.
        (
            "2407<<",
            Some(PartialDate::YearMonth {
                year: 1924,
                month: 7,
            }),
        ),
        (
            "2405<<",
            Some(PartialDate::YearMonth {
                year: 2024,
                month: 5,
            }),
        ),
        ("74<<12", Some(PartialDate::Year(1974))),
        ("<<<<<<", None),
        ("<<0812", None),
    ] {
        let mrz = parse(&zone(birth), today()).expect(birth);
        assert_eq!(mrz.birth_date, want, "{birth}");
    }
    assert_eq!(
        parse(&zone("7413<<"), today()),
        Err(MrzError::InvalidDate {
            field: "birth_date"
        })
    );
    let zone = td2(
        "I<UTOERIKSSON<<ANNA<MARIA",
        "D23145890",
        "UTO",
        "740812",
        'X',
        "120415",
        "",
    );
    assert_eq!(
        parse(&zone, today()).expect("X is a sex").sex,
        Some(Sex::Unspecified)
    );
}

#[test]
fn two_digit_years() {
    // Birth: latest date not after today. Expiry: nearest to today.
    let zone =
        |birth: &str, expiry: &str| td2("I<UTOX<<Y", "D23145890", "UTO", birth, 'M', expiry, "");
    let cases = [
        ("240601", "740601", date(2024, 6, 1), date(2074, 6, 1)),
        ("240602", "740602", date(1924, 6, 2), date(1974, 6, 2)),
        ("000229", "000229", date(2000, 2, 29), date(2000, 2, 29)),
        ("991231", "341231", date(1999, 12, 31), date(2034, 12, 31)),
    ];
    for (birth, expiry, want_birth, want_expiry) in cases {
        let mrz = parse(&zone(birth, expiry), today()).expect("valid zone");
        assert_eq!(
            (mrz.birth_date, mrz.expiry_date),
            (want_birth.map(PartialDate::Exact), want_expiry),
            "{birth} {expiry}"
        );
    }
    let err = parse(&zone("741301", "120415"), today()).expect_err("month 13");
    assert_eq!(
        err,
        MrzError::InvalidDate {
            field: "birth_date"
        }
    );
}

#[test]
fn td1_long_document_number() {
    let number = "D23145890123";
    let l1 = pad(
        &format!("I<UTO{}<{}{}", &number[..9], &number[9..], cd(number)),
        30,
    );
    let l2 = "7408122F1204159UTO<<<<<<<<<<<";
    let composite = cd(&format!(
        "{}{}{}{}",
        &l1[5..30],
        &l2[0..7],
        &l2[8..15],
        &l2[18..29]
    ));
    let zone = format!("{l1}\n{l2}{composite}\nERIKSSON<<ANNA<MARIA<<<<<<<<<<");
    check(&zone, eriksson(Format::TD1, "I", number, ""));
}

#[test]
fn wrong_check_digits_name_the_field() {
    let cases = [
        // (zone, field, expected, found)
        (
            TD3_ERIKSSON.replace("7408122F", "7408123F"),
            "birth_date",
            '2',
            '3',
        ),
        (
            TD3_ERIKSSON.replace("1204159", "1204158"),
            "expiry_date",
            '9',
            '8',
        ),
        // Off by 5, a check digit's error cannot be told from a number's
        // through the composite (its weight on the check digit is 7).
        (
            TD3_ERIKSSON.replace("C36UTO", "C31UTO"),
            "document_number",
            '6',
            '1',
        ),
        (
            TD3_ERIKSSON.replace("<<<<<10", "<<<<<11"),
            "composite",
            '0',
            '1',
        ),
        (
            TD1_ERIKSSON.replace("<<<<<<6", "<<<<<<7"),
            "composite",
            '6',
            '7',
        ),
        (
            TD1_ERIKSSON.replace("D231458907", "D231458902"),
            "document_number",
            '7',
            '2',
        ),
    ];
    for (zone, field, expected, found) in cases {
        let err = parse(&zone, today()).expect_err(&zone);
        assert_eq!(
            err,
            MrzError::CheckDigit {
                field,
                expected,
                found
            },
            "{zone}"
        );
    }
    let err =
        parse(&TD3_ERIKSSON.replace("7408122F", "7408123F"), today()).expect_err("bad birth check");
    assert_eq!(err.to_string(), "birth_date check digit is 3, expected 2");
}

type Repairs = &'static [(&'static str, &'static str, &'static str)];

fn td3_repaired(zone: &str, repairs: Repairs) {
    let mut expect = eriksson(Format::TD3, "P", "L898902C3", "ZE184226B");
    expect.repairs = repairs;
    check(zone, expect);
}

#[test]
fn ocr_repairs() {
    let cases: [(&str, &str, Repairs); 8] = [
        ("<<<<<10", "<<<<<20", &[("personal_number_check", "2", "1")]),
        // A number's check digit misread as another digit, which only the
        // composite can prove: the number is kept as read.
        ("C36UTO", "C37UTO", &[("document_number_check", "7", "6")]),
        // Letters in dates, proven by the date's check digit.
        (
            "UTO7408122F",
            "UTO74O8I22F",
            &[("birth_date", "74O8I2", "740812")],
        ),
        (
            "F1204159Z",
            "FI2O4I59Z",
            &[("expiry_date", "I2O4I5", "120415")],
        ),
        // A check digit read as a letter.
        ("7408122F", "740812ZF", &[("birth_date_check", "Z", "2")]),
        ("<<<<<10", "<<<<<1O", &[("composite_check", "O", "0")]),
        // Digits in alphabetic fields.
        ("6UTO74", "6UT074", &[("nationality", "UT0", "UTO")]),
        ("P<UTO", "P<U7O", &[]),
    ];
    for (from, to, repairs) in cases {
        let zone = TD3_ERIKSSON.replacen(from, to, 1);
        if repairs.is_empty() {
            // `7` has no letter twin: an illegal character in a state, not a misread.
            let err = parse(&zone, today()).expect_err(&zone);
            assert_eq!(
                err,
                MrzError::IllegalCharacter {
                    line: 1,
                    position: 4,
                    character: '7'
                }
            );
        } else {
            td3_repaired(&zone, repairs);
        }
    }

    let name_misread = TD3_ERIKSSON.replacen("ERIKSSON", "ERIK5S0N", 1);
    let mrz = parse(&name_misread, today()).expect("repairable name");
    assert_eq!(mrz.surname, "ERIKSSON");
    assert_eq!(mrz.repairs.len(), 1);
    assert_eq!(mrz.repairs[0].field, "name");
    assert!(mrz.repairs[0].from.starts_with("ERIK5S0N<<ANNA"));

    // A number is never repaired: `O` for `0` satisfies the check digit, but
    // so would other single changes that give a different number.
    let zone = TD3_ERIKSSON.replacen("L898902C36", "L8989O2C36", 1);
    assert_eq!(
        parse(&zone, today()),
        Err(MrzError::CheckDigit {
            field: "document_number",
            expected: '0',
            found: '6'
        })
    );

    // A misread that the check digit does not confirm is not repaired.
    let zone = TD3_ERIKSSON.replacen("7408122F", "74O8123F", 1);
    assert_eq!(
        parse(&zone, today()),
        Err(MrzError::CheckDigit {
            field: "birth_date",
            expected: '2',
            found: '3'
        })
    );
}

#[test]
fn ambiguous_document_number_is_not_repaired() {
    // Find a misread number for which two different single swaps both satisfy
    // the same check digit: the parser must refuse to choose.
    let misread = "Z2O0I1S5B";
    let swaps: Vec<String> = (0..misread.len())
        .map(|i| {
            let twin = match &misread[i..=i] {
                "Z" => "2",
                "2" => "Z",
                "O" => "0",
                "0" => "O",
                "I" => "1",
                "1" => "I",
                "S" => "5",
                "5" => "S",
                _ => "8",
            };
            format!("{}{twin}{}", &misread[..i], &misread[i + 1..])
        })
        .collect();
    let (a, b) = swaps
        .iter()
        .enumerate()
        .flat_map(|(i, a)| swaps[i + 1..].iter().map(move |b| (a, b)))
        .find(|(a, b)| cd(a) == cd(b) && cd(a) != cd(misread))
        .expect("some pair of swaps shares a check digit");
    let zone = td2(
        "I<UTOERIKSSON<<ANNA<MARIA",
        a,
        "UTO",
        "740812",
        'F',
        "120415",
        "",
    )
    .replacen(a.as_str(), misread, 1);
    let err = parse(&zone, today()).expect_err("two repairs would pass");
    assert!(
        matches!(
            err,
            MrzError::CheckDigit {
                field: "document_number",
                ..
            }
        ),
        "{b}: {err}"
    );
}

#[test]
fn malformed_zones() {
    let cases: Vec<(String, MrzError)> = vec![
        (
            TD3_ERIKSSON[..88].to_owned(),
            MrzError::Length {
                line: 2,
                expected: 44,
                found: 43,
            },
        ),
        (
            TD3_ERIKSSON.replacen("P<UTO", "P<UTOO", 1),
            MrzError::Length {
                line: 1,
                expected: 44,
                found: 45,
            },
        ),
        (
            TD1_ERIKSSON.replacen("ERIKSSON<<", "ERIKSSON<", 1),
            MrzError::Length {
                line: 3,
                expected: 30,
                found: 29,
            },
        ),
        ("P<UTOERIKSSON".to_owned(), MrzError::LineCount { found: 1 }),
        (
            format!("{TD1_ERIKSSON}\n{TD1_ERIKSSON}"),
            MrzError::LineCount { found: 6 },
        ),
        (String::new(), MrzError::LineCount { found: 0 }),
        (
            TD3_ERIKSSON.replacen('P', "p", 1),
            MrzError::IllegalCharacter {
                line: 1,
                position: 1,
                character: 'p',
            },
        ),
        (
            TD3_ERIKSSON.replacen("ERIKSSON<<", "ERIKSSON <", 1),
            MrzError::IllegalCharacter {
                line: 1,
                position: 14,
                character: ' ',
            },
        ),
        (
            TD3_ERIKSSON.replacen("ERIKSSON", "ERIKSSÖN", 1),
            MrzError::IllegalCharacter {
                line: 1,
                position: 12,
                character: 'Ö',
            },
        ),
        (
            TD3_ERIKSSON.replacen("ANNA", "AN4A", 1),
            MrzError::IllegalCharacter {
                line: 1,
                position: 18,
                character: '4',
            },
        ),
        (
            TD3_ERIKSSON.replacen("2F", "2Q", 1),
            MrzError::IllegalCharacter {
                line: 2,
                position: 21,
                character: 'Q',
            },
        ),
        (
            TD3_ERIKSSON.replacen("P<", "<<", 1),
            MrzError::UnknownFormat,
        ),
    ];
    for (zone, want) in cases {
        assert_eq!(parse(&zone, today()), Err(want), "{zone}");
    }
}

#[test]
fn serialises_dates_as_iso() {
    let mrz = parse(TD3_ERIKSSON, today()).expect("specimen");
    let json = serde_json::to_value(&mrz).expect("serialisable");
    assert_eq!(json["format"], "TD3");
    assert_eq!(json["birth_date"], "1974-08-12");
    assert_eq!(json["expiry_date"], "2012-04-15");
    assert_eq!(json["sex"], "F");
}

fn mrz_line(width: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('<'),
            proptest::char::range('A', 'Z'),
            proptest::char::range('0', '9')
        ],
        width,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse(&text, today());
    }

    #[test]
    fn arbitrary_zones_never_panic(
        lines in prop_oneof![
            proptest::collection::vec(mrz_line(30), 3),
            proptest::collection::vec(mrz_line(36), 2),
            proptest::collection::vec(mrz_line(44), 2),
        ],
        year in 1900i32..2200,
    ) {
        let today = NaiveDate::from_ymd_opt(year, 2, 28).expect("valid date");
        let _ = parse(&lines.join("\n"), today);
    }

    #[test]
    fn valid_zones_round_trip_the_number(number in "[A-Z0-9]{9}", birth in "[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])") {
        let zone = td2("I<UTOERIKSSON<<ANNA", &number, "UTO", &birth, 'F', "120415", "");
        let mrz = parse(&zone, today()).expect("generated zones are valid");
        prop_assert_eq!(mrz.document_number, number);
        prop_assert!(mrz.repairs.is_empty());
    }

    /// One character of the number or its check digit changed to any other:
    /// the parser rejects the zone naming the number, or returns the true
    /// number, unless the change left every check digit satisfied (then no
    /// reader could tell).
    #[test]
    fn a_misread_number_is_never_accepted_as_another(
        number in "[A-Z0-9]{9}",
        visa in any::<bool>(),
        at in 0usize..10,
        to in prop_oneof![proptest::char::range('A', 'Z'), proptest::char::range('0', '9'), Just('<')],
    ) {
        let name = if visa { "V<UTOERIKSSON<<ANNA" } else { "I<UTOERIKSSON<<ANNA" };
        let zone = td2(name, &number, "UTO", "740812", 'F', "120415", "");
        let (line1, line2) = zone.split_once('\n').expect("two lines");
        let mut read: Vec<char> = line2.chars().collect();
        prop_assume!(read[at] != to);
        read[at] = to;
        let read_line: String = read.iter().collect();
        let still_consistent = check_digit(&read_line[..9]) == Some(read[9]);
        match parse(&format!("{line1}\n{read_line}"), today()) {
            Ok(mrz) => prop_assert!(
                mrz.document_number == number || still_consistent,
                "{} accepted as {}", number, mrz.document_number
            ),
            Err(err) => prop_assert!(
                err.field() == "document_number" || err.field().starts_with("line"),
                "{}: {}", read_line, err
            ),
        }
    }

    #[test]
    fn states_outside_icao_are_flagged(code in "[A-Z]{3}") {
        let zone = td2("I<UTOERIKSSON<<ANNA", "D23145890", &code, "740812", 'F', "120415", "");
        let mrz = parse(&zone, today()).expect("a well-formed zone");
        let flagged = mrz.warnings.iter().any(|w| w.field == "nationality");
        prop_assert_eq!(flagged, vigil_core::CountryCode::from_mrz(&code).is_none());
    }
}
