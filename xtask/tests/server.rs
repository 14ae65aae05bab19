//! The dev server over real sockets: endpoints, refusals, counters, limits,
//! compression, and who may talk to it.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use xtask::server::{Limits, Server, StatsSnapshot};

/// Starts a server on a free port in a background runtime; returns its address.
fn start() -> SocketAddr {
    start_with(xtask::root().join("www"), None)
}

/// [`start`] serving `www`, under `limits` (the defaults if `None`).
fn start_with(www: PathBuf, limits: Option<Limits>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(async {
            let mut server = Server::bind(SocketAddr::from(([127, 0, 0, 1], 0)), www)
                .await
                .expect("bind");
            if let Some(limits) = limits {
                server = server.with_limits(limits);
            }
            tx.send(server.addr().expect("addr")).expect("send");
            server.run().await.expect("serve");
        });
    });
    rx.recv().expect("the server's address")
}

/// Short limits for the tests that wait for one to strike.
fn short(header_ms: u64, idle_ms: u64) -> Limits {
    Limits {
        header_timeout: Duration::from_millis(header_ms),
        idle_timeout: Duration::from_millis(idle_ms),
        ..Limits::default()
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    /// A sentence: text that ends with a full stop.
    fn is_sentence(&self) -> bool {
        let text = self.text();
        self.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain"))
            && text.len() > 20
            && text.ends_with('.')
    }
}

/// Sends `head` (a whole request head, blank line included) and reads the
/// reply to the end; the request should say `Connection: close`.
fn send(addr: SocketAddr, head: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    Reply {
        status,
        headers,
        body,
    }
}

/// One raw HTTP/1.1 request from a page on another site (CORS applies);
/// the connection closes after the reply.
fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    request_with(addr, method, target, "Origin: http://elsewhere.test\r\n")
}

/// [`request`] with `extra` header lines (each ending in CRLF) instead of the Origin.
fn request_with(addr: SocketAddr, method: &str, target: &str, extra: &str) -> Reply {
    send(
        addr,
        &format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\nContent-Length: 0\r\n\r\n"),
    )
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target)
}

fn stats(addr: SocketAddr) -> StatsSnapshot {
    serde_json::from_slice(&get(addr, "/async-demo-api/stats").body).expect("stats JSON")
}

/// The `/async-demo-api/binary` byte at offset `i`.
fn binary_byte(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 7) as u8
}

/// Reads until the server closes the connection (EOF or reset); returns the
/// bytes read and how long it took, or `None` if it stayed open for `patience`.
fn read_until_closed(stream: &mut TcpStream, patience: Duration) -> Option<(Vec<u8>, Duration)> {
    let start = Instant::now();
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    while start.elapsed() < patience {
        match stream.read(&mut buf) {
            Ok(0) => return Some((got, start.elapsed())),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some((got, start.elapsed())), // reset: closed too
        }
    }
    None
}

/// This process's resident memory in bytes (Linux).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// A fresh folder tree `root/www` and `root/docs/book`, each with an index.html.
fn scratch_site() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let root = std::env::temp_dir().join(format!(
        "xtask-server-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    for dir in ["www", "docs/book"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(root.join(dir).join("index.html"), format!("<p>{dir}</p>")).unwrap();
    }
    root.join("www")
}

#[test]
fn delay_waits_as_long_as_asked() {
    let addr = start();
    let start = Instant::now();
    let reply = get(addr, "/async-demo-api/delay/300");
    let took = start.elapsed();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "waited 300 ms");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(reply.header("access-control-allow-origin").as_deref(), Some("*"));
}

#[test]
fn drip_streams_exactly_the_bytes_over_the_time() {
    let addr = start();
    let start = Instant::now();
    let reply = get(addr, "/async-demo-api/drip?bytes=1001&ms=400");
    let took = start.elapsed();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), 1001);
    assert_eq!(reply.header("content-length").as_deref(), Some("1001"));
    assert!(took >= Duration::from_millis(350), "{took:?}");
}

#[test]
fn status_answers_with_the_code_asked_for() {
    let addr = start();
    for code in [200u16, 404, 418, 500, 503] {
        let reply = get(addr, &format!("/async-demo-api/status/{code}"));
        assert_eq!(reply.status, code);
        assert_eq!(reply.text(), format!("HTTP {code} as requested"));
    }
}

#[test]
fn flaky_fails_the_first_n_requests_of_an_id_then_succeeds() {
    let addr = start();
    let codes: Vec<u16> = (0..4)
        .map(|_| get(addr, "/async-demo-api/flaky?id=a&fail=2").status)
        .collect();
    assert_eq!(codes, [503, 503, 200, 200]);
    assert_eq!(
        get(addr, "/async-demo-api/flaky?id=b&fail=0").status,
        200,
        "ids are counted apart"
    );
    assert_eq!(get(addr, "/async-demo-api/flaky?fail=1").status, 400);
    assert_eq!(get(addr, "/async-demo-api/flaky?id=c&fail=11").status, 400);
}

#[test]
fn binary_is_octet_stream_of_the_size_asked_for() {
    let addr = start();
    let reply = get(addr, "/async-demo-api/binary?bytes=300");
    assert_eq!(reply.body.len(), 300);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/octet-stream")
    );
}

#[test]
fn malformed_or_out_of_range_parameters_get_400_with_a_sentence() {
    let addr = start();
    for target in [
        "/async-demo-api/delay/abc",
        "/async-demo-api/delay/-5",
        "/async-demo-api/delay/30001",
        "/async-demo-api/drip?bytes=10000001",
        "/async-demo-api/drip?bytes=10&ms=lots",
        "/async-demo-api/drip?ms=30001",
        "/async-demo-api/binary?bytes=1e9",
        "/async-demo-api/status/99",
        "/async-demo-api/status/600",
        "/async-demo-api/status/teapot",
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 400, "{target}");
        let text = reply.text();
        assert!(
            text.ends_with('.') && text.contains("must be a whole number"),
            "{target}: {text}"
        );
    }
}

#[test]
fn static_files_have_the_right_types_and_paths_cannot_leave_www() {
    let addr = start();
    let index = get(addr, "/");
    assert_eq!(index.status, 200);
    assert!(index.header("content-type").unwrap().starts_with("text/html"));
    let js = get(addr, "/async-demo.js");
    assert!(js.header("content-type").unwrap().contains("javascript"));
    let css = get(addr, "/async-demo.css");
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    for escape in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/pkg/../../Cargo.toml",
    ] {
        let reply = get(addr, escape);
        assert!(reply.status >= 400, "{escape} answered {}", reply.status);
        assert!(
            !reply.text().contains("[workspace]"),
            "{escape} leaked Cargo.toml"
        );
    }
}

#[test]
fn a_streamed_body_read_to_its_end_counts_as_finished_not_aborted() {
    let addr = start();
    let drip = get(addr, "/async-demo-api/drip?bytes=3000&ms=200");
    assert_eq!((drip.status, drip.body.len()), (200, 3000));
    get(addr, "/async-demo-api/binary?bytes=200000");
    // The counters move when the server has dropped the bodies.
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut now = stats(addr);
    while now.in_flight > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        now = stats(addr);
    }
    assert_eq!(
        (now.started, now.finished, now.aborted, now.in_flight),
        (2, 2, 0, 0),
        "{now:?}"
    );
}

#[test]
fn stats_count_finished_and_aborted_requests() {
    let addr = start();
    get(addr, "/async-demo-api/delay/1");
    get(addr, "/async-demo-api/status/500");
    let after_two = stats(addr);
    assert_eq!(
        (after_two.started, after_two.finished, after_two.aborted),
        (2, 2, 0)
    );

    // A client that gives up half-way through a delay.
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /async-demo-api/delay/5000 HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(stats(addr).in_flight, 1);
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut now = stats(addr);
    while now.aborted == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        now = stats(addr);
    }
    assert_eq!(
        (now.started, now.finished, now.aborted, now.in_flight),
        (3, 2, 1, 0)
    );

    // Three at once: the peak sees them together.
    let threads: Vec<_> = (0..3)
        .map(|_| std::thread::spawn(move || get(addr, "/async-demo-api/delay/300")))
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().status, 200);
    }
    assert!(stats(addr).peak_in_flight >= 3);
    let reset: StatsSnapshot =
        serde_json::from_slice(&request_with(addr, "POST", "/async-demo-api/stats/reset", "").body).unwrap();
    assert_eq!(
        (reset.started, reset.finished, reset.aborted, reset.peak_in_flight),
        (0, 0, 0, 0)
    );
}

// ---- Limits (issue 12, defect 4) ----

#[test]
fn a_half_sent_request_is_closed_after_the_default_header_timeout() {
    let limits = Limits::default();
    assert!(
        limits.header_timeout >= Duration::from_secs(5) && limits.header_timeout <= Duration::from_secs(30),
        "{limits:?}"
    );
    assert!(
        limits.idle_timeout > Duration::from_millis(xtask::server::MAX_DELAY_MS),
        "the idle timeout must outlast the longest delay: {limits:?}"
    );
    let addr = start();
    let mut stream = TcpStream::connect(addr).unwrap();
    // The head never ends: no blank line.
    write!(
        stream,
        "GET /async-demo-api/delay/1 HTTP/1.1\r\nHost: {addr}\r\nX-Slow: "
    )
    .unwrap();
    let patience = limits.header_timeout + Duration::from_secs(5);
    let (got, took) = read_until_closed(&mut stream, patience)
        .unwrap_or_else(|| panic!("a half-sent request was still held after {patience:?}"));
    assert!(
        took >= limits.header_timeout - Duration::from_millis(500),
        "closed after {took:?}"
    );
    assert!(
        got.is_empty() || got.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    // The server itself is fine.
    assert_eq!(get(addr, "/async-demo-api/delay/1").status, 200);
}

#[test]
fn an_idle_keep_alive_connection_is_closed_but_a_long_drip_is_never_cut() {
    let addr = start_with(xtask::root().join("www"), Some(short(800, 60_000)));
    // Keep-alive: one request answered, then nothing.
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /async-demo-api/delay/1 HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    let (got, took) = read_until_closed(&mut stream, Duration::from_secs(10))
        .expect("an idle keep-alive connection was held for 10 s");
    assert!(
        got.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_secs(5),
        "closed after {took:?}"
    );
    // The header timeout only covers headers: a drip three times as long streams whole.
    let start = Instant::now();
    let drip = get(addr, "/async-demo-api/drip?bytes=3000&ms=2500");
    assert_eq!((drip.status, drip.body.len()), (200, 3000));
    assert!(start.elapsed() >= Duration::from_millis(2400));
}

#[test]
fn a_connection_where_nothing_moves_is_closed_after_the_idle_timeout() {
    let addr = start_with(xtask::root().join("www"), Some(short(10_000, 1_000)));
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /async-demo-api/binary?bytes=10000000 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // Not reading: the socket's buffers fill, then nothing moves.
    std::thread::sleep(Duration::from_secs(4));
    let (got, _) = read_until_closed(&mut stream, Duration::from_secs(20)).expect("closed");
    assert!(got.starts_with(b"HTTP/1.1 200"));
    assert!(
        got.len() < 10_000_000,
        "the whole body came: the stalled connection was not closed"
    );
    let now = stats(addr);
    assert_eq!((now.aborted, now.in_flight), (1, 0), "{now:?}");
}

/// A server that serves two connections at once, and both taken by idle
/// clients (dropping them frees the places).
fn two_served_and_held() -> (SocketAddr, Vec<TcpStream>) {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let addr = start_with(xtask::root().join("www"), Some(limits));
    let held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    (addr, held)
}

#[test]
fn beyond_the_connection_cap_a_connection_gets_503_with_a_sentence() {
    let (addr, held) = two_served_and_held();
    let busy = get(addr, "/async-demo-api/delay/1");
    assert_eq!(busy.status, 503);
    assert!(busy.is_sentence(), "{}", busy.text());
    assert!(busy.text().contains("2 connections"), "{}", busy.text());
    assert_eq!(busy.header("retry-after").as_deref(), Some("1"));
    // Once one closes, the next connection is served.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let reply = get(addr, "/async-demo-api/delay/1");
        if reply.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {} after the held connections closed",
            reply.status
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn past_the_cap_and_its_refusals_every_connection_the_os_accepts_still_gets_503() {
    // Two served, and refusals four at a time (the least there is): the
    // forty connections past them used to be reset; each now waits its turn
    // for a refusal (or a served place) and reads the 503 sentence.
    let (addr, held) = two_served_and_held();
    let clients: Vec<_> = (0..40)
        .map(|_| {
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).expect("connect");
                stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let head = format!(
                    "GET /async-demo-api/delay/1 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(head.as_bytes()).expect("write");
                let mut raw = Vec::new();
                match stream.read_to_end(&mut raw) {
                    Ok(_) => Ok(parse(&raw)),
                    Err(e) => Err(e.kind()),
                }
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for client in clients {
        let reply = client.join().expect("a client thread");
        let key = match &reply {
            Ok(reply) => {
                if reply.status == 503 {
                    assert!(reply.text().contains("2 connections"), "{}", reply.text());
                }
                format!("{}", reply.status)
            }
            Err(kind) => format!("{kind:?}"),
        };
        *statuses.entry(key).or_insert(0) += 1;
    }
    drop(held);
    assert_eq!(
        statuses.get("503"),
        Some(&40),
        "every one answered 503: {statuses:?}"
    );
}

#[test]
fn a_path_that_is_not_utf_8_once_decoded_gets_the_endpoints_own_sentence() {
    let addr = start();
    for (target, said) in [
        ("/async-demo-api/delay/%ff", "The delay must be a whole number"),
        (
            "/async-demo-api/status/%ff%fe",
            "The status must be a whole number",
        ),
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 400, "{target}");
        assert!(reply.is_sentence(), "{target}: {}", reply.text());
        assert!(reply.text().starts_with(said), "{target}: {}", reply.text());
        assert!(
            !reply.text().contains("Invalid URL"),
            "{target}: {}",
            reply.text()
        );
    }
}

#[test]
fn binary_10_mb_is_streamed_not_built_in_memory() {
    let addr = start();
    let clients = 30;
    let before = rss_bytes();
    let streams: Vec<TcpStream> = (0..clients)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            write!(
                s,
                "GET /async-demo-api/binary?bytes=10000000 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let grown = rss_bytes().saturating_sub(before);
    eprintln!("{clients} clients not reading 10 MB: +{} MB", grown / 1_000_000);
    // Built in memory, 30 × 10 MB would be 300 MB.
    assert!(
        grown < 80_000_000,
        "{clients} clients not reading 10 MB each grew the server by {} MB",
        grown / 1_000_000
    );
    assert_eq!(stats(addr).in_flight, clients);
    drop(streams);
    // And the body is whole and the same as ever, with its length declared.
    let reply = get(addr, "/async-demo-api/binary?bytes=10000000");
    assert_eq!(reply.header("content-length").as_deref(), Some("10000000"));
    assert_eq!(reply.body.len(), 10_000_000);
    assert!(reply
        .body
        .iter()
        .enumerate()
        .all(|(i, &b)| b == binary_byte(i as u64)));
}

// ---- Paths and refusals (defect 5) ----

#[test]
fn long_paths_answer_404_with_a_sentence_also_under_docs() {
    let addr = start_with(scratch_site(), None);
    assert_eq!(get(addr, "/").text(), "<p>www</p>");
    assert_eq!(get(addr, "/docs/").text(), "<p>docs/book</p>");
    let lengths = [255, 256, 300, 1000, 4000];
    let targets: Vec<String> = lengths
        .iter()
        .flat_map(|&len| {
            let name = "a".repeat(len);
            [
                format!("/{name}"),
                format!("/docs/{name}"),
                format!("/docs/{name}/x.html"),
                format!("/{name}.js"),
            ]
        })
        .collect();
    let replies: Vec<Reply> = targets.iter().map(|t| get(addr, t)).collect();
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![404; targets.len()],
        "by length {lengths:?}, four paths each"
    );
    for (target, reply) in targets.iter().zip(&replies) {
        assert!(reply.is_sentence(), "{}: {:?}", target.len(), reply.text());
        assert!(
            reply.text().len() < 300,
            "the sentence quotes the whole path: {}",
            reply.text()
        );
    }
    // A file used as a folder.
    let reply = get(addr, "/index.html/x");
    assert_eq!(reply.status, 404);
    assert!(reply.is_sentence(), "{}", reply.text());
}

#[test]
fn static_404_and_405_answers_have_sentences_like_api() {
    let addr = start();
    for target in [
        "/no-such-file.js",
        "/pkg/nothing.wasm",
        "/docs/no-such-chapter.html",
        "/async-demo-api/nothing",
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 404, "{target}");
        assert!(reply.is_sentence(), "{target}: {:?}", reply.text());
    }
    for (method, target) in [
        ("POST", "/index.html"),
        ("DELETE", "/"),
        ("PUT", "/docs/"),
        ("POST", "/async-demo-api/delay/1"),
        ("GET", "/async-demo-api/stats/reset"),
    ] {
        let reply = request(addr, method, target);
        assert_eq!(reply.status, 405, "{method} {target}");
        assert!(reply.is_sentence(), "{method} {target}: {:?}", reply.text());
        assert!(
            reply.header("allow").is_some(),
            "{method} {target}: no Allow header"
        );
    }
}

// ---- Numbers (defect 6, the server's half) ----

#[test]
fn numbers_are_digits_only_everywhere() {
    let addr = start();
    for target in [
        "/async-demo-api/delay/+5",
        "/async-demo-api/delay/%2B5",
        "/async-demo-api/delay/%205",
        "/async-demo-api/delay/5%20",
        "/async-demo-api/delay/5.0",
        "/async-demo-api/delay/0x10",
        "/async-demo-api/delay/",
        "/async-demo-api/drip?bytes=%2B5",
        "/async-demo-api/drip?bytes=+5", // a form-encoded space
        "/async-demo-api/drip?ms=-0",
        "/async-demo-api/drip?bytes=",
        "/async-demo-api/binary?bytes=%2B5",
        "/async-demo-api/binary?bytes=99999999999999999999999",
        "/async-demo-api/status/+404",
        "/async-demo-api/status/%2B404",
        "/async-demo-api/status/404.0",
        "/async-demo-api/flaky?id=x&fail=%2B1",
    ] {
        let reply = get(addr, target);
        assert!(
            reply.status == 400 || reply.status == 404,
            "{target}: {}",
            reply.status
        );
        if reply.status == 400 {
            let text = reply.text();
            assert!(
                reply.is_sentence() && text.contains("digits 0–9"),
                "{target}: {text}"
            );
        }
    }
    // Leading zeros are accepted: unambiguous decimal.
    assert_eq!(get(addr, "/async-demo-api/delay/007").text(), "waited 7 ms");
    assert_eq!(get(addr, "/async-demo-api/status/0404").status, 404);
    assert_eq!(get(addr, "/async-demo-api/binary?bytes=010").body.len(), 10);
}

#[test]
fn the_flaky_id_limit_counts_characters_as_it_says() {
    let addr = start();
    let encode = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    // 64 characters of two bytes each: 128 bytes, within "64 characters".
    let ok = "é".repeat(64);
    assert_eq!(
        get(addr, &format!("/async-demo-api/flaky?fail=0&id={}", encode(&ok))).status,
        200
    );
    let long = "é".repeat(65);
    let reply = get(
        addr,
        &format!("/async-demo-api/flaky?fail=0&id={}", encode(&long)),
    );
    assert_eq!(reply.status, 400);
    let text = reply.text();
    assert!(
        text.contains("1 to 64 characters") && text.contains("got 65"),
        "{text}"
    );
    assert!(
        text.chars().count() < 200,
        "the sentence repeats the whole id: {text}"
    );
}

// ---- Who may talk to the server (defect 9) ----

#[test]
fn a_host_that_is_not_localhost_or_an_address_is_refused() {
    let addr = start();
    let port = addr.port();
    for host in [
        "evil.example",
        "evil.example:80",
        "127.0.0.1.nip.io",
        "localhost.evil.example",
        "LOCALHOST.evil",
    ] {
        for target in ["/", "/async-demo-api/delay/1", "/async-demo-api/stats"] {
            let reply = send(
                addr,
                &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
            );
            assert_eq!(reply.status, 403, "{host} {target}");
            assert!(
                reply.is_sentence() && reply.text().contains("DNS rebinding"),
                "{}",
                reply.text()
            );
        }
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost.:{port}"),
        "app.localhost".to_string(),
        format!("[::1]:{port}"),
        "192.168.1.20:8080".to_string(),
    ] {
        let reply = send(
            addr,
            &format!("GET /async-demo-api/delay/1 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(reply.status, 200, "{host}: {}", reply.text());
    }
    // HTTP/1.0 without Host: no browser sends that, so no rebinding.
    assert_eq!(
        send(addr, "GET /async-demo-api/delay/1 HTTP/1.0\r\n\r\n").status,
        200
    );
}

#[test]
fn only_pages_on_this_machine_may_reset_the_counters() {
    let addr = start();
    get(addr, "/async-demo-api/delay/1");
    for origin in [
        "http://elsewhere.test",
        "https://evil.example:8080",
        "null",
        "http://127.0.0.1.evil.example",
        "file://",
    ] {
        let reply = request_with(
            addr,
            "POST",
            "/async-demo-api/stats/reset",
            &format!("Origin: {origin}\r\n"),
        );
        assert_eq!(reply.status, 403, "{origin}");
        assert!(reply.is_sentence(), "{origin}: {}", reply.text());
        assert_eq!(
            reply.header("access-control-allow-origin").as_deref(),
            Some("*"),
            "the page can read why"
        );
    }
    assert_eq!(stats(addr).started, 1, "a refused reset zeroed the counters");
    for origin in [
        "",
        "Origin: http://127.0.0.1:9999\r\n",
        "Origin: http://localhost:8080\r\n",
        "Origin: http://[::1]:3000\r\n",
    ] {
        let reply = request_with(addr, "POST", "/async-demo-api/stats/reset", origin);
        assert_eq!(reply.status, 200, "{origin}: {}", reply.text());
    }
    // Reading stays open to any origin.
    assert_eq!(get(addr, "/async-demo-api/stats").status, 200);
}

// ---- Compression (issue 11) ----

fn decode(reply: &Reply) -> Vec<u8> {
    let mut out = Vec::new();
    match reply.header("content-encoding").as_deref() {
        Some("gzip") => {
            flate2::read::GzDecoder::new(&reply.body[..])
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("br") => {
            brotli_decompressor::Decompressor::new(&reply.body[..], 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some(other) => panic!("unexpected encoding {other}"),
        None => out.clone_from(&reply.body),
    }
    out
}

#[test]
fn static_files_and_json_come_compressed_as_asked() {
    let addr = start();
    let index = std::fs::read(xtask::root().join("www/index.html")).unwrap();
    for encoding in ["gzip", "br"] {
        let reply = request_with(
            addr,
            "GET",
            "/index.html",
            &format!("Accept-Encoding: {encoding}\r\n"),
        );
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-encoding").as_deref(), Some(encoding));
        assert!(reply
            .header("vary")
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
        assert!(
            reply.body.len() < index.len() / 2,
            "{encoding}: {} of {}",
            reply.body.len(),
            index.len()
        );
        assert_eq!(decode(&reply), index, "{encoding}");
        let js = request_with(
            addr,
            "GET",
            "/async-demo.js",
            &format!("Accept-Encoding: {encoding}\r\n"),
        );
        assert_eq!(js.header("content-encoding").as_deref(), Some(encoding));
        let json = request_with(
            addr,
            "GET",
            "/async-demo-api/stats",
            &format!("Accept-Encoding: {encoding}\r\n"),
        );
        assert_eq!(json.header("content-encoding").as_deref(), Some(encoding));
        let counters: StatsSnapshot = serde_json::from_slice(&decode(&json)).unwrap();
        assert_eq!(counters.in_flight, 0);
    }
    // Not asked, not compressed, and the length is declared.
    let plain = request_with(addr, "GET", "/index.html", "");
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("content-length"), Some(index.len().to_string()));
}

#[test]
fn drip_delay_and_binary_are_never_compressed_and_a_drip_still_streams() {
    let addr = start();
    let accept = "Accept-Encoding: gzip, br\r\n";
    for target in [
        "/async-demo-api/delay/1",
        "/async-demo-api/binary?bytes=5000",
        "/async-demo-api/status/200",
        "/async-demo-api/flaky?id=z&fail=0",
    ] {
        let reply = request_with(addr, "GET", target, accept);
        assert_eq!(reply.header("content-encoding"), None, "{target}");
    }
    // The drip: Content-Length for the progress bar, bytes arriving as they are sent.
    let mut stream = TcpStream::connect(addr).unwrap();
    let start = Instant::now();
    write!(
        stream,
        "GET /async-demo-api/drip?bytes=20000&ms=1500 HTTP/1.1\r\nHost: {addr}\r\n{accept}Connection: close\r\n\r\n"
    )
    .unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let mut first_body_at = None;
    loop {
        let n = stream.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if first_body_at.is_none() {
            if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                if raw.len() > split + 4 {
                    first_body_at = Some(start.elapsed());
                }
            }
        }
    }
    let total = start.elapsed();
    let reply = parse(&raw);
    assert_eq!(reply.header("content-encoding"), None);
    assert_eq!(reply.header("content-length").as_deref(), Some("20000"));
    assert_eq!(reply.body.len(), 20000);
    let first = first_body_at.expect("body bytes");
    assert!(
        first < Duration::from_millis(500),
        "the first drip bytes came after {first:?}"
    );
    assert!(total >= Duration::from_millis(1400), "{total:?}");
}

// ---- Faults on purpose: /async-demo-api/fault (issue 12, the standing fault suite) ----

/// How a connection ended for the client.
#[derive(Debug, PartialEq, Eq)]
enum Ending {
    /// The server closed it (FIN).
    Closed,
    /// The server reset it (RST).
    Reset,
    /// Still open when the client stopped waiting.
    Open,
}

/// Sends a GET for `target` (keep-alive, as browsers do) and reads for at
/// most `patience`: what came, and how the connection ended.
fn exchange(addr: SocketAddr, target: &str, patience: Duration) -> (Vec<u8>, Ending, TcpStream) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    let ending = loop {
        if start.elapsed() >= patience {
            break Ending::Open;
        }
        match stream.read(&mut buf) {
            Ok(0) => break Ending::Closed,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break Ending::Reset,
            Err(e) => panic!("{target}: {e}"),
        }
    };
    (got, ending, stream)
}

/// The counters once nothing is in flight (within 5 s).
fn settled_stats(addr: SocketAddr) -> StatsSnapshot {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = stats(addr);
        if now.in_flight == 0 || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The reply's head and the body bytes after it, not dechunked.
fn split_head(raw: &[u8]) -> (String, &[u8]) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(raw)));
    (
        String::from_utf8_lossy(&raw[..split]).into_owned(),
        &raw[split + 4..],
    )
}

#[test]
fn fault_reset_and_close_cut_the_connection_before_the_status_line() {
    let addr = start();
    let (got, ending, _) = exchange(addr, "/async-demo-api/fault/reset", Duration::from_secs(5));
    assert_eq!((got.len(), ending), (0, Ending::Reset));
    let (got, ending, _) = exchange(addr, "/async-demo-api/fault/close", Duration::from_secs(5));
    assert_eq!((got.len(), ending), (0, Ending::Closed));
    let now = settled_stats(addr);
    assert_eq!((now.started, now.aborted, now.in_flight), (2, 2, 0), "{now:?}");
    // The server itself is fine, and so is the next connection.
    assert_eq!(get(addr, "/async-demo-api/delay/1").status, 200);
}

#[test]
fn fault_truncated_sends_less_than_its_content_length_then_closes() {
    let addr = start();
    let (got, ending, _) = exchange(addr, "/async-demo-api/fault/truncated", Duration::from_secs(5));
    assert_eq!(ending, Ending::Closed);
    let (head, body) = split_head(&got);
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("Content-Length: 1000"), "{head}");
    assert_eq!(body.len(), 300);
    assert_eq!(settled_stats(addr).in_flight, 0);
}

#[test]
fn fault_lengths_lie_about_a_100_byte_body() {
    let addr = start();
    for (kind, lines) in [
        ("short", vec!["Content-Length: 10"]),
        ("conflicting", vec!["Content-Length: 10", "Content-Length: 100"]),
        ("invalid", vec!["Content-Length: ten"]),
    ] {
        let (got, ending, _) = exchange(
            addr,
            &format!("/async-demo-api/fault/length/{kind}"),
            Duration::from_secs(5),
        );
        assert_eq!(ending, Ending::Closed, "{kind}");
        let (head, body) = split_head(&got);
        let declared: Vec<&str> = head
            .lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("content-length"))
            .collect();
        assert_eq!(declared, lines, "{kind}");
        assert_eq!(body, &[b'x'; 100][..], "{kind}");
    }
    let unknown = get(addr, "/async-demo-api/fault/length/long");
    assert_eq!(unknown.status, 404);
    assert!(unknown.is_sentence(), "{}", unknown.text());
}

#[test]
fn fault_hang_never_answers_and_ends_when_the_client_goes() {
    let addr = start();
    let (got, ending, stream) = exchange(addr, "/async-demo-api/fault/hang", Duration::from_millis(1500));
    assert_eq!((got.len(), ending), (0, Ending::Open));
    assert_eq!(stats(addr).in_flight, 1);
    drop(stream);
    let now = settled_stats(addr);
    assert_eq!(
        (now.aborted, now.in_flight),
        (1, 0),
        "the hang outlived its client: {now:?}"
    );
}

#[test]
fn fault_hang_and_stall_are_cut_by_the_idle_timeout_and_by_the_fault_wait() {
    // Silent: the idle timeout closes them.
    let addr = start_with(xtask::root().join("www"), Some(short(10_000, 800)));
    let (got, ending, _) = exchange(addr, "/async-demo-api/fault/hang", Duration::from_secs(5));
    assert_eq!((got.len(), ending), (0, Ending::Closed));
    let (got, ending, _) = exchange(addr, "/async-demo-api/fault/stall", Duration::from_secs(5));
    assert_eq!(ending, Ending::Closed);
    let (head, body) = split_head(&got);
    assert!(
        head.starts_with("HTTP/1.1 200") && head.contains("content-length: 1000"),
        "{head}"
    );
    assert!(body.is_empty());
    assert_eq!(settled_stats(addr).in_flight, 0);
    // With a long idle timeout, the fault's own bound ends them.
    let limits = Limits {
        fault_wait: Duration::from_millis(700),
        ..Limits::default()
    };
    let addr = start_with(xtask::root().join("www"), Some(limits));
    for target in ["/async-demo-api/fault/hang", "/async-demo-api/fault/stall"] {
        let start = Instant::now();
        let (_, ending, _) = exchange(addr, target, Duration::from_secs(5));
        assert_eq!(ending, Ending::Closed, "{target}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{target}: {:?}",
            start.elapsed()
        );
    }
    let now = settled_stats(addr);
    assert_eq!((now.aborted, now.in_flight), (2, 0), "{now:?}");
}

#[test]
fn fault_endless_streams_until_the_client_goes_or_its_cap() {
    let addr = start();
    let (got, ending, stream) = exchange(
        addr,
        "/async-demo-api/fault/endless?bytes=100&ms=50",
        Duration::from_millis(1200),
    );
    assert_eq!(ending, Ending::Open);
    let (head, body) = split_head(&got);
    assert!(
        head.contains("transfer-encoding: chunked") && !head.contains("content-length"),
        "{head}"
    );
    let tildes = body.iter().filter(|&&b| b == b'~').count();
    assert!(
        (800..=2400).contains(&tildes),
        "{tildes} bytes in 1.2 s at 100 per 50 ms"
    );
    assert!(!body.ends_with(b"0\r\n\r\n"), "the endless stream ended");
    drop(stream);
    let now = settled_stats(addr);
    assert_eq!((now.aborted, now.in_flight), (1, 0), "{now:?}");
    // A client that reads for ever is cut off at the cap, mid-body.
    let limits = Limits {
        fault_wait: Duration::from_millis(600),
        ..Limits::default()
    };
    let addr = start_with(xtask::root().join("www"), Some(limits));
    let (got, ending, _) = exchange(
        addr,
        "/async-demo-api/fault/endless?bytes=10&ms=20",
        Duration::from_secs(5),
    );
    assert_eq!(ending, Ending::Closed);
    assert!(!got.ends_with(b"0\r\n\r\n"), "a clean end, not a cut");
    assert_eq!(get(addr, "/async-demo-api/fault/endless?ms=0x10").status, 400);
    assert_eq!(get(addr, "/async-demo-api/fault/endless?bytes=65537").status, 400);
}

#[test]
fn fault_redirect_loops_and_stops_at_its_cap() {
    let addr = start();
    let hop = get(addr, "/async-demo-api/fault/redirect/0");
    assert_eq!(hop.status, 302);
    assert_eq!(
        hop.header("location").as_deref(),
        Some("/async-demo-api/fault/redirect/1")
    );
    let mut target = "/async-demo-api/fault/redirect/0".to_string();
    let mut hops = 0;
    loop {
        let reply = get(addr, &target);
        match reply.header("location") {
            Some(next) if reply.status == 302 => target = next,
            _ => {
                assert_eq!(reply.status, 508);
                assert!(reply.is_sentence(), "{}", reply.text());
                break;
            }
        }
        hops += 1;
        assert!(hops <= 100, "the loop has no end on the server side");
    }
    assert_eq!(hops, xtask::server::MAX_REDIRECTS);
    assert_eq!(get(addr, "/async-demo-api/fault/redirect/+1").status, 400);
}

#[test]
fn fault_garbage_is_invalid_utf8_labelled_as_text() {
    let addr = start();
    let reply = get(addr, "/async-demo-api/fault/garbage?bytes=5000");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(reply.header("content-length").as_deref(), Some("5000"));
    assert_eq!(reply.body.len(), 5000);
    assert!(std::str::from_utf8(&reply.body).is_err());
    assert!(reply.body.contains(&0) && reply.body.windows(8).any(|w| w == b"<script>"));
    assert_eq!(
        get(addr, "/async-demo-api/fault/garbage?bytes=10000001").status,
        400
    );
    assert_eq!(get(addr, "/async-demo-api/fault/nothing").status, 404);
}

#[test]
fn faults_served_by_something_else_than_the_server_say_so() {
    // `app` alone (no `Server` connection to sabotage): a 501 with a sentence.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = xtask::server::app(xtask::root().join("www"), Default::default());
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    let reply = get(addr, "/async-demo-api/fault/reset");
    assert_eq!(reply.status, 501);
    assert!(reply.is_sentence(), "{}", reply.text());
}

// ---- Under load (issue 12: 1,000 concurrent requests, 200 slow clients) ----

/// One GET over a fresh connection, with tokio's readiness calls only:
/// the status and the time from connect to the last byte.
async fn timed_get(addr: SocketAddr, target: &str) -> (u16, Duration) {
    let start = Instant::now();
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    write_all(&stream, head.as_bytes()).await;
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        stream.readable().await.expect("readable");
        match stream.try_read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
    let status = std::str::from_utf8(&raw[..raw.len().min(12)])
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    (status, start.elapsed())
}

async fn write_all(stream: &tokio::net::TcpStream, mut data: &[u8]) {
    while !data.is_empty() {
        stream.writable().await.expect("writable");
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("write: {e}"),
        }
    }
}

/// The process's open-file limit (Linux).
fn open_files() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3)?.parse().ok())
        .unwrap_or(1024)
}

/// The resident memory of process `pid` in bytes (Linux).
fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// The server of the load test, in a process of its own so that its memory
/// is measured apart from the clients'. Not a test by itself: it serves only
/// when the load test starts this binary with `XTASK_LOAD_SERVER` set, and
/// until that test closes its standard input.
#[test]
#[ignore = "the load test's server process; the load test runs it"]
fn load_test_server_process() {
    if std::env::var_os("XTASK_LOAD_SERVER").is_none() {
        return;
    }
    let addr = start();
    println!("load server listening on {addr}");
    let _ = std::io::stdin().read(&mut [0u8; 1]);
}

/// A dev server in a child process (this test binary, see
/// [`load_test_server_process`]): its address and the child.
fn server_process() -> (SocketAddr, std::process::Child) {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "load_test_server_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("XTASK_LOAD_SERVER", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("its output")).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("load server listening on ").nth(1)?.trim().parse().ok())
        .expect("the server process's address");
    // Read the rest, so that the test harness can print its summary.
    std::thread::spawn(move || lines.for_each(drop));
    (addr, child)
}

#[test]
fn under_1000_concurrent_requests_and_200_slow_clients_every_request_is_answered() {
    // Both ends of every connection live on this machine; the clients' end here.
    let files = open_files();
    let (requests, slow) = if files >= 2048 {
        (1000, 200)
    } else {
        (files / 2 - 150, 100)
    };
    if requests < 1000 {
        eprintln!("load: only {files} open files here, so {requests} requests and {slow} slow clients");
    }
    let (addr, mut server) = server_process();
    let pid = server.id();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rss_idle = rss_of(pid);
    let (latencies, statuses, rss_peak, slow_in_flight) = runtime.block_on(async move {
        // Slow clients: half send their head a byte per 80 ms (done within
        // the header timeout), half ask for 10 MB and read 4 KB per 100 ms.
        let stop = std::sync::Arc::new(tokio::sync::Notify::new());
        let mut slow_clients = Vec::new();
        for i in 0..slow {
            let stop = stop.clone();
            slow_clients.push(tokio::spawn(async move {
                // A small receive window, as a slow reader on a real network
                // has (on loopback the kernel would buffer megabytes for it).
                let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
                socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
                let stream = socket.connect(addr).await.expect("connect");
                let work = async {
                    if i % 2 == 0 {
                        let head = format!("GET /async-demo-api/delay/1 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
                        for byte in head.as_bytes() {
                            write_all(&stream, std::slice::from_ref(byte)).await;
                            tokio::time::sleep(Duration::from_millis(80)).await;
                        }
                    } else {
                        let head =
                            format!("GET /async-demo-api/binary?bytes=10000000 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
                        write_all(&stream, head.as_bytes()).await;
                    }
                    let mut buf = [0u8; 4096];
                    loop {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        if stream.readable().await.is_err() {
                            break;
                        }
                        match stream.try_read(&mut buf) {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                            Err(_) => break,
                        }
                    }
                };
                tokio::select! {
                    () = work => {}
                    () = stop.notified() => {}
                }
            }));
        }
        // Let the slow ones settle in, then the burst.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let slow_in_flight = stats(addr).in_flight;
        let burst: Vec<_> = (0..requests)
            .map(|_| tokio::spawn(async move { timed_get(addr, "/async-demo-api/delay/0").await }))
            .collect();
        let sampler = tokio::spawn(async move {
            let mut peak = 0;
            for _ in 0..100 {
                peak = peak.max(rss_of(pid));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        });
        let mut latencies = Vec::new();
        let mut statuses = std::collections::BTreeMap::new();
        for request in burst {
            let (status, took) = request.await.expect("a request task");
            *statuses.entry(status).or_insert(0) += 1;
            latencies.push(took);
        }
        let peak = sampler.await.unwrap();
        stop.notify_waiters();
        for client in slow_clients {
            let _ = client.await;
        }
        (latencies, statuses, peak, slow_in_flight)
    });
    let now = settled_stats(addr);
    drop(server.stdin.take()); // the server process ends
    if server.wait_timeout_ms(3000).is_none() {
        let _ = server.kill();
        let _ = server.wait();
    }
    let mut sorted = latencies;
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "# load: {requests} concurrent requests beside {slow} slow clients ({slow_in_flight} reading, the rest still sending their heads): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; statuses {statuses:?}; server RSS {:.1} MB idle, {:.1} MB at the peak",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(sorted[sorted.len() - 1]),
        rss_idle as f64 / 1e6,
        rss_peak as f64 / 1e6,
    );
    assert_eq!(
        statuses.get(&200),
        Some(&requests),
        "every request answered 200: {statuses:?}"
    );
    assert!(at(0.99) < Duration::from_secs(10), "p99 {:?}", at(0.99));
    assert!(
        rss_peak < rss_idle + 200_000_000,
        "the server grew by {} MB under load",
        rss_peak.saturating_sub(rss_idle) / 1_000_000
    );
    assert_eq!(now.in_flight, 0, "{now:?}");
    assert_eq!(now.started, now.finished + now.aborted, "{now:?}");
}

/// Waiting for a child with a deadline.
trait WaitTimeout {
    fn wait_timeout_ms(&mut self, ms: u64) -> Option<std::process::ExitStatus>;
}

impl WaitTimeout for std::process::Child {
    fn wait_timeout_ms(&mut self, ms: u64) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + Duration::from_millis(ms);
        loop {
            if let Ok(Some(status)) = self.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn two_hundred_unread_10_mb_drips_grow_the_server_by_at_most_50_mb() {
    // Each drip of `bytes=10000000&ms=0` is one step of 10 MB; a client that
    // asks and never reads used to cost the server the whole step. Now a
    // drip holds a piece of 64 KiB at a time, whatever the client reads.
    let clients = if open_files() >= 1024 {
        200
    } else {
        open_files() / 2 - 100
    };
    let (addr, mut server) = server_process();
    let pid = server.id();
    let rss_idle = rss_of(pid);
    let streams: Vec<TcpStream> = (0..clients)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).expect("connect");
            let head = format!(
                "GET /async-demo-api/drip?bytes=10000000&ms=0 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).expect("write");
            stream
        })
        .collect();
    // Every drip under way and stuck on its full socket: then the peak.
    let deadline = Instant::now() + Duration::from_secs(20);
    while stats(addr).in_flight < clients as u64 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut peak = 0;
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(100));
        peak = peak.max(rss_of(pid));
    }
    let in_flight = stats(addr).in_flight;
    drop(streams);
    drop(server.stdin.take());
    if server.wait_timeout_ms(3000).is_none() {
        let _ = server.kill();
        let _ = server.wait();
    }
    let grown = peak.saturating_sub(rss_idle);
    eprintln!(
        "# unread drips: {clients} clients that never read 10 MB drips ({in_flight} in flight): server RSS {:.1} MB idle, {:.1} MB at the peak",
        rss_idle as f64 / 1e6,
        peak as f64 / 1e6
    );
    assert_eq!(in_flight, clients as u64, "every drip was under way");
    assert!(
        grown <= 50_000_000,
        "the server grew by {:.1} MB",
        grown as f64 / 1e6
    );
}
