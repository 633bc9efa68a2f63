//! Latency of every main page of the web console on a large database:
//! whether each answers within the 100 ms target.
//!
//! `cargo bench -p vigil --bench console_pages` imports N generated FtM
//! persons as INTERPOL's records (default 1,000,000; `VIGIL_BENCH_PERSONS`
//! overrides), builds the screening index, adds agencies FRA and DEU, a few
//! FRA records (copies of listed persons, visible to all) and DEU
//! screenings that hit them; then signs in to the console as the role each
//! page is for and requests every main page through the router (in this
//! process, no network), 200 times after a warm-up. It prints, per page,
//! the median and p99 latency (request to the whole body read) and "ok" or
//! "OVER" as its p99 is within 100 ms or not. Every answer's status and a
//! piece of its content are checked, so an error page or an empty one is
//! never timed as the page.
//!
//! Not timed: verifying the audit chain (`/console/audit?verify=1`), a
//! deliberate action that reads every entry. The gap report (INTERPOL
//! against FRA) is computed off the request: the bench prints how fast the
//! first answer (the page that waits) comes and when the report is ready,
//! then times the kept report and one of its lists like the other pages.
//!
//! The synthetic persons are the matching engine's generator, from the
//! shared data (`vigil_testdata`); without it the bench says so and exits.

#[allow(dead_code)] // what only the other benches use
mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::{
    acting, contributor, date_text, entity, open, partial, percentile, rss_mib, synthetic,
};
use rand::rngs::StdRng;
use rand::SeedableRng;
use tower::ServiceExt;
use vigil_core::{AgencyCode, HitContext, Role, Traveller};
use vigil_server::{AppState, ServerConfig};
use vigil_service::exchange::ImportFormat;
use vigil_service::screening::ScreenOptions;
use vigil_service::Vigil;

/// Timed requests per page, after the warm-up.
const ROUNDS: usize = 200;
/// Untimed requests per page first.
const WARM_UP: usize = 5;
/// The target for every console page.
const TARGET: Duration = Duration::from_millis(100);
/// FRA's records, copies of listed persons.
const FRA_RECORDS: usize = 5;

fn code(text: &str) -> AgencyCode {
    AgencyCode::parse(text).expect("code")
}

/// Form and query values, percent-encoded.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A page of the console: what to ask, as whom, and the status to expect.
struct Probe<'a> {
    label: &'a str,
    uri: String,
    session: &'a Session,
    /// A posted form (urlencoded, without the CSRF field), or a GET.
    form: Option<String>,
    status: StatusCode,
    /// What the answer must hold (a row of its table, a verdict), so that
    /// an empty page is not timed as a full one.
    shows: Option<&'a str>,
}

/// A signed-in console session: its cookie and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

/// Sends one request; returns the status and the body as text.
async fn send(
    app: &Router,
    uri: &str,
    cookie: Option<&str>,
    form: Option<String>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::builder()
        .method(if form.is_some() { "POST" } else { "GET" })
        .uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f)
        }
        None => Body::empty(),
    };
    let res = app
        .clone()
        .oneshot(req.body(body).expect("request"))
        .await
        .expect("answer");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Signs in with a new token of `agency` and `role`; the session's cookie
/// and the CSRF token its home page holds.
async fn sign_in(app: &Router, vigil: &Vigil, agency: &str, role: Role) -> Session {
    let (_, secret) = vigil
        .create_token(
            &acting("LOCAL", Role::Operator),
            &code(agency),
            role,
            &vigil_store::TokenOptions::default(),
        )
        .expect("token");
    let form = format!("token={}&purpose=bench", encode(&secret));
    let (status, headers, text) = send(app, "/console/sign-in", None, Some(form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "sign-in: {text}");
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("cookie")
        .to_string();
    let (status, _, home) = send(app, "/console", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "home: {home}");
    let marker = "name=\"csrf\" value=\"";
    let at = home.find(marker).expect("a CSRF field") + marker.len();
    Session {
        cookie,
        csrf: home[at..at + 64].to_string(),
    }
}

/// Times a page: its median and p99.
async fn time(app: &Router, probe: &Probe<'_>) -> (Duration, Duration) {
    let form = |p: &Probe<'_>| {
        p.form
            .as_ref()
            .map(|f| format!("csrf={}&{f}", p.session.csrf))
    };
    let mut latencies = Vec::with_capacity(ROUNDS);
    for round in 0..WARM_UP + ROUNDS {
        let t = Instant::now();
        let (status, _, text) =
            send(app, &probe.uri, Some(&probe.session.cookie), form(probe)).await;
        let took = t.elapsed();
        assert_eq!(
            status, probe.status,
            "{} ({}): {text}",
            probe.label, probe.uri
        );
        if let Some(shows) = probe.shows {
            assert!(
                text.contains(shows),
                "{}: no {shows:?} in {text}",
                probe.label
            );
        }
        if round >= WARM_UP {
            latencies.push(took);
        }
    }
    latencies.sort();
    (percentile(&latencies, 0.5), percentile(&latencies, 0.99))
}

fn main() {
    let persons: usize = std::env::var("VIGIL_BENCH_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let Some(pools) = synthetic::Pools::load() else {
        return;
    };
    println!(
        "# Vigil console pages ({} cores), {persons} records",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let vigil = open(dir.path());
    let operator = acting("LOCAL", Role::Operator);

    // INTERPOL's records, imported as one FtM file; every 1,000th person kept.
    let mut rng = StdRng::seed_from_u64(42);
    let mut listed = Vec::new();
    let mut ftm = String::with_capacity(persons * 300);
    for i in 0..persons {
        let (p, d) = pools.person(&mut rng);
        ftm.push_str(&entity(i, &p));
        ftm.push('\n');
        if i % 1000 == 0 {
            listed.push((p, d));
        }
    }
    vigil
        .ensure_agency(&operator, &code("INTERPOL"))
        .expect("agency");
    let t = Instant::now();
    let batch = ImportFormat::Ftm.parse(ftm.as_bytes()).expect("parse");
    drop(ftm);
    let report = vigil
        .import(&contributor("INTERPOL"), ImportFormat::Ftm, batch, None)
        .expect("import");
    println!(
        "import FtM: {} records in {:.1} s",
        report.added,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let indexed = vigil.warm_up().expect("index");
    println!(
        "screening index: {indexed} records in {:.1} s; process RSS {:.0} MiB",
        t.elapsed().as_secs_f64(),
        rss_mib()
    );

    // FRA's records (copies of listed persons, seen by all), DEU's
    // screenings that hit them, and EUROPOL for oversight.
    for (agency, name) in [
        ("FRA", "France"),
        ("DEU", "Germany"),
        ("EUROPOL", "Europol"),
    ] {
        vigil
            .create_agency(&operator, &code(agency), name, None)
            .expect("agency");
    }
    let deu = acting("DEU", Role::Screener);
    for (i, (p, d)) in listed.iter().take(FRA_RECORDS).enumerate() {
        let draft = serde_json::json!({
            "reference": format!("FRA-{i}"),
            "names": p.names.iter().map(|n| serde_json::json!({"full": n.full})).collect::<Vec<_>>(),
            "birth_dates": p.birth_dates.iter().map(date_text).collect::<Vec<_>>(),
            "policy": {"visibility": "all"},
        });
        vigil
            .create_record(
                &contributor("FRA"),
                serde_json::from_value(draft).expect("draft"),
            )
            .expect("FRA record");
        let traveller = Traveller {
            names: vec![p.names[0].full.clone()],
            birth_date: partial(d),
            ..Traveller::default()
        };
        vigil
            .screen(
                &deu,
                &[traveller],
                ScreenOptions::default(),
                HitContext::default(),
            )
            .expect("screening");
    }
    // The first hits on INTERPOL's and FRA's records: the first listed
    // person's record, and FRA's copy of that person.
    let first_hit = |owner: &str| {
        vigil
            .store()
            .hits(&vigil_store::HitFilter {
                owner: Some(code(owner)),
                limit: 1,
                ..Default::default()
            })
            .expect("hits")
            .pop()
            .unwrap_or_else(|| panic!("no hit on {owner}'s records"))
    };
    let record = first_hit("INTERPOL").record;
    let fra_hit = first_hit("FRA").id;
    let (person, born) = &listed[0];
    let name = &person.names[0].full;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let app = vigil_server::app(AppState::new(vigil.clone(), ServerConfig::default()));
        let interpol = sign_in(&app, &vigil, "INTERPOL", Role::Contributor).await;
        let admin = sign_in(&app, &vigil, "INTERPOL", Role::Admin).await;
        let screener = sign_in(&app, &vigil, "DEU", Role::Screener).await;
        let analyst = sign_in(&app, &vigil, "FRA", Role::Analyst).await;
        let auditor = sign_in(&app, &vigil, "EUROPOL", Role::Auditor).await;
        let get = |label, uri: String, session, shows| Probe {
            label,
            uri,
            session,
            form: None,
            status: StatusCode::OK,
            shows,
        };
        // A row of a table of records, hits, links or audit entries.
        let record_row = Some("<td><a href=\"/console/records/");
        let row = Some("<tbody><tr");
        // The gap report is computed off the request: its first answer is
        // the "computing" page, then the report is kept and served.
        let gaps = "/console/gaps?a=INTERPOL&b=FRA";
        let started = Instant::now();
        let (status, _, _) = send(&app, gaps, Some(&analyst.cookie), None).await;
        let first_answer = started.elapsed();
        assert_eq!(status, StatusCode::OK);
        loop {
            let (status, _, text) = send(&app, gaps, Some(&analyst.cookie), None).await;
            assert_eq!(status, StatusCode::OK, "{text}");
            if text.contains("Only in A") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!(
            "\ngap report INTERPOL vs FRA: first answer {:.1} ms (the page that waits), \
             report ready after {:.1} s",
            first_answer.as_secs_f64() * 1e3,
            started.elapsed().as_secs_f64()
        );
        let probes = [
            get("/console", "/console".into(), &interpol, None),
            get(
                "/console/records",
                "/console/records".into(),
                &interpol,
                record_row,
            ),
            get(
                "/console/records?q=<name>",
                format!("/console/records?q={}", encode(name)),
                &interpol,
                record_row,
            ),
            get(
                "/console/records/{id}",
                format!("/console/records/{record}"),
                &interpol,
                Some("<dt>Reference</dt>"),
            ),
            get(
                "/console/records/{id}/history",
                format!("/console/records/{record}/history"),
                &interpol,
                row,
            ),
            get(
                "/console/records/new",
                "/console/records/new".into(),
                &interpol,
                None,
            ),
            Probe {
                label: "POST /console/screen",
                uri: "/console/screen".into(),
                session: &screener,
                form: Some(format!(
                    "name={}&birth_date={}&post=bench",
                    encode(name),
                    encode(&date_text(born))
                )),
                status: StatusCode::OK,
                shows: Some("class=\"verdict hit\""),
            },
            get(
                "/console/hits",
                "/console/hits".into(),
                &analyst,
                Some("href=\"/console/hits/hit_"),
            ),
            get(
                "/console/hits/{id}",
                format!("/console/hits/{fra_hit}"),
                &analyst,
                Some("<dt>Traveller</dt>"),
            ),
            get("/console/audit", "/console/audit".into(), &auditor, row),
            get(
                "/console/audit?record={id}",
                format!("/console/audit?record={record}"),
                &auditor,
                Some("<section class=\"who-saw\"><h2>"),
            ),
            get(
                "/console/stats",
                "/console/stats".into(),
                &analyst,
                Some("<section class=\"stat\"><h2>"),
            ),
            get(
                "/console/links",
                "/console/links".into(),
                &analyst,
                Some("href=\"/console/links/"),
            ),
            get("/console/gaps", "/console/gaps".into(), &analyst, None),
            get(
                "/console/gaps?a=…&b=… (kept)",
                gaps.into(),
                &analyst,
                Some("Only in A"),
            ),
            get(
                "  …&list=only_in_a",
                format!("{gaps}&list=only_in_a"),
                &analyst,
                Some("The first 200 of"),
            ),
            get(
                "/console/admin",
                "/console/admin".into(),
                &admin,
                Some("<h2>Tokens</h2>"),
            ),
        ];
        println!(
            "\n{ROUNDS} requests per page after {WARM_UP} untimed; target {} ms\n",
            TARGET.as_millis()
        );
        println!(
            "{:<32} {:>10} {:>10}  p99 vs {} ms",
            "page",
            "median ms",
            "p99 ms",
            TARGET.as_millis()
        );
        let mut over = 0;
        for probe in &probes {
            let (median, p99) = time(&app, probe).await;
            let verdict = if p99 <= TARGET { "ok" } else { "OVER" };
            over += usize::from(p99 > TARGET);
            println!(
                "{:<32} {:>10.2} {:>10.2}  {verdict}",
                probe.label,
                median.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
        println!(
            "\n{over} of {} pages over {} ms at p99. Not timed: /console/audit?verify=1 \
             (verifying the whole audit chain is a deliberate, multi-second action).",
            probes.len(),
            TARGET.as_millis()
        );
    });
}
