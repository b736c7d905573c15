import { rmSync } from 'node:fs';
import { join } from 'node:path';

// dist/ is rebuilt from nothing: a module moved or deleted in src/ must not live on in the package
rmSync(join(import.meta.dirname, '..', 'dist'), { recursive: true, force: true });
