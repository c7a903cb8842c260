/** Median of repeated timings, in ms, after warm-up. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function time(fn, { warmup = 5, runs = 50 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

/** Medians of several functions timed in turn, one call of each per round (a noisy moment of
 * the machine falls on all of them alike). */
export function timeAlternately(fns, { warmup = 5, runs = 50 } = {}) {
  for (let i = 0; i < warmup; i++) for (const fn of fns) fn();
  const out = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      const t0 = performance.now();
      fn();
      out[k].push(performance.now() - t0);
    });
  }
  return out.map(median);
}

export async function timeAsync(fn, { warmup = 3, runs = 30 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}
