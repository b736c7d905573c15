// npm sets the executable bit on bins only when it links them; after a local build we set it
// ourselves so `./dist/cli/bin.js` and `npx plumb` both work straight after `npm ci`.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/cli/bin.js', import.meta.url), 0o755);
