"""The blocking lesson in asyncio: the same wait with time.sleep and with await."""
import asyncio
import itertools
import time

DELAY_MS = 1500  # param: delay-ms


async def blocking_wait():
    time.sleep(DELAY_MS / 1000)  # holds the thread: the event loop cannot run anything


async def awaited_wait():
    await asyncio.sleep(DELAY_MS / 1000)  # the event loop is free meanwhile


async def ticker(ticks):
    """Ticks every 10 ms, like the page's animation frames, noting when."""
    while True:
        await asyncio.sleep(0.01)
        ticks.append(time.perf_counter())


async def measured(coro):
    """Runs one way of waiting while the ticker ticks; prints its longest gap."""
    ticks = [time.perf_counter()]
    tick = asyncio.create_task(ticker(ticks))
    await asyncio.sleep(0)  # let the ticker start
    await coro
    tick.cancel()
    ticks.append(time.perf_counter())
    gap = max(b - a for a, b in itertools.pairwise(ticks)) * 1000
    log(f"longest gap between ticks: {gap:.0f} ms")


async def main():
    run = "blocking"
    log(f"{run}: started")
    await measured(trace(run, "time.sleep()", blocking_wait()))
    log(f"{run}: finished")

    run = "async"
    log(f"{run}: started")
    await measured(trace(run, "await asyncio.sleep()", awaited_wait()))
    log(f"{run}: finished")
