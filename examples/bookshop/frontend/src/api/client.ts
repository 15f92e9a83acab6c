/**
 * The API client: openapi-fetch typed by the generated `paths`, so every URL, parameter, body
 * and response below is checked against the contract by `vue-tsc`.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./types";

/** The only token the demo backend accepts on write operations (see bookshop/deps.py). */
export const DEMO_TOKEN = "demo-token";

/** Write operations (everything but GET/HEAD) carry the bearer token. */
const bearerOnWrites: Middleware = {
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD") {
      request.headers.set("Authorization", `Bearer ${DEMO_TOKEN}`);
    }
    return request;
  },
};

/** The backend is reached under /api (vite's proxy, see vite.config.ts). */
export const api = createClient<paths>({ baseUrl: `${window.location.origin}/api` });
api.use(bearerOnWrites);

type ErrorBody =
  | components["schemas"]["ErrorModel"]
  | components["schemas"]["HTTPValidationError"];

/** A readable message from the API's error bodies (ErrorModel or FastAPI's 422). */
export function errorMessage(error: ErrorBody | undefined, fallback: string): string {
  if (error === undefined) return fallback;
  const { detail } = error;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("; ");
  }
  return fallback;
}
