//! The UN and OFAC importers against the real lists: counts, and
//! hand-checked individuals compared field by field with the XML. The UN
//! editions are in the repo (`crates/vigil/data`, `crates/vigil/tests/data`);
//! the OFAC list is found through `vigil-testdata` (skipped when absent).

use std::path::Path;
use std::sync::OnceLock;

use vigil_core::{
    Category, CountryCode, Document, DocumentKind, Gender, NameKind, PartialDate, RecordDraft,
    Script,
};
use vigil_formats::import::{FormatError, ImportBatch, Position};
use vigil_formats::{ofac, unsc};

/// The 2024 UN edition, shipped with the `vigil` binary.
const UN_2024: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vigil/data/un_sc_consolidated_2024-05-15.xml"
);
/// The 2020 UN edition, a fixture of the `vigil` crate's tests.
const UN_2020: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vigil/tests/data/un_sc_consolidated_2020-11-24.xml"
);

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    let path = path.as_ref();
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each list is parsed once per test binary.
fn un_2024() -> &'static ImportBatch {
    static BATCH: OnceLock<ImportBatch> = OnceLock::new();
    BATCH.get_or_init(|| unsc::parse(&read(UN_2024)).unwrap())
}

fn find<'b>(batch: &'b ImportBatch, reference: &str) -> &'b RecordDraft {
    &batch
        .records
        .iter()
        .find(|r| r.draft.reference == reference)
        .unwrap_or_else(|| panic!("{reference} not imported"))
        .draft
}

fn names(d: &RecordDraft) -> Vec<(NameKind, &str)> {
    d.names.iter().map(|n| (n.kind, n.full.as_str())).collect()
}

fn dates(d: &RecordDraft) -> Vec<String> {
    d.birth_dates.iter().map(ToString::to_string).collect()
}

fn countries(d: &RecordDraft) -> Vec<&str> {
    d.nationalities.iter().map(CountryCode::as_str).collect()
}

fn doc(kind: DocumentKind, number: &str, country: Option<&str>) -> Document {
    Document {
        kind,
        number: number.into(),
        country: country.map(|c| CountryCode::parse(c).unwrap()),
        expiry: None,
        only_one: false,
    }
}

fn extra<'d>(d: &'d RecordDraft, key: &str) -> Vec<&'d str> {
    d.extra
        .get(key)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

fn count_kind(batch: &ImportBatch, kind: NameKind) -> usize {
    batch
        .records
        .iter()
        .flat_map(|r| &r.draft.names)
        .filter(|n| n.kind == kind)
        .count()
}

#[test]
fn un_2024_counts() {
    let batch = un_2024();
    assert_eq!(batch.records.len(), 682);
    assert_eq!(batch.skipped.len(), 193);
    assert_eq!(batch.skipped_counts().get(unsc::ENTITY_SKIPPED), Some(&193));
    assert_eq!(batch.count_diagnostics("rejected"), 0);
    // 2,132 aliases of quality Good/Low in the XML; 10 repeat the primary
    // name or another alias of the same person and are kept once.
    let aliases = count_kind(batch, NameKind::Alias);
    let weak = count_kind(batch, NameKind::WeakAlias);
    assert_eq!((aliases, weak), (ALIASES_2024, WEAK_2024));
    let scripts: Vec<Option<Script>> = batch
        .records
        .iter()
        .flat_map(|r| &r.draft.names)
        .filter(|n| n.kind == NameKind::OriginalScript)
        .map(|n| n.script)
        .collect();
    assert_eq!(scripts.len(), 341);
    assert_eq!(
        scripts
            .iter()
            .filter(|s| **s == Some(Script::Arabic))
            .count(),
        332
    );
    assert_eq!(
        scripts
            .iter()
            .filter(|s| **s == Some(Script::Cyrillic))
            .count(),
        9
    );
    let passports = batch
        .records
        .iter()
        .flat_map(|r| &r.draft.documents)
        .filter(|d| d.kind == DocumentKind::Passport)
        .count();
    assert_eq!(passports, PASSPORTS_2024);
    for r in &batch.records {
        assert_eq!(r.draft.category, Category::Sanctioned);
        assert!(r.draft.clone().validate().is_ok());
        assert!(matches!(r.position, Position::Element { .. }));
    }
}

const ALIASES_2024: usize = 1503;
const WEAK_2024: usize = 619;
/// 290 documents typed "Passport" plus 6 typed in French or Spanish; 7 have
/// no number (kept in `extra`), and 6 repeat one passport in three languages.
const PASSPORTS_2024: usize = 283;

#[test]
fn un_2020_counts() {
    let batch = unsc::parse(&read(UN_2020)).unwrap();
    assert_eq!(batch.records.len(), 713);
    assert_eq!(batch.count_diagnostics("rejected"), 0);
}

#[test]
fn un_approximate_year_arabic_name_and_low_quality_alias() {
    let batch = un_2024();
    let d = find(batch, "TAi.005");
    assert_eq!(
        names(d),
        [
            (NameKind::Primary, "MUHAMMAD TAHER ANWARI"),
            (NameKind::OriginalScript, "محمد طاهر أنوري"),
            (NameKind::Alias, "Mohammad Taher Anwari"),
            (NameKind::Alias, "Muhammad Tahir Anwari"),
            (NameKind::Alias, "Mohammad Tahre Anwari"),
            (NameKind::WeakAlias, "Haji Mudir"),
        ]
    );
    assert_eq!(d.names[1].script, Some(Script::Arabic));
    assert_eq!(d.names[0].given, None);
    assert_eq!(dates(d), ["1960..1962"]);
    assert_eq!(
        d.birth_places,
        ["Zurmat District, Paktia Province, Afghanistan"]
    );
    assert_eq!(countries(d), ["AFG"]);
    assert!(d.documents.is_empty());
    assert_eq!(
        d.listed_on.map(|d| d.to_string()).as_deref(),
        Some("2001-02-23")
    );
    assert_eq!(d.links[0].kind, "un_sc");
    assert_eq!(d.links[0].reference, "TAi.005");
    assert_eq!(d.topics, ["sanction"]);
    assert!(d.notes[0].starts_with("Belongs to Andar tribe."));
    assert_eq!(extra(d, "program"), ["Taliban"]);
    assert_eq!(extra(d, "title"), ["Mullah"]);
    assert_eq!(
        extra(d, "position"),
        [
            "a) Director of Administrative Affairs under the Taliban regime",
            "Minister of Finance under the Taliban regime"
        ]
    );
    assert_eq!(extra(d, "un:FIRST_NAME"), ["MUHAMMAD"]);
    assert_eq!(extra(d, "un:DATAID"), ["110447"]);
    assert_eq!(d.gender, None);
}

#[test]
fn un_between_years_and_alias_note() {
    let batch = un_2024();
    let d = find(batch, "TAi.038");
    assert_eq!(
        names(d),
        [
            (NameKind::Primary, "ABDUL BAQI BASIR AWAL SHAH"),
            (NameKind::OriginalScript, "عبد الباقي بصير أول شاه"),
            (NameKind::Alias, "Abdul Baqi"),
        ]
    );
    assert_eq!(dates(d), ["1960..1962"]);
    assert_eq!(extra(d, "un:birthDateNote"), ["Approximately"]);
    assert_eq!(
        extra(d, "un:aliasNote"),
        ["Abdul Baqi: previously listed as"]
    );
    assert_eq!(extra(d, "title"), ["Maulavi", "Mullah"]);
    assert_eq!(
        d.birth_places,
        ["Jalalabad City, Nangarhar Province, Afghanistan"]
    );
}

#[test]
fn un_several_nationalities() {
    let batch = un_2024();
    let d = find(batch, "TAi.114");
    assert_eq!(countries(d), ["AFG", "PAK"]);
    assert_eq!(dates(d), ["1957..1959"]);
    assert_eq!(names(d).len(), 2);
}

#[test]
fn un_passports_with_issuing_country_and_exact_date() {
    let batch = un_2024();
    let d = find(batch, "QDi.080");
    assert_eq!(countries(d), ["DEU", "MAR"]);
    assert_eq!(dates(d), ["1975-07-15"]);
    assert_eq!(d.birth_places, ["Haselünne, Lower Saxony, Germany"]);
    assert_eq!(
        names(d),
        [
            (NameKind::Primary, "SAID BAHAJI"),
            (NameKind::OriginalScript, "سعيد باهاجى"),
            (NameKind::Alias, "Zouheir Al Maghribi"),
            (NameKind::WeakAlias, "Mohamed Abbattay"),
            (NameKind::WeakAlias, "Abderrahmane Al Maghribi"),
        ]
    );
    assert_eq!(
        d.documents[..2],
        [
            doc(
                DocumentKind::Passport,
                "Provisional passport No.: 28642163",
                Some("DEU")
            ),
            doc(DocumentKind::Passport, "954242", Some("MAR")),
        ]
    );
    assert_eq!(
        extra(d, "address"),
        ["Bunatwiete 23, Hamburg, 21073, Germany, formerly resident at"]
    );
    assert!(d.topics.contains(&"crime.terror".to_string()));
}

#[test]
fn un_national_identification_numbers() {
    let batch = un_2024();
    let d = find(batch, "QDi.083");
    assert_eq!(
        d.documents,
        [
            doc(DocumentKind::Passport, "M 271351", Some("MAR")),
            doc(DocumentKind::Passport, "K-348486", Some("MAR")),
            doc(DocumentKind::NationalId, "E-189935", Some("MAR")),
            doc(DocumentKind::NationalId, "G-0343089", Some("MAR")),
        ]
    );
    assert_eq!(
        extra(d, "un:document")[0],
        "M 271351: Passport, 2000-10-24, Berlin,by the Embassy of Morocco"
    );
    assert_eq!(dates(d), ["1977-04-03"]);
}

#[test]
fn un_cyrillic_name_alias_birth_dates_and_unknown_nationality() {
    let batch = un_2024();
    let d = find(batch, "QDi.290");
    assert_eq!(d.names[1].kind, NameKind::OriginalScript);
    assert_eq!(d.names[1].full, "Умаров Доку Хаматович");
    assert_eq!(d.names[1].script, Some(Script::Cyrillic));
    // Dates given on alias identities count too (in document order).
    assert_eq!(dates(d), ["1955", "1964-04-13", "1965-04-13", "1964-05-12"]);
    assert_eq!(countries(d), ["RUS"]);
    assert_eq!(extra(d, "nationality"), ["former Soviet Union"]);
    assert!(batch
        .diagnostics
        .iter()
        .any(|x| x.reference.as_deref() == Some("QDi.290")
            && x.message.contains("former Soviet Union")));
}

#[test]
fn un_korean_passport_in_three_languages_is_one_document() {
    let batch = un_2024();
    let d = find(batch, "KPi.008");
    assert_eq!(
        d.documents,
        [doc(DocumentKind::Passport, "645120196", Some("PRK"))]
    );
    assert_eq!(countries(d), ["PRK"]);
    assert!(d.birth_places.is_empty());
    assert_eq!(d.names[0].full, "RA KY'ONG-SU");
}

#[test]
fn un_month_read_from_note() {
    let batch = un_2024();
    assert_eq!(dates(find(batch, "CDi.004")), ["1973-11"]);
    assert!(dates(find(batch, "QDi.306")).contains(&"1977".to_string()));
}

#[test]
fn un_truncated_file_is_an_error_with_a_position() {
    let bytes = read(UN_2024);
    let cut = &bytes[..bytes.len() / 2];
    match unsc::parse(cut) {
        Err(FormatError::Malformed {
            position: Position::Byte { byte },
            message,
        }) => {
            assert!(byte > 0 && byte <= cut.len() as u64, "{byte}");
            assert!(message.contains("truncated") || !message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // Cut inside a tag, too.
    let inside = bytes
        .windows(12)
        .position(|w| w == b"<INDIVIDUAL>")
        .map(|p| p + 5)
        .unwrap();
    assert!(matches!(
        unsc::parse(&bytes[..inside]),
        Err(FormatError::Malformed { .. })
    ));
}

#[test]
fn wrong_list_is_refused() {
    let err = ofac::parse(b"<CONSOLIDATED_LIST></CONSOLIDATED_LIST>").unwrap_err();
    assert!(matches!(err, FormatError::UnexpectedRoot { .. }));
    assert!(unsc::parse(b"").is_err());
    assert!(unsc::parse(b"not xml at all").is_err());
}

/// The OFAC list (20 MB, in the shared data), parsed once; `None` (the test
/// skips) when it is absent.
fn ofac_batch() -> Option<&'static ImportBatch> {
    static BATCH: OnceLock<ImportBatch> = OnceLock::new();
    let path = vigil_testdata::shared_data("lists/ofac_sdn_2024-05-07.xml")?;
    Some(BATCH.get_or_init(|| ofac::parse(&read(path)).unwrap()))
}

#[test]
fn ofac_counts() {
    let Some(batch) = ofac_batch() else { return };
    assert_eq!(batch.records.len(), 6855);
    let skipped = batch.skipped_counts();
    assert_eq!(
        skipped.get("entity (non-person) records are not imported"),
        Some(&6884)
    );
    assert_eq!(
        skipped.get("vessel (non-person) records are not imported"),
        Some(&851)
    );
    assert_eq!(
        skipped.get("aircraft (non-person) records are not imported"),
        Some(&376)
    );
    assert_eq!(batch.count_diagnostics("rejected"), 0);
    let terror = batch
        .records
        .iter()
        .filter(|r| r.draft.topics.iter().any(|t| t == "crime.terror"))
        .count();
    assert_eq!(terror, OFAC_TERROR);
}

/// The README's count of individuals on a terrorism programme.
const OFAC_TERROR: usize = 1349;

#[test]
fn ofac_passport_national_id_gender() {
    let Some(batch) = ofac_batch() else { return };
    let d = find(batch, "OFAC-11786");
    assert_eq!(
        names(d),
        [
            (NameKind::Primary, "Rostam QASEMI"),
            (NameKind::Alias, "ROSTAM GHASEMI MOHAMMADALI"),
            (NameKind::Alias, "Rostam GHASEMI"),
        ]
    );
    assert_eq!(d.names[0].given.as_deref(), Some("Rostam"));
    assert_eq!(d.names[0].family.as_deref(), Some("QASEMI"));
    assert_eq!(d.gender, Some(Gender::Male));
    assert_eq!(
        d.documents,
        [
            doc(DocumentKind::Passport, "A2463775", Some("IRN")),
            doc(DocumentKind::NationalId, "6579726970", Some("IRN")),
        ]
    );
    assert_eq!(countries(d), ["IRN"]);
    assert_eq!(dates(d), ["1964-05-22"]);
    assert_eq!(d.birth_places, ["Lamerd, Iran"]);
    assert_eq!(extra(d, "program"), ["NPWMD", "IRGC", "IFSR", "SDGT"]);
    assert_eq!(
        extra(d, "ofac:Additional Sanctions Information"),
        ["Subject to Secondary Sanctions"]
    );
    assert_eq!(d.topics, ["sanction", "crime.terror"]);
    assert_eq!(d.links[0].reference, "11786");
    assert_eq!(
        d.notes,
        ["(Linked To: SOLEIMANI, Qasem; Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE)"]
    );
}

#[test]
fn ofac_weak_aliases_and_citizenship() {
    let Some(batch) = ofac_batch() else { return };
    let d = find(batch, "OFAC-6926");
    assert_eq!(
        names(d),
        [
            (NameKind::Primary, "Hasan IZZ-AL-DIN"),
            (NameKind::WeakAlias, "GARBAYA, AHMED"),
            (NameKind::WeakAlias, "SA-ID"),
            (NameKind::Alias, "Samir SALWWAN"),
        ]
    );
    assert_eq!(d.names[1].given, None);
    assert_eq!(d.names[1].family.as_deref(), Some("GARBAYA, AHMED"));
    assert_eq!(countries(d), ["LBN"]);
    assert_eq!(dates(d), ["1963"]);
    assert!(d.documents.is_empty());
}

#[test]
fn ofac_circa_date() {
    let Some(batch) = ofac_batch() else { return };
    let d = find(batch, "OFAC-7848");
    assert_eq!(dates(d), ["1941..1943"]);
    assert_eq!(
        names(d),
        [
            (NameKind::Primary, "Izzat Ibrahim AL-DURI"),
            (NameKind::WeakAlias, "ABU BRAYS"),
            (NameKind::WeakAlias, "ABU AHMAD"),
        ]
    );
    assert_eq!(countries(d), ["IRQ"]);
    assert_eq!(d.birth_places, ["al-Dur, Iraq"]);
    assert_eq!(d.topics, ["sanction"]);
    assert_eq!(PartialDate::parse("1941..1943").unwrap(), d.birth_dates[0]);
}
