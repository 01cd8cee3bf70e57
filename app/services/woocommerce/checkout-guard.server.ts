import { createHmac, timingSafeEqual } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { z } from "zod";

import type { DbOrTx } from "#app/db/client.server";
import { rowsOf } from "#app/db/client.server";
import { checkoutGuardDays, shops } from "#app/db/schema";
import { withTenant } from "#app/db/tenant.server";
import { TERMINAL_STATUSES } from "#app/domain/case/status";
import { toLocalDate } from "#app/domain/dates";
import { err, ok, type Result } from "#app/domain/result";
import { getSettings } from "#app/services/settings/settings.server";

import { findConnection, webhookSecretOf } from "./connections.server";

/*
 * The checkout guard's question from the companion plugin: "does the customer with this billing e-mail have an open
 * case?" Signed like the plugin's other requests (HMAC-SHA256 with the connection's webhook secret), and answered
 * signed, so the plugin acts only on an answer from Mahnwerk. The e-mail travels as its SHA-256 (trimmed, lower
 * case), never in clear. docs/payments.md.
 */

/** How old a question may be (the plugin asks as the checkout renders). */
const MAX_AGE_S = 5 * 60;
const FUTURE_SKEW_S = 60;
/** How long the plugin may keep an answer. */
export const GUARD_ANSWER_TTL_S = 10 * 60;

const questionSchema = z.object({
  c: z.uuid(),
  t: z.coerce.number().int().positive(),
  e: z.string().regex(/^[0-9a-f]{64}$/),
  s: z.string().regex(/^[0-9a-f]{64}$/),
});

export type GuardAnswer = {
  /** Whether to hide the invoice methods: an open case and the shop's guard on. */
  open: boolean;
  /** The shop's invoice payment methods (WooCommerce gateway ids or titles), the only ones the plugin may hide. */
  methods: string[];
  /** Until when the plugin may keep the answer (unix seconds). */
  until: number;
  s: string;
};

const hmac = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest("hex");

export function signGuardQuestion(connectionId: string, unixTime: number, emailHash: string, secret: string): string {
  return hmac(secret, `guard|${connectionId}|${unixTime}|${emailHash}`);
}

/** Binds the answer to the question (connection, time, e-mail) so it cannot be replayed for another customer. */
export function signGuardAnswer(
  question: { c: string; t: number; e: string },
  answer: Omit<GuardAnswer, "s">,
  secret: string,
): string {
  const fields = [question.c, question.t, question.e, answer.open ? 1 : 0, answer.until, answer.methods.join(",")];
  return hmac(secret, `guard-answer|${fields.join("|")}`);
}

export type GuardError = { code: "invalid" | "bad_signature" | "expired" };

/** One more checkout steered away from invoice today (the shop's calendar day), for the reports. */
async function countSteered(tx: DbOrTx, shopId: string, now: Date): Promise<void> {
  const [shop] = await tx.select({ timezone: shops.timezone }).from(shops).where(eq(shops.id, shopId)).limit(1);
  await tx
    .insert(checkoutGuardDays)
    .values({ shopId, day: toLocalDate(now, shop?.timezone ?? "UTC"), steered: 1 })
    .onConflictDoUpdate({
      target: [checkoutGuardDays.shopId, checkoutGuardDays.day],
      set: { steered: sql`${checkoutGuardDays.steered} + 1` },
    });
}

/**
 * Answers the plugin's question. It stores only a count of "open" answers per day: a question replayed within its
 * five minutes repeats the answer and counts once more, which signed questions make the store's own doing.
 */
export async function answerCheckoutGuard(
  db: DbOrTx,
  params: URLSearchParams,
  deps: { key: Buffer; now: Date },
): Promise<Result<GuardAnswer, GuardError>> {
  const parsed = questionSchema.safeParse(Object.fromEntries(["c", "t", "e", "s"].map((k) => [k, params.get(k)])));
  if (!parsed.success) return err({ code: "invalid" });
  const question = parsed.data;
  const connection = await findConnection(db, question.c);
  if (!connection || connection.status !== "connected" || !connection.shopId) return err({ code: "invalid" });
  const secret = webhookSecretOf(connection, deps.key);
  const expected = Buffer.from(signGuardQuestion(question.c, question.t, question.e, secret), "hex");
  const received = Buffer.from(question.s, "hex");
  if (received.length !== expected.length || !timingSafeEqual(received, expected))
    return err({ code: "bad_signature" });
  const nowS = Math.floor(deps.now.getTime() / 1000);
  const age = nowS - question.t;
  if (age > MAX_AGE_S || age < -FUTURE_SKEW_S) return err({ code: "expired" });

  const shopId = connection.shopId;
  const { open, methods } = await withTenant(db, shopId, async (tx) => {
    const settings = await getSettings(tx, shopId);
    if (!settings.checkoutGuard) return { open: false, methods: settings.invoicePaymentMethods };
    const found = rowsOf<{ one: number }>(
      await tx.execute(sql`
        select 1 as one from cases c join orders o on o.id = c.order_id
        where c.shop_id = ${shopId} and o.shop_id = ${shopId}
          and c.status not in (${sql.join(
            TERMINAL_STATUSES.map((s) => sql`${s}`),
            sql`, `,
          )})
          and encode(sha256(convert_to(lower(trim(o.customer->>'email')), 'UTF8')), 'hex') = ${question.e}
        limit 1`),
    );
    if (found.length > 0) await countSteered(tx, shopId, deps.now);
    return { open: found.length > 0, methods: settings.invoicePaymentMethods };
  });
  const answer = { open, methods, until: nowS + GUARD_ANSWER_TTL_S };
  return ok({ ...answer, s: signGuardAnswer(question, answer, secret) });
}
