//! vigil-store (being written).
