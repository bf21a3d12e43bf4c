using System.ComponentModel.DataAnnotations;

namespace Loyalty.Email.Delivery;

/// <summary>Where the development <see cref="FileEmailTransport"/> drops messages, bound from <c>Loyalty:Email:FileTransport</c>.</summary>
public sealed class FileTransportOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Loyalty:Email:FileTransport";

    /// <summary>The folder the .eml files go to; created when missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Directory { get; set; } = string.Empty;
}
