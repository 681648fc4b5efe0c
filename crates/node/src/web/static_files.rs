//! A directory's files over HTTP: GET and HEAD, `index.html` for a directory, a content type
//! from the file name, ETag and Last-Modified with 304, and no directory listing.
//!
//! No request reaches outside the directory: the path is percent-decoded once, then any `.` or
//! `..` segment, NUL octet or invalid UTF-8 is refused, and the file found is canonicalized
//! (symlinks resolved) and must still lie inside the directory's canonical path, so a symlink
//! pointing outside gives 404 like a missing file. Files stream from the disk to the socket.

use std::path::{Path, PathBuf};

use async_std::fs;
use crossway_transport::HttpRequest;
use percent_encoding::percent_decode_str;
use tracing::debug;

use crate::web::conditional::Validators;

/// The file served for a directory.
pub const INDEX: &str = "index.html";

/// One static path of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFiles {
    path: String,
    root: PathBuf,
}

/// Why a request gets no file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    /// 400: a NUL octet, bad percent-encoding or a path that is not UTF-8.
    BadRequest,
    /// 404: nothing there, or not allowed to be seen (outside, a directory without index).
    NotFound,
}

/// What a request's path leads to.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// A regular file inside the directory (canonical path).
    File(PathBuf),
    /// A directory asked for without its trailing `/`: redirect there so relative links work.
    AddSlash,
}

impl StaticFiles {
    /// Serves `root` (a canonical directory) at `path` and below it.
    pub fn new(path: String, root: PathBuf) -> Self {
        StaticFiles { path, root }
    }

    /// The path it serves.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Answers `request`.
    pub async fn serve(&self, request: HttpRequest) {
        let head = match request.method() {
            "GET" => false,
            "HEAD" => true,
            _ => {
                let headers = [("Allow", "GET, HEAD")];
                return answer(request, 405, &headers, "only GET and HEAD here\n").await;
            }
        };
        let found = self.find(request.path()).await;
        let file = match found {
            Ok(Found::File(file)) => file,
            Ok(Found::AddSlash) => {
                let location = add_slash(request.target());
                let headers = [("Location", location.as_str())];
                return answer(request, 301, &headers, "moved\n").await;
            }
            Err(Miss::BadRequest) => return answer(request, 400, &[], "bad path\n").await,
            Err(Miss::NotFound) => return answer(request, 404, &[], "not found\n").await,
        };
        let meta = match fs::metadata(&file).await {
            Ok(m) => m,
            Err(_) => return answer(request, 404, &[], "not found\n").await,
        };
        let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
        let validators = Validators::new(meta.len(), modified);
        let last_modified = validators.last_modified();
        let content_type = content_type(&file);
        let headers = [
            ("ETag", validators.etag.as_str()),
            ("Last-Modified", last_modified.as_str()),
            ("X-Content-Type-Options", "nosniff"),
        ];
        let not_modified = validators.not_modified(
            request.header("if-none-match"),
            request.header("if-modified-since"),
        );
        let sent = if not_modified {
            let none: Option<fs::File> = None;
            request
                .respond_stream(304, &content_type, &headers, 0, none)
                .await
        } else if head {
            let none: Option<fs::File> = None;
            request
                .respond_stream(200, &content_type, &headers, meta.len(), none)
                .await
        } else {
            match fs::File::open(&file).await {
                Ok(f) => {
                    request
                        .respond_stream(200, &content_type, &headers, meta.len(), Some(f))
                        .await
                }
                Err(e) => {
                    debug!(file = %file.display(), error = %e, "static file not opened");
                    return answer(request, 404, &[], "not found\n").await;
                }
            }
        };
        if let Err(e) = sent {
            debug!(file = %file.display(), error = %e, "static file not sent whole");
        }
    }

    /// The file that `path` (as sent, undecoded) names, if the request may have it.
    async fn find(&self, path: &str) -> Result<Found, Miss> {
        let below = path
            .strip_prefix(self.path.trim_end_matches('/'))
            .ok_or(Miss::NotFound)?;
        let segments = segments(below)?;
        let wants_directory = below.is_empty() || below.ends_with('/');
        let mut candidate = self.root.clone();
        candidate.extend(&segments);
        let real = self.inside(&candidate).await?;
        let meta = fs::metadata(&real).await.map_err(|_| Miss::NotFound)?;
        if meta.is_dir() {
            if !wants_directory {
                return Ok(Found::AddSlash);
            }
            let index = self.inside(&real.join(INDEX)).await?;
            let is_file = fs::metadata(&index).await.is_ok_and(|m| m.is_file());
            return if is_file {
                Ok(Found::File(index))
            } else {
                Err(Miss::NotFound)
            };
        }
        if meta.is_file() && !wants_directory {
            Ok(Found::File(real))
        } else {
            Err(Miss::NotFound)
        }
    }

    /// `candidate` with every symlink resolved, if that is still inside the directory.
    async fn inside(&self, candidate: &Path) -> Result<PathBuf, Miss> {
        let real: PathBuf = fs::canonicalize(candidate)
            .await
            .map_err(|_| Miss::NotFound)?
            .into();
        if real.starts_with(&self.root) {
            Ok(real)
        } else {
            Err(Miss::NotFound)
        }
    }
}

/// The decoded segments of the part of a path below the served path: `.`, `..`, NUL and
/// invalid UTF-8 are refused, empty segments skipped.
fn segments(below: &str) -> Result<Vec<String>, Miss> {
    let decoded = percent_decode_str(below)
        .decode_utf8()
        .map_err(|_| Miss::BadRequest)?;
    if decoded.contains('\0') {
        return Err(Miss::BadRequest);
    }
    let mut out = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" => {}
            "." | ".." => return Err(Miss::NotFound),
            s if s.contains('\\') => return Err(Miss::NotFound),
            s => out.push(s.to_owned()),
        }
    }
    Ok(out)
}

/// The request target with a `/` after its path, and one `/` at its start (`//host/x` would
/// send the browser to another host).
fn add_slash(target: &str) -> String {
    let target = format!("/{}", target.trim_start_matches('/'));
    match target.split_once('?') {
        Some((path, query)) => format!("{path}/?{query}"),
        None => format!("{target}/"),
    }
}

/// The content type of `file`, from its extension; text types say UTF-8.
fn content_type(file: &Path) -> String {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml");
    if text && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// A short plain-text answer.
async fn answer(request: HttpRequest, status: u16, headers: &[(&str, &str)], body: &str) {
    let sent = request
        .respond(
            status,
            "text/plain; charset=utf-8",
            headers,
            body.as_bytes(),
        )
        .await;
    if let Err(e) = sent {
        debug!(error = %e, status, "static answer not sent");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_refuse_every_way_out() {
        assert_eq!(segments("/a/b.js"), Ok(vec!["a".into(), "b.js".into()]));
        assert_eq!(segments("//a///"), Ok(vec!["a".into()]));
        assert_eq!(segments("/a%20b"), Ok(vec!["a b".into()]));
        assert_eq!(segments("/../x"), Err(Miss::NotFound));
        assert_eq!(segments("/%2e%2e/x"), Err(Miss::NotFound));
        assert_eq!(segments("/%2E%2E%2Fx"), Err(Miss::NotFound));
        assert_eq!(segments("/a/./b"), Err(Miss::NotFound));
        assert_eq!(segments("/..%5cx"), Err(Miss::NotFound));
        assert_eq!(segments("/a%00.html"), Err(Miss::BadRequest));
        assert_eq!(segments("/%ff"), Err(Miss::BadRequest));
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type(Path::new("a.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("a.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("a.png")), "image/png");
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }

    #[test]
    fn a_slash_goes_before_the_query() {
        assert_eq!(add_slash("/app"), "/app/");
        assert_eq!(add_slash("/app?x=1"), "/app/?x=1");
        assert_eq!(add_slash("//evil.example/x"), "/evil.example/x/");
    }
}
