// The API contract's one rule for turning a zod response schema into what the client receives:
// the response is the schema's output sent through JSON.stringify, so a Date arrives as its ISO
// string. The admin's API types are `Wire<z.output<typeof someShape>>` of the very schemas the
// routes validate with (the `contract.ts` files), so a change on one side fails the type check
// on the other. Types only: nothing here runs.

/** An ISO 8601 timestamp as the server sends it. */
export type IsoDate = string;

/** What a value of type T looks like after JSON.stringify and JSON.parse. */
export type Wire<T> = T extends Date
  ? IsoDate
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
