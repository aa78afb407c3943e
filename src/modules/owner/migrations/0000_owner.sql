CREATE TABLE "owner_activity" (
	"user_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "owner_activity_user_id_window_start_pk" PRIMARY KEY("user_id","window_start")
);
--> statement-breakpoint
CREATE TABLE "owner_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"detector" text NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"day" date NOT NULL,
	"observed" double precision,
	"expected" double precision,
	"change_pct" double precision,
	"detail" text NOT NULL,
	"link" text,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "owner_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"week" date NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"rank" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "owner_delegations" (
	"event_type" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"accepted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "owner_link_checks" (
	"url" text PRIMARY KEY NOT NULL,
	"found_in" text NOT NULL,
	"status" integer,
	"error" text,
	"checked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "owner_review_mails" (
	"week" date PRIMARY KEY NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "owner_settings" (
	"id" integer PRIMARY KEY NOT NULL,
	"time_budget" text DEFAULT 'hour_week' NOT NULL,
	"away_from" date,
	"away_until" date,
	"away_delegate_id" uuid,
	"course_review_days" integer DEFAULT 180 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "owner_activity_window_idx" ON "owner_activity" USING btree ("window_start");--> statement-breakpoint
CREATE UNIQUE INDEX "owner_alerts_open_key" ON "owner_alerts" USING btree ("detector","key") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "owner_alerts_created_idx" ON "owner_alerts" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "owner_decisions_week_key" ON "owner_decisions" USING btree ("week","key");--> statement-breakpoint
CREATE INDEX "owner_link_checks_checked_idx" ON "owner_link_checks" USING btree ("checked_at");