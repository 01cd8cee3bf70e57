import { describe, expect, test } from "vitest";

import { parseJsonLossless } from "./lossless-json";

describe("parseJsonLossless", () => {
  test("integers above 2^53 arrive as their exact digits", () => {
    expect(parseJsonLossless('{"id":9007199254740993,"order_id":820982911946154508}')).toStrictEqual({
      id: "9007199254740993",
      order_id: "820982911946154508",
    });
    // 2^53 itself is exact in a double but not a safe integer: a string, like every id beyond it.
    expect(parseJsonLossless("9007199254740992")).toBe("9007199254740992");
    expect(parseJsonLossless("-9007199254740993")).toBe("-9007199254740993");
    expect(parseJsonLossless("123456789012345678901234567890")).toBe("123456789012345678901234567890");
  });

  test("safe integers stay numbers", () => {
    expect(parseJsonLossless('{"a":0,"b":-0,"c":9007199254740991,"d":-9007199254740991,"e":42}')).toStrictEqual({
      a: 0,
      b: -0,
      c: Number.MAX_SAFE_INTEGER,
      d: Number.MIN_SAFE_INTEGER,
      e: 42,
    });
  });

  test("decimals and exponent forms stay numbers, even when their value is a large integer", () => {
    expect(
      parseJsonLossless('{"amount":12.50,"rate":0.19,"big":1e21,"exp":1.5E3,"huge":9007199254740993.0,"inf":1e400}'),
    ).toStrictEqual({
      amount: 12.5,
      rate: 0.19,
      big: 1e21,
      exp: 1500,
      huge: 9007199254740992,
      inf: Infinity,
    });
  });

  test("nested objects and arrays are converted throughout; strings, booleans and null are untouched", () => {
    const text =
      '{"refund":{"transactions":[{"id":12345678901234567,"parent_id":null,"amount":"10.00"},{"id":7}],' +
      '"ids":[9007199254740993,1,[18446744073709551615]],"note":"9007199254740993","test":false}}';
    expect(parseJsonLossless(text)).toStrictEqual({
      refund: {
        transactions: [{ id: "12345678901234567", parent_id: null, amount: "10.00" }, { id: 7 }],
        ids: ["9007199254740993", 1, ["18446744073709551615"]],
        note: "9007199254740993",
        test: false,
      },
    });
  });

  test("whatever JSON.parse accepts without large integers comes out identical", () => {
    const text = '{"a":[1,2.5,-3e-2,"x",true,null,{}],"b":{"c":"d","__proto__":1},"é":"\\u00e9"}';
    expect(parseJsonLossless(text)).toStrictEqual(JSON.parse(text));
  });

  test.each(["{not json", "", '{"a":1,}', "[1 2]", "01", '{"a":9007199254740993'])(
    "invalid JSON %j throws a SyntaxError",
    (text) => {
      expect(() => parseJsonLossless(text)).toThrow(SyntaxError);
    },
  );
});
