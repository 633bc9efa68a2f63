//! At the border: a passport's MRZ or a flight's passenger list becomes
//! travellers to screen; a whole flight is screened in one call, stored with
//! its results, and kept for re-screening.

use serde::Serialize;
use serde_json::Value;
use vigil_core::access::{self, HitOnlyView};
use vigil_core::{
    Access, Action, AgencyCode, CountryCode, Document, DocumentKind, Flight, Gender, HitContext,
    Outcome, PartialDate, RecordId, Traveller,
};
use vigil_formats::{mrz, paxlst};

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::screening::{ScreenOptions, ScreenResult, TravellerOutcome};
use crate::vigil::Vigil;

/// The kind of travel document an MRZ's document code stands for.
fn document_kind_for_code(code: &str) -> DocumentKind {
    match code.chars().next() {
        Some('P') => DocumentKind::Passport,
        Some('I') | Some('A') | Some('C') => DocumentKind::NationalId,
        Some('V') => DocumentKind::Visa,
        _ => DocumentKind::Other,
    }
}

/// A passport's holder as a traveller to screen.
pub fn traveller_from_mrz(m: &mrz::Mrz) -> Traveller {
    let country = CountryCode::from_mrz;
    Traveller {
        names: Vec::new(),
        given_names: Some(m.given_names.clone()).filter(|g| !g.is_empty()),
        surname: Some(m.surname.clone()).filter(|s| !s.is_empty()),
        birth_date: m.birth_date,
        nationalities: country(&m.nationality).into_iter().collect(),
        gender: match m.sex {
            Some(mrz::Sex::Male) => Some(Gender::Male),
            Some(mrz::Sex::Female) => Some(Gender::Female),
            _ => None,
        },
        documents: vec![Document {
            kind: document_kind_for_code(&m.document_type),
            number: m.document_number.clone(),
            country: country(&m.issuing_state),
            expiry: m.expiry_date,
            only_one: false,
        }],
    }
}

/// A finding about one traveller that came up while turning a passenger
/// list into travellers to screen.
#[derive(Debug, Clone, Serialize)]
pub struct TravellerDiagnostic {
    pub traveller: Option<usize>,
    pub severity: String,
    pub code: String,
    pub message: String,
}

/// Travellers of a parsed PAXLST, with what could not be used.
pub fn travellers_from_paxlst(m: &paxlst::Manifest) -> (Vec<Traveller>, Vec<TravellerDiagnostic>) {
    let mut diagnostics: Vec<TravellerDiagnostic> = m
        .diagnostics
        .iter()
        .map(|d| TravellerDiagnostic {
            traveller: d.traveller,
            severity: <&str>::from(d.severity).to_string(),
            code: <&str>::from(d.code).to_string(),
            message: d.message.clone(),
        })
        .collect();
    let mut out = Vec::with_capacity(m.travellers.len());
    for (i, t) in m.travellers.iter().enumerate() {
        let mut finding = |code: &str, message: String| {
            diagnostics.push(TravellerDiagnostic {
                traveller: Some(i),
                severity: "warning".into(),
                code: code.into(),
                message,
            })
        };
        let nationality = t
            .nationality
            .as_deref()
            .and_then(|n| match CountryCode::parse(n) {
                Ok(c) => Some(c),
                Err(_) => {
                    finding(
                        "unknown_country",
                        format!("nationality '{n}' is not a country code; screened without it"),
                    );
                    None
                }
            });
        let documents = t
            .documents
            .iter()
            .filter(|d| !d.number.trim().is_empty())
            .map(|d| Document {
                kind: match d.doc_type.as_str() {
                    "P" | "PT" => DocumentKind::Passport,
                    "I" | "ID" | "IP" => DocumentKind::NationalId,
                    "V" => DocumentKind::Visa,
                    _ => DocumentKind::Other,
                },
                number: d.number.trim().to_string(),
                country: d
                    .issuing_country
                    .as_deref()
                    .and_then(|c| CountryCode::parse(c).ok()),
                expiry: d.expiry,
                only_one: false,
            })
            .collect::<Vec<_>>();
        let given = t.given_names.join(" ");
        out.push(Traveller {
            names: Vec::new(),
            given_names: Some(given).filter(|g| !g.trim().is_empty()),
            surname: Some(t.surname.clone()).filter(|s| !s.trim().is_empty()),
            birth_date: t.birth_date.map(PartialDate::Exact),
            nationalities: nationality.into_iter().collect(),
            gender: match t.sex {
                Some(paxlst::Sex::Male) => Some(Gender::Male),
                Some(paxlst::Sex::Female) => Some(Gender::Female),
                _ => None,
            },
            documents,
        });
    }
    (out, diagnostics)
}

/// A passenger list's flight leg.
fn flight(leg: &paxlst::Leg) -> Flight {
    Flight {
        carrier: leg.carrier.clone(),
        flight: leg.flight.clone(),
        departure_airport: leg.departure_airport.clone(),
        departure_time: leg.departure_time,
        arrival_airport: leg.arrival_airport.clone(),
        arrival_time: leg.arrival_time,
    }
}

/// What a screened flight came to.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestSummary {
    pub id: String,
    pub link: String,
    pub travellers: usize,
    pub passengers: usize,
    pub crew: usize,
    pub legs: usize,
    pub screened: usize,
    pub hits: usize,
    pub diagnostics: Vec<TravellerDiagnostic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flight: Option<Flight>,
}

/// A flight to screen: a PAXLST message or travellers given as JSON.
pub enum ManifestInput {
    Paxlst(Vec<u8>),
    Travellers(Vec<Traveller>),
}

impl Vigil {
    pub fn screen_manifest(
        &self,
        ctx: &Ctx,
        input: ManifestInput,
        opts: ScreenOptions,
    ) -> Result<(ManifestSummary, Vec<TravellerOutcome>)> {
        let opts = ScreenOptions {
            only_matches: true,
            ..opts
        };
        let (travellers, diagnostics, crew, legs, flight) = match input {
            ManifestInput::Paxlst(bytes) => {
                let m = paxlst::parse_bytes(&bytes)
                    .map_err(|e| ServiceError::field("paxlst", e.to_string()))?;
                let (travellers, diagnostics) = travellers_from_paxlst(&m);
                let crew = m.crew().count();
                let flight = m.legs.first().map(flight);
                (travellers, diagnostics, crew, m.legs.len(), flight)
            }
            ManifestInput::Travellers(list) => {
                for (i, t) in list.iter().enumerate() {
                    t.validate(&format!("travellers[{i}]"))?;
                }
                (list, Vec::new(), 0, 0, None)
            }
        };
        let id = format!("man_{}", uuid::Uuid::now_v7().simple());
        let ok: Vec<bool> = travellers
            .iter()
            .map(|t| t.validate("traveller").is_ok())
            .collect();
        let screenable: Vec<usize> = (0..travellers.len()).filter(|&i| ok[i]).collect();
        let mut diagnostics = diagnostics;
        for i in (0..travellers.len()).filter(|&i| !ok[i]) {
            diagnostics.push(TravellerDiagnostic {
                traveller: Some(i),
                severity: "error".into(),
                code: "not_screenable".into(),
                message: "no name and no document: this traveller was not screened".into(),
            });
        }
        let to_screen: Vec<Traveller> = screenable.iter().map(|&i| travellers[i].clone()).collect();
        let context = HitContext {
            manifest: Some(id.clone()),
            flight: flight.clone(),
            ..HitContext::default()
        };
        let outcomes =
            self.screen_in_manifest(ctx, &to_screen, Some(&screenable), opts, context)?;
        let mut per_traveller: Vec<TravellerOutcome> =
            vec![TravellerOutcome::default(); travellers.len()];
        for (slot, outcome) in screenable.iter().zip(outcomes) {
            per_traveller[*slot] = outcome;
        }
        let summary = ManifestSummary {
            link: format!("/v1/manifests/{id}"),
            id: id.clone(),
            travellers: travellers.len(),
            passengers: travellers.len() - crew,
            crew,
            legs,
            screened: screenable.len(),
            hits: per_traveller.iter().map(|o| o.hits).sum(),
            diagnostics,
            flight,
        };
        let stored = vigil_store::StoredManifest {
            id,
            agency: ctx.caller.agency.clone(),
            received_at: chrono::Utc::now(),
            summary: serde_json::json!({"summary": summary, "results": per_traveller}),
            travellers,
            purpose: ctx.purpose.clone(),
        };
        let event = ctx.event(
            Action::ManifestStore,
            serde_json::json!({"manifest": stored.id, "travellers": summary.travellers}),
            vec![],
            Outcome::Done,
        );
        self.store.save_manifest(&stored, event)?;
        self.recent.remember(&stored);
        Ok((summary, per_traveller))
    }

    /// A stored manifest, for the agency that sent it.
    pub fn get_manifest(&self, ctx: &Ctx, id: &str) -> Result<serde_json::Value> {
        ctx.require_case_reader()?;
        let m = self
            .store
            .manifest(id)?
            .filter(|m| m.agency == ctx.caller.agency);
        self.audit(
            ctx,
            Action::ManifestGet,
            serde_json::json!({"id": id}),
            vec![],
            Outcome::found(m.is_some()),
        )?;
        let m = m.ok_or(ServiceError::NotFound("manifest"))?;
        let results = self.results_seen_now(&ctx.caller.agency, &m.summary["results"])?;
        Ok(
            serde_json::json!({"id": m.id, "received_at": m.received_at, "summary": m.summary["summary"], "results": results, "travellers": m.travellers}),
        )
    }

    /// A stored flight's results as its sender may see them today: each
    /// result keeps what [`access::lasting_access`] leaves of what it showed
    /// when the flight was screened. A hit on a record since hidden keeps
    /// that it happened and whom to contact; a record since made hit-only
    /// shows its hit-only view.
    fn results_seen_now(&self, agency: &AgencyCode, stored: &Value) -> Result<Value> {
        let Some(travellers) = stored.as_array() else {
            return Ok(stored.clone());
        };
        let mut out = Vec::with_capacity(travellers.len());
        for outcome in travellers {
            let mut outcome = outcome.clone();
            if let Some(results) = outcome.get_mut("results").and_then(Value::as_array_mut) {
                let mut kept = Vec::with_capacity(results.len());
                for result in results.drain(..) {
                    kept.extend(self.result_seen_now(agency, result)?);
                }
                *results = kept;
            }
            out.push(outcome);
        }
        Ok(Value::Array(out))
    }

    fn result_seen_now(&self, agency: &AgencyCode, result: Value) -> Result<Option<Value>> {
        let then: Option<Access> = result
            .get("disclosure")
            .and_then(|d| serde_json::from_value(d.clone()).ok());
        let record = result
            .get("id")
            .and_then(Value::as_str)
            .and_then(RecordId::parse);
        let (Some(then), Some(id)) = (then, record) else {
            return Ok(Some(result));
        };
        let Some(record) = self.store.record(id)? else {
            return Ok(Some(result));
        };
        let now = access::access_for(agency, &record.owner, &record.draft.policy);
        let hit_id = result
            .get("hit_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let is_match = result
            .get("match")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Ok(match access::lasting_access(then, now) {
            Access::Full => Some(result),
            Access::HitOnly if then == Access::HitOnly => Some(result),
            Access::HitOnly if !is_match => None,
            Access::HitOnly => Some(
                serde_json::to_value(ScreenResult::HitOnly {
                    view: HitOnlyView::of(&record),
                    is_match,
                    hit_id,
                })
                .map_err(|e| ServiceError::Internal(format!("a hit-only result: {e}")))?,
            ),
            Access::Hidden => hit_id.map(|hit| {
                serde_json::json!({
                    "owner": record.owner,
                    "disclosure": access::Withdrawn::Withdrawn,
                    "match": true,
                    "hit_id": hit,
                    "instruction": access::withdrawn_instruction(&record.owner, &hit),
                })
            }),
        })
    }
}
