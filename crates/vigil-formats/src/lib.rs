//! Vigil's data formats: bytes in, typed values plus diagnostics out.
//!
//! Layout:
//! - [`mrz`]: ICAO 9303 machine-readable zones (TD1, TD2, TD3, MRV-A, MRV-B).
//! - [`paxlst`]: UN/EDIFACT PAXLST passenger lists, parser and emitter.
//! - [`ftm`]: FollowTheMoney entities as JSON lines, both ways.
//! - [`unsc`]: the UN Security Council consolidated list (XML).
//! - [`ofac`]: the US OFAC SDN list (XML).
//! - [`import`]: what the list importers return (records, skipped rows,
//!   diagnostics) and the file-level [`import::FormatError`].
//!
//! No module here touches the network, the database or the clock except
//! where a caller passes "today" in (two-digit MRZ years).

pub mod ftm;
pub mod import;
pub mod mrz;
pub mod ofac;
pub mod paxlst;
pub mod unsc;
