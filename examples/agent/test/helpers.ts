// One in-memory socket pair for every package's tests.
export { duplexPair } from '@multiverse-os/vsock/testing';

export function collectLines(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}
