import { defineCommand } from '../flags.js';
import { jsonFlag } from './groups.js';

export const rubricsList = defineCommand({
  path: ['rubrics', 'list'],
  description: 'list the rubrics plumb can resolve by id',
  flags: { ...jsonFlag('print as JSON') },
  examples: ['plumb rubrics list'],
});

export const rubricsShow = defineCommand({
  path: ['rubrics', 'show'],
  args: '<ref>',
  description: 'show a rubric (id, id@version or path) with its hash',
  flags: { ...jsonFlag('print as JSON, including the file path, hash and judge JSON schema') },
  examples: ['plumb rubrics show eii@1.0.0', 'plumb rubrics show stance --json'],
});

export const rubricsValidate = defineCommand({
  path: ['rubrics', 'validate'],
  args: '<path>',
  description: 'check a rubric file; exit 2 with the problems if it is invalid',
  flags: {},
  examples: ['plumb rubrics validate rubrics/aai-1.0.0.yaml'],
});

export const rubricsDiff = defineCommand({
  path: ['rubrics', 'diff'],
  args: '<a> <b>',
  description: 'what changed between two rubrics, and whether the hash did',
  flags: { ...jsonFlag('print as JSON') },
  examples: ['plumb rubrics diff aai@1.0.0 ./my-rubrics/aai-1.1.0.yaml'],
});
