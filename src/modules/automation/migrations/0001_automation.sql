CREATE TABLE "automation_attributions" (
	"order_id" text PRIMARY KEY NOT NULL,
	"workflow_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"clicked_at" timestamp with time zone NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "automation_email_activity" (
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"workflow_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"url" text DEFAULT '' NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "automation_email_activity_run_id_seq_kind_url_pk" PRIMARY KEY("run_id","seq","kind","url")
);
--> statement-breakpoint
CREATE INDEX "automation_attributions_workflow_idx" ON "automation_attributions" USING btree ("workflow_id","at");--> statement-breakpoint
CREATE INDEX "automation_email_activity_contact_idx" ON "automation_email_activity" USING btree ("contact_id","kind","last_at");