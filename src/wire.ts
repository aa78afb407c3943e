// The API contract's one rule for turning a zod response schema into what the client receives:
// the response is the schema's output sent through JSON.stringify, so a Date arrives as its ISO
// string. The admin's API types are `Wire<z.output<typeof someShape>>` of the very schemas the
// routes validate with (the `contract.ts` files), so a change on one side fails the type check
// on the other. The query strings the admin sends are typed the same way, from the routes'
// `query:` schemas (`QueryOf`). Types only: nothing here runs.
import type { z } from 'zod';

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

/** A route's `query:` schema, as a client names it (`typeof someQuery`, imported as a type). */
export type QuerySchema = z.ZodType;

/** How a client sends a value the schema coerces: a number or boolean as itself, a date as its ISO string. */
type Sent<T> = T extends Date ? IsoDate : T extends string | number | boolean ? T : T extends readonly (infer U)[] ? Sent<U>[] : never;
/** A parameter whose values include 'true' and 'false' takes a boolean too: the client sends it as String(value). */
type OrBoolean<T> = string extends T ? T : 'true' extends T ? ('false' extends T ? T | boolean : T) : T;

/**
 * The query parameters a client may send to a route whose `query:` schema is S: its parameter
 * names, none other, each optional (the schema's defaults and checks run on the server). A
 * parameter's type is what the schema takes (an enum's values, the string a transform reads);
 * where it takes anything and coerces it (`z.coerce.number()`, whose zod 4 input is `unknown`),
 * it is what the schema coerces to: a number, a boolean, a date as an ISO string. So a wrong
 * name or a wrong kind of value is a type error in the client, as it would be a 400 at the route.
 */
export type QueryOf<S extends QuerySchema> = {
  [K in keyof z.input<S>]?: unknown extends z.input<S>[K]
    ? K extends keyof z.output<S>
      ? Sent<Exclude<z.output<S>[K], undefined>>
      : never
    : OrBoolean<Exclude<z.input<S>[K], undefined>>;
};
