//! Data in and out: importing FtM files and the official lists as owned
//! records, with list-update semantics, and exporting what a caller may see
//! as FtM. The parsing itself is `vigil-formats`; this module decides what
//! each parsed record means for the database and applies it in one
//! transaction, so a failed import leaves the database as it was.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;
use vigil_core::access::{self, may_write};
use vigil_core::audit::Disclosed;
use vigil_core::{
    Access, Action, AgencyCode, Link, Outcome, Record, RecordDraft, RecordId, RecordStatus,
    Traveller,
};
use vigil_formats::import::{DiagnosticKind, FormatError, ImportBatch, ImportDiagnostic, Position};
use vigil_store::{RecordChange, RecordFilter};

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// The formats Vigil imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::EnumString, strum::VariantNames)]
#[serde(rename_all = "kebab-case")]
#[strum(
    serialize_all = "kebab-case",
    parse_err_ty = String,
    parse_err_fn = not_an_import_format
)]
pub enum ImportFormat {
    /// FollowTheMoney entities, one JSON object a line.
    Ftm,
    /// The UN Security Council consolidated list.
    UnXml,
    /// The US OFAC SDN list.
    OfacXml,
}

fn not_an_import_format(given: &str) -> String {
    use strum::VariantNames;
    format!(
        "'{given}' is not an import format ({})",
        ImportFormat::VARIANTS.join(", ")
    )
}

impl ImportFormat {
    /// Official lists are complete editions: a record missing from a new
    /// edition has left the list. An FtM file is just a set of entities.
    fn list_source(self) -> Option<&'static str> {
        match self {
            ImportFormat::Ftm => None,
            ImportFormat::UnXml => Some("un_sc"),
            ImportFormat::OfacXml => Some("ofac_sdn"),
        }
    }

    pub fn parse(self, bytes: &[u8]) -> Result<ImportBatch> {
        let result = match self {
            ImportFormat::Ftm => {
                let text = std::str::from_utf8(bytes).map_err(|e| {
                    ServiceError::malformed(format!(
                        "the FtM file is not UTF-8 (byte {})",
                        e.valid_up_to()
                    ))
                })?;
                parse_ftm_in_parallel(text)
            }
            ImportFormat::UnXml => vigil_formats::unsc::parse(bytes),
            ImportFormat::OfacXml => vigil_formats::ofac::parse(bytes),
        };
        result.map_err(|e| ServiceError::malformed(e.to_string()))
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub owner: Option<AgencyCode>,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub retired: usize,
    pub rejected: usize,
    pub repaired: usize,
    pub skipped: BTreeMap<String, usize>,
    pub diagnostics: Vec<ImportDiagnostic>,
}

impl Vigil {
    /// Imports a file as records owned by the caller's agency: the caller's
    /// right to import is checked before a byte of it is parsed.
    pub fn import_file(
        &self,
        ctx: &Ctx,
        format: ImportFormat,
        bytes: &[u8],
    ) -> Result<ImportReport> {
        require_importer(ctx)?;
        let batch = format.parse(bytes)?;
        self.import(ctx, format, batch, None)
    }

    /// Imports a parsed batch as records owned by the caller's agency.
    /// `progress` is told how many changes are stored so far.
    pub fn import(
        &self,
        ctx: &Ctx,
        format: ImportFormat,
        mut batch: ImportBatch,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Result<ImportReport> {
        require_importer(ctx)?;
        let owner = ctx.caller.agency.clone();
        let mut report = ImportReport {
            owner: Some(owner.clone()),
            ..ImportReport::default()
        };
        for (reason, n) in batch.skipped_counts() {
            report.skipped.insert(reason.to_string(), n);
        }
        let source = format.list_source();
        let existing = self.owned_records(&owner)?;
        let mut seen: HashSet<String> = HashSet::new();
        let mut changes = Vec::new();
        for imported in batch.records.drain(..) {
            let mut draft = imported.draft;
            if let Some(kind) = source {
                tag_source(&mut draft, kind);
            }
            let draft = match draft.validate() {
                Ok(d) => d,
                Err(fields) => {
                    report.diagnostics.push(reject(
                        imported.position,
                        None,
                        fields
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    ));
                    continue;
                }
            };
            if !seen.insert(draft.reference.clone()) {
                report.diagnostics.push(reject(
                    imported.position,
                    Some(draft.reference.clone()),
                    "the reference appears earlier in the same file; this entry was not imported"
                        .into(),
                ));
                continue;
            }
            match existing.get(&draft.reference) {
                None => {
                    let id = RecordId::new();
                    changes.push(RecordChange::Create {
                        id,
                        owner: owner.clone(),
                        draft,
                    });
                    report.added += 1;
                }
                Some(current) => {
                    let same = current.draft == draft;
                    if !same {
                        changes.push(RecordChange::Update {
                            id: current.id,
                            draft,
                            expected_version: Some(current.version),
                        });
                    }
                    if current.status == RecordStatus::Retired {
                        changes.push(RecordChange::SetStatus {
                            id: current.id,
                            status: RecordStatus::Active,
                            expected_version: None,
                        });
                    }
                    if same && current.status == RecordStatus::Active {
                        report.unchanged += 1;
                    } else {
                        report.changed += 1;
                    }
                }
            }
        }
        if let Some(kind) = source {
            for record in existing.values() {
                let from_this_list = record.draft.links.iter().any(|l| l.kind == kind);
                if from_this_list
                    && record.status == RecordStatus::Active
                    && !seen.contains(&record.draft.reference)
                {
                    changes.push(RecordChange::SetStatus {
                        id: record.id,
                        status: RecordStatus::Retired,
                        expected_version: Some(record.version),
                    });
                    report.retired += 1;
                }
            }
        }
        for d in &batch.diagnostics {
            match d.kind {
                DiagnosticKind::Rejected => report.rejected += 1,
                DiagnosticKind::Repaired | DiagnosticKind::Dropped(_) => report.repaired += 1,
            }
        }
        report.rejected += report.diagnostics.len();
        report.diagnostics.splice(0..0, batch.diagnostics);
        self.store_import(ctx, format, &report, changes, progress)?;
        Ok(report)
    }

    /// Stores an import's changes in parts of [`IMPORT_PART`], each its own
    /// transaction with its own audit entry. One transaction for a whole
    /// list would hold the database's only write lock for as long as the
    /// list takes to store, and every other writer, the server's audit of
    /// each screening included, would wait for it. Retirements come last, so
    /// an import stopped half-way (a crash) has retired nothing; the parts it
    /// stored are kept, and importing the same file again completes it.
    fn store_import(
        &self,
        ctx: &Ctx,
        format: ImportFormat,
        report: &ImportReport,
        changes: Vec<RecordChange>,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Result<()> {
        let total = changes.len();
        let parts = total.div_ceil(IMPORT_PART).max(1);
        let mut changes = changes.into_iter();
        let mut stored = 0;
        for part in 1..=parts {
            let these: Vec<RecordChange> = changes.by_ref().take(IMPORT_PART).collect();
            let count = these.len();
            // The importer discloses nothing to itself: the audit entry says
            // what was done, and every record version names who wrote it.
            let event = ctx.event(
                Action::Import,
                serde_json::json!({
                    "format": format, "added": report.added, "changed": report.changed,
                    "unchanged": report.unchanged, "retired": report.retired, "rejected": report.rejected,
                    "part": part, "parts": parts, "changes": count,
                }),
                Vec::new(),
                Outcome::Done,
            );
            let offset = stored;
            let observe = progress.map(|report| move |done: usize, _| report(offset + done, total));
            let written = self
                .store
                .apply_observed(these, event, observe.as_ref().map(|f| f as _))
                .map_err(|e| stopped_import(e.into(), stored, total))?;
            stored += count;
            self.after_write(&written);
            if part < parts {
                // Leave the lock free a moment: a writer of another process
                // waiting for it (a server's audit entry) takes it now
                // rather than after the whole import.
                std::thread::sleep(PART_PAUSE);
            }
        }
        Ok(())
    }

    /// All records an agency owns, by reference.
    fn owned_records(&self, owner: &AgencyCode) -> Result<HashMap<String, Record>> {
        let filter = RecordFilter {
            owner: Some(owner.clone()),
            ..RecordFilter::default()
        };
        let mut out = HashMap::new();
        let mut after = None;
        loop {
            let page = self.store.records_page(&filter, after, 5000)?;
            let done = page.len() < 5000;
            for r in page {
                after = Some(r.id);
                out.insert(r.draft.reference.clone(), r);
            }
            if done {
                return Ok(out);
            }
        }
    }

    /// Every active record the caller may read in full, as FtM entities.
    /// Hit-only records are not exported: they become known through a hit.
    pub fn export_ftm(
        &self,
        ctx: &Ctx,
        owner: Option<&AgencyCode>,
        out: &mut dyn FnMut(&serde_json::Value) -> std::io::Result<()>,
    ) -> Result<usize> {
        let filter = RecordFilter {
            owner: owner.cloned(),
            status: Some(RecordStatus::Active),
            ..RecordFilter::default()
        };
        let mut after = None;
        let mut count = 0;
        let mut disclosed = Vec::new();
        loop {
            let page = self.store.records_page(&filter, after, 2000)?;
            let done = page.len() < 2000;
            for r in page {
                after = Some(r.id);
                // A hit-only record is known only through a hit: never
                // exported to a hit-only party.
                let level = access::record_access(&ctx.caller, &r);
                if level != Access::Full {
                    continue;
                }
                let mut entity = vigil_formats::ftm::record_to_entity(&r);
                if r.owner.organisation().is_some() {
                    if let Some(p) = self.store.provenance(r.id)? {
                        vigil_formats::ftm::set_origin(
                            &mut entity,
                            p.peer.as_str(),
                            &p.origin_owner,
                            &p.origin_id.to_string(),
                            p.origin_version,
                            &p.received_at.to_rfc3339(),
                        );
                    }
                }
                out(&entity).map_err(|e| ServiceError::Internal(format!("export write: {e}")))?;
                disclosed.push(Disclosed {
                    record: r.id,
                    owner: r.owner.clone(),
                    level,
                });
                count += 1;
            }
            if done {
                break;
            }
        }
        self.audit(
            ctx,
            Action::Export,
            serde_json::json!({"format": "ftm", "owner": owner, "count": count}),
            disclosed,
            Outcome::Done,
        )?;
        Ok(count)
    }
}

/// Changes stored per transaction by an import: a part commits in tens of
/// milliseconds, the longest any other writer waits for the lock.
const IMPORT_PART: usize = 1000;

/// The pause between an import's parts, in which other writers get the lock
/// (they try for it every millisecond).
const PART_PAUSE: std::time::Duration = std::time::Duration::from_millis(2);

/// An import that failed after some parts were stored says so, and how to
/// finish it.
fn stopped_import(e: ServiceError, stored: usize, total: usize) -> ServiceError {
    if stored == 0 {
        return e;
    }
    let note = format!(
        "the import stopped after {stored} of {total} changes were stored; importing the same file again completes it"
    );
    match e {
        ServiceError::Conflict(m) => ServiceError::Conflict(format!("{m} ({note})")),
        ServiceError::Internal(m) => ServiceError::Internal(format!("{m} ({note})")),
        other => other,
    }
}

fn require_importer(ctx: &Ctx) -> Result<()> {
    if may_write(&ctx.caller, &ctx.caller.agency) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only an agency's contributors may import its records".into(),
        ))
    }
}

fn reject(position: Position, reference: Option<String>, message: String) -> ImportDiagnostic {
    ImportDiagnostic {
        position,
        reference,
        kind: DiagnosticKind::Rejected,
        message,
    }
}

/// Marks a record as coming from an official list, so that a later edition
/// knows which of the owner's records it covers.
fn tag_source(draft: &mut RecordDraft, kind: &str) {
    if !draft.links.iter().any(|l| l.kind == kind) {
        draft.links.push(Link {
            kind: kind.to_string(),
            reference: draft.reference.clone(),
        });
    }
}

/// A FollowTheMoney entity (a yente query) as a traveller to screen.
pub fn traveller_from_entity(entity: &serde_json::Value) -> std::result::Result<Traveller, String> {
    let mut entity = entity.clone();
    if let Some(obj) = entity.as_object_mut() {
        obj.entry("id").or_insert_with(|| "query".into());
    }
    let line = entity.to_string();
    let batch = vigil_formats::ftm::parse_lines(&line).map_err(|e| e.to_string())?;
    let Some(first) = batch.records.into_iter().next() else {
        let why = batch
            .diagnostics
            .first()
            .map(|d| d.message.clone())
            .or_else(|| batch.skipped.first().map(|s| s.reason.clone()))
            .unwrap_or_else(|| "not a Person entity".into());
        return Err(why);
    };
    let d = first.draft;
    let traveller = Traveller {
        names: d.names.iter().map(|n| n.full.clone()).collect(),
        given_names: None,
        surname: None,
        birth_date: d.birth_dates.first().copied(),
        nationalities: d.nationalities.clone(),
        gender: d.gender,
        documents: d.documents.clone(),
    };
    traveller
        .validate("properties")
        .map_err(|e| e.to_string())?;
    Ok(traveller)
}

/// Parses FtM JSON lines on every core: the file is cut at line boundaries
/// into pieces, each piece parsed on its own, and the positions shifted back
/// to lines of the whole file. Lines are independent, so the result is the
/// same as parsing the file in one go.
fn parse_ftm_in_parallel(text: &str) -> std::result::Result<ImportBatch, FormatError> {
    /// Smaller files are parsed on the calling thread.
    const MIN_PARALLEL_BYTES: usize = 1 << 20;
    let threads = rayon::current_num_threads();
    if threads == 1 || text.len() < MIN_PARALLEL_BYTES {
        return vigil_formats::ftm::parse_lines(text);
    }
    // One piece per thread: each piece's batch is merged into one, and
    // fewer, larger pieces leave less slack in the merged vectors.
    let pieces = line_pieces(text, text.len().div_ceil(threads));
    let results: Vec<(usize, std::result::Result<ImportBatch, FormatError>)> = pieces
        .par_iter()
        .map(|&(offset, piece)| (offset, vigil_formats::ftm::parse_lines(piece)))
        .collect();
    let mut merged = ImportBatch::default();
    for (offset, result) in results {
        let shift = |p: Position| match p {
            Position::Line { line } => Position::Line {
                line: line + offset,
            },
            other => other,
        };
        match result {
            Err(FormatError::Malformed { position, message }) => {
                return Err(FormatError::Malformed {
                    position: shift(position),
                    message,
                });
            }
            Err(other) => return Err(other),
            Ok(batch) => {
                merged
                    .records
                    .extend(batch.records.into_iter().map(|mut r| {
                        r.position = shift(r.position);
                        r
                    }));
                merged
                    .skipped
                    .extend(batch.skipped.into_iter().map(|mut s| {
                        s.position = shift(s.position);
                        s
                    }));
                merged
                    .diagnostics
                    .extend(batch.diagnostics.into_iter().map(|mut d| {
                        d.position = shift(d.position);
                        d
                    }));
            }
        }
    }
    Ok(merged)
}

/// `text` cut into pieces of about `size` bytes that end just after a
/// newline (only the last may end without one), each with the number of
/// lines before it.
fn line_pieces(text: &str, size: usize) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let (mut start, mut lines_before) = (0, 0);
    while start < text.len() {
        let target = (start + size).min(text.len());
        // Searching bytes, not chars: `target` may fall inside a multi-byte
        // character, but a newline byte never does.
        let end = text.as_bytes()[target..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| target + p + 1)
            .unwrap_or(text.len());
        let piece = &text[start..end];
        pieces.push((lines_before, piece));
        lines_before += piece.bytes().filter(|&b| b == b'\n').count();
        start = end;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_formats_by_name() {
        assert_eq!("un-xml".parse::<ImportFormat>(), Ok(ImportFormat::UnXml));
        assert_eq!(
            "csv".parse::<ImportFormat>().unwrap_err(),
            "'csv' is not an import format (ftm, un-xml, ofac-xml)"
        );
    }

    #[test]
    fn parallel_ftm_parsing_equals_serial_parsing() {
        let mut text = String::new();
        for i in 0..40_000 {
            if i == 20_001 {
                text.push_str("not json\n");
            } else {
                text.push_str(&format!(
                    "{{\"id\":\"p{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"Person Number{i}\",\"محمد عبد الله {i}\"],\"birthDate\":[\"19{:02}\"]}}}}\n",
                    i % 100
                ));
            }
        }
        assert!(text.len() > (1 << 20));
        let serial = vigil_formats::ftm::parse_lines(&text).unwrap();
        let parallel = parse_ftm_in_parallel(&text).unwrap();
        assert_eq!(parallel.records.len(), serial.records.len());
        for (a, b) in parallel.records.iter().zip(&serial.records) {
            assert_eq!(a.draft, b.draft);
            assert_eq!(a.position, b.position);
        }
        assert_eq!(
            serde_json::to_string(&parallel.diagnostics).unwrap(),
            serde_json::to_string(&serial.diagnostics).unwrap()
        );
        let cut = &text[..text.len() - 10];
        assert_eq!(
            parse_ftm_in_parallel(cut).unwrap_err().to_string(),
            vigil_formats::ftm::parse_lines(cut)
                .unwrap_err()
                .to_string()
        );
    }
}
