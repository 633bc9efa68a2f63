//! The canonical spelling of a name part in its own script: the form the lexicon is keyed
//! by and the form the analyser compares. Both build on it, so it sits below both.

use crate::text::{fold_latin, strip_marks, Fold, RawToken, Script};
use crate::translit::arabic_canonical;

/// Canonical spellings of a token used for lexicon look-ups: first the one the engine
/// compares, then alternatives (the ICAO spelling of a Latin word with umlauts).
pub fn canonical_forms(raw: &RawToken) -> Vec<String> {
    match raw.script {
        Script::Latin => {
            let plain = fold_latin(&raw.text, Fold::Plain);
            let icao = fold_latin(&raw.text, Fold::Icao);
            if icao != plain {
                vec![plain, icao]
            } else {
                vec![plain]
            }
        }
        Script::Cyrillic => vec![raw.text.clone()],
        Script::Arabic => vec![arabic_canonical(&strip_marks(&raw.text))],
        Script::Greek
        | Script::Armenian
        | Script::Georgian
        | Script::Hebrew
        | Script::Hangul
        | Script::Han
        | Script::Kana
        | Script::Devanagari
        | Script::Other => {
            vec![strip_marks(&raw.text)]
        }
    }
}
