import type { AddressInfo } from "node:net";

import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type CapturedMail = { envelope: { from: string; to: string[] }; raw: string; parsed: ParsedMail };

export type SmtpCaptureOptions = {
  /** Recipients matching this are refused with 550 (mailbox unavailable). */
  rejectRecipients?: RegExp;
  /** Every MAIL FROM is answered 451 (local error), as an outage would. */
  refuseAll?: boolean;
  /** Require AUTH PLAIN/LOGIN with these credentials (others get 535); without it the server offers no AUTH. */
  requireAuth?: { user: string; pass: string };
  /** Listen on this port (to bring a stopped server back on the same URL); 0 picks a free one. */
  port?: number;
};

export type SmtpCapture = {
  port: number;
  /** smtp://127.0.0.1:{port} */
  url: string;
  /** Every accepted message, parsed, in arrival order. */
  messages: CapturedMail[];
  /** The live options: change `refuseAll` or `rejectRecipients` to switch an outage on or off. */
  options: SmtpCaptureOptions;
  close(): Promise<void>;
};

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** A real SMTP server on 127.0.0.1 without TLS (and without auth unless asked) that keeps what it receives. */
export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const live: SmtpCaptureOptions = { ...options };
  const server = new SMTPServer({
    authOptional: !options.requireAuth,
    allowInsecureAuth: true,
    disabledCommands: options.requireAuth ? ["STARTTLS"] : ["AUTH", "STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      const expected = options.requireAuth;
      if (expected && auth.username === expected.user && auth.password === expected.pass)
        return callback(null, { user: auth.username });
      callback(smtpError("Authentication credentials invalid", 535));
    },
    closeTimeout: 1_000,
    onMailFrom(_address, _session, callback) {
      if (live.refuseAll) return callback(smtpError("Requested action aborted: local error in processing", 451));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (live.rejectRecipients?.test(address.address)) {
        return callback(smtpError(`Mailbox unavailable: ${address.address}`, 550));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error) => callback(error));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        // Stored before the 250 answer, so a resolved send is already visible to the test.
        simpleParser(raw, { keepCidLinks: true }).then(
          (parsed) => {
            const from = session.envelope.mailFrom;
            messages.push({
              envelope: { from: from ? from.address : "", to: session.envelope.rcptTo.map((r) => r.address) },
              raw,
              parsed,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    options: live,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
