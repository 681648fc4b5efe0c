//! Bytes in and out for Crossway: TCP, Unix, TLS, WebSocket and RawSocket framing.
