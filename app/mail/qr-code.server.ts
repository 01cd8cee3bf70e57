import QRCode from "qrcode";

/** EPC069-12 asks for error correction level M; the same for every code we print, so they scan alike. */
const OPTIONS = { errorCorrectionLevel: "M" } as const;

/** One byte segment of UTF-8: the encoding a GiroCode's third line declares, and what every decoder reads. */
const segments = (text: string) => [{ mode: "byte" as const, data: new TextEncoder().encode(text) }];

/** The code's modules, for drawing it as vector squares on a letter. */
export function qrModules(text: string): { size: number; dark: (row: number, column: number) => boolean } {
  const { modules } = QRCode.create(segments(text), OPTIONS);
  return { size: modules.size, dark: (row, column) => Boolean(modules.get(row, column)) };
}

/** The code as a PNG with its quiet zone, for an e-mail: `scale` pixels per module. */
export function qrPng(text: string, scale = 4): Promise<Buffer> {
  return QRCode.toBuffer(segments(text), { ...OPTIONS, type: "png", margin: 4, scale });
}
