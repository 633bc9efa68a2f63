//! Vigil matching engine (being written).
