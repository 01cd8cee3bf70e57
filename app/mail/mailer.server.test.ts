import type { AddressObject } from "mailparser";
import { afterEach, describe, expect, test } from "vitest";

import type { DunningLevel } from "#app/domain/case/status";
import { money } from "#app/domain/money";
import { createMailer, type Mailer, type OutgoingMail, reminderMessageId } from "#app/mail/mailer.server";
import { type ReminderData, type ReminderLanguage, renderReminder } from "#app/mail/reminder-templates";
import { type SmtpCapture, startSmtpCapture } from "#test/support/smtp";

const open: { servers: SmtpCapture[]; mailers: Mailer[] } = { servers: [], mailers: [] };
afterEach(async () => {
  for (const m of open.mailers.splice(0)) m.close();
  await Promise.all(open.servers.splice(0).map((s) => s.close()));
});

async function capture(options?: Parameters<typeof startSmtpCapture>[0]) {
  const server = await startSmtpCapture(options);
  open.servers.push(server);
  return server;
}
function mailer(url: string) {
  const m = createMailer(url, { timeoutMs: 2_000 });
  open.mailers.push(m);
  return m;
}

const data: ReminderData = {
  customerName: "Jörg Groß",
  orderNumber: "#1042",
  amount: money(8_990, "EUR"),
  originalDueDate: "2026-02-10",
  fees: money(0, "EUR"),
  interest: money(0, "EUR"),
  total: money(8_990, "EUR"),
  paymentDeadline: "2026-03-01",
  paymentInstructions: "IBAN DE02 1203 0000 0000 2020 51",
  shopName: "Kaffeerösterei Süd",
  shopContact: "hallo@roesterei.example",
};

function reminderMail(
  level: DunningLevel,
  language: ReminderLanguage,
  to: string,
  key = `case-1:${level}`,
): OutgoingMail {
  const rendered = renderReminder({ level, language, data });
  if (!rendered.ok) throw new Error(rendered.error.message);
  return {
    idempotencyKey: key,
    from: { name: "Kaffeerösterei Süd", address: "mahnung@roesterei.example" },
    replyTo: { name: "Kundenservice", address: "hallo@roesterei.example" },
    to: { name: data.customerName, address: to },
    ...rendered.value,
    headers: { "X-Shop": "roesterei.myshopify.com" },
    attachments: [{ filename: "mahnung.txt", content: new TextEncoder().encode("Anlage"), contentType: "text/plain" }],
  };
}

const first = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value[0];

describe("mailer", () => {
  test("a German and an English reminder arrive as rendered, with sender, reply-to and our headers", async () => {
    const server = await capture();
    const m = mailer(server.url);

    const de = reminderMail("reminder_1", "de", "joerg@kunde.example");
    const sentDe = await m.send(de);
    expect(sentDe).toEqual({
      ok: true,
      messageId: reminderMessageId("case-1:reminder_1", "mahnung@roesterei.example"),
    });
    const en = reminderMail("final_reminder", "en", "jane@customer.example", "case-2:final_reminder");
    expect(await m.send(en)).toMatchObject({ ok: true });

    expect(server.messages).toHaveLength(2);
    const [gotDe, gotEn] = server.messages;
    expect(gotDe!.envelope).toEqual({ from: "mahnung@roesterei.example", to: ["joerg@kunde.example"] });
    const p = gotDe!.parsed;
    expect(p.subject).toBe("Zahlungserinnerung zu Ihrer Bestellung #1042");
    expect(p.subject).toBe(de.subject);
    expect(p.text?.trim()).toBe(de.text);
    expect(p.html).toContain("<p>Guten Tag Jörg Groß,</p>");
    expect(first(p.from)).toEqual({ name: "Kaffeerösterei Süd", address: "mahnung@roesterei.example" });
    expect(first(p.replyTo)).toEqual({ name: "Kundenservice", address: "hallo@roesterei.example" });
    expect(first(p.to)).toEqual({ name: "Jörg Groß", address: "joerg@kunde.example" });
    expect(p.messageId).toBe(sentDe.ok ? sentDe.messageId : "");
    expect(p.messageId).toMatch(/^<mahnwerk\.[0-9a-f]{32}@roesterei\.example>$/);
    expect(p.headers.get("x-mahnwerk-reminder")).toBe("case-1:reminder_1");
    expect(p.headers.get("x-shop")).toBe("roesterei.myshopify.com");
    expect(p.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([["mahnung.txt", "Anlage"]]);

    const q = gotEn!.parsed;
    expect(q.subject).toBe("Final reminder for your order #1042");
    expect(q.text).toContain("we will hand the claim over to our debt collection partner from");
    expect(q.html).toContain("Amount due: €89.90");
    expect(q.headers.get("x-mahnwerk-reminder")).toBe("case-2:final_reminder");
    expect(q.messageId).not.toBe(p.messageId);
  });

  test("a resend with the same key is the same Message-ID; the caller cannot replace ours", async () => {
    const server = await capture();
    const m = mailer(server.url);
    const mail = reminderMail("reminder_2", "de", "joerg@kunde.example", "case-7:reminder_2");
    await m.send(mail);
    await m.send({ ...mail, headers: { "Message-ID": "<other@x.example>", "X-Mahnwerk-Reminder": "forged" } });
    const [a, b] = server.messages;
    expect(a!.parsed.messageId).toBe(b!.parsed.messageId);
    expect(b!.parsed.headers.get("x-mahnwerk-reminder")).toBe("case-7:reminder_2");
  });

  test("550 for the recipient is permanent", async () => {
    const server = await capture({ rejectRecipients: /@gone\.example$/ });
    const result = await mailer(server.url).send(reminderMail("reminder_1", "de", "nobody@gone.example"));
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(!result.ok && result.reason).toContain("550");
    expect(server.messages).toHaveLength(0);
  });

  test("no or a malformed address is permanent without contacting the server", async () => {
    // Nothing listens on port 1: any contact would end as connection refused, a transient failure.
    const unreachable = mailer("smtp://127.0.0.1:1");
    for (const to of ["", "   ", "not-an-address", "a@b", "a b@c.example"]) {
      expect(await unreachable.send(reminderMail("reminder_1", "de", to))).toMatchObject({
        ok: false,
        permanent: true,
      });
    }
    expect(
      await unreachable.send({ ...reminderMail("reminder_1", "de", "x@y.example"), to: { name: "X", address: "" } }),
    ).toEqual({
      ok: false,
      permanent: true,
      reason: "no recipient address",
    });
    expect(await unreachable.send(reminderMail("reminder_1", "de", "x@y.example"))).toMatchObject({
      ok: false,
      permanent: false,
    });
  });

  test("451 is transient, and the same send succeeds once the server accepts again", async () => {
    const server = await capture({ refuseAll: true });
    const m = mailer(server.url);
    const mail = reminderMail("final_reminder", "de", "joerg@kunde.example");
    const refused = await m.send(mail);
    expect(refused).toMatchObject({ ok: false, permanent: false });
    expect(!refused.ok && refused.reason).toContain("451");
    server.options.refuseAll = false;
    expect(await m.send(mail)).toMatchObject({ ok: true });
    expect(server.messages.map((x) => x.parsed.subject)).toEqual(["Letzte Mahnung zu Ihrer Bestellung #1042"]);
  });

  test("a server that is down is transient, and the same send succeeds when it is back on its port", async () => {
    const down = await startSmtpCapture();
    const port = down.port;
    await down.close();
    const m = mailer(down.url);
    const mail = reminderMail("reminder_2", "en", "jane@customer.example");
    const failed = await m.send(mail);
    expect(failed).toMatchObject({ ok: false, permanent: false });
    expect(!failed.ok && failed.reason).toMatch(/ECONNECTION|ESOCKET|ECONNREFUSED/);

    const back = await capture({ port });
    expect(await m.send(mail)).toMatchObject({ ok: true });
    expect(back.messages).toHaveLength(1);
    expect(back.messages[0]!.parsed.subject).toBe("Second payment reminder for your order #1042");
  });

  test("a credentials problem is transient: it is the operator's to fix, not the recipient's", async () => {
    const server = await capture({ requireAuth: { user: "mahnwerk", pass: "right" } });
    const mail = reminderMail("reminder_1", "de", "joerg@kunde.example");
    const result = await mailer(server.url.replace("smtp://", "smtp://mahnwerk:wrong@")).send(mail);
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(!result.ok && result.reason).toMatch(/^EAUTH: 535/);
    expect(server.messages).toHaveLength(0);
    expect(await mailer(server.url.replace("smtp://", "smtp://mahnwerk:right@")).send(mail)).toMatchObject({
      ok: true,
    });
    expect(server.messages).toHaveLength(1);
  });

  test("only smtp:// and smtps:// URLs are accepted", () => {
    expect(() => createMailer("http://mail.example")).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => createMailer("not a url")).toThrow(/not a URL/);
    expect(() => createMailer("smtps://user:pass@mail.example:465")).not.toThrow();
  });
});
