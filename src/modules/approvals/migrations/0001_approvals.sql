ALTER TABLE "approval_requests" ADD COLUMN "delegated_to_id" text;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD COLUMN "delegated_at" timestamp with time zone;