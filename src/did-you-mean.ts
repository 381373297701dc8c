/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The names closest to a mistyped one, nearest first: within a third of its length (at least 2
 * edits), or containing it / contained in it (`redis` → `node-redis`, `redis@2.3.0`).
 */
export function nearestNames(word: string, names: Iterable<string>, max = 3): string[] {
  const typed = word.toLowerCase();
  const limit = Math.max(2, Math.floor(typed.length / 3));
  return [...names]
    .map((name) => {
      const lower = name.toLowerCase();
      const distance = editDistance(typed, lower);
      const related = typed.length >= 3 && (lower.includes(typed) || typed.includes(lower));
      return { name, distance, close: distance <= limit || related };
    })
    .filter((c) => c.close)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((c) => c.name);
}

/** ` (did you mean ioredis?)`, or nothing when no name is close. */
export function didYouMean(word: string, names: Iterable<string>): string {
  const near = nearestNames(word, names);
  if (near.length === 0) return '';
  const listed = near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`;
  return ` (did you mean ${listed}?)`;
}
