ALTER TABLE "posts" ADD COLUMN "refused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "refusal_note" text;