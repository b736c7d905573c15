/** Small text helpers shared by the lexicon judge and the scripted target. */

const STOPWORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it
  its me my no not of on or our she so such than that the their them then there these they this those to too
  us was we were what when where which who whom why will with would you your yes just about also only very`.split(
    /\s+/,
  ),
);

/** Lower-cases and folds typographic apostrophes so markers match however the text was typed. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"');
}

/** Content words: lower-cased alphanumeric tokens longer than two characters, minus stopwords. */
export function contentWords(text: string): string[] {
  const words = normalise(text).match(/[a-z0-9]+(?:\.[0-9]+)?/g) ?? [];
  return words.filter((w) => (w.length > 2 || /\d/.test(w)) && !STOPWORDS.has(w));
}

/** Share of the reference's distinct content words that appear in the text; null if it has none. */
export function termRecall(reference: string, text: string): number | null {
  const ref = new Set(contentWords(reference));
  if (ref.size === 0) return null;
  const have = new Set(contentWords(text));
  let hit = 0;
  for (const w of ref) if (have.has(w)) hit += 1;
  return hit / ref.size;
}
