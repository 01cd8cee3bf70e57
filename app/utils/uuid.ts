const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id from outside (a URL, a job payload) can be a uuid column's value: PostgreSQL throws on anything else. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
