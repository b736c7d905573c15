import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { madeDirs } from './helpers/cli.js';

// npm test leaves nothing behind in the system's temporary folder (#23)
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
