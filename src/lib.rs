//! Crossway workspace host: integration tests, benchmarks and examples live beside this file.
