CREATE TABLE "village_stats" (
	"village_code" text PRIMARY KEY NOT NULL,
	"households" integer NOT NULL,
	"members" integer NOT NULL,
	"households_by_desil" integer[] NOT NULL,
	"households_desil_1_to_2" integer NOT NULL,
	"households_desil_1_to_4" integer NOT NULL,
	"households_by_pas" jsonb NOT NULL,
	"rtlh_households" integer NOT NULL,
	"elderly_members" integer NOT NULL,
	"child_members" integer NOT NULL,
	"disabled_members" integer NOT NULL,
	"households_with_elderly" integer NOT NULL,
	"households_with_disabled" integer NOT NULL,
	"fisher_households" integer NOT NULL,
	"fisher_share" double precision NOT NULL,
	"vulnerable_households" integer NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "village_stats" ADD CONSTRAINT "village_stats_village_code_regions_code_fk" FOREIGN KEY ("village_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "village_stats_fisher_share_idx" ON "village_stats" USING btree ("fisher_share");--> statement-breakpoint
CREATE INDEX "village_stats_rtlh_idx" ON "village_stats" USING btree ("rtlh_households");--> statement-breakpoint
CREATE INDEX "village_stats_desil12_idx" ON "village_stats" USING btree ("households_desil_1_to_2");