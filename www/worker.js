// The Web Worker of the `worker` lesson: loads the same wasm and counts
// primes off the main thread. A module worker from this origin: no blob:
// URLs or eval, so it runs under a strict Content-Security-Policy.
import init, { countPrimes } from "./pkg/async_demo.js";

const ready = init({ module_or_path: new URL("./pkg/async_demo_bg.wasm", import.meta.url) });

self.onmessage = async (event) => {
  await ready;
  const start = performance.now();
  try {
    const count = countPrimes(event.data);
    self.postMessage({ count, ms: performance.now() - start });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
