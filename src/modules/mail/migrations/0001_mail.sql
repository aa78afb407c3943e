CREATE TABLE "broadcast_activity" (
	"broadcast_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"bounced" integer DEFAULT 0 NOT NULL,
	"complained" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "broadcast_activity_broadcast_id_minute_pk" PRIMARY KEY("broadcast_id","minute")
);
--> statement-breakpoint
CREATE TABLE "broadcast_link_clicks" (
	"recipient_id" bigint NOT NULL,
	"idx" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "broadcast_link_clicks_recipient_id_idx_pk" PRIMARY KEY("recipient_id","idx")
);
--> statement-breakpoint
CREATE TABLE "broadcast_links" (
	"broadcast_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"url" text NOT NULL,
	"clicks" integer DEFAULT 0 NOT NULL,
	"unique_clicks" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "broadcast_links_broadcast_id_idx_pk" PRIMARY KEY("broadcast_id","idx")
);
--> statement-breakpoint
CREATE TABLE "broadcast_recipients" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"broadcast_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"email" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"claim" text,
	"lease_until" timestamp with time zone,
	"retry_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"reclaims" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"error" text,
	"opened_at" timestamp with time zone,
	"opens" integer DEFAULT 0 NOT NULL,
	"clicked_at" timestamp with time zone,
	"clicks" integer DEFAULT 0 NOT NULL,
	"bounced_at" timestamp with time zone,
	"bounce_kind" text,
	"complained_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "broadcasts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"subject" text NOT NULL,
	"preheader" text DEFAULT '' NOT NULL,
	"format" text DEFAULT 'markdown' NOT NULL,
	"body" text NOT NULL,
	"blocks" jsonb,
	"list_id" uuid,
	"segment_id" uuid,
	"track" boolean DEFAULT true NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"paused_reason" text,
	"paused_detail" text,
	"scheduled_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"sent_by" jsonb,
	"recipients_total" integer DEFAULT 0 NOT NULL,
	"sent_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"heartbeat_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_bounces" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"email_normalized" text NOT NULL,
	"kind" text NOT NULL,
	"provider" text NOT NULL,
	"provider_event_id" text,
	"detail" text DEFAULT '' NOT NULL,
	"contact_id" uuid,
	"broadcast_id" uuid,
	"recipient_id" bigint,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_rate_state" (
	"id" text PRIMARY KEY NOT NULL,
	"tat" timestamp with time zone NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"hour_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_suppressions" (
	"email_normalized" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "broadcast_activity" ADD CONSTRAINT "broadcast_activity_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_links" ADD CONSTRAINT "broadcast_links_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_recipients" ADD CONSTRAINT "broadcast_recipients_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "broadcast_recipients_contact_key" ON "broadcast_recipients" USING btree ("broadcast_id","contact_id");--> statement-breakpoint
CREATE INDEX "broadcast_recipients_pending_idx" ON "broadcast_recipients" USING btree ("broadcast_id","id") WHERE status in ('queued', 'sending');--> statement-breakpoint
CREATE INDEX "broadcast_recipients_status_idx" ON "broadcast_recipients" USING btree ("broadcast_id","status");--> statement-breakpoint
CREATE INDEX "broadcast_recipients_contact_idx" ON "broadcast_recipients" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "broadcasts_status_idx" ON "broadcasts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "broadcasts_created_idx" ON "broadcasts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "mail_bounces_email_idx" ON "mail_bounces" USING btree ("email_normalized","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "mail_bounces_event_key" ON "mail_bounces" USING btree ("provider","provider_event_id");