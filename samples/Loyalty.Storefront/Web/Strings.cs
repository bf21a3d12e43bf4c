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
        ["referral-intro"] = ("Share your link: a friend's first order earns them a welcome credit, and you a thank-you credit once it has passed the 14-day return window.",
            "分享您的專屬連結：好友首次訂購可獲得迎新購物金，訂單通過 14 天退貨期後，您也會獲得感謝購物金。"),
        ["referral-link"] = ("Your link", "您的連結"),
        ["your-code"] = ("code", "推薦碼"),
        ["referral-funnel"] = ("Share-link opens · visits · friends' orders · rewards", "分享連結開啟 · 造訪 · 好友訂單 · 獎勵"),
        ["share-review"] = ("Share your review", "分享您的評論"),
        ["rewards"] = ("Rewards and credits", "獎勵與購物金"),
        ["no-rewards"] = ("No rewards yet.", "尚無獎勵。"),
        ["reviews"] = ("Reviews", "評論"),
        ["my-reviews"] = ("My reviews", "我的評論"),
        ["write-review"] = ("Write a review", "撰寫評論"),
        ["rating"] = ("Rating", "評分"),
        ["your-review"] = ("Your review", "您的評論"),
        ["submit-review"] = ("Submit review", "送出評論"),
        ["review-thanks"] = ("Thank you for your review!", "感謝您的評論！"),
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
        ["dr-title"] = ("Admin · flow dry-run", "管理 · 流程試算"),
        ["dr-intro"] = ("What would happen if the shop published this event for the customer now: which flows they would enter, when each step would fall due, and why the other flows would not start. It runs the library's FlowDryRun, which only reads the database: it writes, schedules and sends nothing.",
            "如果商店現在為這位顧客發布此事件，會發生什麼：顧客會進入哪些流程、每個步驟何時到期，以及其他流程為何不會啟動。此頁使用函式庫的 FlowDryRun：只讀取資料庫，不寫入、不排程、不寄信。"),
        ["dr-customer"] = ("Customer", "顧客"),
        ["dr-event"] = ("Event", "事件"),
        ["dr-run"] = ("Dry-run", "試算"),
        ["dr-event-starter-kit-order"] = ("A new order of the Starter Kit", "新訂單：入門組"),
        ["dr-event-refill-order"] = ("A new order of the Refill Pack", "新訂單：補充包"),
        ["dr-event-last-order-delivered"] = ("Their last order is delivered", "最近一筆訂單送達"),
        ["dr-event-service-issue"] = ("A late delivery is detected (medium)", "偵測到延遲送達（中度）"),
        ["dr-event-five-star-review"] = ("A 5-star review of their last order", "為最近一筆訂單給五星評論"),
        ["dr-no-customer"] = ("No customer '{0}'.", "找不到顧客「{0}」。"),
        ["dr-needs-order"] = ("This event needs an order: the customer has none yet.", "此事件需要訂單：這位顧客尚無訂單。"),
        ["dr-refused"] = ("The library would refuse this event:", "函式庫會拒絕此事件："),
        ["dr-follow-on"] = ("Then the referral programme would publish", "接著推薦計畫會發布"),
        ["dr-event-line"] = ("Event", "事件"),
        ["dr-now"] = ("now", "現在"),
        ["dr-milestones"] = ("Milestones it would reach", "將達成的里程碑"),
        ["dr-would-enter"] = ("Flows the customer would enter", "顧客會進入的流程"),
        ["dr-would-not"] = ("Flows that would not start", "不會啟動的流程"),
        ["dr-none"] = ("None.", "無。"),
        ["dr-flow"] = ("Flow", "流程"),
        ["dr-on"] = ("On", "觸發事件"),
        ["dr-steps"] = ("Steps, when due", "步驟與到期時間"),
        ["dr-outcome"] = ("Outcome", "結果"),
        ["dr-why"] = ("Why", "原因"),
        ["dr-exit-when"] = ("skipped if, when due:", "到期時若成立則略過："),
        ["dr-at-once"] = ("at once", "立即"),
        ["dr-in"] = ("in {0}", "{0}後"),
        ["dr-verdict-TriggerMismatch"] = ("starts on another event", "由其他事件觸發"),
        ["dr-verdict-EntryConditionFailed"] = ("an entry condition does not hold", "進入條件不成立"),
        ["dr-verdict-Reentry"] = ("re-entry rule", "重複進入規則"),
        ["dr-verdict-DuplicateEvent"] = ("event published before", "事件已發布過"),
        ["dr-verdict-Entered"] = ("would enter", "會進入"),
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
