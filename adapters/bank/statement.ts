// A statement file as uploaded: camt.053/054 (XML) or MT940, told apart by its first bytes. Size limits are the
// caller's job; this decides the format and the text encoding.
import { type ParsedStatement, StatementError } from "#app/domain/payments/bank-statement";

import { parseCamt } from "./camt";
import { parseMt940 } from "./mt940";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function parseStatement(bytes: Buffer): ParsedStatement {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let start = bom;
  // Blank lines (and stray spaces) before the first field or the XML declaration.
  while (start < bytes.length && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[start]!)) start++;
  const head = bytes.subarray(start, start + 4).toString("latin1");
  // XML may not have anything before its declaration; MT940 keeps its blank lines so error line numbers stay right.
  if (head.startsWith("<")) return parseCamt(decodeXml(bytes.subarray(start)));
  if (head.startsWith("{1:") || head === ":20:" || head === ":NS:") return parseMt940(decodeText(bytes.subarray(bom)));
  throw new StatementError("neither camt.053/054 nor MT940");
}

/** camt is UTF-8 by ISO 20022; a declaration may still name Latin-1. */
function decodeXml(bytes: Buffer): string {
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(bytes.subarray(0, 200).toString("latin1"));
  const encoding = declared?.[1]!.toLowerCase() ?? "utf-8";
  if (encoding === "utf-8" || encoding === "utf8") {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new StatementError("camt: the file is not valid UTF-8");
    }
  }
  if (["iso-8859-1", "latin1", "iso-8859-15", "windows-1252"].includes(encoding)) return bytes.toString("latin1");
  throw new StatementError(`camt: encoding "${declared![1]}" is not supported (UTF-8 or ISO-8859-1)`);
}

/** German banks deliver MT940 in ISO-8859-1, some in UTF-8: UTF-8 when the bytes are valid UTF-8. */
function decodeText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}
