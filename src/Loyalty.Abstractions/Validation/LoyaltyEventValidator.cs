using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Loyalty.Events;

namespace Loyalty.Validation;

/// <summary>
/// Checks an event before anything about it is stored and lists every problem found. Pure: it reads no
/// store and keeps no state, so a shop may call it itself before publishing.
/// </summary>
public sealed class LoyaltyEventValidator
{
    private static readonly Lazy<HashSet<string>> KnownCurrencies = new(LoadCurrencies);
    private const int MaxRememberedLocales = 1_000;
    private readonly LoyaltyInputLimits _limits;

    // ICU's "is this a predefined culture?" takes a process-wide lock and was the largest part of validating an order
    // (batched intake, docs/performance/intake-batch.md). A shop sends a handful of locales: remember the answers,
    // up to a bound, since the names come from outside.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _locales = new(StringComparer.Ordinal);

    /// <summary>Creates a validator that applies <paramref name="limits"/>.</summary>
    public LoyaltyEventValidator(LoyaltyInputLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
    }

    /// <summary>Returns every problem of <paramref name="loyaltyEvent"/>; empty when it is acceptable.</summary>
    public IReadOnlyList<ValidationProblem> Validate(LoyaltyEvent loyaltyEvent)
    {
        ArgumentNullException.ThrowIfNull(loyaltyEvent);
        var problems = new List<ValidationProblem>();
        var check = new Checker(problems, _limits);

        check.Id(nameof(LoyaltyEvent.EventId), loyaltyEvent.EventId);
        check.Id(nameof(LoyaltyEvent.CustomerId), loyaltyEvent.CustomerId);
        if (loyaltyEvent.OccurredAt == default)
        {
            problems.Add(new(nameof(LoyaltyEvent.OccurredAt), "is required."));
        }

        if (loyaltyEvent.Customer is { } customer)
        {
            CheckCustomer(check, problems, customer);
        }
        else if (loyaltyEvent is CustomerUpserted)
        {
            problems.Add(new(nameof(LoyaltyEvent.Customer), "is required for CustomerUpserted."));
        }

        switch (loyaltyEvent)
        {
            case OrderPlaced order:
                CheckOrder(check, problems, order);
                break;
            case OrderDelivered delivered:
                check.Id(nameof(OrderDelivered.OrderId), delivered.OrderId);
                break;
            case OrderRefunded refunded:
                check.Id(nameof(OrderRefunded.OrderId), refunded.OrderId);
                if (refunded.Amount is < 0)
                {
                    problems.Add(new(nameof(OrderRefunded.Amount), "must not be negative."));
                }

                break;
            case ReviewSubmitted review:
                check.Id(nameof(ReviewSubmitted.Sku), review.Sku);
                check.OptionalId(nameof(ReviewSubmitted.OrderId), review.OrderId);
                if (review.Rating is < 1 or > 5)
                {
                    problems.Add(new(nameof(ReviewSubmitted.Rating), $"must be 1 to 5 stars, was {review.Rating}."));
                }

                check.Text(nameof(ReviewSubmitted.Text), review.Text);
                check.Url(nameof(ReviewSubmitted.ReviewUrl), review.ReviewUrl);
                check.Name(nameof(ReviewSubmitted.ProductName), review.ProductName, required: false);
                break;
            case MilestoneReached milestone:
                check.Key(nameof(MilestoneReached.Milestone), milestone.Milestone);
                check.OptionalId(nameof(MilestoneReached.OrderId), milestone.OrderId);
                break;
            case ServiceIssueDetected issue:
                check.Id(nameof(ServiceIssueDetected.IssueId), issue.IssueId);
                check.Key(nameof(ServiceIssueDetected.Kind), issue.Kind);
                check.OptionalId(nameof(ServiceIssueDetected.OrderId), issue.OrderId);
                if (!Enum.IsDefined(issue.Severity))
                {
                    problems.Add(new(nameof(ServiceIssueDetected.Severity), $"'{(int)issue.Severity}' is not a severity."));
                }

                if (issue.SuggestedCredit is { } credit)
                {
                    if (credit < 0)
                    {
                        problems.Add(new(nameof(ServiceIssueDetected.SuggestedCredit), "must not be negative."));
                    }

                    if (issue.Currency is null)
                    {
                        problems.Add(new(nameof(ServiceIssueDetected.Currency), "is required with a suggested credit."));
                    }
                }

                if (issue.Currency is not null)
                {
                    check.Currency(nameof(ServiceIssueDetected.Currency), issue.Currency);
                }

                break;
            case CustomEvent custom:
                CheckCustom(check, problems, custom, _limits);
                break;
        }

        return problems;
    }

    /// <summary>Throws <see cref="EventValidationException"/> naming every problem, when there is one.</summary>
    public void ThrowIfInvalid(LoyaltyEvent loyaltyEvent)
    {
        var problems = Validate(loyaltyEvent);
        if (problems.Count > 0)
        {
            throw new EventValidationException(loyaltyEvent.GetType().Name, loyaltyEvent.EventId, problems);
        }
    }

    /// <summary>True when <paramref name="code"/> is an ISO 4217 currency code known to this runtime.</summary>
    public static bool IsKnownCurrency(string? code) => code is { Length: 3 } && KnownCurrencies.Value.Contains(code);

    private void CheckCustomer(Checker check, List<ValidationProblem> problems, CustomerSnapshot customer)
    {
        if (EmailAddressRules.Check(customer.Email) is { } reason)
        {
            problems.Add(new("Customer.Email", $"'{Checker.Show(customer.Email)}' {reason}"));
        }

        check.Name("Customer.FirstName", customer.FirstName, required: false);
        check.Name("Customer.LastName", customer.LastName, required: false);
        if (customer.Locale is not null && !IsRememberedKnownLocale(customer.Locale))
        {
            problems.Add(new("Customer.Locale", $"'{Checker.Show(customer.Locale)}' is not a known culture name (e.g. en, zh-TW, th-TH)."));
        }

        if (customer.TimeZone is not null && !IsKnownTimeZone(customer.TimeZone))
        {
            problems.Add(new("Customer.TimeZone", $"'{Checker.Show(customer.TimeZone)}' is not a time zone that exists (use an IANA id such as Asia/Taipei)."));
        }

        if (customer.MarketingConsent is { } consent)
        {
            check.Key("Customer.MarketingConsent.Source", consent.Source);
            if (consent.At == default)
            {
                problems.Add(new("Customer.MarketingConsent.At", "is required."));
            }
        }
    }

    private static void CheckOrder(Checker check, List<ValidationProblem> problems, OrderPlaced order)
    {
        check.Id(nameof(OrderPlaced.OrderId), order.OrderId);
        check.Currency(nameof(OrderPlaced.Currency), order.Currency);
        if (order.Total < 0)
        {
            problems.Add(new(nameof(OrderPlaced.Total), "must not be negative."));
        }

        check.OptionalId(nameof(OrderPlaced.ReferralCode), order.ReferralCode);
        check.OptionalId(nameof(OrderPlaced.VisitorId), order.VisitorId);
        check.OptionalId(nameof(OrderPlaced.ShippingAddressFingerprint), order.ShippingAddressFingerprint);
        check.OptionalId(nameof(OrderPlaced.PaymentFingerprint), order.PaymentFingerprint);

        if (order.Lines is null || order.Lines.Count == 0)
        {
            problems.Add(new(nameof(OrderPlaced.Lines), "must have at least one line."));
            return;
        }

        if (order.Lines.Count > check.Limits.MaxOrderLines)
        {
            // Checking each of a huge list would itself be the attack: refuse on the count alone.
            problems.Add(new(nameof(OrderPlaced.Lines), $"has {order.Lines.Count} lines; at most {check.Limits.MaxOrderLines} are accepted."));
            return;
        }

        for (var i = 0; i < order.Lines.Count; i++)
        {
            var line = order.Lines[i];
            var at = $"Lines[{i}]";
            if (line is null)
            {
                problems.Add(new(at, "is null."));
                continue;
            }

            check.Id($"{at}.Sku", line.Sku);
            check.Name($"{at}.ProductName", line.ProductName, required: true);
            if (line.Quantity < 1)
            {
                problems.Add(new($"{at}.Quantity", $"must be at least 1, was {line.Quantity}."));
            }

            if (line.UnitPrice < 0)
            {
                problems.Add(new($"{at}.UnitPrice", "must not be negative."));
            }

            check.Url($"{at}.ProductUrl", line.ProductUrl);
            var tags = line.Tags ?? [];
            if (tags.Count > check.Limits.MaxTagsPerLine)
            {
                problems.Add(new($"{at}.Tags", $"has {tags.Count} tags; at most {check.Limits.MaxTagsPerLine} are accepted."));
                continue;
            }

            for (var t = 0; t < tags.Count; t++)
            {
                check.Key($"{at}.Tags[{t}]", tags[t]);
            }
        }
    }

    private static void CheckCustom(Checker check, List<ValidationProblem> problems, CustomEvent custom, LoyaltyInputLimits limits)
    {
        check.Key(nameof(CustomEvent.Name), custom.Name);
        if (custom.Name is EventTypes.CustomerUpserted or EventTypes.OrderPlaced or EventTypes.OrderDelivered
            or EventTypes.OrderRefunded or EventTypes.ReviewSubmitted or EventTypes.MilestoneReached or EventTypes.ServiceIssueDetected)
        {
            problems.Add(new(nameof(CustomEvent.Name), $"'{custom.Name}' is a built-in event type; publish the built-in record instead."));
        }

        var properties = custom.Properties;
        if (properties.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        if (properties.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(nameof(CustomEvent.Properties), $"must be a JSON object, was {properties.ValueKind}."));
            return;
        }

        // The raw UTF-8 of the element, without copying it: GetRawText() would allocate twice the size of a
        // hostile object before the limit could refuse it (and would count characters, not bytes).
        var size = JsonMarshal.GetRawUtf8Value(properties).Length;
        if (size > limits.MaxCustomPropertiesBytes)
        {
            problems.Add(new(nameof(CustomEvent.Properties), $"is {size} bytes of JSON; at most {limits.MaxCustomPropertiesBytes} are accepted."));
            return;
        }

        foreach (var property in properties.EnumerateObject())
        {
            if (property.Name.Length == 0 || property.Name.Any(char.IsControl))
            {
                problems.Add(new($"{nameof(CustomEvent.Properties)}.{Checker.Show(property.Name)}", "has an empty name or a control character in its name."));
            }
            else if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.Contains('\0', StringComparison.Ordinal))
            {
                problems.Add(new($"{nameof(CustomEvent.Properties)}.{property.Name}", "contains a NUL character."));
            }
        }
    }

    private bool IsRememberedKnownLocale(string name)
    {
        if (_locales.TryGetValue(name, out var known))
        {
            return known;
        }

        known = IsKnownLocale(name);
        if (_locales.Count < MaxRememberedLocales)
        {
            _locales.TryAdd(name, known);
        }

        return known;
    }

    private static bool IsKnownLocale(string name)
    {
        if (name.Length is 0 or > 35)
        {
            return false;
        }

        try
        {
            _ = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            return true;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    private static bool IsKnownTimeZone(string id)
        => id.Length is > 0 and <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    private static HashSet<string> LoadCurrencies()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            try
            {
                set.Add(new RegionInfo(culture.Name).ISOCurrencySymbol);
            }
            catch (ArgumentException)
            {
                // A culture without a region has no currency.
            }
        }

        return set;
    }

    private readonly struct Checker(List<ValidationProblem> problems, LoyaltyInputLimits limits)
    {
        public LoyaltyInputLimits Limits => limits;

        public void Id(string field, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add(new(field, "is required."));
                return;
            }

            OptionalId(field, value);
        }

        public void OptionalId(string field, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (value.Length > limits.MaxIdLength)
            {
                problems.Add(new(field, $"is {value.Length} characters long; at most {limits.MaxIdLength} are accepted."));
            }
            else if (value.Length == 0 || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                problems.Add(new(field, "must not be empty or contain white space or control characters."));
            }
        }

        public void Key(string field, string? value)
        {
            Id(field, value);
            if (value is { Length: > 0 } && value.Length <= limits.MaxIdLength
                && !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                problems.Add(new(field, $"'{Show(value)}' may contain only letters, digits, '-', '_', '.' and ':'."));
            }
        }

        public void Name(string field, string? value, bool required)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                if (required)
                {
                    problems.Add(new(field, "is required."));
                }

                return;
            }

            if (value.Length > limits.MaxNameLength)
            {
                problems.Add(new(field, $"is {value.Length} characters long; at most {limits.MaxNameLength} are accepted."));
                return;
            }

            // Names reach subjects and display names: a line break there is how headers get injected.
            if (value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
            {
                problems.Add(new(field, "must not contain line breaks or control characters (CR, LF, NUL, ...)."));
            }
        }

        public void Text(string field, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (value.Length > limits.MaxTextLength)
            {
                problems.Add(new(field, $"is {value.Length} characters long; at most {limits.MaxTextLength} are accepted."));
            }
            else if (value.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t')))
            {
                problems.Add(new(field, "must not contain control characters other than line breaks and tabs."));
            }
        }

        public void Url(string field, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (value.Length > limits.MaxUrlLength)
            {
                problems.Add(new(field, $"is {value.Length} characters long; at most {limits.MaxUrlLength} are accepted."));
            }
            else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                problems.Add(new(field, $"'{Show(value)}' must be an absolute http or https URL."));
            }
        }

        public void Currency(string field, string? value)
        {
            if (!IsKnownCurrency(value))
            {
                problems.Add(new(field, $"'{Show(value)}' is not a known ISO 4217 currency code (e.g. TWD, USD, THB, CNY)."));
            }
        }

        public static string Show(string? value)
        {
            if (value is null)
            {
                return "(null)";
            }

            var shown = new string(value.Take(60).Select(c => char.IsControl(c) ? '?' : c).ToArray());
            return value.Length > 60 ? shown + "…" : shown;
        }
    }
}
