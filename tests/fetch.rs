//! Downloads against the dev server (and `data:` URLs): each kind of failure
//! maps to its own readable error; cancellation really aborts the request.

#![cfg(target_arch = "wasm32")]

mod common;

use async_demo::tasks::{download, download_limited, with_timeout, MAX_BODY_BYTES};
use async_demo::trace::now;
use async_demo::Error;
use futures::future::join_all;
use wasm_bindgen_test::*;

use common::url;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_download_reports_status_size_and_a_text_preview() {
    let done = download(&url("/async-demo-api/delay/10"))
        .await
        .expect("the download");
    assert_eq!(done.status, 200);
    assert_eq!(done.bytes, "waited 10 ms".len() as u64);
    assert_eq!(done.preview.as_deref(), Some("waited 10 ms"));
    assert_eq!(done.to_string(), "HTTP 200, 12 bytes: “waited 10 ms”");
}

#[wasm_bindgen_test]
async fn a_data_url_needs_no_server() {
    let done = download("data:text/plain,hello%20there")
        .await
        .expect("data: URL");
    assert_eq!((done.bytes, done.preview.as_deref()), (11, Some("hello there")));
}

#[wasm_bindgen_test]
async fn a_binary_body_is_counted_not_shown() {
    let done = download(&url("/async-demo-api/binary?bytes=4096"))
        .await
        .expect("binary");
    assert_eq!(done.bytes, 4096);
    assert_eq!(done.preview, None);
    assert!(done.to_string().ends_with("4096 bytes of binary data"), "{done}");
}

#[wasm_bindgen_test]
async fn http_errors_are_failed_downloads() {
    for code in [404u16, 500, 503] {
        match download(&url(&format!("/async-demo-api/status/{code}"))).await {
            Err(Error::Http { status, .. }) => assert_eq!(status, code),
            other => panic!("status {code} gave {other:?}"),
        }
    }
    let sentence = download(&url("/async-demo-api/status/404"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        sentence.contains("HTTP 404") && sentence.contains("download failed"),
        "{sentence}"
    );
}

#[wasm_bindgen_test]
async fn invalid_urls_are_refused_before_any_request() {
    for bad in [
        "",
        "not a url",
        "ftp://example.test/file",
        "javascript:alert(1)",
        "http://",
    ] {
        match download(bad).await {
            Err(Error::InvalidUrl { url, .. }) => assert_eq!(url, bad),
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
}

#[wasm_bindgen_test]
async fn an_unreachable_host_is_a_network_error() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    match download("http://127.0.0.1:9/").await {
        Err(e @ Error::Network { .. }) => {
            assert!(e.to_string().starts_with("Could not reach http://127.0.0.1:9/"))
        }
        other => panic!("gave {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_huge_body_is_stopped_at_the_limit() {
    // Declared by Content-Length: refused before reading.
    let declared = download(&url("/async-demo-api/drip?bytes=6000000&ms=0")).await;
    assert_eq!(
        declared,
        Err(Error::BodyTooLarge {
            url: url("/async-demo-api/drip?bytes=6000000&ms=0"),
            limit: MAX_BODY_BYTES
        })
    );
    // Not declared (a data: URL has no Content-Length): stopped while streaming.
    let streamed = download_limited("data:text/plain,0123456789", 4).await;
    assert!(
        matches!(streamed, Err(Error::BodyTooLarge { limit: 4, .. })),
        "{streamed:?}"
    );
}

#[wasm_bindgen_test]
async fn a_deadline_aborts_the_request_on_the_server_too() {
    let aborted_before = common::stat("aborted").await;
    let start = now();
    let result = with_timeout(150, download(&url("/async-demo-api/delay/5000"))).await;
    assert_eq!(result, Err(Error::TimedOut { after_ms: 150 }));
    assert!(now() - start < 1_000.0);
    // The server sees the connection close shortly after the abort.
    let mut aborted = aborted_before;
    for _ in 0..40 {
        aborted = common::stat("aborted").await;
        if aborted > aborted_before {
            break;
        }
        common::sleep(50).await;
    }
    assert!(
        aborted > aborted_before,
        "the server never saw the request aborted"
    );
}

#[wasm_bindgen_test]
async fn identical_urls_still_download_concurrently() {
    // Without `cache: no-store` the browser would queue these behind one
    // cache entry and take three times as long.
    let target = url("/async-demo-api/delay/300");
    let start = now();
    let results = join_all((0..3).map(|_| download(&target))).await;
    let took = now() - start;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(took < 700.0, "three identical 300 ms downloads took {took} ms");
}
