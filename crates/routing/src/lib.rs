//! The Crossway router without I/O: realms, sessions, the broker.
