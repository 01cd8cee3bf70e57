// JSON.parse that keeps integer literals beyond Number.MAX_SAFE_INTEGER exact, as decimal strings. Shopify's
// REST ids (transactions, refunds, disputes) can exceed 2^53, which plain JSON.parse silently rounds.

/** The third reviver argument of JSON.parse source text access (Node 22+); the TypeScript lib does not type it yet. */
type ReviverContext = { source?: string };

const INTEGER_LITERAL = /^-?\d+$/;

/** The engine cannot keep large integers exact: a fault of the runtime, not of the text being parsed. */
export class LosslessJsonUnsupportedError extends Error {}

function reviver(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  if (source !== undefined) return INTEGER_LITERAL.test(source) ? source : value;
  // No source text (an engine without source text access): the digits are gone; refuse rather than round an id.
  if (Number.isInteger(value)) {
    throw new LosslessJsonUnsupportedError(
      "JSON.parse source text access is unavailable (Node 22+ required); cannot keep integers above 2^53 exact",
    );
  }
  return value;
}

/**
 * Parses JSON like JSON.parse, except that an integer literal that is not a safe integer (|n| >= 2^53) becomes its
 * exact source text, e.g. 9007199254740993 → "9007199254740993". Safe integers, fractions and exponent forms stay
 * numbers. Invalid JSON throws a SyntaxError, as JSON.parse does (nesting too deep for the reviver: a RangeError).
 */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(text, reviver) as unknown;
}
