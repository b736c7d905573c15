import { defineCommand, flag, text } from '../flags.js';
import { jsonFlag } from './groups.js';

export const cacheCompact = defineCommand({
  path: ['cache', 'compact'],
  description:
    'rewrite the judge cache keeping one valid answer per key and the claims still open; refuses (exit 2) while a plumb run uses the cache',
  flags: {
    cacheDir: flag('--cache-dir <dir>', 'the cache folder to compact', text(), { default: '.plumb-cache' }),
    ...jsonFlag('print what was kept and dropped as JSON'),
  },
  examples: ['plumb cache compact --cache-dir .plumb-cache'],
});
