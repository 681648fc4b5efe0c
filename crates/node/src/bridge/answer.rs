//! The bridge's answers: JSON bodies with the status that says what happened.

use serde_json::json;

/// One answer: a status and a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: serde_json::Value,
    /// Extra header lines (`Allow`, `Accept`).
    pub headers: Vec<(&'static str, &'static str)>,
}

impl Answer {
    /// 200 with the publication's id (the request asked for `acknowledge`).
    pub fn published(id: u64) -> Answer {
        Answer::new(200, json!({ "id": id }))
    }

    /// 202: published, without the id (the request did not ask for `acknowledge`).
    pub fn accepted() -> Answer {
        Answer::new(202, json!({}))
    }

    /// An error: `status`, a short machine-readable `error` (a WAMP error URI where the router
    /// gave one) and a sentence for people.
    pub fn error(status: u16, error: &str, message: impl Into<String>) -> Answer {
        let message: String = message.into();
        Answer::new(status, json!({ "error": error, "message": message }))
    }

    /// Adds a header line.
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Answer {
        self.headers.push((name, value));
        self
    }

    fn new(status: u16, body: serde_json::Value) -> Answer {
        Answer {
            status,
            body,
            headers: Vec::new(),
        }
    }
}
