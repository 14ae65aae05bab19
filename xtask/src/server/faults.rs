//! A server that misbehaves on purpose (`/async-demo-api/fault/...`).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use endpoints::{number, query_number, CHUNK, MAX_BYTES, MAX_DELAY_MS};
use tokio::io::AsyncWrite;
use tokio::net::TcpStream;

use super::api::query;
use super::conn::{Activity, Limits};
use super::reply::{quote, sentence, Said, Segment, TEXT};

// ---- Faults: a misbehaving server on purpose (`/async-demo-api/fault/...`) ----
//
// The fault suite points lessons at these to check that every way a server
// can misbehave ends the one task it affects, with a sentence or at its
// deadline. They live on the dev server itself, so a page reaches them from
// its own origin (Chromium's local-network protection would block another
// loopback port). Each is bounded: none runs on after its client has gone,
// and none runs forever while its client stays.

/// The longest a fault keeps a connection waiting, or streams to it, before
/// giving up on it: the default of [`Limits::fault_wait`]. (The idle timeout,
/// when it is shorter, closes a silent connection first.)
pub const MAX_FAULT_WAIT: Duration = Duration::from_secs(120);
/// The most `/async-demo-api/fault/endless` sends before it stops (by cutting the connection).
pub const MAX_ENDLESS_BYTES: u64 = 200_000_000;
/// How many hops `/async-demo-api/fault/redirect/{n}` gives before it answers 508.
pub const MAX_REDIRECTS: u64 = 100;

/// What a fault endpoint asks of its own connection, below HTTP. hyper only
/// writes well-formed responses, so the connection's socket ([`Watched`])
/// carries these out in hyper's place, at the response's first write.
#[derive(Debug, Default)]
pub(super) struct Sabotage {
    /// Set once a plan is in; read on every write, so it is a plain flag.
    pub(super) armed: AtomicBool,
    plan: std::sync::Mutex<Option<Plan>>,
}

#[derive(Debug)]
pub(super) enum Plan {
    /// Reset the connection (TCP RST) before anything of the response is sent.
    Reset,
    /// Send these bytes instead of hyper's response, then close the connection.
    Raw { bytes: Vec<u8>, sent: usize },
}

impl Sabotage {
    fn arm(&self, plan: Plan) {
        *self
            .plan
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(plan);
        self.armed.store(true, Ordering::SeqCst);
    }
}

/// Carries out the plan on `socket`: every write of hyper's ends here, and
/// ends in an error, so that hyper drops the connection once the plan is done.
pub(super) fn poll_sabotage(
    socket: &mut TcpStream,
    sabotage: &Sabotage,
    activity: &Activity,
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    let mut plan = sabotage
        .plan
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(Plan::Raw { bytes, sent }) = plan.as_mut() {
        while *sent < bytes.len() {
            match Pin::new(&mut *socket).poll_write(cx, &bytes[*sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    *sent += n;
                    activity.touch();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        // Closed with a FIN when hyper drops the socket, after what was sent.
        return Poll::Ready(Err(io::Error::other(
            "closed on purpose after a raw answer (/async-demo-api/fault)",
        )));
    }
    // No linger: closing the socket sends a reset, not a FIN.
    let _ = socket.set_zero_linger();
    Poll::Ready(Err(io::Error::new(
        io::ErrorKind::ConnectionReset,
        "reset on purpose (/async-demo-api/fault)",
    )))
}

/// How long the faults of `request`'s connection may last ([`Limits::fault_wait`]).
pub(super) fn fault_wait(request: &Request) -> Duration {
    request
        .extensions()
        .get::<Limits>()
        .map_or(MAX_FAULT_WAIT, |limits| limits.fault_wait)
}

/// Arms `plan` on the request's connection. The response returned stands in
/// for hyper; its body never ends, so the request counts as aborted, and
/// nothing of it is sent. Served by something other than [`Server`] (no
/// connection to sabotage), the answer is a 501 with a sentence.
pub(super) fn sabotaged(request: &Request, plan: Plan) -> Response {
    let Some(sabotage) = request.extensions().get::<Arc<Sabotage>>() else {
        return sentence(
            StatusCode::NOT_IMPLEMENTED,
            "This fault needs the dev server's own connections (xtask::server::Server); it cannot be played here.",
        );
    };
    sabotage.arm(plan);
    let never = futures_util::stream::pending::<Result<Bytes, io::Error>>();
    ([TEXT], Body::from_stream(never)).into_response()
}

/// A raw response head (HTTP/1.1, CRLF line ends, the blank line included),
/// with the headers every `/api` answer has.
pub(super) fn raw_head(status_line: &str, headers: &[&str]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status_line}\r\nContent-Type: text/plain; charset=utf-8\r\n");
    for line in headers
        .iter()
        .chain(&["Cache-Control: no-store", "Access-Control-Allow-Origin: *"])
    {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// `GET /async-demo-api/fault/hang`: no answer, ever. It ends when the client goes
/// (hyper then drops this handler), when the connection's idle timeout
/// strikes, or after [`Limits::fault_wait`], when the connection is closed unanswered.
pub(super) async fn fault_hang(request: Request) -> Response {
    tokio::time::sleep(fault_wait(&request)).await;
    sabotaged(
        &request,
        Plan::Raw {
            bytes: Vec::new(),
            sent: 0,
        },
    )
}

/// `GET /async-demo-api/fault/stall`: a 200 head promising 1,000 bytes, then silence
/// (ended like [`fault_hang`]: the connection is cut after [`Limits::fault_wait`]).
pub(super) async fn fault_stall(request: Request) -> Response {
    let wait = fault_wait(&request);
    let silence = futures_util::stream::once(async move {
        tokio::time::sleep(wait).await;
        Err::<Bytes, _>(io::Error::other("the stalled body was given up"))
    });
    (
        [TEXT],
        [(header::CONTENT_LENGTH, "1000")],
        Body::from_stream(silence),
    )
        .into_response()
}

/// `GET /async-demo-api/fault/reset`: the connection is reset (RST) before the status line.
pub(super) async fn fault_reset(request: Request) -> Response {
    sabotaged(&request, Plan::Reset)
}

/// `GET /async-demo-api/fault/close`: the connection is closed (FIN) before the status line.
pub(super) async fn fault_close(request: Request) -> Response {
    sabotaged(
        &request,
        Plan::Raw {
            bytes: Vec::new(),
            sent: 0,
        },
    )
}

/// `GET /async-demo-api/fault/truncated`: `Content-Length: 1000`, 300 bytes, then the
/// connection is closed.
pub(super) async fn fault_truncated(request: Request) -> Response {
    let mut bytes = raw_head("200 OK", &["Content-Length: 1000"]);
    bytes.extend_from_slice(&[b'.'; 300]);
    sabotaged(&request, Plan::Raw { bytes, sent: 0 })
}

/// `GET /async-demo-api/fault/length/{kind}`: a `Content-Length` that lies about a
/// 100-byte body: `short` says 10, `conflicting` says both 10 and 100,
/// `invalid` says "ten"; then the connection is closed.
pub(super) async fn fault_length(Segment(kind): Segment, request: Request) -> Response {
    let kind = endpoints::segment(&kind);
    let header = match kind.as_str() {
        "short" => vec!["Content-Length: 10"],
        "conflicting" => vec!["Content-Length: 10", "Content-Length: 100"],
        "invalid" => vec!["Content-Length: ten"],
        _ => {
            return sentence(
                StatusCode::NOT_FOUND,
                format!(
                    "No such length fault: “{}”; there are short, conflicting and invalid.",
                    quote(&kind)
                ),
            )
        }
    };
    let mut bytes = raw_head("200 OK", &header);
    bytes.extend_from_slice(&[b'x'; 100]);
    sabotaged(&request, Plan::Raw { bytes, sent: 0 })
}

/// `GET /async-demo-api/fault/endless?bytes=N&ms=T`: N bytes (1–65536, default 1000)
/// every T ms (1–30000, default 100), with no length and no end. It stops
/// when the client goes, and otherwise after [`Limits::fault_wait`] or
/// [`MAX_ENDLESS_BYTES`], by cutting the connection (never a clean end).
pub(super) async fn fault_endless(request: Request) -> Result<Response, Said> {
    let wait = fault_wait(&request);
    let query = query(RawQuery(request.uri().query().map(str::to_string)));
    let chunk = query_number(&query, "bytes", 1000, 65_536, "bytes")?.max(1);
    let ms = query_number(&query, "ms", 100, MAX_DELAY_MS, "milliseconds")?.max(1);
    let started = Instant::now();
    let stream = futures_util::stream::unfold(0u64, move |sent| async move {
        if sent == u64::MAX {
            return None;
        }
        if started.elapsed() >= wait || sent >= MAX_ENDLESS_BYTES {
            // An error, not an end: hyper cuts the connection mid-body.
            return Some((
                Err(io::Error::other("the endless stream reached its cap")),
                u64::MAX,
            ));
        }
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Some((Ok(Bytes::from(vec![b'~'; chunk as usize])), sent + chunk))
    });
    Ok(([TEXT], Body::from_stream(stream)).into_response())
}

/// `GET /async-demo-api/fault/redirect/{n}`: a redirect to `/async-demo-api/fault/redirect/{n+1}`,
/// for ever as far as a client can tell (browsers give up after 20); past
/// [`MAX_REDIRECTS`] hops, a 508 with a sentence.
pub(super) async fn fault_redirect(Segment(n): Segment) -> Result<Response, Said> {
    let n = number("The hop", &endpoints::segment(&n), 1_000_000, "hops")?;
    if n >= MAX_REDIRECTS {
        return Ok(sentence(
            StatusCode::LOOP_DETECTED,
            format!("This redirect loop has gone {n} hops; it stops here."),
        ));
    }
    let next = format!("/async-demo-api/fault/redirect/{}", n + 1);
    Ok((
        StatusCode::FOUND,
        [TEXT],
        [(header::LOCATION, next)],
        "Round and round.",
    )
        .into_response())
}

/// One round of `/async-demo-api/fault/garbage`: invalid UTF-8 of every kind (a lone
/// continuation byte, an overlong `/`, a UTF-16 surrogate, bytes that never
/// occur in UTF-8, a cut sequence), NUL, control characters, and markup.
pub(super) const GARBAGE: &[u8] = b"\xff\xfe\x80 \xc0\xaf \xed\xa0\x80 \xf8\x88\x80\x80\x80 \xe2\x82\0\x1b[31m\x07\x08<script>window.pwned=1</script><img src=x onerror=window.pwned=1>\r\n";

/// `GET /async-demo-api/fault/garbage?bytes=N`: N bytes (default 1024, ≤ [`MAX_BYTES`])
/// of [`GARBAGE`] over and over, labelled `text/plain; charset=utf-8`;
/// streamed like `/async-demo-api/binary`.
pub(super) async fn fault_garbage(raw: RawQuery) -> Result<Response, Said> {
    let bytes = query_number(&query(raw), "bytes", 1024, MAX_BYTES, "bytes")?;
    let chunks = (0..bytes).step_by(CHUNK as usize).map(move |start| {
        let end = (start + CHUNK).min(bytes);
        let chunk: Vec<u8> = (start..end)
            .map(|i| GARBAGE[(i % GARBAGE.len() as u64) as usize])
            .collect();
        Ok::<_, io::Error>(Bytes::from(chunk))
    });
    let length = (header::CONTENT_LENGTH, bytes.to_string());
    Ok((
        [TEXT],
        [length],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response())
}
