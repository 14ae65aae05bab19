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


# How this twin reports what happens: one line per event, stamped with the
# milliseconds since the start, as the Rust widget's log is.
START = time.perf_counter()


def log(line):
    """Prints `line` after the milliseconds since the program started."""
    print(f"[{(time.perf_counter() - START) * 1000:5.0f} ms] {line}", flush=True)


async def trace(run, label, coro):
    """Awaits `coro` and prints how it ended, like run.trace(label, future) in the Rust."""
    try:
        result = await coro
    except asyncio.CancelledError:
        log(f"{run}: {label} cancelled")
        raise
    except Exception as error:
        log(f"{run}: {label} error: {str(error) or repr(error)}")
        raise
    log(f"{run}: {label} done" + ("" if result is None else f": {result}"))
    return result


if __name__ == "__main__":
    asyncio.run(main())
