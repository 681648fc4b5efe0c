//! A path that redirects: the browser is sent to the configured URL, followed by the part of the
//! request's path below the entry's path and its query string.

use crossway_transport::HttpRequest;
use tracing::debug;

/// One redirect path of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    path: String,
    url: String,
    status: u16,
}

impl Redirect {
    /// Redirects `path` and what is below it to `url` (no trailing `/`) with `status`.
    pub fn new(path: String, url: String, status: u16) -> Self {
        Redirect { path, url, status }
    }

    /// The path it serves.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where a request for `target` (path and query, as sent) goes.
    pub fn location(&self, target: &str) -> String {
        let rest = target
            .strip_prefix(self.path.trim_end_matches('/'))
            .unwrap_or(target);
        if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') {
            format!("{}{rest}", self.url)
        } else {
            format!("{}/{rest}", self.url)
        }
    }

    /// Answers `request` with the redirect.
    pub async fn serve(&self, request: HttpRequest) {
        let location = self.location(request.target());
        let body = format!("moved to {location}\n");
        let headers = [("Location", location.as_str())];
        let answer = request.respond(
            self.status,
            "text/plain; charset=utf-8",
            &headers,
            body.as_bytes(),
        );
        if let Err(e) = answer.await {
            debug!(error = %e, "redirect answer not sent");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rest_of_the_path_and_the_query_follow() {
        let r = Redirect::new("/".into(), "https://example.com".into(), 301);
        assert_eq!(r.location("/"), "https://example.com/");
        assert_eq!(r.location("/a/b?x=1"), "https://example.com/a/b?x=1");
        let r = Redirect::new("/old".into(), "https://example.com/new".into(), 308);
        assert_eq!(r.location("/old"), "https://example.com/new");
        assert_eq!(r.location("/old/p?q"), "https://example.com/new/p?q");
        assert_eq!(r.location("/old?q"), "https://example.com/new?q");
    }
}
