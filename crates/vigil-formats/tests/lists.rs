//! The UN and OFAC importers against the real lists in `shared/data/lists`.

use vigil_formats::import::ImportBatch;
use vigil_formats::{ofac, unsc};

fn read(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/data/lists/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn summary(batch: &ImportBatch) {
    let names: usize = batch.records.iter().map(|r| r.draft.names.len()).sum();
    eprintln!(
        "records {} names {} skipped {:?} rejected {} repaired {} dropped {}",
        batch.records.len(),
        names,
        batch.skipped_counts(),
        batch.count_diagnostics("rejected"),
        batch.count_diagnostics("repaired"),
        batch.count_diagnostics("dropped")
    );
    let mut msgs = std::collections::BTreeMap::new();
    for d in &batch.diagnostics {
        *msgs.entry(d.message.chars().take(70).collect::<String>()).or_insert(0) += 1;
    }
    for (m, n) in msgs.iter().take(60) {
        eprintln!("  {n} {m}");
    }
}

#[test]
fn explore() {
    for f in ["un_sc_consolidated_2024-05-15.xml", "un_sc_consolidated_2020-11-24.xml"] {
        let b = unsc::parse(&read(f)).unwrap();
        summary(&b);
    }
    let t = std::time::Instant::now();
    let b = ofac::parse(&read("ofac_sdn_2024-05-07.xml")).unwrap();
    eprintln!("ofac {:?}", t.elapsed());
    summary(&b);
}
