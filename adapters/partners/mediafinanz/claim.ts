// Our claim as the body of `PUT collect/claim/new/` (docs/platforms/mediafinanz.md §2.4). Fields whose code lists
// mediaFinanz has not published are sent only when configured.
import type { Claim } from "#adapters/partners/collection-partner";
import { add, type Money, sum, toDecimalString } from "#app/domain/money";

import type { MediafinanzProtocol } from "./protocol";

/** mediaFinanz takes amounts as JSON numbers in euros; 1999 minor units → 19.99. */
const euros = (m: Money) => Number(toDecimalString(m));

/** The reason text, short: what was bought and when it was due (the maximum length is not published). */
const REASON_MAX = 250;

export type MediafinanzClaimBody = ReturnType<typeof claimBody>;

export function claimBody(claim: Claim, reference: string, protocol: MediafinanzProtocol) {
  const currency = claim.outstanding.currency;
  const fees = sum([...claim.reminders.map((r) => r.fee), ...(claim.flatFee ? [claim.flatFee.amount] : [])], currency);
  const interest = claim.interest?.amount ?? { amountMinor: 0, currency };
  const lastReminder = claim.reminders.at(-1)?.sentAt ?? claim.dueDate;
  const { debtor } = claim;
  const street = [debtor.street, debtor.houseNumber].filter(Boolean).join(" ");
  const communications = protocol.communications
    ? [
        ...(debtor.email ? [{ ...codes(protocol.communications.email), Value: debtor.email, Validity: 1 }] : []),
        ...(debtor.phone ? [{ ...codes(protocol.communications.phone), Value: debtor.phone, Validity: 1 }] : []),
      ]
    : undefined;
  const interestNote = claim.interest
    ? ` Verzugszinsen ${toDecimalString(interest)} ${currency} vom ${claim.interest.from} bis ${claim.interest.to}.`
    : "";
  return {
    // Our case id: stable across attempts, so mediaFinanz and support can match a claim to its case.
    ClientCustomerRefNo: reference.slice(0, 40),
    ...(protocol.partnerNo !== null ? { PartnerNo: protocol.partnerNo } : {}),
    Stage: "V",
    Debtor: {
      Company: debtor.type === "company" ? (debtor.company ?? "") : "",
      ...(protocol.personTypes ? { PersonType: protocol.personTypes[debtor.type] } : {}),
      LastName: debtor.lastName ?? "",
      FirstName: debtor.firstName ?? "",
      PostalAddress: {
        Annex: "",
        Street: street,
        PostalCode: debtor.postalCode,
        City: debtor.city,
        CountryCode: debtor.countryCode,
        Validity: 1,
      },
      ...(communications ? { Communications: communications } : {}),
    },
    Claim: {
      // Everything claimed: the principal still owed, the reminder fees (and flat fee), and interest to the handover.
      Amount: euros(add(add(claim.outstanding, fees), interest)),
      ContractDate: claim.invoiceDate,
      OriginalCreatorName: claim.creditor.shopName,
      Reason:
        `Bestellung ${claim.orderNumber} vom ${claim.invoiceDate}, fällig am ${claim.dueDate}.${interestNote}`.slice(
          0,
          REASON_MAX,
        ),
      PrincipalClaim: {
        Number: claim.invoiceNumber,
        Value: euros(claim.outstanding),
        Date: claim.invoiceDate,
        Remark: "",
      },
      DunningCosts: {
        Number: claim.invoiceNumber,
        Value: euros(fees),
        Date: lastReminder,
        Remark: claim.reminders.length > 0 ? `${claim.reminders.length} Mahnung(en)` : "",
      },
    },
  };
}

const codes = (c: { means: number; type: number }) => ({ Means: c.means, Type: c.type });
