"""The many lesson in asyncio: a thousand timers at once, on one thread."""
import asyncio
import time

TASKS = 1000  # param: tasks
DELAY_MS = 1000  # param: delay-ms


def wave(i):
    """Ten waves of finishing times, in seconds: DELAY_MS / 10, 2 * DELAY_MS / 10, ..."""
    return DELAY_MS // 10 * (i % 10 + 1) / 1000


async def main():
    run = "join_all of 10"
    log(f"{run}: started")
    await asyncio.gather(*(trace(run, f"timer {i}", asyncio.sleep(wave(i))) for i in range(10)))
    log(f"{run}: finished")

    run = f"FuturesUnordered of {TASKS}"
    log(f"{run}: started")
    # gather wraps every coroutine in a Task of its own, and the event loop
    # runs only the Tasks whose timer fired: like FuturesUnordered, at any n.
    done = await asyncio.gather(*(trace(run, f"timer {i}", asyncio.sleep(wave(i))) for i in range(TASKS)))
    log(f"{len(done)} timers done, on one thread")
    log(f"{run}: finished")
