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
    try:
        # Ctrl+C cancels main(): CancelledError is raised at every await in flight,
        # where a task could still catch it and await some cleanup. A Rust drop
        # cannot: it runs the destructors at once and awaits nothing.
        asyncio.run(main())
    except KeyboardInterrupt:
        log("cancelled by Ctrl+C")
