namespace Loyalty.Storefront.Shop;

/// <summary>A product of the sample shop.</summary>
public sealed record Product(string Sku, string Name, string NameZhTw, decimal Price, IReadOnlyList<string> Tags, string Description, string DescriptionZhTw)
{
    public string DisplayName(string uiLocale) => uiLocale == "zh-TW" ? NameZhTw : Name;

    public string DisplayDescription(string uiLocale) => uiLocale == "zh-TW" ? DescriptionZhTw : Description;
}

/// <summary>The fixed catalogue (prices in TWD).</summary>
public static class Catalogue
{
    public const string Currency = "TWD";

    public static IReadOnlyList<Product> Products { get; } =
    [
        new("starter-kit", "Starter Kit", "入門組", 1200m, ["starter-kit"], "Kettle, two teas and a brewing guide: everything to start.", "水壺、兩款茶葉與沖泡指南，一次備齊。"),
        new("refill-pack", "Refill Pack", "補充包", 300m, ["refill"], "Three months of your favourite leaves.", "三個月份量的茶葉補充包。"),
        new("oolong-sampler", "Oolong Sampler", "烏龍品茗組", 450m, ["tea"], "Five high-mountain oolongs from Taiwan.", "五款台灣高山烏龍。"),
        new("travel-kettle", "Travel Kettle", "旅行水壺", 1800m, ["gear"], "Folds flat, boils in three minutes.", "可折疊，三分鐘煮沸。"),
        new("gift-box", "Gift Box", "禮盒", 980m, ["gift"], "A wrapped box of two teas and a cup.", "兩款茶葉與茶杯的精美禮盒。"),
    ];

    public static Product? Find(string? sku) => Products.FirstOrDefault(p => string.Equals(p.Sku, sku, StringComparison.Ordinal));
}
