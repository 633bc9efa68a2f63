//! Tidy checks over the workspace's sources, in the spirit of rust-analyzer's `tidy` test:
//! every module opens with a `//!` comment saying what it is for, and within each crate no
//! two modules import each other, directly or around a longer circle.
//!
//! The import graph is read from the text, not from the compiler: an edge A → B for every
//! `crate::b…` or `super::…` path in A, comments and everything from the first
//! `#[cfg(test)]` on left out (tests may reach anywhere; test modules come last). A path
//! names the deepest module that has a file. Edges from the crate root, which declares every
//! module, and from a module into its own submodules are structure, not dependencies.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A module as the names on its path from the crate root (`["routes", "records"]`).
type Module = Vec<String>;

#[test]
fn modules_are_documented_and_do_not_import_each_other() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&crates)
        .expect("crates/")
        .map(|e| e.expect("crates/ entry").path())
        .collect();
    dirs.sort();
    let mut problems = Vec::new();
    for dir in dirs.iter().filter(|d| d.join("src").is_dir()) {
        let src = dir.join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut modules = BTreeMap::new();
        for file in &files {
            let text = fs::read_to_string(file).expect("source file");
            let first = text.lines().map(str::trim).find(|l| !l.is_empty());
            if !first.is_some_and(|l| l.starts_with("//!")) {
                let file = file.strip_prefix(&crates).unwrap_or(file);
                problems.push(format!("{}: no `//!` module comment", file.display()));
            }
            modules.insert(module_of(&src, file), text);
        }
        let graph: BTreeMap<&Module, BTreeSet<Module>> = modules
            .iter()
            .filter(|(module, _)| !module.is_empty())
            .map(|(module, text)| (module, imports(module, text, &modules)))
            .collect();
        let krate = dir.file_name().unwrap().to_string_lossy();
        for circle in circles(&graph) {
            let names: Vec<String> = circle.iter().map(|m| m.join("::")).collect();
            problems.push(format!("{krate}: {}", names.join(" -> ")));
        }
    }
    assert!(problems.is_empty(), "tidy:\n{}\n", problems.join("\n"));
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("source folder")
        .map(|e| e.expect("source entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `lib.rs`, `main.rs` → the root; `a.rs` and `a/mod.rs` → `a`; `a/b.rs` → `a::b`.
fn module_of(src: &Path, file: &Path) -> Module {
    let mut names: Module = file
        .strip_prefix(src)
        .expect("file under src/")
        .with_extension("")
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if names == ["lib"] || names == ["main"] || names.last().is_some_and(|n| n == "mod") {
        names.pop();
    }
    names
}

/// The modules outside its own subtree that `module` refers to.
fn imports(module: &Module, text: &str, modules: &BTreeMap<Module, String>) -> BTreeSet<Module> {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or_default();
    let code: Vec<&str> = before_tests
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect();
    let code = code.join("\n");
    let mut paths = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        if starts_path(&code[..i]) {
            use_tree(&code[i + "crate::".len()..], Vec::new(), &mut paths);
        }
    }
    for (i, _) in code.match_indices("super::") {
        if starts_path(&code[..i]) {
            let (mut base, mut rest) = (module.clone(), &code[i..]);
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            use_tree(rest, base, &mut paths);
        }
    }
    paths
        .into_iter()
        .filter_map(|mut path| {
            while !path.is_empty() && !modules.contains_key(&path) {
                path.pop();
            }
            let own = path.len() >= module.len() && path[..module.len()] == module[..];
            (!path.is_empty() && !own).then_some(path)
        })
        .collect()
}

/// Whether a path begins after `before`: not `$crate::`, not the middle of `a::super::`.
fn starts_path(before: &str) -> bool {
    !before.ends_with(|c: char| c.is_alphanumeric() || "_$:".contains(c))
}

/// Reads the path, or `{…}` group of paths, that `text` starts with, each under `path`, into
/// `out`; returns how far it read.
fn use_tree(text: &str, mut path: Vec<String>, out: &mut Vec<Module>) -> usize {
    let mut at = 0;
    loop {
        if text[at..].starts_with('{') {
            at += 1;
            loop {
                at += text[at..].len() - text[at..].trim_start().len();
                if text[at..].starts_with('}') {
                    return at + 1;
                }
                at += use_tree(&text[at..], path.clone(), out);
                // Past `as Name` to the `,` or `}` that ends the item.
                at += text[at..].find([',', '}']).unwrap_or(text.len() - at);
                if !text[at..].starts_with(',') {
                    return (at + 1).min(text.len());
                }
                at += 1;
            }
        }
        let rest = &text[at..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        path.push(rest[..len].to_string());
        at += len;
        if !text[at..].starts_with("::") {
            break;
        }
        at += 2;
    }
    out.push(path);
    at
}

/// One circle for every edge that closes one in a depth-first walk, so every module that is
/// on a circle shows up in at least one.
fn circles<'a>(graph: &BTreeMap<&'a Module, BTreeSet<Module>>) -> Vec<Vec<&'a Module>> {
    fn walk<'a>(
        module: &'a Module,
        graph: &BTreeMap<&'a Module, BTreeSet<Module>>,
        stack: &mut Vec<&'a Module>,
        done: &mut BTreeSet<&'a Module>,
        out: &mut Vec<Vec<&'a Module>>,
    ) {
        stack.push(module);
        for target in &graph[module] {
            let (&next, _) = graph.get_key_value(target).expect("imports are modules");
            if let Some(at) = stack.iter().position(|m| *m == next) {
                out.push(stack[at..].iter().copied().chain([next]).collect());
            } else if !done.contains(next) {
                walk(next, graph, stack, done, out);
            }
        }
        stack.pop();
        done.insert(module);
    }
    let (mut done, mut out) = (BTreeSet::new(), Vec::new());
    for &module in graph.keys() {
        if !done.contains(module) {
            walk(module, graph, &mut Vec::new(), &mut done, &mut out);
        }
    }
    out
}
