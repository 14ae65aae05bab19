"""The mistakes lesson in asyncio: a forgotten await, a blocking call, a coroutine nobody runs."""
import asyncio
import time

DELAY_MS = 800  # param: delay-ms
BLOCK_MS = 600  # param: block-ms


async def save(ms):
    await asyncio.sleep(ms / 1000)
    return "saved"


async def wait(ms):
    await asyncio.sleep(ms / 1000)


async def busy(ms):
    time.sleep(ms / 1000)  # never awaits: nothing else on the loop can run meanwhile


async def main():
    # 1. A forgotten await: the coroutine is made and thrown away, never run.
    run = "forgotten .await"
    log(f"{run}: started")
    save(DELAY_MS)  # RuntimeWarning: coroutine 'save' was never awaited
    log(f"{run}: save(ms) — no await pending (never started)")
    await trace(run, "await save(ms)", save(DELAY_MS))
    log(f"{run}: finished")

    # 2. A blocking call in one task holds back all the others.
    run = "all tasks await"
    log(f"{run}: started")
    await asyncio.gather(*(trace(run, f"task {i}", wait(DELAY_MS)) for i in (1, 2, 3)))
    log(f"{run}: finished")

    run = "one task blocks"
    log(f"{run}: started")
    blocker = trace(run, "task 0: time.sleep", busy(BLOCK_MS))
    others = [trace(run, f"task {i}", wait(DELAY_MS)) for i in (1, 2, 3)]
    await asyncio.gather(blocker, *others)  # the blocker runs first: the timers start late
    log(f"{run}: finished")

    run = "the blocker joined last"
    log(f"{run}: started")
    others = [trace(run, f"task {i}", wait(DELAY_MS)) for i in (1, 2, 3)]
    blocker = trace(run, "task 0: time.sleep", busy(BLOCK_MS))
    await asyncio.gather(*others, blocker)  # the timers start first and count during the block
    log(f"{run}: finished")

    # 3. A coroutine nobody runs, next to one handed to the event loop.
    run = "never spawned"
    log(f"{run}: started")
    kept = save(DELAY_MS)  # kept in a variable, never handed to the loop
    task = asyncio.create_task(trace(run, "create_task(save(ms))", save(DELAY_MS)))  # the loop runs it
    await task
    kept.close()
    log(f"{run}: kept, never spawned pending (never started)")
    log(f"{run}: finished")
