//! What a realm offers beyond routing, and its bounds: the meta API, event retention, event
//! history and session testaments.

use crate::matcher::MatchPolicy;

/// A realm's optional features and their bounds; [`Default`] is what a realm without these keys
/// in its configuration gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealmOptions {
    /// Whether the router answers the session, subscription and registration meta procedures and
    /// publishes their meta events (default true).
    pub meta_api: bool,
    /// Event retention (PUBLISH `retain`): its bounds.
    pub retention: RetentionLimits,
    /// Event history: which topics keep their last events, and how many.
    pub history: Vec<HistoryRule>,
    /// Session testaments: the bounds per session.
    pub testaments: TestamentLimits,
}

/// The bounds on the retained events of one realm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionLimits {
    /// Topics with a retained event at most (0 turns retention off).
    pub max_topics: usize,
    /// Bytes of retained payloads and topics at most.
    pub max_bytes: usize,
}

/// Topics whose publications the event history keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRule {
    /// The topic, prefix or wildcard pattern.
    pub uri: String,
    /// How `uri` matches topics.
    pub policy: MatchPolicy,
    /// Events kept at most (the oldest goes first).
    pub limit: usize,
    /// Bytes of kept payloads at most (the oldest goes first).
    pub max_bytes: usize,
}

/// The bounds on one session's testaments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestamentLimits {
    /// Testaments one session may hold, both scopes together.
    pub max_count: usize,
    /// Bytes of their payloads and topics, both scopes together.
    pub max_bytes: usize,
}

impl Default for RealmOptions {
    fn default() -> Self {
        RealmOptions {
            meta_api: true,
            retention: RetentionLimits::default(),
            history: Vec::new(),
            testaments: TestamentLimits::default(),
        }
    }
}

impl Default for RetentionLimits {
    fn default() -> Self {
        RetentionLimits {
            max_topics: 10_000,
            max_bytes: 16 << 20,
        }
    }
}

impl Default for TestamentLimits {
    fn default() -> Self {
        TestamentLimits {
            max_count: 16,
            max_bytes: 64 << 10,
        }
    }
}

impl HistoryRule {
    /// The default number of events a rule keeps.
    pub const DEFAULT_LIMIT: usize = 100;
    /// The default bytes a rule keeps.
    pub const DEFAULT_MAX_BYTES: usize = 1 << 20;
}
