// The webhooks API's shapes shared with the admin app: the zod schemas its routes validate
// requests and responses with, and the types the admin uses for them (imported as types only,
// so no zod reaches the browser). Plain data: no server code may be imported here.
//
// A signing secret is in two answers only, creation and rotation (`createdShape`,
// `rotatedShape`); an endpoint's own shape has no secret field, so a response built from it
// strips one even if the service were to pass it along.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

/** A delivery's state: waiting (or retrying later), being sent now, answered 2xx, given up. */
export const deliveryStatuses = ['pending', 'delivering', 'succeeded', 'failed'] as const;

export const eventTypeShape = z.string().min(1).max(100).regex(/^[a-z_]+(\.[a-z_]+)+$/, 'an event type such as order.paid');

/** What POST /api/webhooks accepts (PATCH takes any part of it). */
export const endpointBody = z.object({
  url: z.string().trim().min(1).max(2000),
  description: z.string().trim().max(500).optional(),
  eventTypes: z.array(eventTypeShape).max(200).optional().describe('event types to deliver; empty or missing: every type'),
  enabled: z.boolean().optional(),
});
export const endpointPatchBody = endpointBody.partial();

export const endpointShape = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  /** empty: every event type */
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  /** the first failed attempt since the last success; null while it succeeds */
  failingSince: z.date().nullable(),
  /** why Onehour turned it off (it kept failing); null when on, or turned off by hand */
  disabledReason: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const deliveryShape = z.object({
  id: z.string(),
  endpointId: z.string(),
  /** the business event; null for a test delivery */
  eventId: z.number().nullable(),
  eventType: z.string(),
  /** webhook-id: the same for every attempt and every replay of one message */
  messageId: z.string(),
  status: z.enum(deliveryStatuses),
  attempts: z.number(),
  responseStatus: z.number().nullable(),
  /** the first 2 000 characters of the answer */
  responseBody: z.string().nullable(),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
  /** the JSON body as sent (event data only: no secret) */
  payload: z.record(z.string(), z.unknown()),
  /** the original delivery this one sends again */
  replayOf: z.string().nullable(),
  createdAt: z.date(),
  lastAttemptAt: z.date().nullable(),
  nextAttemptAt: z.date().nullable(),
});

/** GET /api/webhooks: the endpoints, and the event types one can choose. */
export const endpointListShape = z.object({ endpoints: z.array(endpointShape), eventTypes: z.array(z.string()) });
/** POST /api/webhooks: the new endpoint and its signing secret (whsec_…), in this answer only. */
export const createdShape = z.object({ endpoint: endpointShape, secret: z.string() });
/** PATCH /api/webhooks/:id */
export const endpointResultShape = z.object({ endpoint: endpointShape });
/** POST /api/webhooks/:id/rotate-secret: the new secret (this answer only); the old one also signs until previousValidUntil. */
export const rotatedShape = z.object({ secret: z.string(), previousValidUntil: z.date() });
/** POST /api/webhooks/:id/test and /api/webhook-deliveries/:id/replay: the new delivery. */
export const deliveryResultShape = z.object({ delivery: deliveryShape });
/** GET /api/webhooks/:id/deliveries: newest first. */
export const deliveryListShape = z.object({ deliveries: z.array(deliveryShape) });
export const deliveryListQuery = z.object({ status: z.enum(deliveryStatuses).optional(), limit: z.coerce.number().int().min(1).max(200).optional() });

export type WebhookDeliveryStatus = (typeof deliveryStatuses)[number];
export type WebhookEndpointInput = z.input<typeof endpointBody>;
export type WebhookEndpointPatch = z.input<typeof endpointPatchBody>;
export type WebhookEndpoint = Wire<z.output<typeof endpointShape>>;
export type WebhookDelivery = Wire<z.output<typeof deliveryShape>>;
export type WebhookEndpointList = Wire<z.output<typeof endpointListShape>>;
export type WebhookCreated = Wire<z.output<typeof createdShape>>;
export type WebhookEndpointResult = Wire<z.output<typeof endpointResultShape>>;
export type WebhookSecretRotated = Wire<z.output<typeof rotatedShape>>;
export type WebhookDeliveryResult = Wire<z.output<typeof deliveryResultShape>>;
export type WebhookDeliveryList = Wire<z.output<typeof deliveryListShape>>;
