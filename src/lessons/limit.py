"""The limit lesson in asyncio: many downloads, at most CONCURRENCY in flight."""
import asyncio
import time

import aiohttp

URLS = ["http://127.0.0.1:8080/async-demo-api/delay/400"] * 12  # param: urls
CONCURRENCY = 3  # param: concurrency


async def download(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()  # HTTP 4xx and 5xx are errors, as in the Rust
        body = await resp.read()
        return f"HTTP {resp.status}, {len(body)} bytes"


async def limited(slots, coro):
    async with slots:  # waits while CONCURRENCY others hold a slot
        return await coro


async def main():
    slots = asyncio.Semaphore(CONCURRENCY)
    # At most 6 connections to one host, like a browser over HTTP/1.1.
    connector = aiohttp.TCPConnector(limit_per_host=6)
    async with aiohttp.ClientSession(connector=connector) as session:
        run = f"buffer_unordered({CONCURRENCY})"  # named after the Rust it mirrors
        log(f"{run}: started")
        downloads = [
            limited(slots, trace(run, f"download {i}", download(session, url)))
            for i, url in enumerate(URLS, start=1)
        ]
        results = await asyncio.gather(*downloads, return_exceptions=True)
        failed = sum(isinstance(r, Exception) for r in results)
        log(f"{len(results)} downloads, at most {CONCURRENCY} at a time, {failed} failed")
        log(f"{run}: finished")
