// Writes transcripts.jsonl: probe transcript lines (the fields the turn GLMM reads) for
// test/probe/turn-glmm.test.ts — 24 questions × 3 personalization levels × turns 0–4, seeded.
// abandoned at turn t with logit −2 + 0.35 t + b_c + 0.25 t·[profile-plus] + u_q, u_q ~ N(0, 0.8²).
import { writeFileSync } from 'node:fs';

let s = 20;
const rnd = () => {
  s = (s * 16807) % 2147483647;
  return s / 2147483647;
};
const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
const effect = { none: 0, profile: 0.6, 'profile-plus': 0.3 };
const lines = [];
for (let q = 1; q <= 24; q++) {
  const u = 0.8 * normal();
  for (const p of ['none', 'profile', 'profile-plus']) {
    const conversation = `g${q}|peer/${p}`;
    for (let turn = 0; turn <= 4; turn++) {
      const eta = -2 + 0.35 * turn + effect[p] + (p === 'profile-plus' ? 0.25 * turn : 0) + u;
      const stance = turn === 0 ? null : rnd() < 1 / (1 + Math.exp(-eta)) ? 0 : rnd() < 0.2 ? 1 : 2;
      lines.push({
        conversation,
        model: 'scripted:fixture',
        question_id: `g${q}`,
        role: 'peer',
        personalization: p,
        turn,
        // one unjudged turn (a failed verdict) per 40 lines: left out, counted
        stance:
          turn === 0
            ? undefined
            : lines.length % 40 === 7
              ? { value: null, error: 'unscored' }
              : { value: stance },
      });
    }
  }
}
writeFileSync(
  new URL('transcripts.jsonl', import.meta.url),
  `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
);
