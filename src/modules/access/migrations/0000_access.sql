CREATE TABLE "access_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contact_id" uuid NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" uuid NOT NULL,
	"source" text NOT NULL,
	"source_id" text,
	"granted_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text
);
--> statement-breakpoint
ALTER TABLE "access_grants" ADD CONSTRAINT "access_grants_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_grants_contact_idx" ON "access_grants" USING btree ("contact_id","resource_type","resource_id");--> statement-breakpoint
CREATE INDEX "access_grants_resource_idx" ON "access_grants" USING btree ("resource_type","resource_id");--> statement-breakpoint
CREATE UNIQUE INDEX "access_grants_live_key" ON "access_grants" USING btree ("contact_id","resource_type","resource_id","source",coalesce("source_id", '')) WHERE "access_grants"."revoked_at" is null;