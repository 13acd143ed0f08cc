/** Edit distance with transpositions (optimal string alignment): `memroy` is one edit away. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** How many leading characters `a` and `b` share, ignoring case. */
function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n]?.toLowerCase() === b[n]?.toLowerCase()) n++;
  return n;
}

/**
 * The candidate closest to `word`, if close enough to be a likely typo: case differences
 * count as nothing, and at most a third of the word may differ (at least 2 edits allowed).
 * Failing that, a shortened spelling (`passthru` for `passthrough`) is recognised by a long
 * shared start: at least 5 characters and two thirds of the word.
 */
export function didYouMean(word: string, from: Iterable<string>): string | undefined {
  const candidates = [...from];
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(2, Math.floor(word.length / 3));
  if (bestDistance <= allowed) return best;
  let longest: string | undefined;
  let longestPrefix = 0;
  for (const candidate of candidates) {
    const shared = commonPrefix(word, candidate);
    if (shared > longestPrefix) {
      longest = candidate;
      longestPrefix = shared;
    }
  }
  return longestPrefix >= 5 && longestPrefix * 3 >= word.length * 2 ? longest : undefined;
}
