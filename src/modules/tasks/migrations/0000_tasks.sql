CREATE TABLE "sop_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sop_id" uuid NOT NULL,
	"revision" integer NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"role" text,
	"changed" jsonb NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"actor_role" text,
	"actor_label" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sops" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"role" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_occurrences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"due_on" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"title" text NOT NULL,
	"assignee_role" text,
	"assignee_user_id" uuid,
	"sop_id" uuid,
	"sop_revision" integer,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"overdue_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closed_by_kind" text,
	"closed_by_id" text,
	"closed_by_role" text,
	"closed_by_label" text,
	"skip_reason" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"assignee_role" text,
	"assignee_user_id" uuid,
	"sop_id" uuid,
	"subject_type" text,
	"subject_id" text,
	"subject_label" text,
	"recurrence" jsonb NOT NULL,
	"starts_on" text NOT NULL,
	"due_time" text DEFAULT '17:00' NOT NULL,
	"next_due_on" text,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sop_revisions" ADD CONSTRAINT "sop_revisions_sop_id_sops_id_fk" FOREIGN KEY ("sop_id") REFERENCES "public"."sops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_occurrences" ADD CONSTRAINT "task_occurrences_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_sop_id_sops_id_fk" FOREIGN KEY ("sop_id") REFERENCES "public"."sops"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sop_revisions_uq" ON "sop_revisions" USING btree ("sop_id","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "task_occurrences_due_uq" ON "task_occurrences" USING btree ("task_id","due_on");--> statement-breakpoint
CREATE INDEX "task_occurrences_open_idx" ON "task_occurrences" USING btree ("due_at") WHERE "task_occurrences"."status" = 'open';--> statement-breakpoint
CREATE INDEX "task_occurrences_closed_idx" ON "task_occurrences" USING btree ("closed_at");--> statement-breakpoint
CREATE INDEX "tasks_next_due_idx" ON "tasks" USING btree ("next_due_on") WHERE "tasks"."archived_at" is null;