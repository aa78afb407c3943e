CREATE TABLE "event_deliveries" (
	"event_id" bigint NOT NULL,
	"subscriber" text NOT NULL,
	"delivered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "event_deliveries_event_id_subscriber_pk" PRIMARY KEY("event_id","subscriber")
);
--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "contact_id" text;--> statement-breakpoint
CREATE INDEX "events_contact_idx" ON "events" USING btree ("contact_id","type","occurred_at");