"""The gather lesson in asyncio: the same downloads one by one, then all at once."""
import asyncio
import time

import aiohttp

URLS = ["http://127.0.0.1:8080/async-demo-api/delay/700", "http://127.0.0.1:8080/async-demo-api/drip?bytes=30000&ms=1000", "http://127.0.0.1:8080/async-demo-api/delay/400"]  # param: urls
TIMEOUT_MS = 15000  # param: timeout-ms


async def download(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()  # HTTP 4xx and 5xx are errors, as in the Rust
        body = await resp.read()
        return f"HTTP {resp.status}, {len(body)} bytes"


async def fetch(session, url):
    try:
        return await asyncio.wait_for(download(session, url), TIMEOUT_MS / 1000)
    except TimeoutError:
        raise TimeoutError(f"timed out after {TIMEOUT_MS} ms; the request was cancelled") from None


async def main():
    # At most 6 connections to one host, like a browser over HTTP/1.1.
    connector = aiohttp.TCPConnector(limit_per_host=6)
    async with aiohttp.ClientSession(connector=connector) as session:
        run = "sequential"
        log(f"{run}: started")
        for url in URLS:  # the next one starts after this one ends
            try:
                await trace(run, url, fetch(session, url))
            except Exception:
                pass  # a failure fails its own download only
        log(f"{run}: finished")

        run = "concurrent"
        log(f"{run}: started")
        results = await asyncio.gather(
            *(trace(run, url, fetch(session, url)) for url in URLS),
            return_exceptions=True,  # like join_all: every result, in input order
        )
        failed = sum(isinstance(r, Exception) for r in results)
        log(f"{len(results)} downloads, {failed} failed")
        log(f"{run}: finished")
