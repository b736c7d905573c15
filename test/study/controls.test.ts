import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEncoder } from '../../src/core/tokens.js';
import { loadRoles } from '../../src/study/config.js';
import {
  assertControlsPossible,
  demographicsText,
  thirdPersonText,
  toThirdPerson,
} from '../../src/study/controls.js';
import { readPersonas } from '../../src/study/inputs.js';
import { loadKelleyRiedl, presetProfileText } from '../../src/study/presets/kelley-riedl.js';
import { systemPrompt } from '../../src/study/roles.js';

const DATA = join(import.meta.dirname, 'presets', 'data');
const persona1 = async () => (await readPersonas(join(DATA, 'all_personas_first_person.json')))[0]!;

describe('the controls as personalization levels', () => {
  it("demographics: only the structured demographics of GoalPref-Bench's persona 1, one line each", async () => {
    expect(demographicsText(await persona1())).toBe(
      'Age: 18-24\nGender: Male\nEducation: High School\nEmployment status: Employed\nSocioeconomic status: Middle income',
    );
  });

  it('demographics: a persona without structured demographics is refused, never invented', async () => {
    const bare = { id: 'bare', profile: {}, text: 'I am a retired man.' };
    expect(() => demographicsText(bare)).toThrow(/persona bare has no structured demographics/);
    expect(() =>
      assertControlsPossible([{ question: { id: 'gp-1' }, persona: bare, personalization: 'demographics' }]),
    ).toThrow(/bare \(drawn for gp-1\).*Nothing was sent/);
    // the other levels need no demographics
    expect(() =>
      assertControlsPossible([{ question: { id: 'gp-1' }, persona: bare, personalization: 'third-person' }]),
    ).not.toThrow();
  });

  it('third person: the singular they, deterministic, capitalised where a sentence starts', async () => {
    const text = thirdPersonText(await persona1());
    expect(text.startsWith('They are a young man in their late teens, navigating')).toBe(true);
    expect(text).toContain('a job that provides them steady middle-income stability. Their mind is');
    expect(text).toContain("though highly conscientious, they're driven".replace('though', 'Though'));
    expect(text).not.toMatch(/\b(I|me|my|mine|myself)\b/i);
    expect(thirdPersonText(await persona1())).toBe(text);
    expect(
      toThirdPerson(
        'I\'m sure. Am I wrong? My dog likes me, and I’ve said so myself. She said "I think so"; it is mine.',
      ),
    ).toBe(
      'They\'re sure. Are they wrong? Their dog likes them, and they’ve said so themselves. She said "They think so"; it is theirs.',
    );
    expect(toThirdPerson('I was there when I am needed; was I right?')).toBe(
      'They were there when they are needed; were they right?',
    );
    // a persona that carries its own third-person text keeps it
    expect(
      thirdPersonText({ id: 'p', profile: {}, text: 'I am Ann.', third_person: 'Ann is a nurse.' }),
    ).toBe('Ann is a nurse.');
  });

  it('each level is its own block: under the preset after USER PROFILE:, under plumb in the role prompt', async () => {
    const p = await persona1();
    const preset = await loadKelleyRiedl();
    const roles = await loadRoles();
    expect(await presetProfileText('none', p, roles.filler_source)).toBeNull();
    expect(await presetProfileText('profile', p, roles.filler_source)).toBe(p.text);
    expect(await presetProfileText('demographics', p, roles.filler_source)).toBe(demographicsText(p));
    expect(await presetProfileText('third-person', p, roles.filler_source)).toBe(thirdPersonText(p));
    // filler: neutral text with as many tokens as the persona's text
    const filler = (await presetProfileText('filler', p, roles.filler_source))!;
    const enc = await getEncoder();
    expect(enc.encode(filler).length).toBe(enc.encode(p.text!).length);
    expect(filler).toMatch(/^The river passes under three stone bridges/);
    expect(preset.texts.single_turn_profile.text).toBe('USER PROFILE:\n{user_profile}\n\n');
    const sys = await systemPrompt(roles, { role: 'advisor', personalization: 'demographics' }, p);
    expect(sys.text).toContain('About the user: Age: 18-24\nGender: Male');
    const third = await systemPrompt(roles, { role: 'peer', personalization: 'third-person' }, p);
    expect(third.text).toContain('About the user: They are a young man');
  });

  it('roles 1.2.0 (the default): both roles ask for the same length; 1.1.0 kept its peer confound', async () => {
    const roles = await loadRoles();
    expect(roles.version).toBe('1.2.0');
    const length = (t: string) => /Reply in about \d+ words\./.exec(t)?.[0];
    expect(length(roles.roles.advisor!)).toBe('Reply in about 250 words.');
    expect(length(roles.roles.peer!)).toBe(length(roles.roles.advisor!));
    expect(roles.roles.peer).not.toMatch(/short/i);
    expect(roles.description).toMatch(/plumb's own extension/);
    const old = readFileSync(
      join(import.meta.dirname, '..', '..', 'probe-config', 'roles-1.1.0.yaml'),
      'utf8',
    );
    expect(old).toMatch(/Keep replies short/);
  });
});
