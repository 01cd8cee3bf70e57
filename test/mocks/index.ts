import type { RequestHandler } from "msw";

import { handlers as mediafinanz } from "./mediafinanz";
import { handlers as riverty } from "./riverty";
import { handlers as woocommerce } from "./woocommerce";

// One list of handlers per outside API, for the tests. `npm run dev` needs none: without Shopify credentials it is
// the demo shop with the sandbox partner, a real local server.
export const handlers: RequestHandler[] = [...riverty, ...mediafinanz, ...woocommerce];
