// The character-level pieces of JSON that the argument scanner checks one character at a time,
// so that a token split across stream pieces needs no lookahead.

export const isJsonSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The code unit a one-character escape (`\n`, `\"`, …) stands for, by the character after `\`. */
export const SHORT_ESCAPES: Readonly<Record<string, number>> = { '"': 0x22, "\\": 0x5c, "/": 0x2f, b: 8, f: 12, n: 10, r: 13, t: 9 };

/** The literal a value starting with this character must spell. */
export const LITERALS: Readonly<Record<string, string>> = { t: "true", f: "false", n: "null" };

/** The value of a hex digit of `\uXXXX`, or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Where a number stands in `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: after `-`, after a
 * leading `0`, in integer digits, after `.`, in fraction digits, after `e`, after the exponent's
 * sign, in exponent digits.
 */
export type NumberStep = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const NOT_A_NUMBER = -1;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isExponent = (c: number) => c === 0x65 || c === 0x45;
const DOT = 0x2e;

/** The step after a number's first character, or NOT_A_NUMBER. */
export function startNumber(c: number): NumberStep | typeof NOT_A_NUMBER {
  if (c === 0x2d) return 0;
  if (c === 0x30) return 1;
  return isDigit(c) ? 2 : NOT_A_NUMBER;
}

/** The step after `c`, or NOT_A_NUMBER when `c` cannot continue the number. */
export function stepNumber(step: NumberStep, c: number): NumberStep | typeof NOT_A_NUMBER {
  switch (step) {
    case 0:
      return c === 0x30 ? 1 : isDigit(c) ? 2 : NOT_A_NUMBER;
    case 1:
      return c === DOT ? 3 : isExponent(c) ? 5 : NOT_A_NUMBER;
    case 2:
      return isDigit(c) ? 2 : c === DOT ? 3 : isExponent(c) ? 5 : NOT_A_NUMBER;
    case 3:
      return isDigit(c) ? 4 : NOT_A_NUMBER;
    case 4:
      return isDigit(c) ? 4 : isExponent(c) ? 5 : NOT_A_NUMBER;
    case 5:
      return c === 0x2b || c === 0x2d ? 6 : isDigit(c) ? 7 : NOT_A_NUMBER;
    case 6:
    case 7:
      return isDigit(c) ? 7 : NOT_A_NUMBER;
  }
}

/** Whether a number may end at this step (`1`, `0`, `1.5`, `1e5`; not `-`, `1.` or `1e`). */
export const endsNumber = (step: NumberStep) => step === 1 || step === 2 || step === 4 || step === 7;
