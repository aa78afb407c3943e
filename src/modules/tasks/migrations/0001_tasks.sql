CREATE TABLE "task_notification_settings" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"overdue_email" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "source_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_source_key_uq" ON "tasks" USING btree ("source_key");