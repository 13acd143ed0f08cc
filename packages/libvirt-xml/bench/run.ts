import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { reportBenchResult } from '../../../scripts/bench-result.mjs';
import { parseDomain } from '../src/index.js';

/**
 * Parse + serialize of a realistic 152-line domain (libvirt's own dumpxml of a builder-made
 * domain, see domain-150.xml) against the floor: fast-xml-parser's raw parse + build of the same
 * document, measured side by side in this run. Then memory over 100k iterations.
 */
const xml = readFileSync(new URL('./domain-150.xml', import.meta.url), 'utf8');
const options = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
};
const rawParser = new XMLParser(options);
const rawBuilder = new XMLBuilder({ ...options, suppressEmptyNode: true });

const typed = () => parseDomain(xml).toXml();
const floor = () => rawBuilder.build(rawParser.parse(xml)) as string;

// CPU time (user + system) rather than wall time: the build machines are shared, and another
// process's burst should not land on one side of the comparison only.
function perOpMicros(fn: () => string, iterations: number): number {
  let sink = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) sink += fn().length;
  const used = process.cpuUsage(start);
  if (sink === 0) throw new Error('benchmark produced no output');
  return (used.user + used.system) / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// Sanity: both sides produce a full document.
if (!typed().includes('</domain>') || !floor().includes('</domain>'))
  throw new Error('bad benchmark setup');

// Warm up, then interleave rounds so both sides see the same machine load.
perOpMicros(typed, 2000);
perOpMicros(floor, 2000);
const ours: number[] = [];
const theirs: number[] = [];
for (let round = 0; round < 7; round++) {
  ours.push(perOpMicros(typed, 1500));
  theirs.push(perOpMicros(floor, 1500));
}
const ourTime = median(ours);
const floorTime = median(theirs);
reportBenchResult({
  package: '@multiverse-os/libvirt-xml',
  metric: 'parse+serialize 152-line domain',
  value: Number(ourTime.toFixed(1)),
  unit: 'us/op (cpu)',
  baseline: Number(floorTime.toFixed(1)),
  baselineName: 'fast-xml-parser raw parse+build (preserveOrder)',
  ratio: Number((ourTime / floorTime).toFixed(3)),
  goal: 1.5,
  pass: ourTime / floorTime <= 1.5,
});

// Memory: heap after a forced GC at 10k iterations vs after 100k. Flat means no growth.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
};
let sink = 0;
for (let i = 0; i < 10_000; i++) sink += typed().length;
const early = heapAfterGc();
for (let i = 10_000; i < 100_000; i++) sink += typed().length;
const late = heapAfterGc();
if (sink === 0) throw new Error('benchmark produced no output');
reportBenchResult({
  package: '@multiverse-os/libvirt-xml',
  metric: 'heap after 100k parse+serialize',
  value: Number(late.toFixed(2)),
  unit: 'MiB',
  baseline: Number(early.toFixed(2)),
  baselineName: 'heap after 10k iterations (same run)',
  ratio: Number((late / early).toFixed(3)),
  goal: 1.1,
  pass: late / early <= 1.1,
});
