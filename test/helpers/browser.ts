import { existsSync } from 'node:fs';

/**
 * The Chromium the browser tests drive (Debian's `chromium`, or CHROMIUM_PATH). Without one the
 * tests are skipped with a message — unless CI is set, where a missing browser is a failure.
 */
export const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => Boolean(p && existsSync(p)),
);
if (!CHROMIUM && process.env.CI)
  throw new Error('CI needs Chromium for the browser tests (.ci/run installs it)');
if (!CHROMIUM) console.warn('plumb: skipping the browser tests: no Chromium found (set CHROMIUM_PATH)');

export const CHROMIUM_ARGS = ['--no-sandbox'];
