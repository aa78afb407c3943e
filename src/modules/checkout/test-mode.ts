// What payment pages and receipts say while no real money can move.
export const TEST_PROVIDER_BANNER = 'TEST MODE — no real money moves. Pay with one of the test cards.';
export const STRIPE_TEST_BANNER = 'TEST MODE — Stripe test keys: no real money moves. Use Stripe’s test cards.';
