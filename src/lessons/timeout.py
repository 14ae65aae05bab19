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
