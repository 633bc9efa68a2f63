//! `vigil score`, `vigil screen`, `vigil mrz` and `vigil screen-manifest`.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use vigil_core::Traveller;
use vigil_core::{AgencyCode, Caller, Role};
use vigil_service::exchange::traveller_from_entity;
use vigil_service::flights::{traveller_from_mrz, travellers_from_paxlst, ManifestInput};
use vigil_service::json_input::parse_json;
use vigil_service::screening::{ScreenOptions, ScreenResult};
use vigil_service::Ctx;

use super::{open, operator, print_json};

#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// CSV with a header including name1,name2 (default: stdin).
    #[arg(long)]
    pairs: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ScreenArgs {
    /// FtM Person entities as JSON lines, each with an id (default: stdin).
    #[arg(long)]
    queries: Option<PathBuf>,
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// Alert threshold (default: the engine's).
    #[arg(long)]
    threshold: Option<f64>,
}

#[derive(Debug, clap::Args)]
pub struct MrzArgs {
    /// The MRZ lines (default: read from stdin).
    lines: Vec<String>,
    /// Print the fields as one JSON object.
    #[arg(long)]
    json: bool,
    /// Screen the holder against the local database.
    #[arg(long)]
    screen: bool,
}

#[derive(Debug, clap::Args)]
pub struct ManifestArgs {
    /// A PAXLST message, or a JSON file {"travellers": [...]}.
    file: PathBuf,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Screen as this agency (what it may see; its hits). Default: the local border post.
    #[arg(long)]
    agency: Option<String>,
    #[arg(long)]
    threshold: Option<f64>,
}

fn input(path: Option<&PathBuf>) -> anyhow::Result<Box<dyn BufRead>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    })
}

pub fn score(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let mut reader = csv::Reader::from_reader(input(args.pairs.as_ref())?);
    let headers = reader
        .headers()
        .context("the CSV has no header line")?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(n1), Some(n2)) = (col("name1"), col("name2")) else {
        anyhow::bail!(
            "the CSV header must include name1 and name2 (found: {})",
            headers.iter().collect::<Vec<_>>().join(",")
        );
    };
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    let mut out_headers = headers.clone();
    out_headers.push_field("score");
    out_headers.push_field("match");
    writer.write_record(&out_headers)?;
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("CSV row {}", i + 2))?;
        let score =
            vigil_match::compare_names(row.get(n1).unwrap_or(""), row.get(n2).unwrap_or(""));
        let mut out = row.clone();
        out.push_field(&format!("{score:.4}"));
        out.push_field(if score >= vigil_match::DEFAULT_THRESHOLD {
            "true"
        } else {
            "false"
        });
        writer.write_record(&out)?;
    }
    writer.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn screen(args: ScreenArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let vigil = open(data)?;
    let ctx = operator(Role::Auditor, "screening (local operator)");
    let opts = ScreenOptions::from_request(Some(args.limit.clamp(1, 100)), args.threshold)?;
    let mut failed = false;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // Queries are screened in chunks: searched on all cores, and their audit
    // entries made durable together (one sync per chunk, not per query).
    const CHUNK: usize = 256;
    let mut ids: Vec<String> = Vec::with_capacity(CHUNK);
    let mut queries: Vec<Traveller> = Vec::with_capacity(CHUNK);
    let flush = |ids: &mut Vec<String>,
                 queries: &mut Vec<Traveller>,
                 out: &mut std::io::BufWriter<std::io::StdoutLock<'_>>|
     -> anyhow::Result<()> {
        let found = vigil.screen_as_operator(&ctx, queries, opts)?;
        for (id, found) in ids.drain(..).zip(found) {
            let results: Vec<serde_json::Value> = found
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "id": f.id, "reference": f.reference, "owner": f.owner,
                        "score": (f.score * 10_000.0).round() / 10_000.0, "match": f.is_match, "explanation": f.explanation,
                    })
                })
                .collect();
            serde_json::to_writer(
                &mut *out,
                &serde_json::json!({"query": id, "results": results}),
            )?;
            out.write_all(b"\n")?;
        }
        queries.clear();
        Ok(())
    };
    for (n, line) in input(args.queries.as_ref())?.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let entity: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("line {}: not JSON: {e}", n + 1);
                failed = true;
                continue;
            }
        };
        let Some(id) = entity
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
        else {
            eprintln!("line {}: the entity has no id", n + 1);
            failed = true;
            continue;
        };
        let traveller = match traveller_from_entity(&entity) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("line {} ({id}): {e}", n + 1);
                failed = true;
                continue;
            }
        };
        ids.push(id);
        queries.push(traveller);
        if queries.len() == CHUNK {
            flush(&mut ids, &mut queries, &mut out)?;
        }
    }
    if !queries.is_empty() {
        flush(&mut ids, &mut queries, &mut out)?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub fn mrz(args: MrzArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let text = if args.lines.is_empty() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        args.lines.join("\n")
    };
    let today = chrono::Utc::now().date_naive();
    let parsed =
        vigil_formats::mrz::parse(&text, today).map_err(|e| anyhow::anyhow!("invalid MRZ: {e}"))?;
    for r in &parsed.repairs {
        eprintln!("repaired {}: {} → {}", r.field, r.from, r.to);
    }
    for w in &parsed.warnings {
        eprintln!("warning: {}: {}", w.field, w.message);
    }
    if args.screen {
        let vigil = open(data)?;
        let traveller = traveller_from_mrz(&parsed);
        let ctx = operator(Role::Auditor, "MRZ screening (local operator)");
        let results = vigil
            .screen_as_operator(&ctx, &[traveller], ScreenOptions::default())?
            .pop()
            .unwrap_or_default();
        print_json(&serde_json::json!({"mrz": parsed, "results": results}))?;
    } else if args.json {
        println!("{}", serde_json::to_string(&parsed)?);
    } else {
        println!(
            "{} {} {}",
            parsed.document_type, parsed.issuing_state, parsed.document_number
        );
        println!("{}, {}", parsed.surname, parsed.given_names);
        println!(
            "nationality {}  born {}  sex {}  expires {}",
            parsed.nationality,
            parsed
                .birth_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "unknown".into()),
            parsed.sex.map(<&str>::from).unwrap_or("<"),
            parsed
                .expiry_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "unknown".into()),
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn screen_manifest(args: ManifestArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let agency = AgencyCode::parse(args.agency.as_deref().unwrap_or(super::LOCAL_OPERATOR))?;
    let ctx = Ctx::new(
        Caller {
            agency,
            role: Role::Screener,
            token_id: "cli".into(),
        },
        "border check (manifest)",
    );
    let input = if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Travellers {
            travellers: Vec<Traveller>,
        }
        let list: Travellers = parse_json(&bytes)?;
        ManifestInput::Travellers(list.travellers)
    } else {
        // Kept: the human output re-reads the travellers to name them.
        ManifestInput::Paxlst(bytes.clone())
    };
    let given = match &input {
        ManifestInput::Travellers(list) if !args.json => Some(list.clone()),
        _ => None,
    };
    let vigil = open(data)?;
    let bar = super::exchange::progress_bar("screening");
    if let Some(b) = &bar {
        b.set_message("building the screening index");
        b.tick();
    }
    vigil.warm_up()?;
    if let Some(b) = &bar {
        b.set_message("screening");
    }
    let opts = ScreenOptions::from_request(None, args.threshold)?;
    let (summary, outcomes) = vigil.screen_manifest(&ctx, input, opts)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&serde_json::json!({
                "id": summary.id, "travellers": summary.travellers, "passengers": summary.passengers,
                "crew": summary.crew, "legs": summary.legs, "screened": summary.screened, "hits": summary.hits,
                "diagnostics": summary.diagnostics, "results": outcomes,
            }))?
        );
    } else {
        println!(
            "manifest {}: {} travellers ({} passengers, {} crew), {} legs, {} screened, {} hits, {} diagnostics",
            summary.id, summary.travellers, summary.passengers, summary.crew, summary.legs, summary.screened, summary.hits, summary.diagnostics.len()
        );
        for d in &summary.diagnostics {
            eprintln!(
                "{} {}{}: {}",
                d.severity,
                d.code,
                d.traveller
                    .map(|t| format!(" (traveller {t})"))
                    .unwrap_or_default(),
                d.message
            );
        }
        if outcomes.iter().any(|o| !o.results.is_empty()) {
            // The service answers per traveller, in manifest order; a PAXLST
            // message is read again (the service accepted it) to name them.
            let travellers = match given {
                Some(list) => list,
                None => {
                    let message = vigil_formats::paxlst::parse_bytes(&bytes)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
                    travellers_from_paxlst(&message).0
                }
            };
            for (i, (traveller, outcome)) in travellers.iter().zip(&outcomes).enumerate() {
                if outcome.results.is_empty() {
                    continue;
                }
                println!("traveller {i}: {}", describe_traveller(traveller));
                for result in &outcome.results {
                    println!("  {}", describe_result(result));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A traveller in one line: name, documents and birth date, as given.
fn describe_traveller(t: &Traveller) -> String {
    let mut parts = vec![match t.display() {
        name if name.is_empty() => "(no name)".to_string(),
        name => name,
    }];
    for d in &t.documents {
        let kind: &'static str = d.kind.into();
        parts.push(match d.country {
            Some(c) => format!("{kind} {} ({c})", d.number),
            None => format!("{kind} {}", d.number),
        });
    }
    if let Some(born) = &t.birth_date {
        parts.push(format!("born {born}"));
    }
    parts.join(", ")
}

/// A matched record in one line, at the screener's disclosure level: a
/// hit-only record gives only whose it is and whom to contact.
fn describe_result(r: &ScreenResult) -> String {
    match r {
        ScreenResult::Full(f) => {
            let state = match &f.suppressed_by {
                Some(_) => "suppressed: the owner judged this traveller a false positive",
                None if f.is_match => "alert",
                None => "below the alert threshold",
            };
            format!(
                "record {} of {}, reference {}: score {:.2}, {state}",
                f.id, f.owner, f.reference, f.score
            )
        }
        ScreenResult::HitOnly { view, .. } => format!(
            "record {} of {}, reference {}: hit-only, {}",
            view.id, view.owner, view.reference, view.instruction
        ),
    }
}
