"""The cancel lesson in asyncio: press Ctrl+C while it runs, and everything in flight stops."""
import asyncio
import time

import aiohttp

DELAY_MS = 8000  # param: delay-ms
URLS = ["http://127.0.0.1:8080/async-demo-api/delay/8000", "http://127.0.0.1:8080/async-demo-api/drip?bytes=100000&ms=8000"]  # param: urls


async def download(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()  # HTTP 4xx and 5xx are errors, as in the Rust
        body = await resp.read()
        return f"HTTP {resp.status}, {len(body)} bytes"


async def main():
    async with aiohttp.ClientSession() as session:
        run = "long tasks"
        log(f"{run}: started")
        timer = trace(run, "asyncio.sleep()", asyncio.sleep(DELAY_MS / 1000))
        requests = [trace(run, url, download(session, url)) for url in URLS]
        # Cancelling main() cancels this gather, and the gather cancels every task in it.
        results = await asyncio.gather(timer, *requests, return_exceptions=True)
        ok = sum(not isinstance(r, Exception) for r in results[1:])
        log(f"not cancelled: {ok} of {len(URLS)} downloads completed")
        log(f"{run}: finished")
