//! Who may talk to the server: a `Host` that is `localhost` or an IP
//! address (against DNS rebinding), and, to reset the counters, a page on
//! this machine.

use std::net::IpAddr;

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::reply::{quote, sentence};

/// The host of an authority (`host`, `host:port`, `[v6]:port`), without the port.
pub(super) fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match authority.rsplit_once(':') {
        // One colon: a port. More: a bare IPv6 address.
        Some((host, _)) if !host.contains(':') => host,
        _ => authority,
    }
}

/// `localhost` or a name under `.localhost` (RFC 6761: always this machine).
pub(super) fn is_localhost_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// An origin (`scheme://host[:port]`) on this machine.
pub(super) fn is_local_origin(origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false; // "null" and anything else unparseable
    };
    let host = host_of(authority);
    matches!(scheme, "http" | "https")
        && (is_localhost_name(host) || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()))
}

/// Refuses (403 with a sentence) a request whose `Host` is a name other than
/// `localhost`: the defence against DNS rebinding.
///
/// Why: the server listens on a loopback address only, but a web site can
/// point its own name at 127.0.0.1 after the page has loaded (DNS
/// rebinding); the browser then treats this server as that site's own
/// origin, so its scripts could read every file and answer here. Such
/// requests carry the site's name in `Host`. A `Host` that is an IP address
/// (any: an address cannot be rebound) or `localhost` / `*.localhost` is
/// answered; a request without `Host` (HTTP/1.0; browsers always send it) too.
pub(super) async fn check_host(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    if let Some(authority) = host {
        let name = host_of(&authority);
        if !is_localhost_name(name) && name.parse::<IpAddr>().is_err() {
            return sentence(
                StatusCode::FORBIDDEN,
                format!(
                    "This dev server answers only to localhost and IP addresses, not to the host name “{}” (a guard against DNS rebinding); open it as http://127.0.0.1:PORT/ or http://localhost:PORT/.",
                    quote(name)
                ),
            );
        }
    }
    next.run(request).await
}
