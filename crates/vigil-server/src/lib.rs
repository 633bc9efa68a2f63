//! vigil-server (being written).
