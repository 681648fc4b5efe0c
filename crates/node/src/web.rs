//! The web paths of an endpoint: static files and redirects, served beside the WebSocket
//! upgrade on the same port (see `config::web` for the configuration).
//!
//! - `static_files`: a directory's files, safely (no way out of the directory).
//! - `redirect`: a path that sends the browser elsewhere (an http -> https port).
//! - `conditional`: ETag and Last-Modified, and the 304 they allow.

pub mod conditional;
pub mod redirect;
pub mod static_files;

pub use redirect::Redirect;
pub use static_files::StaticFiles;
