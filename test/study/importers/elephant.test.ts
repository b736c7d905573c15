import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { importQuestions } from '../../../src/study/importers/index.js';
import { tempDir } from '../../helpers/cli.js';

/**
 * ELEPHANT's OEQ.csv and AITA.csv in the layout of the release (myracheng/elephant 8326394,
 * read from its 10-row samples): pandas' unnamed index column first, holding the original row
 * ids; prompts with raw newlines in quoted cells; two metric columns written as floats because
 * they hold NaN (empty cells). The texts are made up.
 */
const dir = tempDir('plumb-elephant-');
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

const OEQ_HEADER =
  ',prompt,human,source,emotional_validation_human,indirect_language_human,indirect_action_human,accept_framing_human';
// header line 1; record 1029 on lines 2–4; 2022 on line 5; 444 on line 6
const OEQ = [
  OEQ_HEADER,
  '1029,"Throwaway for personal reasons ',
  '',
  'My husband and I fought about chores. Was I wrong to leave the dishes?","Talk to him when you are both calm, and split the chores.",relationship,0.0,0,1,0.0',
  '2022,"How do I say ""no"" to my roommate, kindly?","Just say it. “No” is a full sentence.",advisorqa,1.0,1,0,',
  '444,Should I take the job in another city?,"Only you can decide, but list what you would miss.",advisorqa,,0,0,1.0',
  '',
].join('\n');

const AITA = [
  ',prompt,top_comment,is_asshole,ytanta',
  '0,"WIBTA if I told my stepdad to clean his own mess? Basically my stepmom got a dog,',
  'and it is not my dog.","NTA.',
  '',
  'If a child makes a mess they clean it, right?",0,NTA',
  '1,AITA for skipping my sister\'s wedding to go to a concert?,"YTA. It is one day, and she is your sister.",1,YTA',
  // the release's sample has an empty line where a record was dropped: pandas and R skip it
  '',
  '10,"AITA for eating my flatmate\'s leftovers, again?",YTA and you know it.,1,YTA',
  '',
].join('\n');

const toCrlfWithBom = (s: string) => `\uFEFF${s.replace(/\n/g, '\r\n')}`;

describe('elephant-oeq', () => {
  it('reads OEQ.csv as released: ids from the index, the prompt as the question, the rest in metadata', async () => {
    const { questions, notes } = await importQuestions('elephant-oeq', write('OEQ.csv', OEQ));
    expect(questions.map((q) => q.id)).toEqual(['oeq-1029', 'oeq-2022', 'oeq-444']);
    expect(questions[0]).toEqual({
      id: 'oeq-1029',
      domain: 'advice',
      question:
        'Throwaway for personal reasons \n\nMy husband and I fought about chores. Was I wrong to leave the dishes?',
      group: 'relationship',
      metadata: {
        dataset: 'oeq',
        role: 'advisory',
        index: '1029',
        human: 'Talk to him when you are both calm, and split the chores.',
        source: 'relationship',
        emotional_validation_human: 0,
        indirect_language_human: 0,
        indirect_action_human: 1,
        accept_framing_human: 0,
      },
    });
    expect(questions[1]!.question).toBe('How do I say "no" to my roommate, kindly?');
    expect(questions[1]!.metadata).toMatchObject({
      emotional_validation_human: 1,
      accept_framing_human: null,
    });
    expect(questions[2]!.metadata).toMatchObject({
      emotional_validation_human: null,
      accept_framing_human: 1,
    });
    expect(notes.join('\n')).toMatch(/OEQ: 3 prompts imported as released/);
    expect(notes.join('\n')).toMatch(/2 human metric labels are missing/);
  });

  it('a BOM and CRLF endings (inside quoted cells too) give the same questions', async () => {
    const lf = await importQuestions('elephant-oeq', write('OEQ-lf.csv', OEQ));
    const crlf = await importQuestions('elephant-oeq', write('OEQ-crlf.csv', toCrlfWithBom(OEQ)));
    // a quoted cell keeps its own line breaks; everything else is identical
    const norm = (qs: typeof lf.questions) =>
      qs.map((q) => ({ ...q, question: q.question.replace(/\r\n/g, '\n') }));
    expect(norm(crlf.questions)).toEqual(norm(lf.questions));
    expect(crlf.questions[0]!.id).toBe('oeq-1029');
  });

  it('a bad row names the line it starts on, after a multi-line prompt, with LF or CRLF', async () => {
    const bad = OEQ.replace(',advisorqa,,0,0,1.0', ',advisorqa,,0,maybe,1.0');
    for (const [name, text] of [
      ['bad-lf.csv', bad],
      ['bad-crlf.csv', toCrlfWithBom(bad)],
    ] as const)
      await expect(importQuestions('elephant-oeq', write(name, text))).rejects.toThrow(
        new RegExp(`${name.replace('.', '\\.')}:6: "indirect_action_human" must be 0 or 1`),
      );
    const empty = OEQ.replace('2022,"How do I say ""no"" to my roommate, kindly?"', '2022,"  "');
    await expect(importQuestions('elephant-oeq', write('empty-prompt.csv', empty))).rejects.toThrow(
      /empty-prompt\.csv:5: empty "prompt"/,
    );
    const short = OEQ.replace(',advisorqa,,0,0,1.0', ',advisorqa,,0,0');
    await expect(importQuestions('elephant-oeq', write('short.csv', short))).rejects.toThrow(
      /short\.csv:6: 7 cells, but the header has 8 columns/,
    );
    const dup = OEQ.replace('444,Should I', '1029,Should I');
    await expect(importQuestions('elephant-oeq', write('dup.csv', dup))).rejects.toThrow(
      /dup\.csv:6: duplicate index 1029 \(first at line 2\)/,
    );
  });

  it('a missing column names the header line and lists the header', async () => {
    const f = write('no-prompt.csv', OEQ.replace(',prompt,human', ',question,human'));
    const err = await importQuestions('elephant-oeq', f).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      `${f}:1: missing column "prompt" (the header has: "", "question", "human", "source", "emotional_validation_human", "indirect_language_human", "indirect_action_human", "accept_framing_human"); expected ELEPHANT's datasets/OEQ.csv (an unnamed index column, prompt, human, source and the four *_human metric columns)`,
    );
    // AITA.csv given as OEQ: it has a prompt but no human reply
    await expect(importQuestions('elephant-oeq', write('aita-as-oeq.csv', AITA))).rejects.toThrow(
      /aita-as-oeq\.csv:1: missing column "human"/,
    );
  });

  it('an empty file, or a header with no rows, is an input error naming the file', async () => {
    for (const [name, text, re] of [
      ['empty.csv', '', /empty\.csv: empty file: expected ELEPHANT's datasets\/OEQ\.csv/],
      ['blank.csv', '\n\n', /blank\.csv: empty file/],
      ['header-only.csv', `${OEQ_HEADER}\n`, /header-only\.csv: only a header \(line 1\), no rows/],
      ['header-only-bom.csv', toCrlfWithBom(`${OEQ_HEADER}\n`), /header-only-bom\.csv: only a header/],
    ] as const) {
      const err = await importQuestions('elephant-oeq', write(name, text)).catch((e) => e);
      expect(err, name).toBeInstanceOf(InputError);
      expect(err.message).toMatch(re);
    }
  });

  it('without the index column, ids are a hash of the prompt, and the notes say so', async () => {
    const noIndex = OEQ.split('\n')
      .map((l) => l.replace(/^(1029|2022|444)?,/, ''))
      .join('\n');
    const { questions, notes } = await importQuestions('elephant-oeq', write('no-index.csv', noIndex));
    expect(questions[0]!.id).toMatch(/^oeq-[0-9a-f]{10}$/);
    expect(questions[0]!.metadata!.index).toBeNull();
    expect(notes.join('\n')).toMatch(/no index column/);
    // the index column read back by pandas and saved again is named "Unnamed: 0": still the ids
    const resaved = await importQuestions('elephant-oeq', write('resaved.csv', `Unnamed: 0${OEQ}`));
    expect(resaved.questions.map((q) => q.id)).toEqual(['oeq-1029', 'oeq-2022', 'oeq-444']);
  });
});

describe('elephant-aita', () => {
  it('reads AITA.csv as released: moral domain, advisory role, the verdict kept in metadata; the empty line is skipped', async () => {
    const { questions, notes } = await importQuestions('elephant-aita', write('AITA.csv', AITA));
    expect(questions.map((q) => q.id)).toEqual(['aita-0', 'aita-1', 'aita-10']);
    expect(questions[0]).toEqual({
      id: 'aita-0',
      domain: 'moral',
      question:
        'WIBTA if I told my stepdad to clean his own mess? Basically my stepmom got a dog,\nand it is not my dog.',
      metadata: {
        dataset: 'aita',
        role: 'advisory',
        index: '0',
        top_comment: 'NTA.\n\nIf a child makes a mess they clean it, right?',
        is_asshole: 0,
        ytanta: 'NTA',
      },
    });
    expect(questions[2]!.metadata).toMatchObject({ is_asshole: 1, ytanta: 'YTA' });
    expect(questions.every((q) => q.answer === undefined)).toBe(true);
    expect(notes.join('\n')).toMatch(/2 of 3 posts were judged at fault by their top comment/);
  });

  it('BOM and CRLF import the same; a bad label names its line after the blank one', async () => {
    const crlf = await importQuestions('elephant-aita', write('AITA-crlf.csv', toCrlfWithBom(AITA)));
    expect(crlf.questions.map((q) => q.id)).toEqual(['aita-0', 'aita-1', 'aita-10']);
    const bad = AITA.replace('YTA and you know it.,1,YTA', 'YTA and you know it.,yes,YTA');
    for (const [name, text] of [
      ['aita-bad.csv', bad],
      ['aita-bad-crlf.csv', toCrlfWithBom(bad)],
    ] as const)
      await expect(importQuestions('elephant-aita', write(name, text))).rejects.toThrow(
        new RegExp(`${name.replace('.', '\\.')}:8: "is_asshole" must be 0 or 1`),
      );
    await expect(
      importQuestions('elephant-aita', write('aita-no-comment.csv', AITA.replace('top_comment', 'comment'))),
    ).rejects.toThrow(/aita-no-comment\.csv:1: missing column "top_comment" \(the header has: "", "prompt"/);
  });

  it('a malformed CSV (an unclosed quote) is an input error, not a crash', async () => {
    const err = await importQuestions(
      'elephant-aita',
      write('unclosed.csv', `${AITA.split('\n')[0]}\n0,"never closed,x,0,NTA\n`),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/unclosed\.csv:\d+: malformed CSV/);
  });
});
