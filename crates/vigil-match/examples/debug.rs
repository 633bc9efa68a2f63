fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (a, b) = (
        vigil_match::analysis::analyse(&args[1]),
        vigil_match::analysis::analyse(&args[2]),
    );
    for t in a.iter().chain(b.iter()) {
        println!(
            "{:?} {:?} latin={:?} keys={:?} skel={:?} groups={} w={}",
            t.text,
            t.class,
            t.latin,
            t.keys,
            t.skeletons,
            t.groups.len(),
            t.weight
        );
    }
    let c = vigil_match::names::compare_tokens(
        &a.iter().collect::<Vec<_>>(),
        &b.iter().collect::<Vec<_>>(),
    );
    println!("{c:#?}");
}
