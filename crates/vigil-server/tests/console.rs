//! The web console over HTTP, as a browser drives it: sign-in for a
//! session cookie, forms with their CSRF token, every value escaped, the
//! security headers, hit-only records shown as hit-only to others, and the
//! audit view of what was just done.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::Harness;
use tower::ServiceExt;

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

async fn send(
    h: &Harness,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Page {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_string())
        }
        None => Body::empty(),
    };
    answer(h, req.body(body).unwrap()).await
}

/// What the console answers `req`, read whole.
async fn answer(h: &Harness, req: Request<Body>) -> Page {
    let res = vigil_server::app(h.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Page {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).to_string(),
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in with a token; returns the session cookie.
async fn sign_in(h: &Harness, agency: &str, role: &str) -> String {
    let form = format!(
        "token={}&purpose={}",
        encode(&h.token(agency, role)),
        encode("console test")
    );
    let page = send(h, "POST", "/console/sign-in", None, Some(&form)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    let cookie = page.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

/// The rows of the audit view's table of entries.
fn audit_rows(page: &Page) -> Vec<String> {
    let start = page
        .text
        .find("<table class=\"audit\">")
        .expect("the audit table");
    let table = &page.text[start..];
    let table = &table[..table.find("</table>").unwrap()];
    table.split("<tr>").skip(2).map(str::to_string).collect()
}

/// Signs the session out with the form every page carries.
async fn sign_out(h: &Harness, cookie: &str) {
    let home = send(h, "GET", "/console", Some(cookie), None).await;
    let csrf = csrf_of(&home);
    let out = send(
        h,
        "POST",
        "/console/sign-out",
        Some(cookie),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
}

/// A page that may first answer "computing" (it then asks to be
/// refreshed), asked again until it is the answer itself.
async fn settled(h: &Harness, uri: &str, cookie: &str) -> Page {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let page = send(h, "GET", uri, Some(cookie), None).await;
        if !page.headers.contains_key(header::REFRESH) {
            return page;
        }
        assert!(
            page.text.contains("Comparing every record"),
            "{}",
            page.text
        );
        assert!(std::time::Instant::now() < deadline, "{uri} never settled");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Posts a multipart form: its text fields, then one file.
async fn post_multipart(
    h: &Harness,
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: (&str, &str, &str),
) -> Page {
    let boundary = "vigil-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    let (name, file_name, content) = file;
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    answer(h, req).await
}

fn csrf_of(page: &Page) -> String {
    let at = page
        .text
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF field")
        + 19;
    page.text[at..at + 64].to_string()
}

#[tokio::test]
async fn a_bureau_adds_a_record_that_others_see_only_as_hit_only_and_the_audit_shows_it() {
    let h = Harness::new();
    let signed_out = send(&h, "GET", "/console/records", None, None).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    let wrong = send(
        &h,
        "POST",
        "/console/sign-in",
        None,
        Some("token=nope&purpose=x"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    let fra = sign_in(&h, "FRA", "contributor").await;
    let form_page = send(&h, "GET", "/console/records/new", Some(&fra), None).await;
    assert_eq!(form_page.status, StatusCode::OK);
    let csp = form_page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let csrf = csrf_of(&form_page);
    let fields = [
        ("reference", "FRA-2026-7"),
        ("category", "foreign_terrorist_fighter"),
        ("primary_name", "<script>alert(1)</script> Yassin Haddouchi"),
        ("aliases", "Yassin Abdelkarim Haddouchi"),
        ("original_names", "ياسين حدوشي"),
        ("birth_dates", "1988-03"),
        ("notes", "Seen in Raqqa in 2015"),
        ("handling_code", "H2"),
        ("visibility", "all"),
        ("disclosure", "hit_only"),
        ("instruction", "Discreet check."),
    ];
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let body = body.join("&");

    // Without the session's CSRF token nothing is written.
    let forged = send(&h, "POST", "/console/records/new", Some(&fra), Some(&body)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let created = send(
        &h,
        "POST",
        "/console/records/new",
        Some(&fra),
        Some(&format!("csrf={csrf}&{body}")),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let location = created.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();

    let record = send(&h, "GET", &location, Some(&fra), None).await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(
        record
            .text
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        record.text
    );
    assert!(!record.text.contains("<script>alert"));
    assert!(record.text.contains("ياسين حدوشي"));
    assert!(
        record
            .text
            .contains("Any other agency sees hit/no-hit only"),
        "{}",
        record.text
    );

    // A bad field comes back with its name and what was typed.
    let bad = send(
        &h,
        "POST",
        "/console/records/new",
        Some(&fra),
        Some(&format!(
            "csrf={csrf}&reference=X&primary_name=Ali&birth_dates=1988-13"
        )),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text.contains("birth_dates[0]") && bad.text.contains("value=\"Ali\""),
        "{}",
        bad.text
    );

    // Another agency's screener: a hit, and only the hit-only fields.
    let deu = sign_in(&h, "DEU", "screener").await;
    let screen = send(&h, "GET", "/console/screen", Some(&deu), None).await;
    let csrf = csrf_of(&screen);
    let result = send(
        &h,
        "POST",
        "/console/screen",
        Some(&deu),
        Some(&format!(
            "csrf={csrf}&name=Yassin+Haddouchi&birth_date=1988"
        )),
    )
    .await;
    assert_eq!(result.status, StatusCode::OK);
    assert!(
        result.text.contains("class=\"verdict hit\""),
        "{}",
        result.text
    );
    assert!(result.text.contains("Hit/no-hit record") && result.text.contains("FRA-2026-7"));
    assert!(result.text.contains("Discreet check."));
    assert!(!result.text.contains("Raqqa") && !result.text.contains("1988-03"));

    // The owner's queue lists the hit.
    let queue = send(&h, "GET", "/console/hits", Some(&fra), None).await;
    assert!(
        queue.text.contains("FRA-2026-7") && queue.text.contains("DEU"),
        "{}",
        queue.text
    );

    // The auditor sees what was just done, and the chain verifies.
    let auditor = sign_in(&h, "EUROPOL", "auditor").await;
    let audit = send(&h, "GET", "/console/audit?verify=1", Some(&auditor), None).await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.text.contains("Chain verified"), "{}", audit.text);
    let rows = audit_rows(&audit);
    for (agency, action) in [("FRA", "record.create"), ("DEU", "screen")] {
        let cells = format!("<td>{agency}</td><td>");
        assert!(
            rows.iter().any(|r| r.contains(&cells)
                && r.contains(&format!("<td>{action}</td>"))
                && r.contains("<td>console test</td>")),
            "no {agency} {action} entry in {rows:#?}"
        );
    }

    // Signing out ends the session.
    sign_out(&h, &fra).await;
    let after = send(&h, "GET", "/console/records", Some(&fra), None).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

/// The page minus what differs between any two requests (the CSRF token).
fn comparable(page: &Page) -> String {
    match page.text.find("name=\"csrf\" value=\"") {
        Some(at) => format!("{}{}", &page.text[..at], &page.text[at + 19 + 64..]),
        None => page.text.clone(),
    }
}

#[tokio::test]
async fn a_hidden_record_looks_exactly_like_no_record_in_the_console() {
    let h = Harness::new();
    let hidden = h
        .create(
            "FRA",
            serde_json::json!({
                "reference": "FR-ONLY-DEU",
                "names": [{"full": "Bartholomew Quillfeather"}],
                "policy": {"visibility": {"only": ["DEU"]}},
            }),
        )
        .await;
    let ita = sign_in(&h, "ITA", "analyst").await;
    let absent = vigil_core::RecordId::new().to_string();
    for (uri_of, name) in [
        (format!("/console/records/{hidden}"), "detail"),
        (format!("/console/records/{hidden}/history"), "history"),
        (format!("/console/records/{hidden}/edit"), "editor"),
    ] {
        let seen = send(&h, "GET", &uri_of, Some(&ita), None).await;
        let none = send(
            &h,
            "GET",
            &uri_of.replace(&hidden, &absent),
            Some(&ita),
            None,
        )
        .await;
        assert_eq!(seen.status, none.status, "{name}");
        assert_eq!(
            comparable(&seen).replace(&hidden, &absent),
            comparable(&none),
            "{name}"
        );
        assert!(!seen.text.contains("FR-ONLY-DEU"), "{name}");
    }
    let search = send(
        &h,
        "GET",
        "/console/records?q=Bartholomew+Quillfeather",
        Some(&ita),
        None,
    )
    .await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(!search.text.contains("FR-ONLY-DEU"));
    // DEU, whom the policy names, finds it.
    let deu = sign_in(&h, "DEU", "analyst").await;
    let found = send(
        &h,
        "GET",
        "/console/records?q=Bartholomew+Quillfeather",
        Some(&deu),
        None,
    )
    .await;
    assert!(found.text.contains("FR-ONLY-DEU"), "{}", found.text);
}

/// The `href`s of a page's main navigation.
fn nav_links(page: &Page) -> Vec<String> {
    let start = page.text.find("<nav").expect("a navigation");
    let end = start + page.text[start..].find("</nav>").unwrap();
    page.text[start..end]
        .split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn every_page_of_every_role_s_navigation_opens() {
    let h = Harness::new();
    let id = h
        .create(
            "FRA",
            serde_json::json!({"reference": "FR-1", "names": [{"full": "Odalys Wintergreen"}]}),
        )
        .await;
    for role in vigil_core::Role::ALL {
        if role == vigil_core::Role::Peer {
            continue;
        }
        let agency = if role == vigil_core::Role::Operator {
            "INTERPOL"
        } else {
            "FRA"
        };
        let session = sign_in(&h, agency, role.as_str()).await;
        let home = send(&h, "GET", "/console", Some(&session), None).await;
        assert_eq!(home.status, StatusCode::OK, "{role:?}");
        let links = nav_links(&home);
        assert!(!links.is_empty(), "{role:?} has nothing to do");
        for link in links.iter().chain([&format!("/console/records/{id}")]) {
            let page = send(&h, "GET", link, Some(&session), None).await;
            let reads_records = !matches!(role, vigil_core::Role::Operator);
            if link.contains("/records/") && !reads_records {
                continue;
            }
            assert_eq!(
                page.status,
                StatusCode::OK,
                "{role:?} {link}: {}",
                page.text
            );
            assert!(page.text.contains("<main"), "{role:?} {link}");
        }
    }
}

#[tokio::test]
async fn a_list_file_imported_in_the_console_reports_its_rejected_rows() {
    let h = Harness::new();
    let fra = sign_in(&h, "FRA", "contributor").await;
    let form = send(&h, "GET", "/console/import", Some(&fra), None).await;
    let csrf = csrf_of(&form);
    let file = concat!(
        r#"{"id":"p1","schema":"Person","properties":{"name":["Leocadia Fairweather"],"birthDate":["1979"]}}"#,
        "\n{not json\n",
        r#"{"id":"p2","schema":"Person","properties":{"name":["Ignatius Brackenridge"]}}"#,
        "\n"
    );
    let upload = ("file", "list.ftm", file);
    let report = post_multipart(
        &h,
        "/console/import",
        &fra,
        &[("csrf", &csrf), ("format", "ftm")],
        upload,
    )
    .await;
    assert_eq!(report.status, StatusCode::OK);
    let text = &report.text;
    assert!(text.contains("<strong>2</strong> added"), "{text}");
    assert!(text.contains("<strong>1</strong> rejected"), "{text}");
    assert!(text.contains("Rows with problems"), "{text}");

    // The same upload without the session's token imports nothing.
    let forged = "0".repeat(64);
    let refused = post_multipart(
        &h,
        "/console/import",
        &fra,
        &[("csrf", &forged), ("format", "ftm")],
        upload,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_token_made_in_the_console_is_shown_once_and_revoking_it_ends_its_sessions() {
    let h = Harness::new();
    let admin = sign_in(&h, "FRA", "admin").await;
    let overview = send(&h, "GET", "/console/admin", Some(&admin), None).await;
    let csrf = csrf_of(&overview);
    let made = send(
        &h,
        "POST",
        "/console/admin/tokens",
        Some(&admin),
        Some(&format!(
            "csrf={csrf}&agency=FRA&role=screener&label=Terminal+2&default_purpose=border+check"
        )),
    )
    .await;
    // The answer is a redirect: reloading the page makes no second token.
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    assert_eq!(made.headers[header::LOCATION], "/console/admin");
    let made = send(&h, "GET", "/console/admin", Some(&admin), None).await;
    let at = made.text.find("vgl_").expect("the secret, shown once");
    let secret: String = made.text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let again = send(&h, "GET", "/console/admin", Some(&admin), None).await;
    assert!(
        !again.text.contains(&secret),
        "the secret is shown only once"
    );

    // Signed in with the new token (its default purpose), then revoked.
    let form = format!("token={}&purpose=", encode(&secret));
    let opened = send(&h, "POST", "/console/sign-in", None, Some(&form)).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text);
    let officer = opened.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let screen = send(&h, "GET", "/console/screen", Some(&officer), None).await;
    assert_eq!(screen.status, StatusCode::OK);
    assert!(screen.text.contains("value=\"border check\""));
    let id_at = again.text.find("Terminal 2").expect("the token listed");
    let row_start = again.text[..id_at].rfind("<tr>").unwrap();
    let revoke_at = row_start
        + again.text[row_start..]
            .find("/console/admin/tokens/")
            .unwrap();
    let revoke = &again.text[revoke_at..revoke_at + again.text[revoke_at..].find('"').unwrap()];
    let revoked = send(
        &h,
        "POST",
        revoke,
        Some(&admin),
        Some(&format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.text);
    let after = send(&h, "GET", "/console/screen", Some(&officer), None).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.headers[header::LOCATION], "/console/sign-in");
}

#[tokio::test]
async fn the_gap_report_compares_two_agencies_and_lists_and_downloads_its_persons() {
    let h = Harness::new();
    let mut ids = Vec::new();
    for (agency, reference, name) in [
        ("FRA", "FR-1", "Casimir Vantongerloo"),
        ("DEU", "DE-1", "Wilhelmina Oosterhuis"),
    ] {
        ids.push(
            h.create(
                agency,
                serde_json::json!({"reference": reference, "names": [{"full": name}]}),
            )
            .await,
        );
    }
    let analyst = sign_in(&h, "FRA", "analyst").await;
    // The report is computed off the request: the page refreshes until it is there.
    let report = settled(&h, "/console/gaps?a=FRA&b=DEU", &analyst).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert!(report.text.contains("only in FRA"), "{}", report.text);
    let listed = send(
        &h,
        "GET",
        "/console/gaps?a=FRA&b=DEU&list=only_in_b",
        Some(&analyst),
        None,
    )
    .await;
    assert!(
        listed.text.contains("DEU DE-1") && !listed.text.contains("FRA FR-1"),
        "{}",
        listed.text
    );
    let csv = send(
        &h,
        "GET",
        "/console/gaps.csv?a=FRA&b=DEU",
        Some(&analyst),
        None,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text.starts_with("list,country,category"),
        "{}",
        csv.text
    );
    assert!(csv.text.contains("FR-1") && csv.text.contains("DE-1"));
    // Each look at the kept report is audited with the records it showed.
    use vigil_store::prelude::*;
    let entries = h
        .store
        .audit_entries(&vigil_store::AuditFilter {
            action: Some(vigil_core::Action::GapsReport),
            newest_first: true,
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    let (download, list) = (&entries[0].body, &entries[1].body);
    assert!(download.contains("computed_at") && list.contains("computed_at"));
    assert!(
        ids.iter().all(|id| download.contains(id.as_str())),
        "{download}"
    );
    assert!(list.contains(&ids[1]) && !list.contains(&ids[0]), "{list}");

    // A record written since makes the kept report stale: it is computed again.
    h.create(
        "DEU",
        serde_json::json!({"reference": "DE-2", "names": [{"full": "Evert Kloosterboer"}]}),
    )
    .await;
    let again = settled(&h, "/console/gaps?a=FRA&b=DEU&list=only_in_b", &analyst).await;
    assert!(again.text.contains("DEU DE-2"), "{}", again.text);

    let same = settled(&h, "/console/gaps?a=FRA&b=FRA", &analyst).await;
    assert_eq!(
        same.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        same.text
    );
    assert!(same.text.contains("the two sides are the same"));
}

#[tokio::test]
async fn signing_out_ends_the_live_queue_s_stream() {
    use futures_util::StreamExt;
    let h = Harness::new();
    let fra = sign_in(&h, "FRA", "analyst").await;
    let req = Request::builder()
        .uri("/console/hits/stream")
        .header(header::COOKIE, &fra)
        .body(Body::empty())
        .unwrap();
    let res = vigil_server::app(h.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut events = res.into_body().into_data_stream();
    sign_out(&h, &fra).await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while events.next().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session");
    // Without a session, the stream is refused.
    let again = send(&h, "GET", "/console/hits/stream", Some(&fra), None).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}
