// Builds dist/attune.js: the IIFE that <script> users include (global `Attune`).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: false,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./attune-global.js', import.meta.url)),
      formats: ['iife'],
      name: 'AttuneBundle',
      fileName: () => 'attune.js',
    },
  },
});
