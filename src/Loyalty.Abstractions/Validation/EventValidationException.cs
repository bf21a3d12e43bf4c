namespace Loyalty.Validation;

/// <summary>One thing wrong with an input, named by the path of the field that holds it.</summary>
/// <param name="Field">The field's path, e.g. <c>Lines[2].Quantity</c> or <c>Customer.Email</c>.</param>
/// <param name="Message">What is wrong, in words an integrator can act on.</param>
public sealed record ValidationProblem(string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// An event was refused at the door. <see cref="Problems"/> lists every problem found, not only the first;
/// nothing about the event was stored.
/// </summary>
public sealed class EventValidationException : Exception
{
    /// <summary>Creates the exception for the given problems.</summary>
    public EventValidationException(string eventType, string? eventId, IReadOnlyList<ValidationProblem> problems)
        : base(BuildMessage(eventType, eventId, problems))
    {
        EventType = eventType;
        EventId = eventId;
        Problems = problems;
    }

    /// <summary>The type of the refused event.</summary>
    public string EventType { get; }

    /// <summary>The refused event's id, when it had one.</summary>
    public string? EventId { get; }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }

    private static string BuildMessage(string eventType, string? eventId, IReadOnlyList<ValidationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var id = string.IsNullOrEmpty(eventId) ? "without an id" : $"'{Truncate(eventId)}'";
        return $"{eventType} {id} was refused ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}): "
            + string.Join("; ", problems.Select(p => p.ToString()));
    }

    private static string Truncate(string value) => value.Length <= 60 ? value : string.Concat(value.AsSpan(0, 60), "…");
}
