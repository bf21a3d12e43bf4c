namespace Loyalty.IntegrationTests.ScaleOut;

/// <summary>What the SMTP test server stored: every accepted message by Message-ID and envelope recipient.</summary>
public sealed class MaildirCensus
{
    private MaildirCensus(IReadOnlyList<(string MessageId, string Recipient)> messages)
    {
        Messages = messages;
        ByMessageId = messages.GroupBy(m => m.MessageId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    public IReadOnlyList<(string MessageId, string Recipient)> Messages { get; }

    /// <summary>How many times each Message-ID (without angle brackets) arrived.</summary>
    public IReadOnlyDictionary<string, int> ByMessageId { get; }

    public int Total => Messages.Count;

    public int Distinct => ByMessageId.Count;

    /// <summary>Arrivals beyond the first of each Message-ID.</summary>
    public int Duplicates => Total - Distinct;

    public IEnumerable<string> DuplicatedIds => ByMessageId.Where(p => p.Value > 1).Select(p => p.Key);

    /// <summary>Each duplicated Message-ID with the arrival numbers (1-based) of its copies, to set beside the faults.</summary>
    public string DescribeDuplicates() => string.Join("; ", DuplicatedIds.Select(id =>
        id + " arrived as #" + string.Join(", #", Messages.Select((m, i) => (m.MessageId, Number: i + 1)).Where(m => m.MessageId == id).Select(m => m.Number))));

    /// <summary>Counts .eml files in the maildir (cheap; for polling).</summary>
    public static int CountFiles(string maildir) => Directory.Exists(maildir) ? Directory.GetFiles(maildir, "*.eml").Length : 0;

    /// <summary>Reads the Message-ID and X-Envelope-To header of every stored message (headers only).</summary>
    public static async Task<MaildirCensus> ReadAsync(string maildir)
    {
        var messages = new List<(string, string)>();
        // The server names files by arrival time, so name order is arrival order.
        var files = Directory.GetFiles(maildir, "*.eml");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            string? messageId = null;
            string? recipient = null;
            using var reader = new StreamReader(file);
            while (await reader.ReadLineAsync() is { Length: > 0 } line)
            {
                if (line.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase))
                {
                    messageId = line["Message-ID:".Length..].Trim().Trim('<', '>');
                }
                else if (line.StartsWith("X-Envelope-To:", StringComparison.OrdinalIgnoreCase))
                {
                    recipient = line["X-Envelope-To:".Length..].Trim().ToLowerInvariant();
                }
            }

            messages.Add((messageId ?? "(none) " + Path.GetFileName(file), recipient ?? ""));
        }

        return new MaildirCensus(messages);
    }
}
