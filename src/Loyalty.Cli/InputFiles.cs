using System.Text.Json;
using Loyalty.Events;
using Loyalty.Stores;

namespace Loyalty.Cli;

/// <summary>Reads the JSON files a command is given: events (with <c>$type</c>), customers, preview data.</summary>
internal static class InputFiles
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true, AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static async Task<JsonDocument> ReadDocumentAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new CliUsageException($"file '{path}' does not exist.");
        }

        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"'{path}' is not valid JSON: {ex.Message}", ex);
            }
        }
    }

    /// <summary>True when the document is an event (an object with a <c>$type</c> discriminator).</summary>
    public static bool IsEvent(JsonDocument document) =>
        document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("$type", out _);

    /// <summary>The event as the packages read it: <c>JsonSerializer.Deserialize&lt;LoyaltyEvent&gt;</c>.</summary>
    public static LoyaltyEvent ToEvent(JsonDocument document, string path)
    {
        if (!IsEvent(document))
        {
            throw new CliUsageException($"'{path}' is not an event: it needs a \"$type\" such as \"OrderPlaced\", \"OrderDelivered\", \"ReviewSubmitted\", \"MilestoneReached\", \"ServiceIssueDetected\" or \"Custom\".");
        }

        try
        {
            return document.RootElement.Deserialize<LoyaltyEvent>(Options) ?? throw new CliUsageException($"'{path}' holds no event.");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new CliUsageException($"'{path}' is not a valid event: {ex.Message}", ex);
        }
    }

    /// <summary>A customer (<see cref="LoyaltyCustomer"/>'s properties) and, optionally, their earlier orders under <c>Orders</c>.</summary>
    public static (LoyaltyCustomer Customer, IReadOnlyList<CustomerOrder> Orders) ToCustomer(JsonDocument document, string path)
    {
        try
        {
            var customer = document.RootElement.Deserialize<LoyaltyCustomer>(Options) ?? throw new CliUsageException($"'{path}' holds no customer.");
            IReadOnlyList<CustomerOrder> orders = [];
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name.Equals("Orders", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Array)
                    {
                        orders = property.Value.Deserialize<List<CustomerOrder>>(Options) ?? [];
                    }
                }
            }

            return (customer, orders);
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"'{path}' is not a valid customer: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Plain model data (for <c>preview --data</c> without <c>$type</c>): objects become dictionaries, arrays lists,
    /// <c>{ "amount": 12.5, "currency": "TWD" }</c> a money value, ISO dates <see cref="DateTimeOffset"/>s.
    /// </summary>
    public static object? ToModelValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object when IsMoney(element) => new Loyalty.Email.Templates.MoneyValue(element.GetProperty("amount").GetDecimal(), element.GetProperty("currency").GetString()!),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToModelValue(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(ToModelValue).ToList(),
        JsonValueKind.String when element.TryGetDateTimeOffset(out var date) => date,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static bool IsMoney(JsonElement element)
    {
        var names = element.EnumerateObject().Select(p => p.Name).ToList();
        return names.Count == 2 && names.Contains("amount") && names.Contains("currency")
            && element.GetProperty("amount").ValueKind == JsonValueKind.Number && element.GetProperty("currency").ValueKind == JsonValueKind.String;
    }
}
