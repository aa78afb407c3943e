-- Data change apart from the schema change (0002): declined upsells were kept only as
-- upsell.declined events and read back from the log; copy them into the checkout's own table.
INSERT INTO "declined_upsells" ("order_id", "offer_id", "declined_at")
SELECT e."subject_id"::uuid, (e."data"->>'offerId')::uuid, min(e."occurred_at")
  FROM "events" e
 WHERE e."type" = 'upsell.declined'
   AND e."subject_type" = 'order'
   AND e."subject_id" ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
   AND e."data"->>'offerId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
 GROUP BY 1, 2
ON CONFLICT DO NOTHING;
