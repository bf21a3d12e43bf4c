namespace Loyalty.Cli;

/// <summary>Wrong usage or unreadable input: printed as <c>error: ...</c> with exit code 2.</summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The arguments of one command: positionals, <c>--name value</c> options and <c>--flag</c> switches.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandLine(List<string> positionals) => Positionals = positionals;

    public IReadOnlyList<string> Positionals { get; }

    public bool Json => Has("--json");

    /// <summary>Parses <paramref name="args"/>; anything not in <paramref name="options"/> or <paramref name="flags"/> is refused.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags)
    {
        var positionals = new List<string>();
        var result = new CommandLine(positionals);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positionals.Add(arg);
                continue;
            }

            var name = arg;
            string? inline = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                inline = arg[(equals + 1)..];
            }

            if (flags.Contains(name) && inline is null)
            {
                result._flags.Add(name);
            }
            else if (options.Contains(name))
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new CliUsageException($"{name} needs a value."));
                result._options[name] = value;
            }
            else
            {
                var known = options.Concat(flags).OrderBy(o => o, StringComparer.Ordinal);
                throw new CliUsageException($"unknown option '{name}' (this command knows {string.Join(", ", known)}).");
            }
        }

        return result;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Get(string option) => _options.GetValueOrDefault(option);

    public string Require(string option, string what) => Get(option) ?? throw new CliUsageException($"{option} is required: {what}.");

    public string Positional(int index, string what) =>
        index < Positionals.Count ? Positionals[index] : throw new CliUsageException($"missing {what}.");

    public void NoMorePositionalsThan(int count)
    {
        if (Positionals.Count > count)
        {
            throw new CliUsageException($"unexpected argument '{Positionals[count]}'.");
        }
    }
}
