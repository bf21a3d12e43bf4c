using System.Text.Json;
using System.Text.Json.Serialization;
using Loyalty.Stores;

namespace Loyalty.EntityFrameworkCore.Referrals;

/// <summary>The JSON of a review request's products (the <c>products</c> column): <c>[{"sku":…,"name":…,"url":…,"tags":…}]</c>.</summary>
internal static class ReviewProductsJson
{
    public static string Write(List<ReviewRequestProduct>? products) =>
        JsonSerializer.Serialize(products ?? [], ReviewProductsJsonContext.Default.ListReviewRequestProduct);

    public static List<ReviewRequestProduct> Read(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, ReviewProductsJsonContext.Default.ListReviewRequestProduct) ?? [];
}

/// <summary>Source-generated serialization of <see cref="ReviewProductsJson"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ReviewRequestProduct>))]
internal sealed partial class ReviewProductsJsonContext : JsonSerializerContext
{
}
