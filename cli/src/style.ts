/** Terminal styling; every function is the identity when colors are off. */
export interface Style {
  dim(text: string): string;
  red(text: string): string;
  bold(text: string): string;
}

const sgr = (on: number, off: number) => (text: string) => (text ? `\x1b[${on}m${text}\x1b[${off}m` : text);

const COLORS: Style = { dim: sgr(2, 22), red: sgr(31, 39), bold: sgr(1, 22) };
const PLAIN: Style = { dim: (t) => t, red: (t) => t, bold: (t) => t };

/** Colors only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function styleFor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): Style {
  return isTTY && !env.NO_COLOR ? COLORS : PLAIN;
}
