using Microsoft.Extensions.Time.Testing;

namespace Loyalty.Cli.Tests;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs <see cref="LoyaltyCli.RunAsync(IReadOnlyList{string}, TextWriter, TextWriter, TimeProvider, CancellationToken)"/> in-process.</summary>
public static class Cli
{
    /// <summary>The fixed "now" of every test run: 2026-05-01 02:00 UTC (10:00 in Taipei).</summary>
    public static readonly DateTimeOffset Now = new(2026, 5, 1, 2, 0, 0, TimeSpan.Zero);

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await LoyaltyCli.RunAsync(args, stdout, stderr, new FakeTimeProvider(Now), CancellationToken.None);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>Paths of the repository and of the test data.</summary>
public static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ShippedEmailTemplates => Path.Combine(RepositoryRoot, "src", "Loyalty.Email", "Templates", "Defaults");

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Loyalty.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Loyalty.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder of templates, deleted when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "loyalty-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="relative"/> (e.g. <c>promo/default/html.liquid</c>) and returns the folder.</summary>
    public TempFolder With(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}
