"""The worker lesson in asyncio: CPU-bound work on the event loop, then in another process."""
import asyncio
import math
import time
from concurrent.futures import ProcessPoolExecutor

WORK_MS = 1000  # param: work-ms


def is_prime(n):
    if n < 4:
        return n >= 2
    return n % 2 != 0 and all(n % d for d in range(3, math.isqrt(n) + 1, 2))


def count_primes(bound):
    """Counts the primes below bound by trial division: plain CPU work, no await."""
    return sum(1 for n in range(2, bound) if is_prime(n))


def bound_for(ms):
    """The bound whose count takes about ms on this machine: time small counts, then scale."""
    bound = 2_000
    def timed():
        start = time.perf_counter()
        count_primes(bound)
        return (time.perf_counter() - start) * 1000

    while True:
        took = timed()
        if took >= 50:
            took = min(took, timed(), timed())  # a busy machine only makes a count slower
            # Measured: the work grows about as bound ** 1.3 at these sizes, less
            # than trial division's 1.5, as Python's cost per number weighs in.
            return int(bound * (ms / took) ** (1 / 1.3))
        bound *= 2


async def heartbeat():
    start = time.perf_counter()
    for _ in range(10):
        await asyncio.sleep(0.1)
    return f"10 beats of 100 ms took {(time.perf_counter() - start) * 1000:.0f} ms"


async def count_here(bound):
    return count_primes(bound)  # never awaits: the event loop is stuck until it returns


async def main():
    bound = bound_for(WORK_MS)
    log(f"calibrated: counting the primes below {bound} should take about {WORK_MS} ms here")

    run = "main thread"
    log(f"{run}: started")
    count = trace(run, "count_primes on the main thread", count_here(bound))
    beat, primes = await asyncio.gather(trace(run, "heartbeat", heartbeat()), count)
    log(f"on the event loop: {primes} primes; {beat}")
    log(f"{run}: finished")

    # The Rust sends the count to a Web Worker, a thread with its own copy of
    # the wasm; the nearest thing in Python is another process with its own
    # interpreter. asyncio.to_thread would keep the loop's heartbeat going
    # too (the GIL is handed over every few milliseconds), but its Python
    # code shares one interpreter with the loop; a process, like a Worker,
    # computes beside it in parallel.
    with ProcessPoolExecutor(max_workers=1) as pool:
        run = "web worker"
        log(f"{run}: started")
        loop = asyncio.get_running_loop()
        count = trace(run, "count_primes in a worker process", loop.run_in_executor(pool, count_primes, bound))
        beat, primes = await asyncio.gather(trace(run, "heartbeat", heartbeat()), count)
        log(f"in a worker process: {primes} primes; {beat}")
        log(f"{run}: finished")
