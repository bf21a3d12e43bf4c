using System.Text;

namespace Loyalty.Referrals.Sharing;

/// <summary>Builds share URLs with every query value percent-encoded (RFC 3986 unreserved characters kept).</summary>
public static class ShareUrl
{
    /// <summary><paramref name="baseUrl"/> followed by <c>?name=value&amp;...</c>, skipping null values.</summary>
    public static Uri Create(string baseUrl, params (string Name, string? Value)[] query)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(query);
        var s = new StringBuilder(baseUrl);
        var separator = baseUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in query)
        {
            if (value is null)
            {
                continue;
            }

            s.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return new Uri(s.ToString(), UriKind.Absolute);
    }

    /// <summary>
    /// <paramref name="url"/> with <c>utm_source</c>, <c>utm_medium</c> and <c>utm_campaign</c> set (replacing any
    /// already there), keeping its other query parameters and fragment.
    /// </summary>
    public static Uri WithUtm(Uri url, string source, string medium, string campaign)
    {
        ArgumentNullException.ThrowIfNull(url);
        var builder = new UriBuilder(url);
        var kept = builder.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith("utm_source=", StringComparison.Ordinal) && !p.StartsWith("utm_medium=", StringComparison.Ordinal) && !p.StartsWith("utm_campaign=", StringComparison.Ordinal));
        var added = new[] { ("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign) }
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}");
        builder.Query = string.Join('&', kept.Concat(added));
        if (builder.Uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        return builder.Uri;
    }
}
