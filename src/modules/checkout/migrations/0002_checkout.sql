CREATE TABLE "declined_upsells" (
	"order_id" uuid NOT NULL,
	"offer_id" uuid NOT NULL,
	"declined_at" timestamp with time zone NOT NULL,
	CONSTRAINT "declined_upsells_order_id_offer_id_pk" PRIMARY KEY("order_id","offer_id")
);
