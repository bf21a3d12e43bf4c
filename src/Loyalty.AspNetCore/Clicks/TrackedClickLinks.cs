using System.Diagnostics.CodeAnalysis;
using Loyalty.Links;

namespace Loyalty.AspNetCore;

/// <summary>
/// Tracked clicks: a <see cref="LinkPurpose.Click"/> token whose subject is the target URL. The redirect endpoint
/// (<c>{prefix}/c/{token}</c>) only ever goes where a genuine token says, so it is never an open redirect.
/// </summary>
public static class TrackedClickLinks
{
    /// <summary>A token that sends a click to <paramref name="target"/> (an absolute http(s) URL or a local path).</summary>
    /// <exception cref="ArgumentException">The target is neither.</exception>
    public static string Token(ISignedLinks links, string target, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (!TryGetTarget(target, out var checkedTarget))
        {
            throw new ArgumentException("A tracked click goes to an absolute http(s) URL or a local path ('/...').", nameof(target));
        }

        return links.Issue(LinkPurpose.Click, checkedTarget, lifetime);
    }

    /// <summary>
    /// The redirect target of a click subject: an absolute http or https URL with a host and no user info, or a
    /// local path that starts with a single '/'. Anything else (protocol-relative <c>//host</c>, <c>/\host</c>,
    /// <c>https:host</c>, other schemes, control characters, backslashes) is refused.
    /// </summary>
    public static bool TryGetTarget(string? subject, [NotNullWhen(true)] out string? target)
    {
        target = null;
        if (string.IsNullOrEmpty(subject) || subject.Length > 2000 || subject.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\'))
        {
            return false;
        }

        if (subject[0] == '/')
        {
            if (subject.Length > 1 && subject[1] == '/')
            {
                return false;
            }

            target = subject;
            return true;
        }

        if (!subject.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !subject.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (!Uri.TryCreate(subject, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host) || uri.UserInfo.Length > 0)
        {
            return false;
        }

        target = uri.AbsoluteUri;
        return true;
    }
}
