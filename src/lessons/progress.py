"""The progress lesson in asyncio: bodies read chunk by chunk as they arrive."""
import asyncio
import time

import aiohttp

URLS = ["http://127.0.0.1:8080/async-demo-api/drip?bytes=300000&ms=2500", "http://127.0.0.1:8080/async-demo-api/drip?bytes=80000&ms=1200", "http://127.0.0.1:8080/async-demo-api/drip?bytes=600000&ms=3500"]  # param: urls
MAX_BYTES = 5_000_000  # the Rust stops a download here too


async def download_with_progress(session, url):
    start = time.perf_counter()
    async with session.get(url) as resp:
        resp.raise_for_status()
        total = resp.content_length  # from Content-Length; None if the server does not say
        done, quarters = 0, 0
        async for chunk in resp.content.iter_any():  # each piece as it arrives
            done += len(chunk)
            if done > MAX_BYTES:
                raise ValueError(f"{url} sent more than {MAX_BYTES} bytes; the download was stopped there")
            if total and done * 4 // total > quarters:  # print at each quarter
                quarters = done * 4 // total
                log(f"{url}: {done} of {total} bytes")
        log(f"{url}: all {done} bytes, {done / (time.perf_counter() - start):.0f} bytes/s")
        return done


async def main():
    async with aiohttp.ClientSession() as session:
        run = "streamed downloads"
        log(f"{run}: started")
        results = await asyncio.gather(
            *(trace(run, url, download_with_progress(session, url)) for url in URLS),
            return_exceptions=True,
        )
        total = sum(r for r in results if isinstance(r, int))
        log(f"{total} bytes in all")
        log(f"{run}: finished")
