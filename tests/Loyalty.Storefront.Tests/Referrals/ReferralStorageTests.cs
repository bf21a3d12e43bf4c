using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loyalty.Email.Composition;
using Loyalty.Events;
using Loyalty.Storefront.Data;
using Loyalty.Storefront.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Storefront.Tests.Referrals;

/// <summary>
/// The storefront keeps the referral programme in its SQLite file (Loyalty.EntityFrameworkCore's referral stores).
/// What went wrong before: Loyalty.Referrals' template-model contributor creates a customer's referral code in a scope
/// of its own (a second connection) while intake builds the model inside the shop's transaction, which holds SQLite's
/// write lock: the insert waited for that same transaction, 30 s busy timeout times three attempts, then HTTP 500.
/// </summary>
[Collection(StorefrontCollection.Name)]
public sealed class ReferralStorageTests(StorefrontFixture storefront)
{
    private HttpClient Client => storefront.Client;

    [Fact]
    public async Task A_new_customers_first_orders_commit_on_SQLite_and_their_referral_code_is_one_row_in_the_storefront_database()
    {
        var (customerId, _) = await storefront.CreateCustomerAsync("store-code");

        // The starter kit enters two flows (check-in, first-order milestone): intake builds the template model for
        // their due times inside the shop's transaction, which is where the referral code used to be created.
        var first = await Client.PostAsJsonAsync("api/orders", new { id = $"{customerId}-o1", customerId, lines = new[] { new { sku = "starter-kit", quantity = 1 } } });
        first.StatusCode.Should().Be(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var second = await Client.PostAsJsonAsync("api/orders", new { id = $"{customerId}-o2", customerId, lines = new[] { new { sku = "refill-pack", quantity = 1 } } });
        second.StatusCode.Should().Be(HttpStatusCode.Created, await second.Content.ReadAsStringAsync());

        var code = (await Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/referral")).GetProperty("code").GetString();
        await using var sqlite = new SqliteConnection($"Data Source={Path.Combine(storefront.DataDirectory, "storefront.db")};Mode=ReadOnly");
        await sqlite.OpenAsync();
        await using var query = sqlite.CreateCommand();
        query.CommandText = "SELECT code FROM loyalty_referral_codes WHERE customer_id = $id";
        query.Parameters.AddWithValue("$id", customerId);
        var rows = new List<string>();
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        rows.Should().Equal(code);
        (await Client.GetFromJsonAsync<JsonElement[]>($"api/sends?customerId={customerId}"))!
            .Select(s => s.GetProperty("flow").GetString()).Should().Contain(["starter-kit-checkin", "milestone-congratulation"]);
    }

    [Fact]
    public async Task Inside_an_open_shop_transaction_the_template_model_reads_an_existing_referral_code_from_its_own_connection()
    {
        var (customerId, _) = await storefront.CreateCustomerAsync("store-tx");
        var code = (await Client.GetFromJsonAsync<JsonElement>($"api/customers/{customerId}/referral")).GetProperty("code").GetString();

        await using var scope = storefront.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorefrontDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.ShopCredits.Add(new ShopCredit { IdempotencyKey = $"test:{customerId}", CustomerId = customerId, Kind = "test", Currency = "TWD", Code = "T" });
        await db.SaveChangesAsync();

        // What intake does while the shop's transaction holds the write lock: the contributor's own scope only reads.
        var models = scope.ServiceProvider.GetRequiredService<TemplateModelFactory>();
        var model = await Task.Run(() => models.Create(
            new OrderPlaced
            {
                EventId = $"order-placed:{customerId}-tx",
                OccurredAt = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(),
                CustomerId = customerId,
                OrderId = $"{customerId}-tx",
                Currency = "TWD",
                Total = 300m,
                Lines = [new OrderLine { Sku = "refill-pack", ProductName = "Refill Pack", Quantity = 1, UnitPrice = 300m }],
            },
            customer: null));
        await transaction.RollbackAsync();

        model.Root["referral"].Should().BeAssignableTo<IDictionary<string, object?>>()
            .Which["code"].Should().Be(code);
        (await db.ShopCredits.AnyAsync(c => c.CustomerId == customerId)).Should().BeFalse("the shop's transaction was rolled back");
    }
}
