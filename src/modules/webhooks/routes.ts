// Outbound webhook routes: endpoints, their delivery log, replay and test sends. Owner and
// admins only (webhooks.manage); a signing secret is returned once, at creation or rotation.
import { z } from 'zod';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { WebhookService } from './index.js';
import {
  createdShape,
  deliveryListQuery,
  deliveryListShape,
  deliveryResultShape,
  endpointBody,
  endpointListShape,
  endpointPatchBody,
  endpointResultShape,
  rotatedShape,
} from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface WebhooksRouteDeps {
  webhooks: WebhookService;
}
const defineRoute = routesFor<WebhooksRouteDeps>();

const idParam = z.object({ id: z.uuid() });
const access = { permission: 'webhooks.manage' } as const;
const tags = ['webhooks'];

export const webhookRoutes: AnyRoute<WebhooksRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/api/webhooks', access, tags,
    summary: 'Webhook endpoints, and the event types one can receive',
    response: endpointListShape,
    handler: async ({ app }) => ({ endpoints: await app.webhooks.listEndpoints(), eventTypes: app.webhooks.eventTypes() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/webhooks', access, tags, audit: 'webhook.endpoint_created', status: 201,
    summary: 'Register an endpoint; its signing secret (whsec_…) is in this answer only',
    body: endpointBody,
    response: createdShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const created = await app.webhooks.createEndpoint(body, actor);
      auditTarget('webhook_endpoint', created.endpoint.id, { eventTypes: created.endpoint.eventTypes });
      return created;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/webhooks/:id', access, tags, audit: 'webhook.endpoint_updated',
    summary: 'Change an endpoint (turning it on again clears its failure history)',
    params: idParam,
    body: endpointPatchBody,
    response: endpointResultShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('webhook_endpoint', params.id, { changed: Object.keys(body) });
      return { endpoint: await app.webhooks.updateEndpoint(params.id, body, actor) };
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/webhooks/:id', access, tags, audit: 'webhook.endpoint_deleted',
    summary: 'Remove an endpoint and its delivery log',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('webhook_endpoint', params.id);
      await app.webhooks.deleteEndpoint(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/webhooks/:id/rotate-secret', access, tags, audit: 'webhook.secret_rotated',
    summary: 'A new signing secret (in this answer only); the old one also signs for 24 hours',
    params: idParam,
    response: rotatedShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('webhook_endpoint', params.id);
      return app.webhooks.rotateSecret(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/webhooks/:id/test', access, tags, audit: 'webhook.test_sent', status: 201,
    summary: 'Send a webhook.test message to the endpoint',
    params: idParam,
    response: deliveryResultShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('webhook_endpoint', params.id);
      return { delivery: await app.webhooks.sendTest(params.id, actor) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/webhooks/:id/deliveries', access, tags,
    summary: 'The delivery log of an endpoint, newest first',
    params: idParam,
    query: deliveryListQuery,
    response: deliveryListShape,
    handler: async ({ app, params, query }) => {
      await app.webhooks.getEndpoint(params.id);
      return { deliveries: await app.webhooks.listDeliveries(params.id, query) };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/webhook-deliveries/:id/replay', access, tags, audit: 'webhook.delivery_replayed', status: 201,
    summary: 'Send a delivery again (same webhook-id, so receivers can tell it is a repeat)',
    params: idParam,
    response: deliveryResultShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      const delivery = await app.webhooks.replay(params.id, actor);
      auditTarget('webhook_delivery', params.id, { replay: delivery.id });
      return { delivery };
    },
  }),
];
