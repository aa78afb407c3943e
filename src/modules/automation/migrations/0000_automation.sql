CREATE TABLE "automation_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"trigger_key" text NOT NULL,
	"state" text NOT NULL,
	"step_id" text,
	"seq" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone,
	"wait_event" text,
	"wait_event_next" text,
	"branches" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"revenue" bigint DEFAULT 0 NOT NULL,
	"end_reason" text,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "automation_steps" (
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"workflow_id" uuid NOT NULL,
	"step_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "automation_steps_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "automation_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"published_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "automation_workflows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"draft" jsonb NOT NULL,
	"version_id" uuid,
	"template" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "automation_runs_trigger_key" ON "automation_runs" USING btree ("workflow_id","contact_id","trigger_key");--> statement-breakpoint
CREATE INDEX "automation_runs_contact_idx" ON "automation_runs" USING btree ("contact_id","state");--> statement-breakpoint
CREATE INDEX "automation_runs_workflow_idx" ON "automation_runs" USING btree ("workflow_id","started_at");--> statement-breakpoint
CREATE INDEX "automation_runs_due_idx" ON "automation_runs" USING btree ("due_at") WHERE state = 'waiting';--> statement-breakpoint
CREATE INDEX "automation_steps_workflow_idx" ON "automation_steps" USING btree ("workflow_id","step_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "automation_versions_number_key" ON "automation_versions" USING btree ("workflow_id","number");--> statement-breakpoint
CREATE INDEX "automation_workflows_status_idx" ON "automation_workflows" USING btree ("status");