//! Validators of a file (ETag, Last-Modified) and the conditional GET they allow (RFC 9110
//! 13.1.2 and 13.1.3: `If-None-Match` wins over `If-Modified-Since`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The validators of one version of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validators {
    /// A strong ETag from the size and the modification time, quoted.
    pub etag: String,
    /// The modification time, whole seconds (what `Last-Modified` can say).
    pub modified: SystemTime,
}

impl Validators {
    /// The validators of a file of `len` octets last modified at `modified`.
    pub fn new(len: u64, modified: SystemTime) -> Self {
        let since = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
        Validators {
            etag: format!(
                "\"{len:x}-{:x}-{:x}\"",
                since.as_secs(),
                since.subsec_nanos()
            ),
            modified: UNIX_EPOCH + Duration::from_secs(since.as_secs()),
        }
    }

    /// The `Last-Modified` header's value.
    pub fn last_modified(&self) -> String {
        httpdate::fmt_http_date(self.modified)
    }

    /// Whether a GET or HEAD with these conditional headers gets 304 Not Modified.
    pub fn not_modified(
        &self,
        if_none_match: Option<&str>,
        if_modified_since: Option<&str>,
    ) -> bool {
        if let Some(tags) = if_none_match {
            return tags
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag);
        }
        match if_modified_since.and_then(|d| httpdate::parse_http_date(d.trim()).ok()) {
            Some(since) => self.modified <= since,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_wins_then_the_date_decides() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_500);
        let v = Validators::new(42, t);
        assert_eq!(v.last_modified(), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert!(v.not_modified(Some(&v.etag), None));
        assert!(v.not_modified(Some(&format!("\"x\", W/{}", v.etag)), None));
        assert!(v.not_modified(Some("*"), None));
        assert!(!v.not_modified(Some("\"other\""), Some(&v.last_modified())));
        assert!(v.not_modified(None, Some(&v.last_modified())));
        assert!(v.not_modified(None, Some("Wed, 15 Nov 2023 00:00:00 GMT")));
        assert!(!v.not_modified(None, Some("Mon, 13 Nov 2023 00:00:00 GMT")));
        assert!(!v.not_modified(None, Some("not a date")));
        assert!(!v.not_modified(None, None));
        assert_ne!(Validators::new(43, t).etag, v.etag);
    }
}
