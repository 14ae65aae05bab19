"""The lazy lesson in asyncio: calling an async function runs none of it."""
import asyncio
import time

DELAY_MS = 800  # param: delay-ms


async def fetch_data():
    await asyncio.sleep(DELAY_MS / 1000)
    return "data"


async def main():
    run = "called, not awaited"
    log(f"{run}: started")
    coro = fetch_data()  # a coroutine object: not one line of the body has run
    log("fetch_data() returned a coroutine; its body has not started")
    await asyncio.sleep(DELAY_MS / 1000)  # time passes: still nothing
    coro.close()  # dropped unawaited (close() also spares us the "never awaited" warning)
    log(f"{run}: fetch_data() pending (never started)")
    log(f"{run}: finished")
    # asyncio.create_task(fetch_data()) would be different: a Task starts on
    # its own at the loop's next turn, awaited or not. A Rust future never does.

    run = "awaited"
    log(f"{run}: started")
    data = await trace(run, "await fetch_data()", fetch_data())
    log(f"await fetch_data() returned {data!r}")
    log(f"{run}: finished")
