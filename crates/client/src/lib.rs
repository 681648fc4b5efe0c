//! An async WAMP client for tests, examples and benchmarks.
