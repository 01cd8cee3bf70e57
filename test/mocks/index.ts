import type { RequestHandler } from "msw";
import { handlers as riverty } from "./riverty";
import { handlers as woocommerce } from "./woocommerce";

// One list of handlers per outside API is added here as each adapter lands;
// tests and the mock dev mode (MOCKS=true) share it.
export const handlers: RequestHandler[] = [...riverty, ...woocommerce];
