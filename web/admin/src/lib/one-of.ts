/**
 * `value` when it is one of `options`, else undefined: a filter read from the address (which
 * anyone can edit) narrowed to the values the route's query takes, so a stray one shows the
 * unfiltered list rather than an error.
 */
export function oneOf<T extends string>(options: readonly T[], value: string): T | undefined {
  return options.find((o) => o === value);
}
