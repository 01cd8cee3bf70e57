import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";

import type { LocalDate } from "#app/domain/dates";
import type { StatementTotals } from "#app/domain/dunning/amounts";
import { formatMoney, type Money } from "#app/domain/money";
import { intlLocale } from "#app/i18n/i18n";
import type { ReminderLanguage, RenderedReminder } from "#app/mail/reminder-templates";
import { formatDate } from "#app/utils/format";

import { qrModules } from "./qr-code.server";

export type LetterAddress = {
  name: string;
  /** Company or c/o line above the street, when there is one. */
  addition?: string;
  street: string;
  postalCode: string;
  city: string;
  /** Printed only when it differs from the sender's (letters within a country leave it out). */
  country?: string;
};

export type ReminderLetterInput = {
  language: ReminderLanguage;
  sender: LetterAddress;
  recipient: LetterAddress;
  /** Date of the letter. */
  date: LocalDate;
  orderNumber: string;
  /** The same rendered reminder as the e-mail: its subject and text part are printed. */
  reminder: RenderedReminder;
  totals: StatementTotals;
  /** Ways to pay printed under the statement, each as a code to scan; null where the shop has none. */
  payment?: LetterPayment;
};

export type LetterPayment = {
  /** The EPC QR payload (app/domain/payments/girocode.ts). */
  giroCode: string | null;
  /** The platform's page where this order can be paid, printed as a URL and a QR code. */
  payNowUrl: string | null;
};

const MM = 72 / 25.4;
const A4: [number, number] = [210 * MM, 297 * MM];
// DIN 5008 form B: address field 45 mm from the top, text from 25 mm left, 20 mm right margin.
const LEFT = 25 * MM;
const RIGHT = A4[0] - 20 * MM;
const TOP = A4[1] - 20 * MM;
const BOTTOM = 25 * MM;
const BODY_SIZE = 10;
const BODY_LEADING = 14;

const LABELS = {
  de: {
    outstanding: "Offener Rechnungsbetrag",
    fees: "Mahngebühren",
    interest: "Verzugszinsen",
    flatFee: "Verzugspauschale (§ 288 Abs. 5 BGB), abzgl. Mahngebühren",
    total: "Gesamtbetrag",
    statement: "Forderungsaufstellung",
    moreInterest: "zuzüglich weiterer Verzugszinsen (siehe oben)",
    order: "Bestellung",
    giroCode: "GiroCode: mit der Banking-App scannen, die Überweisung ist ausgefüllt",
    payNow: "Online bezahlen:",
    page: (n: number, of: number) => `Seite ${n} von ${of}`,
  },
  en: {
    outstanding: "Outstanding invoice amount",
    fees: "Reminder fees",
    interest: "Default interest",
    flatFee: "Flat-rate default fee (§ 288(5) BGB), less reminder fees",
    total: "Total amount due",
    statement: "Statement of claim",
    moreInterest: "plus further default interest (see above)",
    order: "Order",
    giroCode: "GiroCode: scan with your banking app for a filled-in transfer",
    payNow: "Pay online:",
    page: (n: number, of: number) => `Page ${n} of ${of}`,
  },
} as const;

// Letters without a canonical decomposition that still have an obvious Latin base.
const FALLBACK: Record<string, string> = { Ł: "L", ł: "l", Đ: "D", đ: "d", Ħ: "H", ħ: "h", ı: "i", "\u2212": "-" };

/**
 * The standard PDF fonts only know WinAnsi (Latin-1 plus €, „“, – …). Other characters are written without their
 * accents where possible and as "?" otherwise, instead of failing the whole letter over one name.
 */
function printable(font: PDFFont): (text: string) => string {
  const known = new Set(font.getCharacterSet());
  return (text) => {
    let out = "";
    for (const ch of text.normalize("NFC")) {
      const code = ch.codePointAt(0)!;
      if (known.has(code)) out += ch;
      else if (/\s/u.test(ch)) out += " ";
      else if (FALLBACK[ch]) out += FALLBACK[ch];
      else {
        const base = ch.normalize("NFD").replace(/\p{M}/gu, "");
        out += [...base].every((c) => known.has(c.codePointAt(0)!)) && base !== "" ? base : "?";
      }
    }
    return out;
  };
}

/** Splits a paragraph into lines that fit `width`; a single word longer than a line is broken inside. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
  for (const word of text.split(/ +/)) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    line = "";
    // Character by character with a running width: linear in the word (shortening a candidate one character at a
    // time and measuring it again was quadratic, minutes for a 10,000-character name).
    let piece = "";
    let pieceWidth = 0;
    for (const char of word) {
      const charWidth = font.widthOfTextAtSize(char, size);
      if (piece !== "" && pieceWidth + charWidth > width) {
        lines.push(piece);
        piece = "";
        pieceWidth = 0;
      }
      piece += char;
      pieceWidth += charWidth;
    }
    line = piece;
  }
  lines.push(line);
  return lines;
}

function addressLines(a: LetterAddress, withCountry: boolean): string[] {
  return [
    a.name,
    ...(a.addition ? [a.addition] : []),
    a.street,
    `${a.postalCode} ${a.city}`,
    ...(withCountry && a.country ? [a.country.toUpperCase()] : []),
  ].filter((l) => l.trim() !== "");
}

const QR_SIZE = 32 * MM;
/** Four modules of white around every code, as QR codes need to be found; at 32 mm about 2 mm. */
const QUIET_ZONE = 2 * MM;

/** The code as black squares, one rectangle per run of dark modules in a row: sharp at any print resolution. */
function drawQr(page: PDFPage, text: string, x: number, y: number, size: number): void {
  const { size: count, dark } = qrModules(text);
  const module = size / (count + 8);
  for (let row = 0; row < count; row++) {
    let column = 0;
    while (column < count) {
      if (!dark(row, column)) {
        column += 1;
        continue;
      }
      const start = column;
      while (column < count && dark(row, column)) column += 1;
      page.drawRectangle({
        x: x + (4 + start) * module,
        y: y + size - (4 + row + 1) * module,
        width: (column - start) * module,
        height: module,
        color: rgb(0, 0, 0),
      });
    }
  }
}

/** A printable A4 reminder letter (DIN 5008 layout) with the rendered reminder text and a statement of the claim. */
export async function renderReminderLetter(input: ReminderLetterInput): Promise<Uint8Array> {
  const labels = LABELS[input.language];
  const locale = intlLocale(input.language);
  const doc = await PDFDocument.create({ updateMetadata: false });
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const clean = printable(regular);

  // The letter's own date, not the clock: the same reminder gives the same file when it is printed again.
  const stamp = new Date(`${input.date}T00:00:00Z`);
  doc.setTitle(input.reminder.subject);
  doc.setSubject(`${labels.order} ${input.orderNumber}`);
  doc.setAuthor(input.sender.name);
  doc.setCreator("Mahnwerk");
  doc.setProducer("Mahnwerk");
  doc.setLanguage(intlLocale(input.language));
  doc.setCreationDate(stamp);
  doc.setModificationDate(stamp);

  let page: PDFPage = doc.addPage(A4);
  const text = (s: string, x: number, y: number, size = BODY_SIZE, font = regular) =>
    page.drawText(clean(s), { x, y, size, font, color: rgb(0, 0, 0) });
  const textRight = (s: string, right: number, y: number, size = BODY_SIZE, font = regular) =>
    text(s, right - font.widthOfTextAtSize(clean(s), size), y, size, font);

  // Return address above the window, small and underlined.
  const senderLine = [input.sender.name, input.sender.street, `${input.sender.postalCode} ${input.sender.city}`].join(
    " · ",
  );
  const senderY = A4[1] - 50 * MM;
  text(senderLine, LEFT, senderY, 7);
  page.drawLine({
    start: { x: LEFT, y: senderY - 1.5 },
    end: { x: LEFT + regular.widthOfTextAtSize(clean(senderLine), 7), y: senderY - 1.5 },
    thickness: 0.4,
  });
  const foreign =
    (input.recipient.country ?? "").trim().toUpperCase() !== (input.sender.country ?? "").trim().toUpperCase();
  let y = A4[1] - 57 * MM;
  for (const line of addressLines(input.recipient, foreign)) {
    text(line, LEFT, y, 10);
    y -= 12;
  }

  y = A4[1] - 98 * MM;
  textRight(formatDate(input.date, locale), RIGHT, y);
  y -= 2 * BODY_LEADING;
  for (const line of wrap(clean(input.reminder.subject), bold, 11, RIGHT - LEFT)) {
    text(line, LEFT, y, 11, bold);
    y -= BODY_LEADING;
  }
  y -= BODY_LEADING;

  const ensureRoom = (needed: number) => {
    if (y - needed >= BOTTOM) return;
    page = doc.addPage(A4);
    y = TOP;
  };

  for (const paragraph of input.reminder.text.replace(/\r\n?/g, "\n").split("\n")) {
    if (paragraph.trim() === "") {
      y -= BODY_LEADING / 2;
      continue;
    }
    for (const line of wrap(clean(paragraph), regular, BODY_SIZE, RIGHT - LEFT)) {
      ensureRoom(BODY_LEADING);
      text(line, LEFT, y);
      y -= BODY_LEADING;
    }
  }

  // Like the text: no line of 0,00 (the text says how interest is computed, and what is still to come).
  const rows: [string, Money][] = [
    [labels.outstanding, input.totals.outstanding],
    [labels.fees, input.totals.fees],
    [labels.interest, input.totals.interest],
    [labels.flatFee, input.totals.flatFee],
  ].filter(([label, amount]) => label === labels.outstanding || (amount as Money).amountMinor !== 0) as [
    string,
    Money,
  ][];
  // The statement stays on one page.
  ensureRoom(BODY_LEADING * (rows.length + 4));
  y -= BODY_LEADING;
  text(labels.statement, LEFT, y, BODY_SIZE, bold);
  y -= BODY_LEADING * 1.2;
  const amountRight = LEFT + 130 * MM;
  for (const [label, amount] of rows) {
    text(label, LEFT, y);
    textRight(formatMoney(amount, locale), amountRight, y);
    y -= BODY_LEADING;
  }
  page.drawLine({
    start: { x: LEFT, y: y + BODY_LEADING - 3 },
    end: { x: amountRight, y: y + BODY_LEADING - 3 },
    thickness: 0.6,
  });
  y -= 2;
  text(labels.total, LEFT, y, BODY_SIZE, bold);
  textRight(formatMoney(input.totals.total, locale), amountRight, y, BODY_SIZE, bold);
  if (input.totals.moreInterest) {
    y -= BODY_LEADING;
    text(labels.moreInterest, LEFT, y);
  }

  const codes = [
    ...(input.payment?.giroCode ? [{ text: input.payment.giroCode, caption: [labels.giroCode] }] : []),
    ...(input.payment?.payNowUrl
      ? [{ text: input.payment.payNowUrl, caption: [labels.payNow, input.payment.payNowUrl] }]
      : []),
  ];
  if (codes.length > 0) {
    ensureRoom(QR_SIZE + 3 * BODY_LEADING);
    y -= 2 * BODY_LEADING;
    const columnWidth = (RIGHT - LEFT) / 2;
    codes.forEach((code, i) => {
      const x = LEFT + i * columnWidth;
      drawQr(page, code.text, x, y - QR_SIZE, QR_SIZE);
      let captionY = y - QR_SIZE - 10;
      for (const line of code.caption.flatMap((c) => wrap(clean(c), regular, 7, columnWidth - 6 * MM))) {
        text(line, x + QUIET_ZONE, captionY, 7);
        captionY -= 9;
      }
    });
    y -= QR_SIZE + 3 * BODY_LEADING;
  }

  const pages = doc.getPages();
  if (pages.length > 1) {
    pages.forEach((p, i) => {
      page = p;
      textRight(labels.page(i + 1, pages.length), RIGHT, 12 * MM, 8);
    });
  }
  return doc.save();
}
