import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w @aerofly/web` proxies the API to a running `npm start` (gateway on :3000).
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/dev': 'http://127.0.0.1:3000',
    },
  },
});
