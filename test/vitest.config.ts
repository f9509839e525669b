import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = path.resolve(import.meta.dirname, '..');

export default defineConfig({
  root,
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30000,
    hookTimeout: 120000,
    // Uploads and unpacked zips of the tests go to a scratch folder, not the working tree's
    // data/ (the upload store sweeps what is older than a day).
    env: { LOG_LEVEL: 'silent', SIMPUL_IMPORT_DIR: path.join(os.tmpdir(), 'simpul-test-imports') },
  },
});
