import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where the Simpul server listens in development (`npm start`). */
const serverUrl = 'http://127.0.0.1:3000';

/** URL families the client calls; the dev server hands them to the Simpul server. */
const apiPaths = [
  '/client',
  '/tiles',
  '/collections',
  '/conformance',
  '/api',
  '/auth',
  '/batch',
  '/records',
  '/analysis',
  '/imports',
  '/exports',
  '/admin',
];

const proxy = Object.fromEntries(apiPaths.map((path) => [path, serverUrl]));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: { outDir: 'dist', emptyOutDir: true },
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy },
});
