using Loyalty.DependencyInjection;
using Loyalty.Email.Flows;
using Loyalty.Email.Links;
using Loyalty.Events;
using Loyalty.Publishing;
using Loyalty.Referrals;
using Loyalty.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Loyalty.Referrals.Tests;

/// <summary>The referral services over in-memory stores, a fake clock, a fake shop and a counting issuer.</summary>
internal sealed class ReferralHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    public ReferralHarness(Action<ReferralOptions>? configure = null, Action<SignedLinkOptions>? links = null, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        configureServices?.Invoke(services);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<ICustomerStore>(Customers);
        services.AddSingleton<ICreditIssuer>(Issuer);
        services.AddSingleton<ILoyaltyPublisher>(Published);
        services.AddLoyalty(shop =>
        {
            shop.Name = "Tea House";
            shop.BaseUrl = new Uri("https://shop.example/");
        }).AddReferrals(configure).AddInMemoryReferralStores();
        services.Configure<SignedLinkOptions>(o =>
        {
            o.Keys["1"] = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
            links?.Invoke(o);
        });
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        _scope = _provider.CreateAsyncScope();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public FakeCustomers Customers { get; } = new();

    public CountingIssuer Issuer { get; } = new();

    public RecordingPublisher Published { get; } = new();

    public T Get<T>() where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    public IServiceProvider Services => _scope.ServiceProvider;

    /// <summary>Adds the customer, records the order as intake would, then lets the processor see it.</summary>
    public async Task<OrderPlaced> PlaceOrderAsync(string customerId, string email, string orderId, string? code = null, string? visitorId = null,
        string? shipping = null, string? payment = null, params OrderLine[] lines)
    {
        Customers.Add(customerId, email);
        var order = new OrderPlaced
        {
            EventId = "order:" + orderId,
            OccurredAt = Time.GetUtcNow(),
            CustomerId = customerId,
            Customer = new CustomerSnapshot { Email = email, FirstName = "Mei" },
            OrderId = orderId,
            Currency = "TWD",
            Total = 1200m,
            Lines = lines.Length > 0 ? lines : [new OrderLine { Sku = "TEA-1", ProductName = "Oolong", Quantity = 1, UnitPrice = 1200m }],
            ReferralCode = code,
            VisitorId = visitorId,
            ShippingAddressFingerprint = shipping,
            PaymentFingerprint = payment,
        };
        Customers.AddOrder(customerId, orderId, order.OccurredAt);
        await Get<ReferralProcessor>().HandleAsync(order);
        return order;
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _provider.DisposeAsync();
    }
}

internal sealed class FakeCustomers : ICustomerStore
{
    private readonly Dictionary<string, LoyaltyCustomer> _customers = [];
    private readonly Dictionary<string, List<CustomerOrder>> _orders = [];

    public void Add(string id, string email)
    {
        if (!_customers.ContainsKey(id))
        {
            _customers[id] = new LoyaltyCustomer { CustomerId = id, Email = email, NormalizedEmail = email.ToLowerInvariant(), FirstName = "Mei" };
        }
    }

    public void AddOrder(string customerId, string orderId, DateTimeOffset at)
    {
        if (!_orders.TryGetValue(customerId, out var list))
        {
            _orders[customerId] = list = [];
        }

        list.Add(new CustomerOrder { CustomerId = customerId, OrderId = orderId, PlacedAt = at, Currency = "TWD", Total = 1200m });
    }

    public void Refund(string customerId, string orderId, DateTimeOffset at)
    {
        var order = _orders[customerId].Single(o => o.OrderId == orderId);
        order.Status = OrderStatus.Refunded;
        order.RefundedAt = at;
    }

    public Task<LoyaltyCustomer?> FindByIdAsync(string customerId, CancellationToken cancellationToken) => Task.FromResult(_customers.GetValueOrDefault(customerId));

    public Task<IReadOnlyList<CustomerOrder>> GetOrdersAsync(string customerId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CustomerOrder>>(_orders.TryGetValue(customerId, out var list) ? list.ToList() : []);
}

internal sealed class CountingIssuer : ICreditIssuer
{
    private readonly List<CreditRequest> _requests = [];

    public IReadOnlyList<CreditRequest> Requests { get { lock (_requests) { return _requests.ToList(); } } }

    public Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }

        return Task.FromResult<string?>("COUPON-" + request.IdempotencyKey.GetHashCode(StringComparison.Ordinal).ToString("X", System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class RecordingPublisher : ILoyaltyPublisher
{
    public List<LoyaltyEvent> Events { get; } = [];

    public Task<PublishResult> PublishAsync(LoyaltyEvent loyaltyEvent, CancellationToken cancellationToken = default)
    {
        Events.Add(loyaltyEvent);
        return Task.FromResult(new PublishResult(true, [], []));
    }
}
