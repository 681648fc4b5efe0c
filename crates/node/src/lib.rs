//! The Crossway node: configuration, listeners, connections, signals.
