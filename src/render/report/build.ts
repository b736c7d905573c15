import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../../core/errors.js';
import { readText } from '../../io/csv.js';
import { reportHtml } from './html.js';
import { type ReportInput, reportInput } from './inputs.js';
import {
  auditSection,
  calibrationSection,
  gateSection,
  pairwiseSection,
  probeSection,
  type Section,
  type ShowPath,
  scoreSection,
} from './sections.js';

/**
 * How a path is printed in a report: relative to the report's folder when it is at most two
 * levels above it, else its last two parts (a folder and a file) — never an absolute path of the
 * machine that made the report. Without the report's path, the last two parts.
 */
export function pathShower(reportPath?: string): ShowPath {
  const tail = (p: string) => p.split(sep).filter(Boolean).slice(-2).join('/');
  return (p) => {
    if (!reportPath) return isAbsolute(p) ? tail(p) : p.split(sep).join('/');
    const rel = relative(dirname(resolve(reportPath)), resolve(p));
    const ups = rel.split(sep).filter((x) => x === '..').length;
    if (!rel || isAbsolute(rel) || ups > 2) return tail(resolve(p)) || basename(p);
    return rel.split(sep).join('/');
  };
}

export interface ReportOptions {
  /** Where the report will be written: paths in it are shown relative to its folder. */
  out?: string;
  /**
   * Caveats the whole report must carry, shown above the sections (the demo's: illustrative gold,
   * a scripted target). Sections add their own where the data says so (a scripted probe target).
   */
  caveats?: string[];
}

/** The section of a file the report reads, by the kind it declares. */
function sectionOf(input: ReportInput, source: string, show: ShowPath): Promise<Section> {
  switch (input.kind) {
    case 'score':
      return scoreSection(input.doc, source, show);
    case 'calibration':
      return calibrationSection(input.doc, source);
    case 'probe':
      return probeSection(input.doc, source, show);
    case 'pairwise':
      return pairwiseSection(input.doc, source);
    case 'audit':
      return auditSection(input.doc, source);
    case 'gate':
      return gateSection(input.doc, source);
  }
}

/** A run folder stands for its summary (a probe's summary.json, an audit's audit.json). */
function fileOf(input: string): string {
  try {
    if (!statSync(input).isDirectory()) return input;
  } catch {
    return input; // not there: reading it says so
  }
  for (const f of [join(input, 'summary.json'), join(input, 'audit.json')]) {
    try {
      if (statSync(f).isFile()) return f;
    } catch {
      // try the next
    }
  }
  return join(input, 'summary.json');
}

/**
 * The report of some of plumb's outputs (score and pairwise summaries, `calibrate --json`, probe
 * and audit folders, `gate --json`), as one self-contained HTML document. A file that is not one
 * of them, or not JSON, is an input error naming it.
 */
export async function buildReport(
  inputs: string[],
  options: ReportOptions = {},
): Promise<{ html: string; sections: Section[] }> {
  const show = pathShower(options.out);
  const sections: Section[] = [];
  for (const input of inputs) {
    const file = fileOf(input);
    const text = await readText(file); // a missing or unreadable file says so, naming it
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new InputError(
        file,
        undefined,
        `not a JSON file plumb wrote (${(err as Error).message.split('\n')[0]})`,
      );
    }
    sections.push(await sectionOf(reportInput(doc, file), show(file), show));
  }
  return { html: reportHtml(sections, new Date().toISOString(), options.caveats ?? []), sections };
}
