//! The iuliia transliterator: a Cyrillic romanisation scheme as data (letters plus context
//! rules for the previous letter, the next letter and word endings) and how a word is
//! romanised with it. The schemes themselves are generated into `cyrillic_tables`; this is
//! apart from the parent module so that those tables and the list of schemes that uses them
//! do not import each other.

/// An iuliia transliteration scheme.
pub struct Scheme {
    // Only the tests look a scheme up by name (to run its sample pairs).
    #[cfg_attr(not(test), allow(dead_code))]
    pub name: &'static str,
    pub(super) mapping: &'static [(char, &'static str)],
    pub(super) prev: &'static [(&'static str, &'static str)],
    pub(super) next: &'static [(&'static str, &'static str)],
    pub(super) ending: &'static [(&'static str, &'static str)],
}

/// Letters of other Cyrillic alphabets, missing from the Russian-only scheme files.
const CYRILLIC_EXTRA: &[(char, &str)] = &[
    ('і', "i"),
    ('ї', "yi"),
    ('є', "ye"),
    ('ґ', "g"),
    ('ў', "u"),
    ('ђ', "dj"),
    ('ј', "j"),
    ('љ', "lj"),
    ('њ', "nj"),
    ('ћ', "c"),
    ('џ', "dz"),
    ('қ', "k"),
    ('ғ', "g"),
    ('ұ', "u"),
    ('ү', "u"),
    ('ө', "o"),
    ('ң', "ng"),
    ('һ', "h"),
    ('ә', "a"),
    ('ѓ', "g"),
    ('ќ', "k"),
    ('ѕ', "dz"),
];

fn lookup<'a>(table: &'a [(&str, &'a str)], key: &str) -> Option<&'a str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

impl Scheme {
    /// Romanises text word by word, keeping everything that is not a Cyrillic letter.
    pub fn transliterate(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 2);
        let mut word: Vec<char> = Vec::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_alphabetic() {
                word.push(c);
            } else {
                self.word(&word, &mut out);
                word.clear();
                out.push(c);
            }
        }
        // Drop the sentinel space that flushed the last word.
        out.pop();
        out
    }

    fn word(&self, word: &[char], out: &mut String) {
        let lower: Vec<char> = word.iter().flat_map(|c| c.to_lowercase()).collect();
        if lower.len() != word.len() {
            // A letter whose lower case is several characters is not Cyrillic: copy as is.
            out.extend(word);
            return;
        }
        let mut stem_len = lower.len();
        let mut ending = None;
        if lower.len() > 2 {
            let tail: String = lower[lower.len() - 2..].iter().collect();
            if let Some(e) = lookup(self.ending, &tail) {
                stem_len -= 2;
                ending = Some(e);
            }
        }
        let mut buf = [0u8; 8];
        for i in 0..stem_len {
            let cur = lower[i];
            let prev: String = if i == 0 {
                String::new()
            } else {
                lower[i - 1].to_string()
            };
            let next: String = lower.get(i + 1).map(char::to_string).unwrap_or_default();
            let key_prev = format!("{prev}{cur}");
            let key_next = format!("{cur}{next}");
            let piece = lookup(self.prev, &key_prev)
                .or_else(|| lookup(self.next, &key_next))
                .or_else(|| {
                    self.mapping
                        .iter()
                        .find(|(k, _)| *k == cur)
                        .map(|(_, v)| *v)
                })
                .or_else(|| {
                    CYRILLIC_EXTRA
                        .iter()
                        .find(|(k, _)| *k == cur)
                        .map(|(_, v)| *v)
                })
                .unwrap_or_else(|| cur.encode_utf8(&mut buf));
            if word[i].is_uppercase() {
                let mut chars = piece.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.extend(chars);
                }
            } else {
                out.push_str(piece);
            }
        }
        if let Some(e) = ending {
            out.push_str(e);
        }
    }
}
