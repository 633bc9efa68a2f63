//! Vigil's matching engine (being written).
pub mod analysis;
pub mod keys;
pub mod lexicon;
pub mod names;
pub mod similarity;
pub mod text;
pub mod translit;

pub const DEFAULT_THRESHOLD: f64 = 0.8;

pub fn compare_names(a: &str, b: &str) -> f64 {
    let (x, y) = (analysis::analyse(a), analysis::analyse(b));
    names::compare_tokens(&x.iter().collect::<Vec<_>>(), &y.iter().collect::<Vec<_>>()).score
}
