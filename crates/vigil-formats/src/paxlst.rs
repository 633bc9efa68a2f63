//! UN/EDIFACT PAXLST parsing (being written).
