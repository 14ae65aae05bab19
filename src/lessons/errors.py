"""The errors lesson in asyncio: keep every result, stop at the first error, or retry."""
import asyncio
import random
import time

import aiohttp

URLS = ["http://127.0.0.1:8080/async-demo-api/delay/400", "http://127.0.0.1:8080/async-demo-api/status/500", "http://127.0.0.1:8080/async-demo-api/delay/900"]  # param: urls
FAILURES = 3  # param: failures
FLAKY_URL = "http://127.0.0.1:8080/async-demo-api/flaky"  # url: async-demo-api/flaky
MAX_ATTEMPTS = 5


async def download(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()  # HTTP 4xx and 5xx are errors, as in the Rust
        body = await resp.read()
        return f"HTTP {resp.status}, {len(body)} bytes"


async def with_retries(make):
    """Awaits make(1), make(2), … until one succeeds, MAX_ATTEMPTS at most."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await make(attempt)
        except Exception:  # any failure, as in the Rust
            if attempt == MAX_ATTEMPTS:
                raise  # no wait after the last attempt: nothing is left to wait for
            await asyncio.sleep(0.1 * 2 ** (attempt - 1))  # 100, 200, 400, 800 ms


async def main():
    async with aiohttp.ClientSession() as session:
        run = "join_all: every result"
        log(f"{run}: started")
        results = await asyncio.gather(
            *(trace(run, url, download(session, url)) for url in URLS),
            return_exceptions=True,  # failures come back as values; nothing is cancelled
        )
        failed = sum(isinstance(r, Exception) for r in results)
        log(f"gather: {len(results)} results, {failed} of them errors")
        log(f"{run}: finished")

        run = "try_join_all: first error cancels the rest"
        log(f"{run}: started")
        try:
            async with asyncio.TaskGroup() as group:  # one task fails: the group cancels the others
                for url in URLS:
                    group.create_task(trace(run, url, download(session, url)))
        except* Exception as errors:
            log(f"the TaskGroup stopped at: {errors.exceptions[0]}")
        log(f"{run}: finished")
        # A plain gather(*coros) would raise the first error too, but leave
        # the other tasks running to their end, unobserved.

        run = "retry with exponential backoff"
        log(f"{run}: started")
        flaky = f"{FLAKY_URL}?id=twin-{random.randrange(1 << 40):x}&fail={FAILURES}"
        try:
            done = await with_retries(lambda attempt: trace(run, f"attempt {attempt}", download(session, flaky)))
            log(f"succeeded: {done}")
        except Exception as error:
            log(f"gave up: {error}")
        log(f"{run}: finished")
