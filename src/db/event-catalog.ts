// The typed event catalog: every event type Onehour records, with the zod schema of its
// `data` and the type(s) of its subject. Each module declares its own events in
// `src/modules/<m>/events.ts` (contracts only) with `defineEvents`, and makes them known to
// the type checker by augmenting `EventTypes` below; `src/event-catalog.ts` assembles the
// runtime catalog that `EventLog.recordInTx` validates against. This file knows no module.
//
// Fields that older history (and the demo's bulk-written year) lacks are optional.
//
// Validation when recorded:
// - an unknown type is always an error (the transaction rolls back): it is a programming
//   error the type check already catches, so it can only come from untyped code;
// - invalid data is an error in development and tests (strict mode, so CI fails on a
//   mismatch); in production it is logged and the event is recorded as given, because the
//   change it describes is in the same transaction — refusing it would roll back a paid
//   order over a contract mismatch. Schemas accept keys they do not declare (adding a field
//   is not a breaking change for subscribers); they check every declared one.
import { z } from 'zod';

export interface EventDeclaration<S extends z.ZodType = z.ZodType> {
  /** The subject's type(s); '*' for any (e.g. access grants name a course or a product). */
  subject: string | readonly string[] | null;
  data: S;
  /** A short sentence for the catalog page and the webhook docs. */
  description?: string;
}

export type EventDeclarations = Record<string, EventDeclaration>;

/** Declares a module's events; the result keeps every literal type for `EventTypesOf`. */
export function defineEvents<const D extends EventDeclarations>(declarations: D): D {
  return declarations;
}

/** Data types as the recorder writes them (zod input), keyed by event type. */
export type EventTypesOf<D extends EventDeclarations> = { [K in keyof D]: z.input<D[K]['data']> };

/**
 * Every known event type and its data, filled by modules through declaration merging:
 *   declare module '../../db/event-catalog.js' { interface EventTypes extends EventTypesOf<typeof myEvents> {} }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventTypes {}

export type EventType = keyof EventTypes & string;
export type EventData<T extends EventType> = EventTypes[T];

/** Small building blocks for event schemas (loose objects: extra keys are allowed). */
export const ev = {
  object: <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape),
  empty: () => z.looseObject({}),
  id: () => z.string().min(1).max(200),
  text: () => z.string().max(10_000),
  int: () => z.number().int(),
  money: () => z.number().int(),
  currency: () => z.string().min(3).max(3),
  /** an ISO timestamp as recorded in data */
  iso: () => z.string().max(40),
  changed: () => z.array(z.string().max(100)),
};

export class UnknownEventTypeError extends Error {
  constructor(readonly type: string) {
    super(`Unknown event type "${type}": declare it in its module's events.ts (see src/event-catalog.ts)`);
  }
}

export class InvalidEventError extends Error {
  constructor(
    readonly type: string,
    readonly issues: string[],
  ) {
    super(`Event "${type}" does not match its declaration: ${issues.join('; ')}`);
  }
}

export interface EventSubject {
  type: string;
  id: string;
}

export class EventCatalog {
  private readonly declarations = new Map<string, EventDeclaration>();

  constructor(...modules: EventDeclarations[]) {
    for (const decls of modules) {
      for (const [type, decl] of Object.entries(decls)) {
        if (this.declarations.has(type)) throw new Error(`Event type declared twice: ${type}`);
        this.declarations.set(type, decl);
      }
    }
  }

  get types(): string[] {
    return [...this.declarations.keys()].sort();
  }

  has(type: string): boolean {
    return this.declarations.has(type);
  }

  describe(type: string): EventDeclaration | undefined {
    return this.declarations.get(type);
  }

  /** Throws UnknownEventTypeError, or returns the problems with the data and subject (empty when valid). */
  check(type: string, subject: EventSubject | null | undefined, data: unknown): string[] {
    const decl = this.declarations.get(type);
    if (!decl) throw new UnknownEventTypeError(type);
    const issues: string[] = [];
    if (subject && decl.subject !== '*') {
      const allowed = decl.subject === null ? [] : typeof decl.subject === 'string' ? [decl.subject] : decl.subject;
      if (!allowed.includes(subject.type)) issues.push(`subject type "${subject.type}" is not ${allowed.join(' or ') || 'allowed (this event has no subject)'}`);
    }
    const parsed = decl.data.safeParse(data ?? {});
    if (!parsed.success) for (const i of parsed.error.issues) issues.push(`data.${i.path.join('.') || '(root)'}: ${i.message}`);
    return issues;
  }
}

/**
 * The contact an event is about, for the indexed `events.contact_id` column: the subject when
 * it is a contact, else `data.contactId`, else the customer who acted. The migration that
 * added the column backfilled it with the same rule in SQL.
 */
export function contactOf(e: { subjectType?: string | null; subjectId?: string | null; data?: Record<string, unknown> | null; actorKind?: string | null; actorId?: string | null }): string | null {
  if (e.subjectType === 'contact' && e.subjectId) return e.subjectId;
  const fromData = e.data?.contactId;
  if (typeof fromData === 'string' && fromData) return fromData;
  if (e.actorKind === 'customer' && e.actorId) return e.actorId;
  return null;
}
