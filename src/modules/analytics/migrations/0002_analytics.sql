CREATE TABLE "analytics_funnels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"steps" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "analytics_funnels_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE INDEX "analytics_visits_started_idx" ON "analytics_visits" USING btree ("started_at");