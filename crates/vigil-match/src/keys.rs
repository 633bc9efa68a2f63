//! 64-bit hashing of canonical strings: the currency of the lexicon tables and the index's
//! posting lists. A stable, dependency-free FNV-1a is enough: keys are short and collisions at
//! 2^-64 only cost one extra candidate that full scoring then rejects.

/// Hashes a canonical string with a one-byte namespace so that, say, a skeleton and a phonetic
/// key that happen to be spelled alike stay distinct keys.
pub fn hash(namespace: u8, text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(namespace);
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Hashes an integer key (a variant group id) into the same space as [`hash`].
pub fn hash_id(namespace: u8, id: u32) -> u64 {
    let mut h = u64::from(id) ^ (u64::from(namespace) << 56);
    // splitmix64 finaliser: spreads small ids over all 64 bits.
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Hasher for maps already keyed by a well-mixed u64 (or a small integer that we mix here):
/// std's SipHash would dominate the cost of posting-list lookups.
#[derive(Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// `HashMap` with [`IdentityHasher`].
pub type FastMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<IdentityHasher>>;
