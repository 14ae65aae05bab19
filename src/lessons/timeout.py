"""The timeout lesson in asyncio: a deadline on each download."""
import asyncio
import time

import aiohttp

URLS = ["http://127.0.0.1:8080/async-demo-api/delay/200", "http://127.0.0.1:8080/async-demo-api/delay/2500"]  # param: urls
TIMEOUT_MS = 800  # param: timeout-ms


async def download(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()  # HTTP 4xx and 5xx are errors, as in the Rust
        body = await resp.read()
        return f"HTTP {resp.status}, {len(body)} bytes"


async def with_timeout(ms, coro):
    try:
        return await asyncio.wait_for(coro, ms / 1000)  # cancels coro when the time is up
    except TimeoutError:
        raise TimeoutError(f"timed out after {ms} ms; the request was cancelled") from None


async def main():
    async with aiohttp.ClientSession() as session:
        run = "with_timeout"
        log(f"{run}: started")
        guarded = (trace(run, url, with_timeout(TIMEOUT_MS, download(session, url))) for url in URLS)
        results = await asyncio.gather(*guarded, return_exceptions=True)
        late = sum(isinstance(r, TimeoutError) for r in results)
        log(f"{late} of {len(results)} downloads missed the {TIMEOUT_MS} ms deadline")
        log(f"{run}: finished")
