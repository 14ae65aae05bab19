"""The sleep lesson in asyncio: an awaited sleep hands the thread back to the loop."""
import asyncio
import time

DELAY_MS = 2000  # param: delay-ms


async def say_hello():
    log("Hello")
    await asyncio.sleep(DELAY_MS / 1000)  # the event loop runs other work until the timer fires
    log("World")


async def ticker():
    """The widget's moving dot: a tick every quarter second, printed only
    because the loop is free while say_hello() waits."""
    while True:
        await asyncio.sleep(0.25)
        print("  tick", flush=True)


async def main():
    ticking = asyncio.create_task(ticker())
    run = "say_hello"
    log(f"{run}: started")
    await trace(run, "say_hello()", say_hello())
    log(f"{run}: finished")
    ticking.cancel()
