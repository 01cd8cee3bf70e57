import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import nodemailer, { type Transporter } from "nodemailer";

export type MailAddress = { name: string; address: string };

/** `cid`: shown inside the HTML part (`<img src="cid:…">`) instead of as a separate file. */
export type MailAttachment = { filename: string; content: Uint8Array | string; contentType?: string; cid?: string };

export type OutgoingMail = {
  /**
   * Stable per reminder (e.g. the outbox row's key). The Message-ID is derived from it, so a resend after a crash is
   * recognisably the same mail, and it travels in X-Mahnwerk-Reminder.
   */
  idempotencyKey: string;
  from: MailAddress;
  replyTo?: MailAddress | string;
  to: MailAddress | string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  attachments?: MailAttachment[];
};

/** permanent: the same mail to the same address will not go through (5xx, no or bad address); else retry later. */
export type SendResult = { ok: true; messageId: string } | { ok: false; permanent: boolean; reason: string };

export type Mailer = {
  send(mail: OutgoingMail): Promise<SendResult>;
  /** Releases the transport (no pooled connections are kept, so this is cheap). */
  close(): void;
};

export type MailerOptions = {
  /** Connect and greeting timeout; the socket gets three times as long for a whole transaction. */
  timeoutMs?: number;
};

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
// Deliberately simple: one @, no whitespace or characters that would need quoting. The server decides the rest.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/** The same check send() applies to a recipient, for code that stores an address to mail later. */
export function isMailAddress(address: string): boolean {
  return ADDRESS.test(address);
}

export const REMINDER_HEADER = "X-Mahnwerk-Reminder";

/** `<mahnwerk.{hash of the key}@{sender domain}>`: deterministic, and no internal id leaks into the header. */
export function reminderMessageId(idempotencyKey: string, fromAddress: string): string {
  const domain = fromAddress.split("@")[1]?.trim().toLowerCase() || "mahnwerk.invalid";
  const hash = createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32);
  return `<mahnwerk.${hash}@${domain}>`;
}

function addressOf(to: MailAddress | string): string {
  return (typeof to === "string" ? to : to.address).trim();
}

type SmtpError = { code?: string; responseCode?: number; response?: string; message?: string };

/**
 * SMTP servers quote the recipient in their answers ("550 <anna@example.de>: mailbox unavailable"); the reason is
 * stored in outbox.last_error and the case's block event, which carry ids, not e-mail addresses.
 */
function withoutRecipient(reason: string, to: string): string {
  return to === ""
    ? reason
    : reason.replace(new RegExp(to.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), "<recipient>");
}

function failure(error: unknown, to: string): SendResult {
  const e = (error ?? {}) as SmtpError;
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  // Wrong SMTP credentials say nothing about the recipient: retry once the operator has fixed them.
  const authProblem = e.code === "EAUTH" || e.code === "ENOAUTH";
  // 503 is "bad sequence of commands": the session, not the message, was wrong (as nodemailer treats it).
  const permanent = !authProblem && code !== undefined && code >= 500 && code < 600 && code !== 503;
  const detail = (e.response ?? e.message ?? String(error)).trim();
  return { ok: false, permanent, reason: withoutRecipient(e.code ? `${e.code}: ${detail}` : detail, to) };
}

/** A mailer for an smtp:// (STARTTLS when offered) or smtps:// (TLS from the start) URL. */
export function createMailer(smtpUrl: string, options: MailerOptions = {}): Mailer {
  let protocol: string;
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    throw new TypeError("SMTP URL is not a URL (expected smtp://user:pass@host:port or smtps://…)");
  }
  if (protocol !== "smtp:" && protocol !== "smtps:")
    throw new TypeError(`SMTP URL must be smtp:// or smtps://, got ${protocol}//`);
  const timeout = options.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    secure: protocol === "smtps:",
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 3,
    // Attachments are our own bytes; never let a field make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return mailerOver(transport);
}

/**
 * A mailer that delivers into a folder of .eml files instead of a server: the demo's mailbox when no SMTP_URL is
 * set, so a shop owner trying Mahnwerk can open the reminders it sent. Same checks and headers as over SMTP.
 */
export function createFolderMailer(dir: string): Mailer {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "unix",
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return mailerOver(transport, async (message, messageId) => {
    await mkdir(dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${createHash("sha256").update(messageId).digest("hex").slice(0, 12)}.eml`;
    await writeFile(path.join(dir, name), message);
  });
}

function mailerOver(transport: Transporter, deliver?: (message: Buffer, messageId: string) => Promise<void>): Mailer {
  return {
    async send(mail) {
      if (!IDEMPOTENCY_KEY.test(mail.idempotencyKey)) {
        throw new TypeError("idempotencyKey must be 1–200 printable ASCII characters without spaces");
      }
      const to = addressOf(mail.to);
      if (to === "") return { ok: false, permanent: true, reason: "no recipient address" };
      // Not quoted: the reason is stored where only ids belong (see withoutRecipient).
      if (!ADDRESS.test(to)) return { ok: false, permanent: true, reason: "invalid recipient address" };

      const messageId = reminderMessageId(mail.idempotencyKey, mail.from.address);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(mail.headers ?? {})) {
        const lower = name.toLowerCase();
        if (lower !== "message-id" && lower !== REMINDER_HEADER.toLowerCase()) headers[name] = value;
      }
      headers[REMINDER_HEADER] = mail.idempotencyKey;
      try {
        const info = await transport.sendMail({
          from: { name: mail.from.name, address: mail.from.address },
          to: typeof mail.to === "string" ? to : { name: mail.to.name, address: to },
          ...(mail.replyTo !== undefined ? { replyTo: mail.replyTo } : {}),
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId,
          headers,
          attachments: (mail.attachments ?? []).map((a) => ({
            filename: a.filename,
            content: typeof a.content === "string" ? a.content : Buffer.from(a.content),
            ...(a.contentType ? { contentType: a.contentType } : {}),
            ...(a.cid ? { cid: a.cid } : {}),
          })),
        });
        if (deliver) {
          await deliver(info.message as Buffer, messageId);
          return { ok: true, messageId };
        }
        if ((info.accepted ?? []).length === 0) {
          return {
            ok: false,
            permanent: true,
            reason: withoutRecipient(`recipient refused: ${String(info.response ?? "")}`.trim(), to),
          };
        }
        return { ok: true, messageId };
      } catch (error) {
        return failure(error, to);
      }
    },
    close() {
      transport.close();
    },
  };
}
