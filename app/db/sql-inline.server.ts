import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

const dialect = new PgDialect();

/**
 * The text of a query with its parameters written in as literals, for a statement that takes no bind parameters
 * (`COPY (select …) TO STDOUT`). Every value becomes one literal token (sqlLiteral), so no value can end it; the
 * placeholders are replaced in one pass, so a value that contains "$2" is not replaced again.
 */
export function inlineParams(query: SQL): string {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return text.replace(/\$(\d+)/g, (placeholder, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`no parameter for ${placeholder}`);
    return sqlLiteral(params[index]);
  });
}

/**
 * A value as a PostgreSQL literal, typed like a bind parameter of unknown type. Strings are escape-string constants
 * (E'…', backslashes and quotes doubled): read the same whatever standard_conforming_strings is. A NUL character is
 * refused (PostgreSQL text cannot hold one, and the protocol would end the statement there).
 */
export function sqlLiteral(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`only integers are written into SQL, not ${value}`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (typeof value === "bigint") return value < 0n ? `(${value})` : String(value);
  if (typeof value === "string") {
    if (value.includes("\0")) throw new RangeError("a NUL character cannot be written into SQL");
    return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  }
  throw new TypeError(`a ${typeof value} is not written into SQL`);
}
