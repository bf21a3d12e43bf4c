namespace Loyalty.Email.Flows;

/// <summary>What a step does when it is due and no exit condition holds.</summary>
public abstract record FlowAction
{
    /// <summary>A short description for dry runs and admin pages.</summary>
    public abstract string Describe();
}

/// <summary>Send the named template to the customer.</summary>
/// <param name="TemplateName">The template (e.g. <c>starter-kit-checkin</c>).</param>
public sealed record SendTemplateAction(string TemplateName) : FlowAction
{
    /// <inheritdoc />
    public override string Describe() => $"send template '{TemplateName}'";
}

/// <summary>Issue a credit or coupon through the host's <see cref="ICreditIssuer"/>.</summary>
/// <param name="Kind">What to issue, e.g. <c>service-recovery-credit</c>; the host decides the amount unless the event suggests one.</param>
public sealed record IssueCreditAction(string Kind) : FlowAction
{
    /// <inheritdoc />
    public override string Describe() => $"issue credit '{Kind}'";
}

/// <summary>Publish a custom event (which other flows may trigger on).</summary>
/// <param name="EventName">The custom event's name.</param>
public sealed record PublishEventAction(string EventName) : FlowAction
{
    /// <inheritdoc />
    public override string Describe() => $"publish event '{EventName}'";
}

/// <summary>A credit or coupon request handed to the host. The library never invents money.</summary>
/// <param name="IdempotencyKey">Stable per step: a retried job passes the same key, and the host must pay once per key.</param>
/// <param name="CustomerId">Who receives it.</param>
/// <param name="Kind">What kind of credit.</param>
/// <param name="SuggestedAmount">The amount the event suggested, if any.</param>
/// <param name="Currency">Currency of the suggested amount.</param>
/// <param name="Reason">Why (flow and trigger), for the host's ledger.</param>
public sealed record CreditRequest(string IdempotencyKey, string CustomerId, string Kind, decimal? SuggestedAmount, string? Currency, string Reason);

/// <summary>The host's callback that issues credits and coupons.</summary>
public interface ICreditIssuer
{
    /// <summary>Issues the credit once per <see cref="CreditRequest.IdempotencyKey"/>; returns a description of what was issued (e.g. a coupon code), shown to templates as <c>credit</c>.</summary>
    Task<string?> IssueAsync(CreditRequest request, CancellationToken cancellationToken);
}
