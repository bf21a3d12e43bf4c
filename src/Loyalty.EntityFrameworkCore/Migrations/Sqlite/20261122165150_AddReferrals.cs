using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Loyalty.EntityFrameworkCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddReferrals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "loyalty_customer_fingerprints",
                columns: table => new
                {
                    kind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    seen_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_customer_fingerprints", x => new { x.kind, x.value, x.customer_id });
                });

            migrationBuilder.CreateTable(
                name: "loyalty_product_reviews",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    rating = table.Column<int>(type: "INTEGER", nullable: false),
                    reviewed_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_product_reviews", x => new { x.customer_id, x.sku });
                });

            migrationBuilder.CreateTable(
                name: "loyalty_referral_attributions",
                columns: table => new
                {
                    friend_customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    advocate_customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    order_placed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    touch = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    network = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ip_hash = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    refunded = table.Column<bool>(type: "INTEGER", nullable: false),
                    attributed_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_referral_attributions", x => x.friend_customer_id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_referral_codes",
                columns: table => new
                {
                    code = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    is_vanity = table.Column<bool>(type: "INTEGER", nullable: false),
                    disabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    generated_for = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_referral_codes", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_referral_fraud_decisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    friend_customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    advocate_customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    rule = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    reason = table.Column<string>(type: "TEXT", nullable: false),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_referral_fraud_decisions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_referral_rewards",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 850, nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    advocate_customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    friend_customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    network = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", nullable: true),
                    due_at = table.Column<long>(type: "INTEGER", nullable: false),
                    issued_description = table.Column<string>(type: "TEXT", nullable: true),
                    issued_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_referral_rewards", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_referral_visits",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    advocate_customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    visitor_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ip_hash = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    network = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    visited_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_referral_visits", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_review_requests",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    products = table.Column<string>(type: "TEXT", nullable: false),
                    delivered_at = table.Column<long>(type: "INTEGER", nullable: true),
                    prompt_due_at = table.Column<long>(type: "INTEGER", nullable: true),
                    reminder_count = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_review_requests", x => new { x.customer_id, x.order_id });
                });

            migrationBuilder.CreateTable(
                name: "loyalty_share_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    network = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_share_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_attributions_advocate",
                table: "loyalty_referral_attributions",
                columns: new[] { "advocate_customer_id", "attributed_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_attributions_ip_hash",
                table: "loyalty_referral_attributions",
                columns: new[] { "ip_hash", "attributed_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_codes_customer",
                table: "loyalty_referral_codes",
                columns: new[] { "customer_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ux_referral_codes_generated_for",
                table: "loyalty_referral_codes",
                column: "generated_for",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_fraud_decisions_friend",
                table: "loyalty_referral_fraud_decisions",
                columns: new[] { "friend_customer_id", "decided_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_rewards_customer",
                table: "loyalty_referral_rewards",
                columns: new[] { "customer_id", "state", "due_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_rewards_due",
                table: "loyalty_referral_rewards",
                columns: new[] { "state", "due_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_rewards_friend",
                table: "loyalty_referral_rewards",
                column: "friend_customer_id");

            migrationBuilder.CreateIndex(
                name: "loyalty_ux_referral_rewards_idempotency_key",
                table: "loyalty_referral_rewards",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_visits_advocate",
                table: "loyalty_referral_visits",
                columns: new[] { "advocate_customer_id", "visited_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_visits_code",
                table: "loyalty_referral_visits",
                columns: new[] { "code", "visited_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_visits_ip_hash",
                table: "loyalty_referral_visits",
                columns: new[] { "ip_hash", "visited_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_referral_visits_visitor",
                table: "loyalty_referral_visits",
                columns: new[] { "visitor_id", "visited_at" });

            migrationBuilder.CreateIndex(
                name: "loyalty_ix_share_events_customer",
                table: "loyalty_share_events",
                columns: new[] { "customer_id", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "loyalty_customer_fingerprints");

            migrationBuilder.DropTable(
                name: "loyalty_product_reviews");

            migrationBuilder.DropTable(
                name: "loyalty_referral_attributions");

            migrationBuilder.DropTable(
                name: "loyalty_referral_codes");

            migrationBuilder.DropTable(
                name: "loyalty_referral_fraud_decisions");

            migrationBuilder.DropTable(
                name: "loyalty_referral_rewards");

            migrationBuilder.DropTable(
                name: "loyalty_referral_visits");

            migrationBuilder.DropTable(
                name: "loyalty_review_requests");

            migrationBuilder.DropTable(
                name: "loyalty_share_events");
        }
    }
}
