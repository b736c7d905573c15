import { UsageError } from '../../core/errors.js';

/**
 * The lme4 formula language, as far as plumb's models need it:
 *
 *   response ~ fixed + (1 | g) + (1 | g1/g2) + (1 | g1:g2)
 *
 * Fixed part: `+`, `-`, `*`, `:`, `/`, parentheses, `1` and `0` (or `-1`) for the intercept, as R's
 * `terms.formula` expands them (a*b = a + b + a:b; a/b = a + a:b). Terms are ordered as R orders them:
 * by degree, then by first appearance; the variables inside an interaction in the order they first
 * appear in the formula — so `turn * condition` gives columns `turn:conditionB`, like R.
 *
 * Identifiers may contain dots (`metadata.role`, a path into nested objects) and may be quoted with
 * backticks for any other character. Random terms `(1 | g)` take random intercepts only: slopes and
 * `||` are refused with a message saying so.
 */

/** One random-intercept term: the grouping factor is the interaction of `factors` (one or more fields). */
export interface RandomTerm {
  /** Fields whose combination defines the groups, e.g. ['school', 'class'] for `school:class`. */
  factors: string[];
  /** The name lme4 gives the grouping factor: `g`, or `g2:g1` for the inner level of `g1/g2`. */
  name: string;
}

/** A parsed formula. */
export interface ParsedFormula {
  response: string;
  /** Whether the fixed part has an intercept (`1`, the default) or not (`0` / `-1`). */
  intercept: boolean;
  /** Fixed-effect terms other than the intercept; each lists its variables in formula order. */
  fixed: string[][];
  /** Random-intercept terms in the order written (nested `a/b` expands to `b:a`, then `a`, as lme4). */
  random: RandomTerm[];
  /** Every field the formula reads, response first. */
  variables: string[];
}

type TokKind = 'id' | 'num' | 'op';
interface Tok {
  kind: TokKind;
  text: string;
  pos: number;
}

function formulaError(src: string, pos: number, what: string): UsageError {
  const caret = `${' '.repeat(Math.max(0, pos))}^`;
  return new UsageError(`formula does not parse at character ${pos + 1}: ${what}\n  ${src}\n  ${caret}`);
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw formulaError(src, i, 'unclosed backtick');
      toks.push({ kind: 'id', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (/[A-Za-z_.]/.test(c) && !/^\.\d/.test(src.slice(i, i + 2))) {
      const m = /^[A-Za-z0-9_.]+/.exec(src.slice(i))!;
      toks.push({ kind: 'id', text: m[0], pos: i });
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9]*\.?[0-9]+/.exec(src.slice(i))!;
      toks.push({ kind: 'num', text: m[0], pos: i });
      i += m[0].length;
    } else if (c === '|' && src[i + 1] === '|') {
      toks.push({ kind: 'op', text: '||', pos: i });
      i += 2;
    } else if ('~+-*:/|()^'.includes(c)) {
      toks.push({ kind: 'op', text: c, pos: i });
      i++;
    } else {
      throw formulaError(src, i, `unexpected character '${c}'`);
    }
  }
  return toks;
}

/**
 * A fixed-part expression: a set of terms (each a set of variables, stored sorted by first
 * appearance), plus intercept bookkeeping. `one` marks the literal 1 (intercept), `zero` the literal 0.
 */
interface Expr {
  terms: string[][];
  one: boolean;
  zero: boolean;
  random: RandomTerm[];
}

class Parser {
  private i = 0;
  /** Variables in order of first appearance: R orders variables inside interactions by this. */
  readonly order: string[] = [];
  constructor(
    private readonly src: string,
    private readonly toks: Tok[],
  ) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private fail(what: string, tok = this.peek()): never {
    throw formulaError(this.src, tok ? tok.pos : this.src.length, what);
  }
  private expect(text: string): Tok {
    const t = this.peek();
    if (!t || t.text !== text || t.kind !== 'op') this.fail(`expected '${text}'`);
    this.i++;
    return t;
  }
  private note(name: string): void {
    if (!this.order.includes(name)) this.order.push(name);
  }
  private canon(vars: string[]): string[] {
    return [...new Set(vars)].sort((a, b) => this.order.indexOf(a) - this.order.indexOf(b));
  }

  parse(): ParsedFormula {
    const lhs = this.peek();
    if (lhs?.kind !== 'id') this.fail('expected the response name before ~');
    this.note(lhs.text);
    this.i++;
    this.expect('~');
    const rhs = this.sum();
    if (this.peek()) this.fail('unexpected token');
    return {
      response: lhs.text,
      intercept: !rhs.zero || rhs.one,
      fixed: rhs.terms
        .filter((t) => t.length > 0)
        .map((t, k) => ({ t, k }))
        .sort((a, b) => a.t.length - b.t.length || a.k - b.k)
        .map((x) => x.t),
      random: rhs.random,
      variables: [...this.order],
    };
  }

  private sum(): Expr {
    let acc = this.product();
    for (let t = this.peek(); t && t.kind === 'op' && (t.text === '+' || t.text === '-'); t = this.peek()) {
      this.i++;
      const rhs = this.product();
      if (t.text === '+') acc = union(acc, rhs);
      else {
        if (rhs.random.length > 0) this.fail('cannot subtract a random term', t);
        const drop = new Set(rhs.terms.map((x) => x.join(':')));
        acc = {
          terms: acc.terms.filter((x) => !drop.has(x.join(':'))),
          one: acc.one && !rhs.one,
          zero: acc.zero || rhs.one,
          random: acc.random,
        };
      }
    }
    return acc;
  }

  private product(): Expr {
    let acc = this.interaction();
    for (let t = this.peek(); t && t.kind === 'op' && (t.text === '*' || t.text === '/'); t = this.peek()) {
      this.i++;
      const rhs = this.interaction();
      if (acc.random.length > 0 || rhs.random.length > 0) this.fail('a random term cannot be multiplied', t);
      if (t.text === '*') acc = union(union(acc, rhs), this.cross(acc, rhs));
      else {
        // R: a/b = a + (all variables of a together):b
        const all = { terms: [this.canon(acc.terms.flat())], one: false, zero: false, random: [] };
        acc = union(acc, this.cross(all, rhs));
      }
    }
    return acc;
  }

  private interaction(): Expr {
    let acc = this.atom();
    for (let t = this.peek(); t && t.kind === 'op' && t.text === ':'; t = this.peek()) {
      this.i++;
      const rhs = this.atom();
      if (acc.random.length > 0 || rhs.random.length > 0) this.fail('a random term cannot be interacted', t);
      acc = this.cross(acc, rhs);
    }
    return acc;
  }

  private cross(a: Expr, b: Expr): Expr {
    const terms: string[][] = [];
    for (const x of a.terms) for (const y of b.terms) terms.push(this.canon([...x, ...y]));
    return union(
      { terms: [], one: false, zero: false, random: [] },
      { terms, one: false, zero: false, random: [] },
    );
  }

  private atom(): Expr {
    const t = this.peek();
    if (!t) this.fail('expected a term');
    if (t.kind === 'id') {
      this.i++;
      this.note(t.text);
      return { terms: [[t.text]], one: false, zero: false, random: [] };
    }
    if (t.kind === 'num') {
      this.i++;
      if (t.text === '1') return { terms: [], one: true, zero: false, random: [] };
      if (t.text === '0') return { terms: [], one: false, zero: true, random: [] };
      this.fail(`only 0 and 1 may stand alone as numbers, not ${t.text}`, t);
    }
    if (t.text === '(') return this.paren();
    this.fail(`unexpected '${t.text}'`, t);
  }

  /** `( expr )` or a random term `( lhs | group )`. */
  private paren(): Expr {
    const open = this.expect('(');
    const inner = this.sum();
    const t = this.peek();
    if (t && t.kind === 'op' && t.text === '||')
      this.fail('double-bar random terms (||) are not supported', t);
    if (t && t.kind === 'op' && t.text === '|') {
      this.i++;
      const random = this.grouping(open, inner);
      this.expect(')');
      return { terms: [], one: false, zero: false, random };
    }
    this.expect(')');
    return inner;
  }

  private grouping(open: Tok, lhs: Expr): RandomTerm[] {
    const slopes = lhs.terms.filter((x) => x.length > 0);
    const bar = this.toks.indexOf(open);
    const close = this.toks.slice(bar).find((x) => x.text === ')');
    const text = this.src.slice(open.pos, close ? close.pos + 1 : undefined);
    if (slopes.length > 0 || lhs.random.length > 0) {
      throw new UsageError(
        `random slopes are not supported yet: ${text} asks for a random ${slopes.map((s) => s.join(':')).join(', ')} ` +
          'slope; plumb fits random intercepts only, e.g. (1 | g)',
      );
    }
    if (lhs.zero && !lhs.one)
      throw formulaError(this.src, open.pos, 'a random term needs an intercept: (1 | g)');
    // Group: a, a:b, or a/b/c (nested: a, then a:b as lme4 names it b:a, ...)
    const parts: string[] = [];
    const seps: string[] = [];
    for (;;) {
      const id = this.peek();
      if (id?.kind !== 'id') this.fail('expected a grouping factor name after |');
      parts.push(id.text);
      this.i++;
      const s = this.peek();
      if (s && s.kind === 'op' && (s.text === ':' || s.text === '/')) {
        seps.push(s.text);
        this.i++;
      } else break;
    }
    if (seps.includes(':') && seps.includes('/'))
      this.fail('mixing : and / in one grouping term is not supported');
    if (seps[0] === '/') {
      // lme4's expandSlash: (1 | a/b) is (1 | b:a) + (1 | a), innermost first.
      return parts
        .map((_, k) => {
          const fs = parts.slice(0, k + 1);
          return { factors: fs, name: [...fs].reverse().join(':') };
        })
        .reverse();
    }
    return [{ factors: parts, name: parts.join(':') }];
  }
}

function union(a: Expr, b: Expr): Expr {
  const seen = new Set(a.terms.map((t) => t.join(':')));
  const terms = [...a.terms];
  for (const t of b.terms) {
    const k = t.join(':');
    if (!seen.has(k)) {
      seen.add(k);
      terms.push(t);
    }
  }
  return { terms, one: a.one || b.one, zero: a.zero || b.zero, random: [...a.random, ...b.random] };
}

/** Parse an lme4-style formula; throws `UsageError` with the position and a caret on bad input. */
export function parseFormula(formula: string): ParsedFormula {
  const src = formula.trim();
  if (src === '') throw new UsageError('formula is empty: write e.g. y ~ x + (1 | g)');
  const parsed = new Parser(src, tokenize(src)).parse();
  // Random-term factor names go into `variables` via the parser's note() only for fixed atoms.
  const vars = [...parsed.variables];
  for (const r of parsed.random) for (const f of r.factors) if (!vars.includes(f)) vars.push(f);
  return { ...parsed, variables: vars };
}
