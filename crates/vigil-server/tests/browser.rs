//! The web console in a real browser: headless Chromium driven over
//! WebDriver (chromedriver) against a real server on a loopback port.
//!
//! Three people at once, each in a browser session of their own: a DEU
//! border officer screens by name, by MRZ and a whole PAXLST flight; FRA's
//! analyst watches the hit queue, sees the hit arrive without reloading and
//! decides it; ITA's bureau adds a record with an Arabic name and a
//! hit-only policy, which the DEU officer then meets as hit-only. A stored
//! script is shown as text, a forged form (no CSRF token, or from another
//! site) writes nothing, and the auditor sees all of it in the audit view.
//!
//! Needs `chromedriver` and `chromium` (Debian's `chromium-driver` and
//! `chromium`; `VIGIL_CHROMEDRIVER` names another driver). Without them the
//! test says so and passes, unless `VIGIL_REQUIRE_BROWSER=1` (CI) makes
//! their absence a failure. Screenshots of the main screens go to
//! `VIGIL_SCREENSHOTS` (default `target/console-screenshots`); the current
//! ones are in `docs/screenshots/`.

mod common;

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Harness, TD3};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;

const PAXLST: &str = "UNA:+.? '
UNB+UNOA:4+XYAIRLINE:ZZ+DEUPIU:ZZ+160405:1000+000000001++APIS'
UNG+PAXLST+XY AIRLINES+DEUPIU+160405:1000+1+UN+D:05B'
UNH+PAX001+PAXLST:D:05B:UN:IATA+API01+01:F'
BGM+745'
NAD+MS+++DUPONT:MARIE'
TDT+20+XY123+++XY'
LOC+125+IST'
DTM+189:1604051030:201'
LOC+87+FRA'
DTM+232:1604051400:201'
NAD+FL+++SCHMIDT:ANNA'
ATT+2++F'
DTM+329:900101'
NAT+2+DEU'
DOC+P:110:111+C01X00T11'
NAD+FL+++OKONKWO-BELLAMY:TIBERIUS'
ATT+2++M'
DTM+329:850812'
NAT+2+UTO'
DOC+P:110:111+C01X00T47'
CNT+42:2'
UNT+20+PAX001'
UNE+1+1'
UNZ+1+000000001'
";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The chromedriver to use, if this machine has one.
fn chromedriver() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VIGIL_CHROMEDRIVER") {
        return Some(PathBuf::from(path));
    }
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

async fn start_driver(path: &Path) -> (Driver, String) {
    let port = free_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (driver, url)
}

/// A fresh headless Chromium with a profile of its own (its own cookies).
async fn browser(driver: &str) -> Client {
    let mut caps = serde_json::Map::new();
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--lang=en",
    ];
    args.push("--no-first-run");
    let mut options = json!({ "args": args });
    if let Some(binary) = std::env::var_os("VIGIL_CHROMIUM") {
        options["binary"] = json!(binary.to_string_lossy());
    }
    caps.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a Chromium session");
    client.set_window_size(1280, 800).await.unwrap();
    client
}

struct Console {
    base: String,
    shots: PathBuf,
}

impl Console {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn sign_in(&self, b: &Client, token: &str, purpose: &str) {
        b.goto(&self.url("/console")).await.unwrap();
        // Signed out, the console asks for a token.
        let field = element(b, "#token").await;
        field.send_keys(token).await.unwrap();
        let p = b.find(Locator::Id("purpose")).await.unwrap();
        p.clear().await.unwrap();
        p.send_keys(purpose).await.unwrap();
        submit(b, "form[action='/console/sign-in']").await;
        wait_text(b, "main", "Signed in for").await;
    }

    async fn shot(&self, b: &Client, name: &str) {
        let png = b.screenshot().await.unwrap();
        std::fs::create_dir_all(&self.shots).unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }
}

async fn submit(b: &Client, form: &str) {
    b.find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .unwrap_or_else(|e| panic!("{form}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn fill(b: &Client, css: &str, text: &str) {
    let e = b
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn choose(b: &Client, select: &str, value: &str) {
    b.find(Locator::Css(select))
        .await
        .unwrap_or_else(|e| panic!("{select}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

async fn text_of(b: &Client, css: &str) -> String {
    match b.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits up to ten seconds for `css` to hold `want`; fails with what it held.
async fn wait_text(b: &Client, css: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = text_of(b, css).await;
        if text.contains(want) {
            return text;
        }
        if Instant::now() > deadline {
            let url = b.current_url().await.map(|u| u.to_string());
            panic!("{css} never showed {want:?} (at {url:?}); it shows:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn element(b: &Client, css: &str) -> Element {
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

/// A page on another site (`localhost` is not the same site as 127.0.0.1)
/// that posts a record form to the console as soon as it loads.
async fn attacker_site(console: &str) -> String {
    let target = format!("{console}/console/records/new");
    let page = format!(
        "<!doctype html><title>prize</title><form id=f method=post action=\"{target}\">\
         <input name=reference value=FORGED><input name=primary_name value=\"Forged Person\">\
         <input name=csrf value=guess></form><script>document.getElementById('f').submit()</script>"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let page = page.clone();
            async move { axum::response::Html(page) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://localhost:{port}/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_bureaus_analysts_and_auditors_work_in_a_real_browser() {
    let Some(driver_path) = chromedriver() else {
        assert!(
            std::env::var_os("VIGIL_REQUIRE_BROWSER").is_none(),
            "VIGIL_REQUIRE_BROWSER is set but no chromedriver was found: install Debian's chromium and chromium-driver"
        );
        eprintln!("skipped: no chromedriver (apt-get install chromium chromium-driver, or set VIGIL_CHROMEDRIVER)");
        return;
    };
    let h = Harness::new();
    h.create(
        "FRA",
        json!({
            "reference": "FR-ERIKSSON",
            "names": [{"full": "Anna Maria Eriksson"}],
            "birth_dates": ["1974-08-12"],
            "nationalities": ["UTO"],
            "documents": [{"kind": "passport", "number": "L898902C3", "country": "UTO"}],
            "policy": {"visibility": "all"},
        }),
    )
    .await;
    h.create(
        "FRA",
        json!({
            "reference": "FR-OKONKWO",
            "names": [{"full": "Tiberius Okonkwo-Bellamy"}],
            "birth_dates": ["1985-08-12"],
            "policy": {"visibility": "all"},
        }),
    )
    .await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = h.state.clone();
    tokio::spawn(vigil_server::serve(listener, state, std::future::pending()));
    // A relative VIGIL_SCREENSHOTS is taken from the workspace's root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shots = root.join(
        std::env::var_os("VIGIL_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("target/console-screenshots")),
    );
    let c = Console { base, shots };
    let (_driver, driver) = start_driver(&driver_path).await;

    // FRA's analyst opens the hit queue and leaves it open.
    let owner = browser(&driver).await;
    c.sign_in(&owner, &h.token("FRA", "analyst"), "hit review")
        .await;
    owner.goto(&c.url("/console/hits")).await.unwrap();
    wait_text(&owner, "main", "No hits").await;

    // DEU's officer signs in, and screens by name.
    let officer = browser(&driver).await;
    officer.goto(&c.url("/console")).await.unwrap();
    element(&officer, "#token").await;
    c.shot(&officer, "sign-in").await;
    c.sign_in(
        &officer,
        &h.token("DEU", "screener"),
        "border check, BER T1",
    )
    .await;
    officer.goto(&c.url("/console/screen")).await.unwrap();
    fill(&officer, "#name", "ERIKSSON Anna").await;
    fill(&officer, "#birth_date", "1974-08-12").await;
    fill(&officer, "#post", "BER T1").await;
    submit(&officer, "form[action='/console/screen']").await;
    let verdict = wait_text(&officer, ".verdict", "HIT").await;
    assert!(!verdict.contains("NO HIT"), "{verdict}");
    wait_text(&officer, "ol.results", "FR-ERIKSSON").await;
    c.shot(&officer, "screen-by-name").await;

    // The owner's queue shows the hit without a reload, and the owner decides it there.
    let row = wait_text(&owner, "#queue", "FR-ERIKSSON").await;
    assert!(row.contains("DEU"), "{row}");
    wait_text(&owner, "[data-live=hits]", "1 new hit").await;
    c.shot(&owner, "hit-queue-live").await;
    choose(
        &owner,
        "#queue tr:first-child select[name=status]",
        "confirmed",
    )
    .await;
    fill(
        &owner,
        "#queue tr:first-child input[name=note]",
        "Identity confirmed by phone",
    )
    .await;
    submit(&owner, "#queue tr:first-child form.decision").await;
    let decided = wait_text(&owner, "main dl", "confirmed").await;
    assert!(decided.contains("Identity confirmed by phone"), "{decided}");
    assert!(decided.contains("border check, BER T1"), "{decided}");
    wait_text(&owner, "main", "Why this matched").await;
    c.shot(&owner, "hit-decided").await;
    // The outcome counts in the analyst's statistics, as a chart and its table.
    owner.goto(&c.url("/console/stats")).await.unwrap();
    element(&owner, "main svg").await;
    wait_text(&owner, "main", "confirmed").await;
    c.shot(&owner, "statistics").await;

    // By MRZ: the zone's fields are shown; a wrong check digit is named.
    officer.goto(&c.url("/console/screen")).await.unwrap();
    fill(&officer, "#mrz", TD3).await;
    submit(&officer, "form[action='/console/screen/mrz']").await;
    wait_text(&officer, ".verdict", "HIT").await;
    wait_text(&officer, "section.mrz", "ERIKSSON").await;
    c.shot(&officer, "screen-by-mrz").await;
    fill(&officer, "#mrz", &TD3.replace("7408122F", "7408123F")).await;
    submit(&officer, "form[action='/console/screen/mrz']").await;
    let refused = wait_text(&officer, "[role=alert]", "birth_date").await;
    assert!(refused.contains("check digit"), "{refused}");

    // A whole flight: the planted traveller comes first, marked HIT.
    let file = h.dir.path().join("XY123.edi");
    std::fs::write(&file, PAXLST).unwrap();
    officer.goto(&c.url("/console/flights")).await.unwrap();
    officer
        .find(Locator::Id("paxlst"))
        .await
        .unwrap()
        .send_keys(&file.to_string_lossy())
        .await
        .unwrap();
    submit(&officer, "form[action='/console/flights']").await;
    let flight = wait_text(&officer, "table.travellers", "OKONKWO").await;
    let first = text_of(&officer, "table.travellers tbody tr:first-child").await;
    assert!(
        first.contains("OKONKWO") && first.contains("HIT"),
        "{flight}"
    );
    assert!(flight.contains("SCHMIDT"), "{flight}");
    wait_text(&officer, "p.summary", "1 hit").await;
    c.shot(&officer, "flight").await;

    // ITA's bureau adds a record: an Arabic name, a stored script, hit-only for others.
    let bureau = browser(&driver).await;
    c.sign_in(&bureau, &h.token("ITA", "contributor"), "case entry")
        .await;
    bureau.goto(&c.url("/console/records/new")).await.unwrap();
    fill(&bureau, "#reference", "IT-2026-41").await;
    fill(&bureau, "#primary_name", "يوسف الزبيدي").await;
    fill(
        &bureau,
        "#aliases",
        "Youssef al-Zubaidi\n<script>alert(1)</script>",
    )
    .await;
    fill(&bureau, "#birth_dates", "1991-05").await;
    fill(&bureau, "#notes", "Recruiter, seen in Idlib").await;
    choose(&bureau, "#disclosure", "hit_only").await;
    fill(
        &bureau,
        "#instruction",
        "Do not alert the person; call ITA NCB.",
    )
    .await;
    c.shot(&bureau, "record-editor").await;
    submit(&bureau, "form.record").await;
    let record = wait_text(&bureau, "main", "IT-2026-41").await;
    assert!(record.contains("<script>alert(1)</script>"), "{record}");
    assert!(
        bureau.get_alert_text().await.is_err(),
        "a stored script ran"
    );
    let arabic = element(&bureau, "bdi[dir=auto]").await;
    assert_eq!(arabic.text().await.unwrap(), "يوسف الزبيدي");
    wait_text(
        &bureau,
        "section.preview",
        "Any other agency sees hit/no-hit only",
    )
    .await;
    fill(&bureau, "#as", "DEU").await;
    submit(&bureau, "section.preview form").await;
    wait_text(&bureau, "section.preview", "DEU sees hit/no-hit only").await;
    c.shot(&bureau, "record").await;

    // A form without the session's CSRF token writes nothing.
    let forged: serde_json::Value = bureau
        .execute(
            "return fetch('/console/records/new', {method: 'POST', headers: \
             {'content-type': 'application/x-www-form-urlencoded'}, \
             body: 'reference=FORGED&primary_name=Forged+Person'}).then(r => r.status)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(forged, json!(403));
    // Nor does one posted from another site while the bureau is signed in.
    bureau.goto(&attacker_site(&c.base).await).await.unwrap();
    // The attacker's form did leave: the browser is back at the console,
    // which did not take the post for the bureau's.
    let deadline = Instant::now() + Duration::from_secs(10);
    while bureau.current_url().await.unwrap().host_str() != Some("127.0.0.1") {
        assert!(
            Instant::now() < deadline,
            "the forged form was never posted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = h
        .call(
            "GET",
            "/v1/records",
            Some(&h.token("ITA", "contributor")),
            None,
        )
        .await
        .json();
    let references: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["reference"].as_str())
        .collect();
    assert!(
        references.contains(&"IT-2026-41") && !references.contains(&"FORGED"),
        "{references:?}"
    );

    // DEU meets the ITA record as hit-only: the instruction and whom to call, no more.
    officer.goto(&c.url("/console/screen")).await.unwrap();
    fill(&officer, "#name", "يوسف الزبيدي").await;
    fill(&officer, "#birth_date", "1991").await;
    submit(&officer, "form[action='/console/screen']").await;
    wait_text(&officer, ".verdict", "HIT").await;
    let result = wait_text(&officer, "ol.results", "IT-2026-41").await;
    assert!(result.contains("Hit/no-hit record"), "{result}");
    assert!(result.contains("Do not alert the person"), "{result}");
    assert!(
        !result.contains("Idlib") && !result.contains("1991-05"),
        "{result}"
    );
    c.shot(&officer, "screen-hit-only").await;
    // On a tablet held upright the same screen still reads.
    officer.set_window_size(768, 1024).await.unwrap();
    officer.goto(&c.url("/console/screen")).await.unwrap();
    element(&officer, "#name").await;
    c.shot(&officer, "tablet-screen").await;

    // The auditor sees all of it, and the chain verifies.
    owner.goto(&c.url("/console")).await.unwrap();
    submit(&owner, "form[action='/console/sign-out']").await;
    element(&owner, "#token").await;
    c.sign_in(&owner, &h.token("EUROPOL", "auditor"), "quarterly audit")
        .await;
    owner.goto(&c.url("/console/audit?verify=1")).await.unwrap();
    wait_text(&owner, "main", "Chain verified").await;
    let mut entries = Vec::new();
    for row in owner
        .find_all(Locator::Css("table.audit tbody tr"))
        .await
        .unwrap()
    {
        entries.push(row.text().await.unwrap());
    }
    for (who, action, purpose) in [
        ("ITA", "record.create", "case entry"),
        ("DEU", "screen", "border check, BER T1"),
        ("FRA", "hit.decide", "hit review"),
    ] {
        assert!(
            entries.iter().any(|e| e.contains(who)
                && e.contains(&format!(" {action} "))
                && e.contains(purpose)),
            "no {who} {action} ({purpose}) entry in {entries:#?}"
        );
    }
    c.shot(&owner, "audit").await;

    for b in [owner, officer, bureau] {
        b.close().await.unwrap();
    }
}
