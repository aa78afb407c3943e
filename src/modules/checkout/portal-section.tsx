// "Purchases & downloads" on the customer's account page: orders with receipts, downloads
// through signed expiring links, course links, subscriptions. Only the signed-in contact's.
import type { PortalSection } from '../../http/customer.js';
import type { CheckoutService } from './service.js';
import { PurchasesSection } from '../../../web/public/checkout/pages.js';
import { purchasesView } from './views.js';

export const purchasesSection: PortalSection<{ checkout: CheckoutService }> = {
  id: 'purchases',
  title: 'Purchases & downloads',
  order: 10,
  async render(app, contactId, ctx) {
    const view = await purchasesView(app.checkout, contactId, ctx.csrf);
    return view ? <PurchasesSection view={view} /> : null;
  },
};
