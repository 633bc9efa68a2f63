//! PAXLST tests: the sample interchanges in tests/data/paxlst (counts pinned
//! by reading the files), the domain.md example, escaping, dirty data,
//! envelope checks, emitter round trips, and never-panics properties.

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use vigil_formats::paxlst::{
    emit, parse, parse_bytes, Delimiters, DiagnosticCode as Code, Leg, Manifest, ManifestKind,
    PaxlstError, Reference, Role, Severity, Sex, TravelDocument, Traveller,
};

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/paxlst/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).expect("valid time")
}

fn codes(manifest: &Manifest) -> Vec<Code> {
    manifest.diagnostics.iter().map(|d| d.code).collect()
}

const DOMAIN_EXAMPLE: &str = "UNA:+.? '
UNB+UNOA:4+XYAIRLINE:ZZ+FRAPIU:ZZ+160405:1000+000000001++APIS'
UNG+PAXLST+XY AIRLINES+FRAPIU+160405:1000+1+UN+D:05B'
UNH+PAX001+PAXLST:D:05B:UN:IATA+API01+01:F'
BGM+745'
NAD+MS+++DUPONT:MARIE'
COM+33123456789:TE'
TDT+20+XY123+++XY'
LOC+125+IST'
DTM+189:1604051030:201'
LOC+87+CDG'
DTM+232:1604051400:201'
NAD+FL+++MUELLER-LUEDENSCHEIDT:JUERGEN:OEMER'
ATT+2++M'
DTM+329:850812'
LOC+178+IST'
LOC+179+CDG'
NAT+2+UTO'
RFF+AVF:ABC123'
DOC+P:110:111+C01X00T47'
DTM+36:310314'
LOC+91+UTO'
CNT+42:1'
UNT+21+PAX001'
UNE+1+1'
UNZ+1+000000001'
";

struct FileExpect {
    name: &'static str,
    kind: ManifestKind,
    passengers: usize,
    crew: usize,
    legs: &'static [(&'static str, &'static str, &'static str)],
    diagnostics: &'static [Code],
}

#[test]
fn sample_files() {
    // Counted by hand (NAD+FL / NAD+FM / TDT segments) and cross-checked with a script.
    let files = [
        FileExpect {
            name: "Test1.txt",
            kind: ManifestKind::CrewList,
            passengers: 0,
            crew: 8,
            legs: &[("UA0989", "FRA", "IAD")],
            // UNT says 152 segments (there are 107); UNE and UNZ quote another reference.
            diagnostics: &[
                Code::CountMismatch,
                Code::ReferenceMismatch,
                Code::ReferenceMismatch,
            ],
        },
        FileExpect {
            name: "Test3.txt",
            kind: ManifestKind::PassengerList,
            passengers: 260,
            crew: 0,
            legs: &[("UA0989", "FRA", "IAD")],
            // A Mac Roman byte in a name; CNT+41:206 on a passenger list; UNT+099.
            diagnostics: &[Code::NotUtf8, Code::CountMismatch, Code::CountMismatch],
        },
        FileExpect {
            name: "airline2.edi",
            kind: ManifestKind::PassengerList,
            passengers: 10,
            crew: 0,
            legs: &[("TN506", "BRE", "YEU")],
            // CNT*42:136, UNT*121 (there are 111), UNT reference with a stray space.
            diagnostics: &[
                Code::CountMismatch,
                Code::CountMismatch,
                Code::ReferenceMismatch,
            ],
        },
        FileExpect {
            name: "apisMessage.txt",
            kind: ManifestKind::PassengerList,
            passengers: 2,
            crew: 0,
            legs: &[("AA123", "ATL", "ORD"), ("AA124", "ORD", "JFK")],
            diagnostics: &[Code::MissingDocument, Code::MissingDocument],
        },
        FileExpect {
            name: "multiple_flight_leg_apis.txt",
            kind: ManifestKind::PassengerList,
            passengers: 2,
            crew: 0,
            legs: &[
                ("QQ877", "MIA", "IAD"),
                ("QQ827", "IAD", "JFK"),
                ("QQ827", "JFK", "CDG"),
            ],
            // "13Nov09" after UNZ.
            diagnostics: &[Code::MalformedSegment],
        },
    ];
    for f in files {
        let m = parse_bytes(&sample(f.name)).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(m.kind, f.kind, "{}", f.name);
        assert_eq!(m.passengers().count(), f.passengers, "{}", f.name);
        assert_eq!(m.crew().count(), f.crew, "{}", f.name);
        assert_eq!(m.travellers.len(), f.passengers + f.crew, "{}", f.name);
        let legs: Vec<(&str, &str, &str)> = m
            .legs
            .iter()
            .map(|l| {
                (
                    l.flight.as_str(),
                    l.departure_airport.as_deref().unwrap_or(""),
                    l.arrival_airport.as_deref().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(legs, f.legs, "{}", f.name);
        assert_eq!(codes(&m), f.diagnostics, "{}: {:#?}", f.name, m.diagnostics);
        assert!(
            m.travellers.iter().all(|t| !t.surname.is_empty()),
            "{}",
            f.name
        );
    }
}

#[test]
fn sample_details() {
    let m = parse_bytes(&sample("Test1.txt")).expect("parses");
    // No UNA: the implied repetition separator `*` is kept as text in ids.
    assert_eq!(m.interchange.sender, "APIS*C3K");
    assert_eq!(m.interchange.prepared_at, Some(at(2014, 2, 2, 6, 0)));
    let steur = &m.travellers[0];
    assert_eq!((steur.role, steur.surname.as_str()), (Role::Crew, "Steur"));
    assert_eq!(steur.given_names, ["Andrea", "Pat"]);
    assert_eq!(steur.birth_place.as_deref(), Some("Hartford USA"));
    assert_eq!(steur.birth_date, Some(date(1978, 7, 6)));

    let m = parse_bytes(&sample("airline2.edi")).expect("parses");
    // `UNA:*.? $`: element separator `*`, terminator `$`, CRLF between segments.
    assert_eq!(m.legs[0].departure_time, Some(at(2014, 5, 11, 13, 40)));
    assert_eq!(m.travellers[8].surname, "STEWART");
    assert_eq!(m.travellers[8].documents[0].number, "179868051");
    assert_eq!(m.travellers[8].documents[0].expiry, Some(date(2018, 2, 21)));

    let m = parse_bytes(&sample("apisMessage.txt")).expect("parses");
    assert_eq!(m.legs[1].arrival_time, Some(at(2007, 2, 19, 19, 55)));
    assert_eq!(m.travellers[1].given_names, ["CHERYL"]);
    assert_eq!(
        m.travellers[1].other_references,
        [Reference {
            qualifier: "ABO".into(),
            value: "TYL009".into()
        }]
    );

    let m = parse_bytes(&sample("Test3.txt")).expect("parses");
    assert!(m.travellers.iter().any(|t| t.surname == "Nov\u{fffd}k"));
}

#[test]
fn domain_example() {
    let m = parse(DOMAIN_EXAMPLE).expect("parses");
    assert_eq!(m.diagnostics, []);
    assert_eq!(m.interchange.sender, "XYAIRLINE");
    assert_eq!(m.interchange.recipient, "FRAPIU");
    assert_eq!(m.interchange.reference, "000000001");
    assert_eq!(m.message_reference, "PAX001");
    assert_eq!(m.kind, ManifestKind::PassengerList);
    assert_eq!(
        m.legs,
        [Leg::new(
            "XY",
            "XY123",
            ("IST", at(2016, 4, 5, 10, 30)),
            ("CDG", at(2016, 4, 5, 14, 0))
        )]
    );
    let t = &m.travellers[..];
    assert_eq!(t.len(), 1);
    let want = Traveller {
        sex: Some(Sex::Male),
        birth_date: Some(date(1985, 8, 12)),
        nationality: Some("UTO".into()),
        embarkation: Some("IST".into()),
        debarkation: Some("CDG".into()),
        booking_reference: Some("ABC123".into()),
        documents: vec![TravelDocument {
            doc_type: "P".into(),
            number: "C01X00T47".into(),
            expiry: Some(date(2031, 3, 14)),
            issuing_country: Some("UTO".into()),
        }],
        ..Traveller::new(
            Role::Passenger,
            "MUELLER-LUEDENSCHEIDT",
            &["JUERGEN", "OEMER"],
        )
    };
    assert_eq!(t[0], want);
}

#[test]
fn layouts_of_the_same_message() {
    let want = parse(DOMAIN_EXAMPLE).expect("parses");
    let variants = [
        // One line, no newlines at all.
        DOMAIN_EXAMPLE.replace('\n', ""),
        // CRLF, indentation, several segments per line.
        DOMAIN_EXAMPLE
            .replace("'\n", "'\r\n   ")
            .replace("'\r\n   ATT", "'ATT"),
        // No UNA: the defaults apply.
        DOMAIN_EXAMPLE.replacen("UNA:+.? '\n", "", 1),
        // Other delimiters.
        emit(
            &want,
            &Delimiters {
                element: '*',
                terminator: '$',
                ..Delimiters::default()
            },
        ),
    ];
    for text in variants {
        let m = parse(&text).unwrap_or_else(|e| panic!("{text}\n{e}"));
        assert_eq!(m.travellers, want.travellers, "{text}");
        assert_eq!(m.legs, want.legs, "{text}");
        assert_eq!(
            m.diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
            0,
            "{text}: {:#?}",
            m.diagnostics
        );
    }
}

/// A one-passenger message around `body` (segments between TDT group and CNT),
/// with a correct UNT count.
fn message(body: &[&str]) -> String {
    let mut segments = vec![
        "UNH+1+PAXLST:D:05B:UN:IATA",
        "BGM+745",
        "TDT+20+XY1+++XY",
        "LOC+125+IST",
        "DTM+189:1604051030:201",
        "LOC+87+CDG",
        "DTM+232:1604051400:201",
    ];
    segments.extend_from_slice(body);
    let travellers = body.iter().filter(|s| s.starts_with("NAD+")).count();
    let cnt = format!("CNT+42:{travellers}");
    segments.push(&cnt);
    let unt = format!("UNT+{}+1", segments.len() + 1);
    segments.push(&unt);
    format!(
        "UNB+UNOA:4+S+R+160405:1000+9'{}'UNZ+1+9'",
        segments.join("'")
    )
}

#[test]
fn release_character() {
    let m = parse(&message(&[
        "NAD+FL+++O?'BRIEN:JEAN?+PAUL:A?:B??",
        "DTM+329:850812",
        "DOC+P+X1",
    ]))
    .expect("parses");
    assert_eq!(m.travellers[0].surname, "O'BRIEN");
    assert_eq!(m.travellers[0].given_names, ["JEAN+PAUL", "A:B?"]);
    assert_eq!(m.diagnostics, []);

    let text = emit(&m, &Delimiters::default());
    assert!(
        text.contains("NAD+FL+++O?'BRIEN:JEAN?+PAUL:A?:B??'"),
        "{text}"
    );
    assert_eq!(parse(&text).expect("round trip").travellers, m.travellers);
}

#[test]
fn dirty_data_becomes_diagnostics() {
    let m = parse(&message(&[
        // 0: empty document, empty expiry, no birth date.
        "NAD+FL+++SMITH:JOHN",
        "DOC++",
        "DTM+36:",
        // 1: unknown qualifiers and values, invalid birth date.
        "NAD+FL+++DOE:JANE",
        "ATT+2++Q",
        "DTM+329:851332",
        "LOC+999+XXX",
        "DOC+P+123",
        "XYZ+1",
        // 2: free-form name, expiry without a document.
        "NAD+FL++JOHN Q PUBLIC",
        "DTM+329:900101",
        "DTM+36:300101",
        "DOC+P+456",
    ]))
    .expect("dirty data still parses");
    assert_eq!(m.travellers.len(), 3);
    let mut found: Vec<(Option<usize>, Code, Severity)> = m
        .diagnostics
        .iter()
        .map(|d| (d.traveller, d.code, d.severity))
        .collect();
    found.sort_by_key(|(t, c, _)| (*t, format!("{c:?}")));
    use Severity::{Error, Warning};
    assert_eq!(
        found,
        [
            (Some(0), Code::EmptyElement, Error),
            (Some(0), Code::EmptyElement, Warning),
            (Some(0), Code::MissingBirthDate, Warning),
            (Some(1), Code::InvalidDate, Error),
            (Some(1), Code::UnknownQualifier, Warning),
            (Some(1), Code::UnknownQualifier, Warning),
            (Some(1), Code::UnknownSegment, Warning),
            (Some(2), Code::MissingName, Warning),
            (Some(2), Code::UnexpectedSegment, Warning),
        ],
        "{:#?}",
        m.diagnostics
    );
    assert_eq!(m.travellers[0].documents, [TravelDocument::default()]);
    assert_eq!(m.travellers[1].birth_date, None);
    assert_eq!(m.travellers[1].sex, None);
    assert_eq!(m.travellers[2].surname, "JOHN Q PUBLIC");
    assert_eq!(m.travellers[2].birth_date, Some(date(1990, 1, 1)));
    // Every diagnostic points at a real segment.
    assert!(m.diagnostics.iter().all(|d| d.segment_index < 30));
}

#[test]
fn envelope_mismatches_are_diagnostics() {
    let good = message(&["NAD+FL+++A:B", "DTM+329:850812", "DOC+P+1"]);
    assert_eq!(parse(&good).expect("parses").diagnostics, []);
    let cases = [
        (good.replace("UNT+12+1", "UNT+13+1"), Code::CountMismatch),
        (
            good.replace("UNT+12+1", "UNT+12+2"),
            Code::ReferenceMismatch,
        ),
        (good.replace("CNT+42:1", "CNT+42:2"), Code::CountMismatch),
        (good.replace("UNZ+1+9", "UNZ+2+9"), Code::CountMismatch),
        (good.replace("UNZ+1+9", "UNZ+1+8"), Code::ReferenceMismatch),
        (good.replace("UNT+12+1'", ""), Code::MissingEnvelope),
        (good.replace("UNZ+1+9'", ""), Code::MissingEnvelope),
    ];
    for (text, code) in cases {
        let m = parse(&text).expect("parses");
        assert_eq!(codes(&m), [code], "{text}");
        assert_eq!(m.travellers.len(), 1, "{text}");
    }
}

#[test]
fn several_messages_in_one_interchange() {
    let pax = message(&["NAD+FL+++A:B", "DTM+329:850812", "DOC+P+1"]);
    let crew = message(&["NAD+FM+++C:D", "DTM+329:750812", "DOC+P+2"])
        .replace("BGM+745", "BGM+250")
        .replace("CNT+42", "CNT+41")
        .replace("UNH+1", "UNH+2")
        .replace("UNT+12+1", "UNT+12+2");
    let body = |m: &str| {
        m.split("'")
            .skip(1)
            .take_while(|s| !s.starts_with("UNZ"))
            .collect::<Vec<_>>()
            .join("'")
    };
    let text = format!(
        "UNB+UNOA:4+S+R+160405:1000+9'{}'{}'UNZ+2+9'",
        body(&pax),
        body(&crew)
    );
    let m = parse(&text).expect("parses");
    assert_eq!(m.diagnostics, [], "{text}");
    assert_eq!(m.travellers.len(), 2);
    assert_eq!(m.passengers().count(), 1);
    assert_eq!(m.crew().count(), 1);
    assert_eq!(m.legs.len(), 1, "the shared leg is listed once");
    assert_eq!(m.message_reference, "1");
}

#[test]
fn untokenisable_input_is_an_error() {
    let cases: [(&str, PaxlstError); 7] = [
        ("", PaxlstError::Empty),
        (" \r\n\t ", PaxlstError::Empty),
        ("UNA:+", PaxlstError::TruncatedUna { offset: 0 }),
        (
            "  UNA::.? 'UNB'",
            PaxlstError::AmbiguousDelimiters { offset: 2 },
        ),
        (
            "UNB+A\u{0}B'",
            PaxlstError::ControlCharacter {
                segment_index: 0,
                offset: 5,
                character: '\u{0}',
            },
        ),
        (
            "UNB+1'UNH+X?",
            PaxlstError::DanglingRelease {
                segment_index: 1,
                offset: 11,
            },
        ),
        ("hello, world", PaxlstError::NotEdifact { offset: 0 }),
    ];
    for (text, want) in cases {
        assert_eq!(parse(text).map(|_| ()), Err(want.clone()), "{text:?}");
    }
    assert!(parse_bytes(&[0xff, 0xfe, 0x00, 0x01]).is_err());
    assert!(PaxlstError::DanglingRelease {
        segment_index: 1,
        offset: 11
    }
    .to_string()
    .contains("byte 11"));
}

fn flight() -> Manifest {
    let leg = Leg::new(
        "XY",
        "XY123",
        ("IST", at(2016, 4, 5, 10, 30)),
        ("CDG", at(2016, 4, 5, 14, 0)),
    );
    let mut m = Manifest::new_flight(ManifestKind::PassengerList, leg, at(2016, 4, 5, 9, 0));
    let mut passenger = Traveller::new(Role::Passenger, "O'BRIEN", &["SEAN", "PATRICK"]);
    passenger.sex = Some(Sex::Male);
    passenger.birth_date = Some(date(1920, 2, 29));
    // 101 years before the flight: needs a four-digit year to survive.
    let mut centenarian = Traveller::new(Role::Passenger, "OLD", &[]);
    centenarian.birth_date = Some(date(1915, 4, 4));
    passenger.seat = Some("12A".into());
    passenger.documents.push(TravelDocument {
        doc_type: "P".into(),
        number: "X+1:2".into(),
        expiry: Some(date(2030, 1, 1)),
        issuing_country: Some("IRL".into()),
    });
    let mut crew = Traveller::new(Role::TransitCrew, "SMITH", &[]);
    crew.birth_date = Some(date(2016, 4, 5));
    crew.documents.push(TravelDocument {
        doc_type: "I".into(),
        number: "Z9".into(),
        ..TravelDocument::default()
    });
    centenarian.documents.push(TravelDocument {
        doc_type: "P".into(),
        number: "C1".into(),
        ..TravelDocument::default()
    });
    m.travellers = vec![passenger, crew, centenarian];
    m
}

#[test]
fn emit_round_trip() {
    let m = flight();
    for delimiters in [
        Delimiters::default(),
        Delimiters {
            element: '*',
            terminator: '$',
            ..Delimiters::default()
        },
        Delimiters {
            repetition: Some('^'),
            ..Delimiters::default()
        },
    ] {
        let text = emit(&m, &delimiters);
        let back = parse(&text).unwrap_or_else(|e| panic!("{text}\n{e}"));
        assert_eq!(back.diagnostics, [], "{text}");
        assert_eq!(back.travellers, m.travellers, "{text}");
        assert_eq!(back.legs, m.legs, "{text}");
        assert_eq!(back.interchange, m.interchange, "{text}");
    }
    let text = emit(&m, &Delimiters::default());
    assert!(
        text.starts_with("UNA:+.? 'UNB+UNOA:4+XY+CDG+160405:0900+1604050900++APIS'"),
        "{text}"
    );
    assert!(
        text.contains("DTM+329:19150404:102'DOC+P:110:111+C1'CNT+42:2'CNT+41:1'UNT+23+1604050900'UNZ+1+1604050900'"),
        "{text}"
    );
}

#[test]
fn emit_round_trips_the_samples() {
    for name in [
        "Test1.txt",
        "Test3.txt",
        "airline2.edi",
        "apisMessage.txt",
        "multiple_flight_leg_apis.txt",
    ] {
        let m = parse_bytes(&sample(name)).expect("parses");
        let back = parse(&emit(&m, &Delimiters::default())).expect("round trip");
        assert_eq!(back.travellers, m.travellers, "{name}");
        assert_eq!(back.legs, m.legs, "{name}");
        assert!(
            !back
                .diagnostics
                .iter()
                .any(|d| d.code == Code::CountMismatch),
            "{name}"
        );
    }
}

fn text_value() -> impl Strategy<Value = String> {
    // Letters, digits and every service character, trimmed like the parser trims.
    "[A-Z0-9'+:?* .-]{1,12}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn traveller() -> impl Strategy<Value = Traveller> {
    (
        text_value(),
        proptest::collection::vec(text_value(), 0..3),
        prop_oneof![
            Just(Role::Passenger),
            Just(Role::Crew),
            Just(Role::TransitPassenger),
            Just(Role::TransitCrew)
        ],
        proptest::option::of(0i64..60_000),
        proptest::option::of(text_value()),
        proptest::option::of((text_value(), -40_000i64..40_000)),
    )
        .prop_map(|(surname, given, role, age_days, seat, doc)| {
            let given: Vec<&str> = given.iter().map(String::as_str).collect();
            let mut t = Traveller::new(role, &surname, &given);
            t.birth_date = age_days.map(|d| date(2016, 4, 5) - chrono::Days::new(d as u64));
            t.seat = seat;
            t.documents = doc
                .into_iter()
                .map(|(number, offset)| TravelDocument {
                    doc_type: "P".into(),
                    number,
                    expiry: date(2016, 4, 5).checked_add_signed(chrono::TimeDelta::days(offset)),
                    issuing_country: None,
                })
                .collect();
            t
        })
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_bytes(&bytes);
    }

    #[test]
    fn segment_soup_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("UNA:+.? '".to_owned()), Just("UNB+".to_owned()), Just("UNH+".to_owned()),
                Just("UNT+".to_owned()), Just("UNZ+".to_owned()), Just("UNG+".to_owned()), Just("UNE+".to_owned()),
                Just("NAD+FL+++".to_owned()), Just("NAD+FM".to_owned()), Just("DOC+".to_owned()), Just("DTM+".to_owned()),
                Just("LOC+".to_owned()), Just("TDT+".to_owned()), Just("CNT+".to_owned()), Just("ATT+2++".to_owned()),
                "[0-9]{0,12}", "[A-Z]{0,4}", Just("'".to_owned()), Just(":".to_owned()), Just("+".to_owned()),
                Just("?".to_owned()), Just("\r\n".to_owned()),
            ],
            0..80,
        )
    ) {
        let text = parts.concat();
        if let Ok(m) = parse(&text) {
            // Whatever was read can be written and read back unchanged.
            let emitted = emit(&m, &Delimiters::default());
            let back = parse(&emitted).expect("emitted text parses");
            prop_assert_eq!(&back.travellers, &m.travellers, "{}\n{}", text, emitted);
            prop_assert_eq!(&back.legs, &m.legs, "{}\n{}", text, emitted);
        }
    }

    #[test]
    fn emitted_flights_round_trip(travellers in proptest::collection::vec(traveller(), 0..6)) {
        let mut m = flight();
        m.travellers = travellers;
        let text = emit(&m, &Delimiters::default());
        let back = parse(&text).expect("emitted text parses");
        prop_assert_eq!(&back.travellers, &m.travellers, "{}", text);
        prop_assert!(!back.diagnostics.iter().any(|d| d.severity == Severity::Error), "{:#?}", back.diagnostics);
    }
}
