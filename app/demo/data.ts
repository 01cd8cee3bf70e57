/**
 * The demo shop's customers and orders: invented, realistic German data (no real person). Deterministic, so
 * the seed is idempotent and screenshots are stable.
 */
import { seededRandom } from "#app/utils/seeded-random";

export type DemoCustomer = {
  firstName: string;
  lastName: string;
  company: string | null;
  /** Half of the company buyers entered a VAT id (a business debtor); the rest are consumers with a company name. */
  vatId: string | null;
  street: string;
  postalCode: string;
  city: string;
  email: string;
};

const FIRST = [
  "Anna",
  "Lukas",
  "Sophie",
  "Jonas",
  "Marie",
  "Felix",
  "Lea",
  "Paul",
  "Hannah",
  "Leon",
  "Mia",
  "Noah",
  "Emma",
  "Elias",
  "Lina",
  "Ben",
  "Clara",
  "Finn",
  "Ida",
  "Max",
];
const LAST = [
  "Müller",
  "Schmidt",
  "Schneider",
  "Fischer",
  "Weber",
  "Meyer",
  "Wagner",
  "Becker",
  "Schulz",
  "Hoffmann",
  "Koch",
  "Richter",
  "Klein",
  "Wolf",
  "Schröder",
  "Neumann",
  "Schwarz",
  "Zimmermann",
  "Braun",
  "Krüger",
];
const STREETS = [
  "Hauptstraße",
  "Schulstraße",
  "Gartenweg",
  "Bahnhofstraße",
  "Lindenallee",
  "Bergstraße",
  "Kirchplatz",
  "Mühlenweg",
  "Rosenstraße",
  "Am Markt",
];
const CITIES: [string, string][] = [
  ["10115", "Berlin"],
  ["20095", "Hamburg"],
  ["80331", "München"],
  ["50667", "Köln"],
  ["60311", "Frankfurt am Main"],
  ["70173", "Stuttgart"],
  ["40213", "Düsseldorf"],
  ["04109", "Leipzig"],
  ["28195", "Bremen"],
  ["01067", "Dresden"],
];
const COMPANIES = ["Bäckerei Sonnenschein GmbH", "Holzwerk Nord KG", "Atelier Blau UG"];

export function demoCustomer(index: number): DemoCustomer {
  const random = seededRandom(index + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const firstName = pick(FIRST);
  const lastName = pick(LAST);
  const [postalCode, city] = pick(CITIES);
  const ascii = (s: string) =>
    s
      .toLowerCase()
      .replace(/ä/g, "ae")
      .replace(/ö/g, "oe")
      .replace(/ü/g, "ue")
      .replace(/ß/g, "ss")
      .replace(/[^a-z]/g, "");
  return {
    firstName,
    lastName,
    company: index % 9 === 4 ? COMPANIES[index % COMPANIES.length]! : null,
    vatId: index % 18 === 4 ? `DE${String(100_000_000 + ((index * 7_919) % 900_000_000))}` : null,
    street: `${pick(STREETS)} ${1 + Math.floor(random() * 120)}`,
    postalCode,
    city,
    email: `${ascii(firstName)}.${ascii(lastName)}${index}@example.de`,
  };
}

/** Order totals in cents: mostly everyday baskets, a few large ones above the automatic-handover thresholds. */
export function demoAmountMinor(index: number): number {
  const random = seededRandom(1000 + index);
  const large = index % 11 === 7;
  const euros = large ? 500 + Math.floor(random() * 1500) : 19 + Math.floor(random() * 280);
  const cents = [0, 90, 95, 99, 50][Math.floor(random() * 5)]!;
  return euros * 100 + cents;
}
