/** A staff member of a shop as the platform identifies them (Shopify user id, WordPress user): who acted, who read. */
export type Staff = { id: string; name: string | null };
