/**
 * The known names a mistyped one was most likely meant as, for "did you mean ...?": those within a
 * few edits of it (a typed, dropped, changed or swapped character each), case ignored, nearest first.
 * Allows a third of the name's length in edits, at least one and at most three, so that short names
 * do not all look alike.
 */
export function nearestNames(typed: string, known: readonly string[]): string[] {
  const wanted = typed.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  return known
    // Names whose lengths differ by more than the allowance are that many edits apart at least:
    // a huge argument is never compared character by character.
    .filter((name) => Math.abs(name.length - wanted.length) <= allowed)
    .map((name) => ({ name, distance: editDistance(wanted, name.toLowerCase()) }))
    .filter(({ distance }) => distance <= allowed)
    .sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : 1))
    .map(({ name }) => name);
}

/** Edits from one text to the other, a swap of neighbours counting as one (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const change = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + change);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
