// Reads a V8 .cpuprofile (node --cpu-prof; BENCH_CPU_PROF=1 npm run bench) for the other tools here.
import { readFileSync } from 'node:fs';

/** The profile's samples as [time in µs since its start, node, dt µs], and each node's parent. */
export function readProfile(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = [];
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    samples.push({ t, node: byId.get(p.samples[i]), dt });
  }
  return { samples, byId, parent, seconds: (p.endTime - p.startTime) / 1e6 };
}

/** `function file:line`, the file from src/ or node_modules/ on. */
export function frameName(cf) {
  return `${cf.functionName || '(anonymous)'} ${(cf.url || '').replace(/.*\/(node_modules|src)\//, '')}:${cf.lineNumber}`;
}

/** Seconds FROM and TO (command-line arguments) as a filter on sample times. */
export function window(fromArg, toArg) {
  const from = fromArg === undefined ? -Infinity : Number(fromArg) * 1e6;
  const to = toArg === undefined ? Infinity : Number(toArg) * 1e6;
  return (t) => t >= from && t <= to;
}
