"""The race lesson in asyncio: the first download to finish wins, the others are cancelled."""
import asyncio
import time

import aiohttp

URLS = ["http://127.0.0.1:8080/async-demo-api/delay/1500", "http://127.0.0.1:8080/async-demo-api/delay/300", "http://127.0.0.1:8080/async-demo-api/delay/3000"]  # param: urls


async def download(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()  # HTTP 4xx and 5xx are errors, as in the Rust
        body = await resp.read()
        return f"HTTP {resp.status}, {len(body)} bytes"


async def main():
    async with aiohttp.ClientSession() as session:
        run = "select_all"
        log(f"{run}: started")
        racers = [asyncio.create_task(trace(run, url, download(session, url))) for url in URLS]
        done, losers = await asyncio.wait(racers, return_when=asyncio.FIRST_COMPLETED)
        for loser in losers:
            loser.cancel()  # raises CancelledError inside it; its connection is closed
        await asyncio.gather(*losers, return_exceptions=True)  # let them finish cancelling
        winner = next(task for task in racers if task in done)
        outcome = f"failed: {winner.exception()}" if winner.exception() else winner.result()
        log(f"{URLS[racers.index(winner)]} won ({outcome})")
        log(f"{run}: finished")
