using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loyalty.EntityFrameworkCore.Tests.Migrations
{
    /// <inheritdoc />
    public partial class AddLoyalty : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "loyalty_customer_orders",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    order_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    placed_at = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    total = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    delivered_at = table.Column<long>(type: "bigint", nullable: true),
                    refunded_at = table.Column<long>(type: "bigint", nullable: true),
                    skus = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_customer_orders", x => new { x.customer_id, x.order_id });
                });

            migrationBuilder.CreateTable(
                name: "loyalty_customers",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    normalized_email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    first_name = table.Column<string>(type: "text", nullable: true),
                    last_name = table.Column<string>(type: "text", nullable: true),
                    locale = table.Column<string>(type: "text", nullable: true),
                    time_zone = table.Column<string>(type: "text", nullable: true),
                    marketing_consent = table.Column<bool>(type: "boolean", nullable: true),
                    consent_source = table.Column<string>(type: "text", nullable: true),
                    consent_at = table.Column<long>(type: "bigint", nullable: true),
                    order_count = table.Column<int>(type: "integer", nullable: false),
                    first_order_at = table.Column<long>(type: "bigint", nullable: true),
                    last_order_at = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_customers", x => x.customer_id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_processed_events",
                columns: table => new
                {
                    event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    event_type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    customer_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    occurred_at = table.Column<long>(type: "bigint", nullable: false),
                    received_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_processed_events", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_scheduled_steps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    dedupe_key = table.Column<string>(type: "character varying(850)", maxLength: 850, nullable: false),
                    flow_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    step_index = table.Column<int>(type: "integer", nullable: false),
                    customer_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    trigger_event_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    trigger_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    trigger_occurred_at = table.Column<long>(type: "bigint", nullable: false),
                    event_json = table.Column<string>(type: "text", nullable: false),
                    category = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    due_at = table.Column<long>(type: "bigint", nullable: false),
                    available_at = table.Column<long>(type: "bigint", nullable: false),
                    state = table.Column<int>(type: "integer", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    lease_owner = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    message_id = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false),
                    completed_at = table.Column<long>(type: "bigint", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_scheduled_steps", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_suppressions",
                columns: table => new
                {
                    normalized_email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    category = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    reason = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_suppressions", x => new { x.normalized_email, x.category });
                });

            migrationBuilder.CreateTable(
                name: "shop_orders",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Total = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shop_orders", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_customers_normalized_email",
                table: "loyalty_customers",
                column: "normalized_email");

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_scheduled_steps_claim",
                table: "loyalty_scheduled_steps",
                column: "available_at",
                filter: "state IN (0, 1)");

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_scheduled_steps_customer_state",
                table: "loyalty_scheduled_steps",
                columns: new[] { "customer_id", "state" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ux_scheduled_steps_dedupe_key",
                table: "loyalty_scheduled_steps",
                column: "dedupe_key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "loyalty_customer_orders");

            migrationBuilder.DropTable(
                name: "loyalty_customers");

            migrationBuilder.DropTable(
                name: "loyalty_processed_events");

            migrationBuilder.DropTable(
                name: "loyalty_scheduled_steps");

            migrationBuilder.DropTable(
                name: "loyalty_suppressions");

            migrationBuilder.DropTable(
                name: "shop_orders");
        }
    }
}
