// The official full-stack FastAPI template's generator settings (frontend/openapi-ts.config.ts:
// axios client, types with the schema names kept as they are, an SDK class per tag), with the
// input and output paths supplied by benchmarks/bench_watch.py.
import { defineConfig } from "@hey-api/openapi-ts"

export default defineConfig({
  input: process.env.CONTRACTSYNC_BENCH_INPUT ?? "./openapi.json",
  output: process.env.CONTRACTSYNC_BENCH_OUTPUT ?? "./src/client",
  plugins: [
    { name: "@hey-api/client-axios", throwOnError: true },
    { name: "@hey-api/typescript", case: "preserve" },
    { name: "@hey-api/sdk", operations: { strategy: "byTags", containerName: "{{name}}Service" } },
  ],
})
