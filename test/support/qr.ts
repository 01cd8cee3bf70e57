import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** pdftoppm (poppler-utils) draws a letter, zbarimg (zbar-tools) reads the codes on it, as a phone would. */
export const hasQrTools =
  spawnSync("pdftoppm", ["-v"]).status === 0 && spawnSync("zbarimg", ["--version"]).status === 0;
/** CI installs both and sets this: there a missing program fails instead of skipping. */
export const qrToolsRequired = process.env.MAHNWERK_REQUIRE_POPPLER === "1";

/**
 * The QR code zbarimg finds in a PNG, as the bytes it holds read as UTF-8 (a GiroCode declares UTF-8 in its third
 * line; without -Sbinary zbar guesses a charset and turns "ü" into Shift-JIS), or none. One code per picture.
 */
export function readQrCodes(png: string): string[] {
  const result = spawnSync("zbarimg", ["--raw", "-q", "-Sbinary", "-Sdisable", "-Sqrcode.enable", png]);
  // zbarimg exits 4 when it found nothing.
  if (result.status === 4) return [];
  if (result.status !== 0) throw new Error(`zbarimg failed: ${result.stderr.toString()}`);
  return [result.stdout.toString("utf8").replace(/\n$/, "")];
}

/** A4 at 300 dpi is 2480 pixels wide; a letter's codes stand in two columns split 107.5 mm from the left edge. */
const COLUMNS = [
  { x: 0, width: 1270 },
  { x: 1270, width: 1210 },
];

/** The codes on every page of a letter, drawn at 300 dpi like a print, left column before right. */
export function readQrCodesFromPdf(pdf: Uint8Array): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-qr-"));
  try {
    const file = path.join(dir, "letter.pdf");
    writeFileSync(file, pdf);
    COLUMNS.forEach(({ x, width }, i) => {
      const crop = ["-x", String(x), "-y", "0", "-W", String(width), "-H", "3508"];
      execFileSync("pdftoppm", ["-png", "-r", "300", ...crop, file, path.join(dir, `page-c${i}`)]);
    });
    const pages = readdirSync(dir).filter((f) => f.endsWith(".png"));
    // page-c0-1.png, page-c1-1.png, page-c0-2.png …: by page, then column.
    const order = (f: string) => {
      const [, column, page] = /page-c(\d)-0*(\d+)\.png$/.exec(f)!;
      return Number(page) * 10 + Number(column);
    };
    return pages.sort((a, b) => order(a) - order(b)).flatMap((f) => readQrCodes(path.join(dir, f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The code in a PNG held in memory (an e-mail's inline picture). */
export function readQrCodesFromPng(png: Uint8Array): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-qr-"));
  try {
    const file = path.join(dir, "code.png");
    writeFileSync(file, png);
    return readQrCodes(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
