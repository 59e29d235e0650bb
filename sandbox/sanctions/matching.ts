// Fuzzy name matching as sanctions screening tools do it: names normalised (case, accents, punctuation, word order),
// then each word compared by Jaro-Winkler similarity with the other name's closest word, both ways, averaged into a
// 0–100 score. "Olivia Smith" against "SMYTH, Olivia" scores in the nineties; unrelated names stay far below.

/** Lowercase ASCII words: accents stripped, punctuation and apostrophes dropped ("O'Brien" → "obrien"). */
export function nameTokens(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .split(/[^a-z]+/)
    .filter(Boolean);
}

export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (!bMatched[j] && a[i] === b[j]) {
        aMatched[i] = true;
        bMatched[j] = true;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, a.length, b.length) && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

function directed(from: readonly string[], to: readonly string[]): number {
  const best = from.map((token) => Math.max(...to.map((other) => jaroWinkler(token, other))));
  return best.reduce((sum, value) => sum + value, 0) / best.length;
}

/** 0–100: how alike two names are, whatever their word order. */
export function nameScore(query: string, candidate: string): number {
  const a = nameTokens(query);
  const b = nameTokens(candidate);
  if (a.length === 0 || b.length === 0) return 0;
  return Math.round(((directed(a, b) + directed(b, a)) / 2) * 100);
}
