import { flatRoutes } from "@remix-run/fs-routes";
import type { RouteConfig } from "@remix-run/route-config";

// Tests and server-only helpers may sit beside their routes.
export default flatRoutes({ ignoredRouteFiles: ["**/*.test.*", "**/*.server.*"] }) satisfies RouteConfig;
