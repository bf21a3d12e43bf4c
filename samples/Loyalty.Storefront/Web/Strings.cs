namespace Loyalty.Storefront.Web;

/// <summary>The UI's strings in English and Traditional Chinese (a dictionary is all a sample needs).</summary>
public static class Strings
{
    public static IReadOnlyList<string> UiLocales { get; } = ["en", "zh-TW"];

    private static readonly Dictionary<string, (string En, string ZhTw)> All = new(StringComparer.Ordinal)
    {
        ["shop"] = ("Shop", "商店"),
        ["cart"] = ("Cart", "購物車"),
        ["account"] = ("My account", "我的帳戶"),
        ["admin"] = ("Admin", "管理"),
        ["signed-in-as"] = ("Shopping as", "目前顧客"),
        ["switch"] = ("Switch", "切換"),
        ["catalogue"] = ("Our teas and gear", "我們的茶與器具"),
        ["add-to-cart"] = ("Add to cart", "加入購物車"),
        ["quantity"] = ("Quantity", "數量"),
        ["price"] = ("Price", "價格"),
        ["product"] = ("Product", "商品"),
        ["total"] = ("Total", "總計"),
        ["cart-empty"] = ("Your cart is empty.", "購物車是空的。"),
        ["checkout"] = ("Place order (no payment in this demo)", "下單（示範，不需付款）"),
        ["clear-cart"] = ("Empty cart", "清空購物車"),
        ["referral-code"] = ("Referral code (optional)", "推薦碼（選填）"),
        ["orders"] = ("Orders", "訂單"),
        ["no-orders"] = ("No orders yet.", "尚無訂單。"),
        ["order"] = ("Order", "訂單"),
        ["date"] = ("Date", "日期"),
        ["items"] = ("Items", "品項"),
        ["status"] = ("Status", "狀態"),
        ["deliver"] = ("Mark delivered", "標記已送達"),
        ["refund"] = ("Refund", "退款"),
        ["rate"] = ("Rate it", "評分"),
        ["order-placed"] = ("Thank you! Your order {0} is placed.", "謝謝！您的訂單 {0} 已成立。"),
        ["referral"] = ("Invite friends", "邀請好友"),
        ["referral-soon"] = ("Your personal referral link and one-click sharing (Facebook, X, LINE, WhatsApp, Telegram, Weibo, WeChat QR, e-mail) appear here once the referral programme is switched on.",
            "推薦功能啟用後，您的專屬推薦連結與一鍵分享（Facebook、X、LINE、WhatsApp、Telegram、微博、微信 QR 碼、電子郵件）會顯示在這裡。"),
        ["rewards"] = ("Rewards and credits", "獎勵與購物金"),
        ["no-rewards"] = ("No rewards yet.", "尚無獎勵。"),
        ["reviews"] = ("Reviews", "評論"),
        ["my-reviews"] = ("My reviews", "我的評論"),
        ["write-review"] = ("Write a review", "撰寫評論"),
        ["rating"] = ("Rating", "評分"),
        ["your-review"] = ("Your review", "您的評論"),
        ["submit-review"] = ("Submit review", "送出評論"),
        ["review-thanks"] = ("Thank you for your review!", "感謝您的評論！"),
        ["share-soon"] = ("Sharing your review with one click arrives with the referral programme.", "一鍵分享評論將隨推薦功能推出。"),
        ["emails"] = ("E-mails to me", "寄給我的郵件"),
        ["new-customer"] = ("New customer", "新顧客"),
        ["name"] = ("Name", "姓名"),
        ["email"] = ("E-mail", "電子郵件"),
        ["locale"] = ("Language", "語言"),
        ["time-zone"] = ("Time zone", "時區"),
        ["consent"] = ("Send me news and offers", "我願意收到最新消息與優惠"),
        ["create"] = ("Create", "建立"),
        ["demo-clock"] = ("Demo clock", "示範時鐘"),
        ["dispatch"] = ("Run due work now", "立即執行到期工作"),
        ["no-reviews"] = ("No reviews yet.", "尚無評論。"),
    };

    public static string T(string locale, string key)
        => All.TryGetValue(key, out var s) ? (locale == "zh-TW" ? s.ZhTw : s.En) : key;
}

/// <summary>Per-request UI locale: <c>?lang=zh-TW</c> switches and remembers it in a cookie.</summary>
public sealed class UiLocaleMiddleware(RequestDelegate next)
{
    public const string CookieName = "sf_lang";

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? locale = null;
        if (context.Request.Query.TryGetValue("lang", out var requested) && Strings.UiLocales.Contains(requested.ToString()))
        {
            locale = requested.ToString();
            context.Response.Cookies.Append(CookieName, locale, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        }
        else if (context.Request.Cookies.TryGetValue(CookieName, out var saved) && Strings.UiLocales.Contains(saved))
        {
            locale = saved;
        }

        context.Items[CookieName] = locale ?? "en";
        return next(context);
    }

    public static string Of(HttpContext context) => context.Items[CookieName] as string ?? "en";
}
