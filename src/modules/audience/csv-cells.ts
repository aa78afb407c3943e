// What every CSV Onehour writes does to a cell (contacts export, import report), and what an
// import undoes. Spreadsheet apps run a cell that starts with = + - @ (or a tab / CR before
// one) as a formula, so such a cell is written with a leading apostrophe. A cell that starts
// with an apostrophe gets one too, so reading back is exact: one leading apostrophe comes
// off whenever the next character is one of those. Export → import is the identity.
const GUARDED = /^[=+\-@\t\r']/;
const RESTORABLE = /^'[=+\-@\t\r']/;

export function neutraliseFormula(value: string): string {
  return GUARDED.test(value) ? `'${value}` : value;
}

/** The value as it was before neutraliseFormula (and as other tools' guarded exports meant it). */
export function restoreFormula(value: string): string {
  return RESTORABLE.test(value) ? value.slice(1) : value;
}
