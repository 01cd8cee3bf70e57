import { casesJobs } from "./cases.server";
import { deliveryJobs } from "./delivery.server";
import { dunningJobs } from "./dunning.server";
import { intakeJobs } from "./intake.server";
import type { JobDefinition } from "./jobs.server";
import { privacyJobs } from "./privacy.server";
import { shopifyJobs } from "./shopify.server";
import { woocommerceJobs } from "./woocommerce.server";

/** Every queue the workers serve: one registry per capability, each job defined once next to its handler. */
export const jobDefinitions: JobDefinition<any>[] = [
  ...intakeJobs,
  ...casesJobs,
  ...dunningJobs,
  ...deliveryJobs,
  ...privacyJobs,
  ...shopifyJobs,
  ...woocommerceJobs,
];
