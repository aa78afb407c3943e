CREATE TABLE "analytics_daily" (
	"day" date NOT NULL,
	"d1" text NOT NULL,
	"v1" text NOT NULL,
	"d2" text NOT NULL,
	"v2" text NOT NULL,
	"visitors" integer NOT NULL,
	"visits" integer NOT NULL,
	"entries" integer NOT NULL,
	"pageviews" integer NOT NULL,
	"bounces" integer NOT NULL,
	"duration_s" bigint NOT NULL,
	CONSTRAINT "analytics_daily_d1_d2_v1_v2_day_pk" PRIMARY KEY("d1","d2","v1","v2","day")
);
--> statement-breakpoint
CREATE TABLE "analytics_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"name" text NOT NULL,
	"visitor_id" bigint NOT NULL,
	"visit_id" bigint NOT NULL,
	"entry" boolean DEFAULT false NOT NULL,
	"path" text NOT NULL,
	"channel" text NOT NULL,
	"source" text NOT NULL,
	"campaign" text NOT NULL,
	"entry_path" text NOT NULL,
	"device" text NOT NULL,
	"browser" text NOT NULL,
	"props" jsonb
);
--> statement-breakpoint
CREATE TABLE "analytics_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"visitors" integer NOT NULL,
	"visits" integer NOT NULL,
	"pageviews" integer NOT NULL,
	CONSTRAINT "analytics_hourly_hour_channel_pk" PRIMARY KEY("hour","channel")
);
--> statement-breakpoint
CREATE TABLE "analytics_rollup_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"last_event_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_salts" (
	"day" date PRIMARY KEY NOT NULL,
	"salt" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_visits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"visitor_id" bigint NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"pageviews" integer DEFAULT 0 NOT NULL,
	"entry_path" text NOT NULL,
	"channel" text NOT NULL,
	"source" text NOT NULL,
	"campaign" text NOT NULL,
	"device" text NOT NULL,
	"browser" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "analytics_daily_day_idx" ON "analytics_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "analytics_events_at_idx" ON "analytics_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "analytics_visits_visitor_idx" ON "analytics_visits" USING btree ("visitor_id","last_at");