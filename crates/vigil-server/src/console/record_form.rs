//! The record editor: one HTML form for a bureau's record (names in any
//! script, partial birth dates, documents, handling and evaluation codes,
//! and the policy: who sees it, how much, what leaves for which
//! organisation), and its translation to and from a [`RecordDraft`].
//!
//! The form covers what people edit; what it does not show (a name's
//! given/family split, links, properties kept from other systems) is kept
//! from the version being edited, so that saving a form never loses data.
//! Parse problems are reported with the field's name, and the form comes
//! back with what was typed.

use maud::{html, Markup};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use vigil_core::policy::{ReleaseLevel, ReleaseRule};
use vigil_core::{
    AgencyCode, CountryCode, Disclosure, Document, Evaluation, FieldError, Handling, Name,
    NameKind, PartialDate, RecordDraft, Visibility,
};

use super::page::csrf_field;
use super::session::Officer;

/// What the record form posts.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RecordForm {
    pub version: Option<u32>,
    pub reference: String,
    pub category: String,
    pub gender: String,
    pub primary_name: String,
    /// One per line; `weak:` before a name marks a weak alias.
    pub aliases: String,
    /// One per line: the name as written in its own script.
    pub original_names: String,
    pub birth_dates: String,
    pub birth_places: String,
    pub nationalities: String,
    /// One per line: `kind number [country] [expiry]`.
    pub documents: String,
    /// Notes, separated by a line holding only `---`.
    pub notes: String,
    pub topics: String,
    pub handling_code: String,
    pub handling_text: String,
    pub evaluation_source: String,
    pub evaluation_information: String,
    pub visibility: String,
    pub visibility_agencies: String,
    pub disclosure: String,
    pub hit_only_for: String,
    pub instruction: String,
    /// One per line: `ORG level [agency …]`.
    pub release: String,
    pub listed_on: String,
    pub confirmed_on: String,
}

/// Notes as typed: separated by a line holding only `---`, each kept as
/// written (browsers send a text area's line breaks as CRLF: stored as LF).
fn notes_of(text: &str) -> Vec<String> {
    let mut notes = vec![String::new()];
    for line in text.lines() {
        if line.trim() == "---" {
            notes.push(String::new());
            continue;
        }
        let note = notes.last_mut().expect("one note at least");
        if !note.is_empty() {
            note.push('\n');
        }
        note.push_str(line);
    }
    notes
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

fn text_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn list(items: impl IntoIterator<Item = String>, sep: &str) -> String {
    items.into_iter().collect::<Vec<_>>().join(sep)
}

impl RecordForm {
    /// The form filled from a stored draft.
    pub fn of(draft: &RecordDraft, version: Option<u32>) -> Self {
        let primary = draft
            .names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .map(|n| n.full.clone())
            .unwrap_or_default();
        let names_of = |kinds: &[NameKind], prefix: &dyn Fn(NameKind) -> &'static str| {
            list(
                draft
                    .names
                    .iter()
                    .filter(|n| kinds.contains(&n.kind))
                    .filter(|n| n.kind != NameKind::Primary || n.full != primary)
                    .map(|n| format!("{}{}", prefix(n.kind), n.full)),
                "\n",
            )
        };
        let policy = &draft.policy;
        let (visibility, visibility_agencies) = match &policy.visibility {
            Visibility::All => ("all", String::new()),
            Visibility::Only(a) => ("only", list(a.iter().map(|c| c.to_string()), ", ")),
            Visibility::Except(a) => ("except", list(a.iter().map(|c| c.to_string()), ", ")),
        };
        RecordForm {
            version,
            reference: draft.reference.clone(),
            category: text_of(&draft.category),
            gender: draft.gender.map(|g| text_of(&g)).unwrap_or_default(),
            primary_name: primary.clone(),
            aliases: names_of(
                &[NameKind::Alias, NameKind::WeakAlias, NameKind::Primary],
                &|k| {
                    if k == NameKind::WeakAlias {
                        "weak: "
                    } else {
                        ""
                    }
                },
            ),
            original_names: names_of(&[NameKind::OriginalScript], &|_| ""),
            birth_dates: list(draft.birth_dates.iter().map(|d| d.to_string()), ", "),
            birth_places: list(draft.birth_places.iter().cloned(), "\n"),
            nationalities: list(
                draft.nationalities.iter().map(|c| c.as_str().to_string()),
                ", ",
            ),
            documents: list(
                draft.documents.iter().map(|d| {
                    let mut line = format!("{} {}", text_of(&d.kind), d.number);
                    if let Some(c) = &d.country {
                        line.push(' ');
                        line.push_str(c.as_str());
                    }
                    if let Some(e) = d.expiry {
                        line.push(' ');
                        line.push_str(&e.to_string());
                    }
                    line
                }),
                "\n",
            ),
            notes: list(draft.notes.iter().cloned(), "\n---\n"),
            topics: list(draft.topics.iter().cloned(), ", "),
            handling_code: text_of(&draft.handling.code),
            handling_text: draft.handling.text.clone().unwrap_or_default(),
            evaluation_source: draft
                .evaluation
                .map(|e| text_of(&e.source))
                .unwrap_or_default(),
            evaluation_information: draft
                .evaluation
                .map(|e| e.information.to_string())
                .unwrap_or_default(),
            visibility: visibility.into(),
            visibility_agencies,
            disclosure: text_of(&policy.disclosure),
            hit_only_for: list(policy.hit_only_for.iter().map(|c| c.to_string()), ", "),
            instruction: policy.instruction.clone().unwrap_or_default(),
            release: list(
                policy.release.iter().map(|r| {
                    let mut line = format!("{} {}", r.org, text_of(&r.level));
                    for a in &r.agencies {
                        line.push(' ');
                        line.push_str(a.as_str());
                    }
                    line
                }),
                "\n",
            ),
            listed_on: draft.listed_on.map(|d| d.to_string()).unwrap_or_default(),
            confirmed_on: draft
                .confirmed_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        }
    }

    /// The draft this form describes, on top of `base` (the version being
    /// edited, or a new draft), or every field at fault.
    pub fn draft(&self, base: Option<&RecordDraft>) -> Result<RecordDraft, Vec<FieldError>> {
        let mut errors = Errors::default();
        let mut draft = base
            .cloned()
            .unwrap_or_else(|| RecordDraft::new(String::new(), String::new()));
        draft.reference = self.reference.trim().to_string();
        draft.category = errors
            .choice(&self.category, "category")
            .unwrap_or_default();
        draft.gender = match self.gender.trim() {
            "" => None,
            g => errors.choice(g, "gender"),
        };
        let previous = std::mem::take(&mut draft.names);
        // A name whose text is unchanged keeps what the form does not show.
        let name = |full: &str, kind: NameKind| {
            previous
                .iter()
                .find(|n| n.full == full)
                .cloned()
                .map(|n| Name { kind, ..n })
                .unwrap_or_else(|| Name::new(full, kind))
        };
        if !self.primary_name.trim().is_empty() {
            draft
                .names
                .push(name(self.primary_name.trim(), NameKind::Primary));
        }
        for line in lines(&self.aliases) {
            match line.strip_prefix("weak:") {
                Some(weak) => draft.names.push(name(weak.trim(), NameKind::WeakAlias)),
                None => draft.names.push(name(line, NameKind::Alias)),
            }
        }
        for line in lines(&self.original_names) {
            draft.names.push(name(line, NameKind::OriginalScript));
        }
        // The same names as before, only in the form's order (or a second
        // primary name listed among the aliases): kept as they were.
        let key = |n: &Name| {
            let kind = match n.kind {
                NameKind::Primary => NameKind::Alias,
                other => other,
            };
            (n.full.clone(), format!("{kind:?}"))
        };
        let mut now: Vec<_> = draft.names.iter().map(key).collect();
        let mut before: Vec<_> = previous.iter().map(key).collect();
        now.sort();
        before.sort();
        let primary = |names: &[Name]| {
            names
                .iter()
                .find(|n| n.kind == NameKind::Primary)
                .map(|n| n.full.clone())
        };
        if now == before && primary(&draft.names) == primary(&previous) {
            draft.names = previous.clone();
        }
        draft.birth_dates = items(&self.birth_dates)
            .enumerate()
            .filter_map(|(i, d)| errors.parsed(PartialDate::parse(d), &format!("birth_dates[{i}]")))
            .collect();
        draft.birth_places = lines(&self.birth_places).map(str::to_string).collect();
        draft.nationalities = items(&self.nationalities)
            .enumerate()
            .filter_map(|(i, c)| {
                let found = CountryCode::parse(c)
                    .ok()
                    .or_else(|| CountryCode::from_name(c));
                if found.is_none() {
                    errors.push(
                        &format!("nationalities[{i}]"),
                        format!("{c:?} is not a country code or name"),
                    );
                }
                found
            })
            .collect();
        let previous_docs = std::mem::take(&mut draft.documents);
        for (i, line) in lines(&self.documents).enumerate() {
            let path = format!("documents[{i}]");
            let mut words = line.split_whitespace();
            let (Some(kind), Some(number)) = (words.next(), words.next()) else {
                errors.push(
                    &path,
                    "write: kind number [country] [expiry], e.g. passport X1234567 FRA 2031-05-01"
                        .into(),
                );
                continue;
            };
            let Some(kind) = errors.choice(kind, &format!("{path}.kind")) else {
                continue;
            };
            let mut doc = Document {
                kind,
                number: number.to_string(),
                country: None,
                expiry: None,
                only_one: false,
            };
            for word in words {
                if let Ok(date) = word.parse::<chrono::NaiveDate>() {
                    doc.expiry = Some(date);
                } else if let Some(c) =
                    errors.parsed(CountryCode::parse(word), &format!("{path}.country"))
                {
                    doc.country = Some(c);
                }
            }
            doc.only_one = previous_docs
                .iter()
                .any(|d| d.number == doc.number && d.only_one);
            draft.documents.push(doc);
        }
        draft.notes = notes_of(&self.notes);
        draft.topics = items(&self.topics).map(str::to_string).collect();
        draft.handling = Handling {
            code: errors
                .choice(&self.handling_code, "handling.code")
                .unwrap_or_default(),
            text: Some(self.handling_text.trim().to_string()).filter(|t| !t.is_empty()),
        };
        draft.evaluation = match (
            self.evaluation_source.trim(),
            self.evaluation_information.trim(),
        ) {
            ("", "") => None,
            (source, information) => {
                let source = errors.choice(source, "evaluation.source");
                let information = information
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (1..=4).contains(n));
                if information.is_none() {
                    errors.push(
                        "evaluation.information",
                        "a number from 1 (known to be true) to 4 (not known)".into(),
                    );
                }
                source
                    .zip(information)
                    .map(|(source, information)| Evaluation {
                        source,
                        information,
                    })
            }
        };
        let agencies = |errors: &mut Errors, text: &str, path: &str| -> Vec<AgencyCode> {
            items(text)
                .enumerate()
                .filter_map(|(i, a)| errors.parsed(AgencyCode::parse(a), &format!("{path}[{i}]")))
                .collect()
        };
        draft.policy.visibility = match self.visibility.as_str() {
            "only" => Visibility::Only(agencies(
                &mut errors,
                &self.visibility_agencies,
                "policy.visibility.only",
            )),
            "except" => Visibility::Except(agencies(
                &mut errors,
                &self.visibility_agencies,
                "policy.visibility.except",
            )),
            _ => Visibility::All,
        };
        draft.policy.disclosure = if self.disclosure == "hit_only" {
            Disclosure::HitOnly
        } else {
            Disclosure::Full
        };
        draft.policy.hit_only_for =
            agencies(&mut errors, &self.hit_only_for, "policy.hit_only_for");
        draft.policy.instruction =
            Some(self.instruction.trim().replace("\r\n", "\n")).filter(|t| !t.is_empty());
        draft.policy.release = Vec::new();
        for (i, line) in lines(&self.release).enumerate() {
            let path = format!("policy.release[{i}]");
            let mut words = line.split_whitespace();
            let (Some(org), Some(level)) = (words.next(), words.next()) else {
                errors.push(
                    &path,
                    "write: ORGANISATION level [agency …], e.g. EUROPOL hit_only".into(),
                );
                continue;
            };
            let org = errors.parsed(AgencyCode::parse_org(org), &format!("{path}.org"));
            let level: Option<ReleaseLevel> = errors.choice(level, &format!("{path}.level"));
            let agencies = words
                .filter_map(|a| errors.parsed(AgencyCode::parse(a), &format!("{path}.agencies")))
                .collect();
            if let (Some(org), Some(level)) = (org, level) {
                draft.policy.release.push(ReleaseRule {
                    org,
                    level,
                    agencies,
                });
            }
        }
        draft.listed_on = errors.date(&self.listed_on, "listed_on");
        draft.confirmed_on = errors.date(&self.confirmed_on, "confirmed_on");
        if errors.0.is_empty() {
            Ok(draft)
        } else {
            Err(errors.0)
        }
    }
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// Items separated by commas or line breaks.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, path: &str, message: String) {
        self.0.push(FieldError {
            path: path.to_string(),
            message,
        });
    }

    fn parsed<T, E: std::fmt::Display>(&mut self, r: Result<T, E>, path: &str) -> Option<T> {
        r.map_err(|e| self.push(path, e.to_string())).ok()
    }

    /// One of an enum's snake_case names.
    fn choice<T: DeserializeOwned>(&mut self, text: &str, path: &str) -> Option<T> {
        let text = text.trim();
        serde_json::from_value(serde_json::Value::String(text.to_string()))
            .or_else(|_| serde_json::from_value(serde_json::Value::String(text.to_lowercase())))
            .or_else(|_| serde_json::from_value(serde_json::Value::String(text.to_uppercase())))
            .map_err(|_| self.push(path, format!("{text:?} is not one of the choices")))
            .ok()
    }

    fn date(&mut self, text: &str, path: &str) -> Option<chrono::NaiveDate> {
        match text.trim() {
            "" => None,
            t => self.parsed(t.parse::<chrono::NaiveDate>(), path),
        }
    }
}

fn select(id: &str, label: &str, current: &str, choices: &[(&str, &str)]) -> Markup {
    html! {
        label for=(id) { (label) }
        select id=(id) name=(id) {
            @for (value, text) in choices {
                option value=(value) selected[*value == current] { (text) }
            }
        }
    }
}

fn area(id: &str, label: &str, hint: &str, value: &str, rows: u32) -> Markup {
    html! {
        label for=(id) { (label) }
        @if !hint.is_empty() { span.hint id=(format!("{id}-hint")) { (hint) } }
        textarea id=(id) name=(id) rows=(rows) dir="auto" aria-describedby=(format!("{id}-hint")) { (value) }
    }
}

fn input(id: &str, label: &str, hint: &str, value: &str) -> Markup {
    html! {
        label for=(id) { (label) }
        @if !hint.is_empty() { span.hint id=(format!("{id}-hint")) { (hint) } }
        input id=(id) name=(id) value=(value) dir="auto" aria-describedby=(format!("{id}-hint"));
    }
}

/// The editor, filled with `form`, posting to `action`.
pub fn editor(officer: &Officer, form: &RecordForm, action: &str) -> Markup {
    html! {
        form.record method="post" action=(action) {
            (csrf_field(officer))
            @if let Some(v) = form.version { input type="hidden" name="version" value=(v); }
            fieldset {
                legend { "The person" }
                (input("reference", "Your reference", "case number or list reference", &form.reference))
                (select("category", "Category", &form.category, &[
                    ("foreign_terrorist_fighter", "foreign terrorist fighter"), ("suspect", "suspect"),
                    ("associate", "associate"), ("missing", "missing"), ("sanctioned", "sanctioned"), ("other", "other")]))
                (input("primary_name", "Name", "in any script; the form shows right-to-left names correctly", &form.primary_name))
                (area("aliases", "Aliases", "one per line; start with weak: for a nickname or generic name", &form.aliases, 3))
                (area("original_names", "Names in their own script", "one per line, e.g. محمد عبد الله", &form.original_names, 2))
                (select("gender", "Gender", &form.gender, &[("", "unknown"), ("male", "male"), ("female", "female"), ("other", "other")]))
                (input("birth_dates", "Birth dates", "comma-separated; partial dates allowed: 1985, 1985-03, 1985-03-14, 1983..1987", &form.birth_dates))
                (area("birth_places", "Birth places", "one per line", &form.birth_places, 2))
                (input("nationalities", "Nationalities", "ISO codes or names, comma-separated", &form.nationalities))
                (area("documents", "Documents", "one per line: kind number [country] [expiry], kind one of passport, national_id, visa, residence_permit, other", &form.documents, 2))
                (area("notes", "Case notes", "separate notes with a line holding only ---", &form.notes, 4))
                (input("topics", "Topics", "comma-separated, e.g. crime.terror", &form.topics))
                (input("listed_on", "Listed on", "YYYY-MM-DD", &form.listed_on))
                (input("confirmed_on", "Last confirmed on", "YYYY-MM-DD; the review date follows it", &form.confirmed_on))
            }
            fieldset {
                legend { "Handling and evaluation" }
                (select("handling_code", "Handling code", &form.handling_code, &[
                    ("H0", "H0 — use only to prevent and combat crime"), ("H1", "H1 — not in judicial proceedings without permission"),
                    ("H2", "H2 — not to be passed on without permission"), ("H3", "H3 — other restrictions (write them)")]))
                (input("handling_text", "Restriction (H3)", "", &form.handling_text))
                (select("evaluation_source", "Source reliability", &form.evaluation_source, &[
                    ("", "not evaluated"), ("A", "A — reliable"), ("B", "B — mostly reliable"), ("C", "C — not reliable"), ("X", "X — cannot be assessed")]))
                (select("evaluation_information", "Information accuracy", &form.evaluation_information, &[
                    ("", "not evaluated"), ("1", "1 — known to be true"), ("2", "2 — known personally to the source"),
                    ("3", "3 — not known personally, corroborated"), ("4", "4 — cannot be assessed")]))
            }
            fieldset {
                legend { "Who may see it" }
                (select("visibility", "Visible to", &form.visibility, &[
                    ("all", "every member agency"), ("only", "only the agencies listed below"), ("except", "every agency except those listed below")]))
                (input("visibility_agencies", "Agencies", "codes, comma-separated, e.g. DEU, ITA", &form.visibility_agencies))
                (select("disclosure", "What they learn", &form.disclosure, &[
                    ("full", "the whole record"), ("hit_only", "hit/no-hit only: that it exists, your reference and your instruction")]))
                (input("hit_only_for", "Hit/no-hit only for", "agencies that learn only hit/no-hit even when others see the record", &form.hit_only_for))
                (area("instruction", "Instruction to whoever gets a hit", "e.g. discreet check: do not alert the subject", &form.instruction, 2))
                (area("release", "Release to other organisations", "one per line: ORGANISATION level [agency …]; level one of none, query (stays here, answered hit/no-hit), hit_only, full", &form.release, 2))
            }
            button type="submit" { "Save" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> RecordDraft {
        serde_json::from_value(serde_json::json!({
            "reference": "FR-2026-9",
            "category": "foreign_terrorist_fighter",
            "gender": "male",
            "names": [
                {"full": "محمد الأمين", "kind": "original_script"},
                {"full": "Mohamed El Amine", "given": "Mohamed", "family": "El Amine", "kind": "primary"},
                {"full": "Abu Amine", "kind": "weak_alias"},
                {"full": "Amine Mohamed", "kind": "primary"}
            ],
            "birth_dates": ["1988-03", "1987..1989"],
            "birth_places": ["Tunis"],
            "nationalities": ["TUN", "FRA"],
            "documents": [{"kind": "passport", "number": "X1234567", "country": "TUN", "expiry": "2030-01-31", "only_one": true}],
            "notes": ["- first line of a note\nsecond line", "another note"],
            "topics": ["crime.terror"],
            "handling": {"code": "H3", "text": "Only with the owner's consent"},
            "policy": {
                "visibility": {"only": ["DEU", "ITA"]},
                "disclosure": "hit_only",
                "instruction": "Discreet check.\nCall the NCB."
            }
        }))
        .expect("a draft")
    }

    #[test]
    fn saving_an_unchanged_form_changes_nothing() {
        let draft = stored();
        let form = RecordForm::of(&draft, Some(3));
        assert_eq!(form.draft(Some(&draft)).expect("valid"), draft);
    }

    #[test]
    fn a_browser_s_line_breaks_change_nothing_either() {
        let draft = stored();
        let mut form = RecordForm::of(&draft, Some(3));
        for text in [&mut form.notes, &mut form.instruction, &mut form.aliases] {
            *text = text.replace('\n', "\r\n");
        }
        assert_eq!(form.draft(Some(&draft)).expect("valid"), draft);
    }

    #[test]
    fn notes_are_split_on_lines_of_three_dashes_only() {
        assert_eq!(
            notes_of("a\r\n-- b\r\n---\r\nc---d\n"),
            vec!["a\n-- b".to_string(), "c---d".to_string()]
        );
    }
}
