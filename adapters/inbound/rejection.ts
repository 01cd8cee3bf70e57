import type { z } from "zod";

import { type Money, parseMoney } from "#app/domain/money";

/**
 * Normalizers never throw to their callers: deep inside, a delivery that cannot be read is rejected with `reject`, and
 * the entry point turns the Rejection into a `{ ok: false, reason }` result (docs/platforms/README.md, step 2).
 */
export class Rejection extends Error {}

export function reject(reason: string): never {
  throw new Rejection(reason);
}

function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) reject(`invalid ${what} payload: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function moneyErrorCode(error: unknown): string {
  const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "invalid_amount";
}

/** A decimal amount as Money, or a rejection naming the field and the kind of fault (never the value: it may be personal). */
export function toMoney(amount: string | number, currency: string, field: string): Money {
  const decimal = typeof amount === "number" ? String(amount) : amount.trim();
  const result = parseMoney(decimal, currency);
  if (!result.ok) reject(`${field}: cannot read it as money (${moneyErrorCode(result.error)})`);
  return result.value;
}
