import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

// The app calls the API under /api; the dev server and `vite preview` forward those requests
// to the backend (BOOKSHOP_API, default: `uvicorn bookshop.main:app --app-dir ../v1`).
const backend = process.env.BOOKSHOP_API ?? "http://127.0.0.1:8000";
const proxy = {
  "/api": {
    target: backend,
    changeOrigin: true,
    rewrite: (path: string) => path.replace(/^\/api/, ""),
  },
};

export default defineConfig({
  plugins: [vue()],
  server: { proxy },
  preview: { proxy },
});
